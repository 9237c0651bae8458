// Board events: their order within an operation, per-doctor contiguous
// versions, and the `ahead` figures results and queries report.
#include <map>
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Kinds = std::vector<EventKind>;

TEST_CASE("versions are per doctor, start at 1 and grow by one per event", "[events]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  std::map<std::string, std::vector<std::uint64_t>> seen;
  auto record = [&seen](const Outcome& out) {
    for (const auto& e : out.events) seen[e.doctor_id.str()].push_back(e.version);
  };
  record(h.allocate("D1", "S1", Source::kWalkIn));
  record(h.allocate("D2", "T1", Source::kWalkIn));
  record(h.allocate("D1", "S1", Source::kWalkIn));
  record(h.allocate("D2", "T1", Source::kEmergency));  // WAITLISTED + ALLOCATED
  record(h.allocate("D1", "S1", Source::kWalkIn));     // rejected: no events
  record(h.call_next("D1"));
  record(h.set_capacity("D1", "S3", 5));
  record(h.allocate("D3", "N1", Source::kOnline, 1));  // SLOT_UPDATED + ALLOCATED

  CHECK(seen["D1"] == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(seen["D2"] == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(seen["D3"] == std::vector<std::uint64_t>{1, 2});
  CHECK(h.board("D1").version == 4);
  CHECK(h.board("D2").version == 3);
  CHECK(h.board("D3").version == 2);
}

TEST_CASE("versions continue across open_day", "[events]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  h.seat("D1", "S1", Source::kWalkIn);
  h.seat("D1", "S1", Source::kWalkIn);
  const auto out = h.open_day("2025-04-01");
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].doctor_id == test::doc("D1"));
  CHECK(out.events[0].version == 3);
  CHECK(out.events[1].doctor_id == test::doc("D2"));
  CHECK(out.events[1].version == 1);
  const auto next = h.allocate("D1", "S1", Source::kWalkIn);
  REQUIRE(next.events.size() == 1);
  CHECK(next.events[0].version == 4);
  CHECK(h.board("D1").version == 4);
}

TEST_CASE("a rejected request emits nothing and keeps the version", "[events]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S1", Source::kPaid);
  const auto out = h.allocate("D1", "S1", Source::kWalkIn);
  REQUIRE(out.result.status == Status::kRejected);
  CHECK(out.events.empty());
  CHECK(h.board("D1").version == 1);
}

TEST_CASE("event order within one operation", "[events]") {
  Harness h(test::three_slot_schedule(1, 1, 0));

  SECTION("REALLOCATED: the victim's move, then the newcomer") {
    h.seat("D1", "S1", Source::kWalkIn);
    CHECK(test::kinds_of(h.allocate("D1", "S1", Source::kPaid).events) ==
          Kinds{EventKind::kMoved, EventKind::kAllocated});
    CHECK(test::kinds_of(h.allocate("D1", "S1", Source::kEmergency).events) ==
          Kinds{EventKind::kWaitlisted, EventKind::kAllocated});
  }
  SECTION("slot created by allocate: SLOT_UPDATED first") {
    CHECK(test::kinds_of(h.allocate("D1", "NEW", Source::kWalkIn, 1).events) ==
          Kinds{EventKind::kSlotUpdated, EventKind::kAllocated});
  }
  SECTION("cancel: CANCELLED, then the waitlisted token's MOVED") {
    const auto walk = h.seat("D1", "S2", Source::kWalkIn);
    const auto paid = h.seat("D1", "S2", Source::kPaid);
    REQUIRE(h.state(walk) == TokenState::kWaitlisted);
    CHECK(test::kinds_of(h.cancel(paid).events) == Kinds{EventKind::kCancelled, EventKind::kMoved});
  }
  SECTION("lowering a capacity: SLOT_UPDATED, then the moves") {
    REQUIRE(h.set_capacity("D1", "S1", 2).result.ok());
    h.seat("D1", "S1", Source::kWalkIn);
    h.seat("D1", "S1", Source::kWalkIn);
    CHECK(test::kinds_of(h.set_capacity("D1", "S1", 0).events) ==
          Kinds{EventKind::kSlotUpdated, EventKind::kMoved, EventKind::kWaitlisted});
  }
  SECTION("raising a capacity: SLOT_UPDATED, then the waitlist's MOVED") {
    h.seat("D1", "S2", Source::kWalkIn);
    h.seat("D1", "S2", Source::kPaid);
    CHECK(test::kinds_of(h.set_capacity("D1", "S2", 2).events) ==
          Kinds{EventKind::kSlotUpdated, EventKind::kMoved});
  }
  SECTION("the life cycle of a token") {
    const auto t = h.seat("D1", "S1", Source::kWalkIn);
    CHECK(test::kinds_of(h.call_next("D1").events) == Kinds{EventKind::kCalled});
    CHECK(test::kinds_of(h.complete(t).events) == Kinds{EventKind::kCompleted});
    const auto u = h.seat("D1", "S2", Source::kWalkIn);
    CHECK(test::kinds_of(h.call_next("D1").events) == Kinds{EventKind::kCalled});
    CHECK(test::kinds_of(h.no_show(u).events) == Kinds{EventKind::kNoShow});
  }
}

TEST_CASE("events name the token, its number, source and where it is", "[events]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto first = h.allocate("D1", "S1", Source::kFollowUp);
  const auto e = first.events.at(0);
  CHECK(e.kind == EventKind::kAllocated);
  CHECK(e.token_id == first.result.token_id);
  CHECK(e.token_number == 1);
  CHECK(e.source == Source::kFollowUp);
  CHECK(e.slot_id == test::slot("S1"));
  CHECK_FALSE(e.from_slot.has_value());
  CHECK_FALSE(e.to_slot.has_value());

  const auto cancel = h.cancel(*first.result.token_id);
  const auto c = cancel.events.at(0);
  CHECK(c.kind == EventKind::kCancelled);
  CHECK(c.token_id == first.result.token_id);
  CHECK(c.token_number == 1);
  CHECK(c.source == Source::kFollowUp);
}

// `ahead` is the number of tokens call_next will call first. Checked by
// calling everyone and comparing each token's reported `ahead` with its turn.
TEST_CASE("ahead matches the order call_next serves", "[events][queries]") {
  Harness h(test::three_slot_schedule(3, 3, 2));
  std::vector<TokenId> tokens;
  tokens.push_back(h.seat("D1", "S2", Source::kOnline));
  tokens.push_back(h.seat("D1", "S1", Source::kWalkIn));
  tokens.push_back(h.seat("D1", "S3", Source::kEmergency));
  tokens.push_back(h.seat("D1", "S1", Source::kPaid));
  tokens.push_back(h.seat("D1", "S2", Source::kEmergency));
  tokens.push_back(h.seat("D1", "S1", Source::kWalkIn));
  tokens.push_back(h.seat("D1", "S1", Source::kFollowUp));  // displaces the later WALK_IN to S2
  tokens.push_back(h.seat("D1", "S3", Source::kWalkIn));
  h.seat("D2", "T1", Source::kEmergency);  // another doctor's queue does not count

  std::map<std::string, std::uint32_t> ahead;
  for (const auto& t : tokens) {
    const auto status = h.status(t);
    REQUIRE(status.token.state == TokenState::kWaiting);
    REQUIRE(status.ahead.has_value());
    ahead[t.str()] = *status.ahead;
  }
  for (std::uint32_t turn = 0; turn < tokens.size(); ++turn) {
    const auto called = h.call("D1");
    INFO("turn " << turn << ": " << called.str());
    CHECK(ahead[called.str()] == turn);
    // Everyone still waiting moved up by one.
    for (const auto& t : tokens) {
      const auto status = h.status(t);
      if (status.token.state == TokenState::kWaiting) CHECK(status.ahead == ahead[t.str()] - turn - 1);
    }
  }
}

}  // namespace
}  // namespace opd
