// Determinism: the same requests on the same schedule give identical
// results, events and state, whichever engine instance runs them and
// whatever ran before in the process.
#include <string>
#include <vector>

#include "random_requests.h"
#include "support.h"

namespace opd {
namespace {

constexpr std::uint64_t kSeed = 777;
constexpr int kDoctors = 10;
constexpr int kSlots = 4;
constexpr int kOperations = 30'000;

struct Recording {
  std::vector<Request> requests;
  std::vector<Outcome> outcomes;
  std::string final_dump;
};

// Drives one engine with the generator (which picks token ids from the
// engine's answers) and records everything.
Recording record(std::uint64_t seed, int operations) {
  test::RandomRequests gen(seed, kDoctors, kSlots);
  Engine engine(gen.schedule());
  Recording rec;
  for (int i = 0; i < operations; ++i) {
    rec.requests.push_back(gen.next());
    rec.outcomes.push_back(engine.apply(rec.requests.back()));
    gen.observe(rec.requests.back(), rec.outcomes.back());
  }
  rec.final_dump = engine.dump();
  return rec;
}

void require_same(const Outcome& a, const Outcome& b, std::size_t i) {
  if (!(a.result == b.result))
    FAIL("request " << i << ": results differ: " << Catch::StringMaker<Result>::convert(a.result) << " vs "
                    << Catch::StringMaker<Result>::convert(b.result));
  if (!(a.events == b.events)) FAIL("request " << i << ": events differ");
}

TEST_CASE("two engines fed the same requests stay identical", "[determinism]") {
  test::RandomRequests gen(kSeed, kDoctors, kSlots);
  const auto schedule = gen.schedule();
  Engine a(schedule);
  Engine b(schedule);
  for (std::size_t i = 0; i < static_cast<std::size_t>(kOperations); ++i) {
    const Request r = gen.next();
    const Outcome oa = a.apply(r);
    const Outcome ob = b.apply(r);
    require_same(oa, ob, i);
    gen.observe(r, oa);
    if (i % 1000 == 0 && a.dump() != b.dump()) FAIL("request " << i << ": dumps differ");
  }
  CHECK(a.dump() == b.dump());
  CHECK(a.totals() == b.totals());
  CHECK(a.current_date() == b.current_date());
  for (const auto& d : a.doctors()) CHECK(a.board(d) == b.board(d));
}

TEST_CASE("a replay on a fresh engine reproduces every result, event and the state",
          "[determinism]") {
  const Recording original = record(kSeed, kOperations);
  // Other engines have run in this process since; nothing global may leak.
  test::RandomRequests gen(kSeed, kDoctors, kSlots);
  Engine replay(gen.schedule());
  for (std::size_t i = 0; i < original.requests.size(); ++i)
    require_same(replay.apply(original.requests[i]), original.outcomes[i], i);
  CHECK(replay.dump() == original.final_dump);

  // The recording itself is not trivial: it allocated, displaced, moved,
  // waitlisted and opened days.
  std::size_t reallocated = 0, waitlisted = 0, days = 0, duplicates = 0;
  for (const auto& o : original.outcomes) {
    reallocated += o.result.status == Status::kReallocated;
    days += o.result.status == Status::kDayOpened;
    duplicates += o.result.duplicate;
    for (const auto& e : o.events) waitlisted += e.kind == EventKind::kWaitlisted;
  }
  CHECK(reallocated > 100);
  CHECK(waitlisted > 10);
  CHECK(days > 10);
  CHECK(duplicates > 10);
}

// The worker's loop reuses one Outcome for every request; whatever the
// previous request left in it (a reason, a report, events, optional fields)
// must not leak into the next answer.
TEST_CASE("applying into a reused Outcome gives exactly the fresh answers", "[determinism]") {
  const Recording original = record(kSeed, kOperations);
  test::RandomRequests gen(kSeed, kDoctors, kSlots);
  Engine replay(gen.schedule());
  Outcome reused;
  for (std::size_t i = 0; i < original.requests.size(); ++i) {
    replay.apply(original.requests[i], reused);
    require_same(reused, original.outcomes[i], i);
  }
  CHECK(replay.dump() == original.final_dump);
}

TEST_CASE("stretches applied quietly leave the later answers exactly as apply alone gives them",
          "[determinism]") {
  // Journal replay runs apply_quietly(), then the worker goes on with
  // apply(): the token ids of the quiet stretch must still render right,
  // whether the quiet stretch is one request or hundreds.
  const Recording original = record(kSeed, kOperations);
  test::RandomRequests gen(kSeed, kDoctors, kSlots);
  Engine mixed(gen.schedule());
  Outcome reused;
  std::size_t rendered = 0;
  for (std::size_t i = 0; i < original.requests.size(); ++i) {
    // Quiet stretches of 1 to 400 requests between rendered ones.
    const bool quiet = (i / 400) % 2 == 1 ? i % 400 != 399 : i % 3 == 1;
    if (quiet) {
      mixed.apply_quietly(original.requests[i]);
    } else {
      mixed.apply(original.requests[i], reused);
      require_same(reused, original.outcomes[i], i);
      ++rendered;
    }
  }
  CHECK(rendered > original.requests.size() / 3);
  CHECK(mixed.dump() == original.final_dump);
  CHECK(mixed.check_invariants().empty());
}

TEST_CASE("a moved-from engine's state carries on unchanged in its new owner", "[determinism]") {
  const Recording original = record(kSeed, 5'000);
  test::RandomRequests gen(kSeed, kDoctors, kSlots);
  Engine first(gen.schedule());
  for (std::size_t i = 0; i < 2'500; ++i) require_same(first.apply(original.requests[i]), original.outcomes[i], i);
  Engine second = std::move(first);
  for (std::size_t i = 2'500; i < original.requests.size(); ++i)
    require_same(second.apply(original.requests[i]), original.outcomes[i], i);
  CHECK(second.dump() == original.final_dump);
}

TEST_CASE("different requests give different states (the comparison can fail)", "[determinism]") {
  const Recording one = record(kSeed, 3'000);
  const Recording other = record(kSeed + 1, 3'000);
  CHECK(one.final_dump != other.final_dump);
}

}  // namespace
}  // namespace opd
