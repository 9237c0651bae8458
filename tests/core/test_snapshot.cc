// Engine::save / Engine::load: a loaded engine is the saved one (same dump,
// same future), and corrupt bytes are refused or yield a sound engine, never
// undefined behaviour (the ASan build checks the latter).
#include <random>
#include <string>
#include <vector>

#include "random_requests.h"
#include "support.h"

namespace opd {
namespace {

constexpr int kDoctors = 6;
constexpr int kSlots = 4;

// An engine after `operations` random requests, and the generator that drove it.
struct Driven {
  test::RandomRequests gen;
  Engine engine;
  Driven(std::uint64_t seed, int operations) : gen(seed, kDoctors, kSlots), engine(gen.schedule()) {
    for (int i = 0; i < operations; ++i) {
      const auto r = gen.next();
      gen.observe(r, engine.apply(r));
    }
  }
};

Engine load_or_fail(const std::string& bytes) {
  std::string error;
  auto loaded = Engine::load(bytes, &error);
  INFO("load error: " << error);
  REQUIRE(loaded.has_value());
  return std::move(*loaded);
}

TEST_CASE("load(save()) has the same dump and the same future", "[snapshot]") {
  Driven d(4242, 3'000);
  const std::string bytes = d.engine.save();
  Engine copy = load_or_fail(bytes);
  CHECK(copy.dump() == d.engine.dump());
  CHECK(copy.check_invariants().empty());
  CHECK(copy.totals() == d.engine.totals());
  CHECK(copy.current_date() == d.engine.current_date());
  CHECK(copy.config().preemption == d.engine.config().preemption);
  for (int i = 0; i < 2'000; ++i) {
    const auto r = d.gen.next();
    const auto expected = d.engine.apply(r);
    const auto actual = copy.apply(r);
    if (!(actual.result == expected.result) || !(actual.events == expected.events))
      FAIL("request " << i << " after load: " << Catch::StringMaker<Result>::convert(actual.result) << " vs "
                      << Catch::StringMaker<Result>::convert(expected.result));
    d.gen.observe(r, expected);
  }
  CHECK(copy.dump() == d.engine.dump());
  // Saving is a pure function of the state.
  CHECK(copy.save() == d.engine.save());
}

// The little-endian bytes of `value`, as the snapshot writes a u64.
std::string u64_bytes(std::uint64_t value) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  return bytes;
}

// Seats `count` walk-ins with D1, request ids PREFIX0, PREFIX1, ...
void seat_walk_ins(Engine& engine, int count, const std::string& prefix) {
  for (int i = 0; i < count; ++i) {
    Request r{.type = OpType::kAllocate};
    r.request_id = test::rid(prefix + std::to_string(i));
    r.doctor_id = test::doc("D1");
    r.source = Source::kWalkIn;
    REQUIRE(engine.apply(r).result.status == Status::kAllocated);
  }
}

TEST_CASE("token serials past the id cache's 14 digits are still rendered in full", "[snapshot]") {
  // No real service issues 10^14 tokens, so the state is made by patching
  // a snapshot's first serial (followed, in the format, by next_arrival).
  Engine engine(test::three_slot_schedule(5, 5, 5));
  seat_walk_ins(engine, 3, "r");
  Request next_day{.type = OpType::kOpenDay};
  next_day.request_id = test::rid("day-2");
  next_day.date = test::day("2026-03-02");
  REQUIRE(engine.apply(next_day).result.ok());
  std::string bytes = engine.save();
  // first_serial is 4 (three tokens issued from 1), next_arrival 3.
  const std::string at = u64_bytes(4) + u64_bytes(3);
  const auto where = bytes.find(at);
  REQUIRE(where != std::string::npos);
  REQUIRE(bytes.find(at, where + 1) == std::string::npos);
  bytes.replace(where, 8, u64_bytes(99'999'999'999'998));
  Engine patched = load_or_fail(bytes);

  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Request r{.type = OpType::kAllocate};
    r.request_id = test::rid("late-" + std::to_string(i));
    r.doctor_id = test::doc("D1");
    r.source = Source::kWalkIn;
    const Outcome out = patched.apply(r);
    REQUIRE(out.result.token_id.has_value());
    ids.push_back(out.result.token_id->str());
    REQUIRE(out.events.size() == 1);
    CHECK(out.events[0].token_id == out.result.token_id);
    CHECK(patched.check_invariants().empty());
  }
  CHECK(ids == std::vector<std::string>{"T99999999999998", "T99999999999999", "T100000000000000"});
  // The long id names its token like any other.
  Request call{.type = OpType::kCancel};
  call.request_id = test::rid("cancel-long");
  call.token_id = test::tok("T100000000000000");
  const Outcome cancelled = patched.apply(call);
  CHECK(cancelled.result.status == Status::kCancelled);
  CHECK(cancelled.result.token_id == test::tok("T100000000000000"));
  // Answered in place, long ids are viewed like short ones.
  Request late{.type = OpType::kAllocate};
  late.request_id = test::rid("late-in-place");
  late.doctor_id = test::doc("D1");
  late.source = Source::kWalkIn;
  const OutcomeRef& in_place = patched.apply_in_place(late);
  CHECK(in_place.result.token_id == "T100000000000001");
  REQUIRE(in_place.events.size() == 1);
  CHECK(in_place.events[0].token_id == "T100000000000001");
  call.request_id = test::rid("cancel-long-in-place");
  call.token_id = test::tok("T100000000000001");
  CHECK(patched.apply_in_place(call).result.token_id == "T100000000000001");
  CHECK(patched.check_invariants().empty());
}

TEST_CASE("a doctor's next number must be one past the tokens it issued", "[snapshot]") {
  Engine engine(test::three_slot_schedule(5, 5, 5));
  seat_walk_ins(engine, 3, "r");
  const std::string bytes = engine.save();
  // The doctor record: id, next_number (4: three issued), version (3 events).
  const auto u32_bytes = [](std::uint32_t value) { return u64_bytes(value).substr(0, 4); };
  const std::string at = "D1" + u32_bytes(4) + u64_bytes(3);
  const auto where = bytes.find(at);
  REQUIRE(where != std::string::npos);
  REQUIRE(bytes.find(at, where + 1) == std::string::npos);
  // 0 and 3 would issue a number twice (0 is "no token"); 5 would skip
  // one; 0xFFFFFFFF had the check mark 2^32 numbers (512 MB) and wrap.
  for (const std::uint32_t next : {0u, 3u, 5u, 0xFFFFFFFFu}) {
    INFO("next_number " << next);
    std::string patched = bytes;
    patched.replace(where + 2, 4, u32_bytes(next));
    std::string error;
    CHECK_FALSE(Engine::load(patched, &error).has_value());
    CHECK_THAT(error, Catch::Contains("doctor D1 has issued 3 tokens, but its next number is " + std::to_string(next)));
  }
}

TEST_CASE("a first token serial of 0 or past the 19-digit ids is refused", "[snapshot]") {
  Engine engine(test::three_slot_schedule(5, 5, 5));
  seat_walk_ins(engine, 3, "r");
  const std::string bytes = engine.save();
  // first_serial 1, then next_arrival 3.
  const std::string at = u64_bytes(1) + u64_bytes(3);
  const auto where = bytes.find(at);
  REQUIRE(where != std::string::npos);
  REQUIRE(bytes.find(at, where + 1) == std::string::npos);
  for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{1'000'000'000'000'000'001ULL}}) {
    INFO("first_serial " << first);
    std::string patched = bytes;
    patched.replace(where, 8, u64_bytes(first));
    std::string error;
    CHECK_FALSE(Engine::load(patched, &error).has_value());
    CHECK_THAT(error, Catch::Contains("first_serial out of range"));
  }
  // The largest accepted still issues ids that parse back.
  std::string patched = bytes;
  patched.replace(where, 8, u64_bytes(1'000'000'000'000'000'000ULL));
  Engine loaded = load_or_fail(patched);
  Request call{.type = OpType::kCallNext};
  call.request_id = test::rid("call");
  call.doctor_id = test::doc("D1");
  const auto called = loaded.apply(call);
  REQUIRE(called.result.status == Status::kCalled);
  Request done{.type = OpType::kComplete};
  done.request_id = test::rid("done");
  done.token_id = called.result.token_id;
  CHECK(loaded.apply(done).result.status == Status::kCompleted);
  CHECK(loaded.check_invariants().empty());
}

TEST_CASE("a stored DAY_OPENED answer of any operation but open_day is refused", "[snapshot]") {
  // A duplicate is rendered from the stored answer, and rendering takes
  // any DAY_OPENED answer for open_day's (whose report the engine keeps
  // aside): load must not let another operation's answer claim it.
  Engine engine(test::three_slot_schedule(5, 5, 5));
  Request r{.type = OpType::kAllocate};
  r.request_id = test::rid("probe-request");
  r.doctor_id = test::doc("D1");
  r.source = Source::kWalkIn;
  REQUIRE(engine.apply(r).result.status == Status::kAllocated);
  std::string bytes = engine.save();
  REQUIRE(load_or_fail(bytes).dump() == engine.dump());
  // The stored answer: the id, then its type and status bytes.
  const std::string id = "probe-request";
  const auto where = bytes.find(id);
  REQUIRE(where != std::string::npos);
  REQUIRE(bytes[where + id.size()] == static_cast<char>(OpType::kAllocate));
  REQUIRE(bytes[where + id.size() + 1] == static_cast<char>(Status::kAllocated));
  bytes[where + id.size() + 1] = static_cast<char>(Status::kDayOpened);
  std::string error;
  CHECK_FALSE(Engine::load(bytes, &error).has_value());
  CHECK(error.find("DAY_OPENED") != std::string::npos);
}

TEST_CASE("a stored answer with a field its status does not carry is refused", "[snapshot]") {
  // The idempotency table keeps REALLOCATED's removed token and REJECTED's
  // reason in one word (StoredResult): load must not let a record claim a
  // field its status has no room for, or a duplicate would answer another.
  Engine engine(test::three_slot_schedule(1, 1, 1));
  seat_walk_ins(engine, 3, "walk-in-");  // every seat of D1
  Request paid{.type = OpType::kAllocate};
  paid.request_id = test::rid("probe-request");
  paid.doctor_id = test::doc("D1");
  paid.source = Source::kPaid;
  const Outcome displaced = engine.apply(paid);
  REQUIRE(displaced.result.status == Status::kReallocated);
  std::string bytes = engine.save();
  Engine copy = load_or_fail(bytes);
  REQUIRE(copy.dump() == engine.dump());
  const Outcome again = copy.apply(paid);  // the duplicate, from the reloaded record
  CHECK(again.result.duplicate);
  CHECK(again.result.removed_token == displaced.result.removed_token);
  CHECK(again.result.moved_to == displaced.result.moved_to);
  const std::string id = "probe-request";
  const auto where = bytes.find(id);
  REQUIRE(where != std::string::npos);
  REQUIRE(bytes[where + id.size() + 1] == static_cast<char>(Status::kReallocated));
  for (const Status other : {Status::kAllocated, Status::kRejected, Status::kUpdated}) {
    std::string patched = bytes;
    patched[where + id.size() + 1] = static_cast<char>(other);
    std::string error;
    INFO("status " << to_string(other));
    CHECK_FALSE(Engine::load(patched, &error).has_value());
    CHECK(error.find("does not carry") != std::string::npos);
  }
}

TEST_CASE("a snapshot keeps the config and the day's request ids", "[snapshot]") {
  test::Harness h(test::three_slot_schedule(1, 1, 1),
                  EngineConfig{.preemption = PreemptionPolicy::kEmergencyOnly, .auto_create_slots = false});
  Request r{.type = OpType::kAllocate};
  r.request_id = test::rid("snap-1");
  r.doctor_id = test::doc("D1");
  r.slot_id = test::slot("S1");
  r.source = Source::kWalkIn;
  const auto first = h.apply_as_is(r);
  REQUIRE(first.result.ok());
  Engine copy = load_or_fail(h.engine.save());
  CHECK(copy.config().preemption == PreemptionPolicy::kEmergencyOnly);
  CHECK_FALSE(copy.config().auto_create_slots);
  const auto again = copy.apply(r);
  CHECK(again.result.duplicate);
  CHECK(again.result.token_id == first.result.token_id);
  CHECK(again.events.empty());
}

TEST_CASE("repeated rejection reasons round-trip, quoted ids and fixed texts alike", "[snapshot]") {
  // Reasons that quote a request's id are kept once per rejection, the
  // engine's own texts once per day: after load both must still render, and
  // the loaded engine must keep choosing the same reason indices (equal saves).
  test::Harness h(test::three_slot_schedule(1, 1, 1));
  const auto cancel_unknown = [&](Engine& engine, const std::string& request_id) {
    Request r{.type = OpType::kCancel};
    r.request_id = test::rid(request_id);
    r.token_id = test::tok("T-nobody");
    return engine.apply(r).result;
  };
  const auto missing_doctor = [&](Engine& engine, const std::string& request_id) {
    Request r{.type = OpType::kCallNext};
    r.request_id = test::rid(request_id);
    return engine.apply(r).result;
  };
  for (const auto* id : {"q1", "q2"}) CHECK(cancel_unknown(h.engine, id).reason == "unknown token 'T-nobody'");
  for (const auto* id : {"m1", "m2"}) CHECK(missing_doctor(h.engine, id).reason == "missing field 'doctor_id'");
  Engine copy = load_or_fail(h.engine.save());
  CHECK(copy.dump() == h.engine.dump());
  CHECK(cancel_unknown(copy, "q1").duplicate);
  CHECK(cancel_unknown(copy, "q1").reason == "unknown token 'T-nobody'");
  for (Engine* engine : {&h.engine, &copy}) {
    CHECK(cancel_unknown(*engine, "q3").reason == "unknown token 'T-nobody'");
    CHECK(missing_doctor(*engine, "m3").reason == "missing field 'doctor_id'");
  }
  CHECK(copy.save() == h.engine.save());
}

TEST_CASE("a fresh engine and a new day round-trip too", "[snapshot]") {
  test::Harness h(test::three_slot_schedule(2, 2, 2));
  CHECK(load_or_fail(h.engine.save()).dump() == h.engine.dump());
  h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.open_day("2027-02-02").result.ok());
  const auto copy = load_or_fail(h.engine.save());
  CHECK(copy.dump() == h.engine.dump());
  CHECK(copy.current_date() == test::day("2027-02-02"));
}

TEST_CASE("every truncation of a snapshot is refused with a reason", "[snapshot]") {
  Driven d(99, 60);
  const std::string bytes = d.engine.save();
  REQUIRE(bytes.size() > 16);
  INFO("snapshot of " << bytes.size() << " bytes");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::string error;
    const auto loaded = Engine::load(std::string_view(bytes).substr(0, n), &error);
    if (loaded) FAIL("a snapshot cut to " << n << " of " << bytes.size() << " bytes was accepted");
    if (error.empty()) FAIL("refused without a reason at " << n << " bytes");
  }
  // Trailing garbage is refused as well.
  std::string error;
  CHECK_FALSE(Engine::load(bytes + "x", &error).has_value());
  CHECK_FALSE(error.empty());
}

TEST_CASE("garbage is refused", "[snapshot]") {
  std::string error;
  CHECK_FALSE(Engine::load("", &error).has_value());
  CHECK_FALSE(error.empty());
  CHECK_FALSE(Engine::load("not a snapshot at all", &error).has_value());
  CHECK_FALSE(Engine::load(std::string(4096, '\xff'), &error).has_value());
}

TEST_CASE("corrupted snapshots are refused or load as a sound engine", "[snapshot]") {
  Driven d(7, 400);
  const std::string bytes = d.engine.save();
  std::mt19937_64 rng(31337);
  int accepted = 0;
  for (int trial = 0; trial < 1'500; ++trial) {
    std::string corrupt = bytes;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      const auto at = static_cast<std::size_t>(rng() % corrupt.size());
      corrupt[at] = static_cast<char>(rng() & 0xff);
    }
    std::string error;
    auto loaded = Engine::load(corrupt, &error);
    if (!loaded) {
      if (error.empty()) FAIL("trial " << trial << ": refused without a reason");
      continue;
    }
    ++accepted;
    const auto problems = loaded->check_invariants();
    if (!problems.empty()) FAIL("trial " << trial << ": accepted an unsound state: " << problems.front());
    // And it keeps working.
    test::RandomRequests gen(static_cast<std::uint64_t>(trial), kDoctors, kSlots);
    for (int i = 0; i < 20; ++i) {
      const auto r = gen.next();
      gen.observe(r, loaded->apply(r));
      const auto after = loaded->check_invariants();
      if (!after.empty()) FAIL("trial " << trial << ": invariant broken after load and request " << i << ": " << after.front());
    }
    (void)loaded->dump();
  }
  // Some flips land in counters and still describe a sound state.
  CHECK(accepted > 0);
}

}  // namespace
}  // namespace opd
