// set_capacity: create, raise, lower, close; the excess moves in victim
// order; the waitlist refills raised or new seats at or after each token's
// original slot.
#include <algorithm>
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("set_capacity creates a slot in start-time order", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto out = h.set_capacity("D1", "S0", 4, "08:00", "09:00");
  CHECK(out.result.status == Status::kUpdated);
  CHECK(out.result.type == OpType::kSetCapacity);
  CHECK(out.result.slot_id == test::slot("S0"));
  CHECK(out.result.capacity == 4u);
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[0].slot_id == test::slot("S0"));
  CHECK(out.events[0].capacity == 4u);
  CHECK(out.events[0].doctor_id == test::doc("D1"));

  REQUIRE(h.set_capacity("D1", "S2b", 1, "10:30").result.ok());
  REQUIRE(h.set_capacity("D1", "U", 1).result.ok());
  CHECK(h.slot_order("D1") == Strings{"S0", "S1", "S2", "S2b", "S3", "U"});
  const auto board = h.board("D1");
  CHECK(board.slots[0].start == test::at("08:00"));
  CHECK(board.slots[0].end == test::at("09:00"));
  CHECK(board.slots[0].capacity == 4);
  CHECK(board.slots[3].start == test::at("10:30"));
  CHECK_FALSE(board.slots[5].start.has_value());
  // The new earliest slot is where the next patient goes.
  CHECK(h.allocate("D1", std::nullopt, Source::kWalkIn).result.slot_id == test::slot("S0"));
}

TEST_CASE("set_capacity creates the doctor too", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  REQUIRE(h.set_capacity("D5", "P1", 2, "09:00", "10:00").result.ok());
  CHECK(h.slot_order("D5") == Strings{"P1"});
  CHECK(h.engine.doctors().back() == test::doc("D5"));
  CHECK(h.allocate("D5", std::nullopt, Source::kWalkIn).result.status == Status::kAllocated);
}

TEST_CASE("raising a capacity adds seats", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S1", Source::kWalkIn);
  const auto out = h.set_capacity("D1", "S1", 3);
  CHECK(out.result.capacity == 3u);
  CHECK(test::kinds_of(out.events) == std::vector<EventKind>{EventKind::kSlotUpdated});
  CHECK(h.capacity_of("D1", "S1") == 3);
  CHECK(h.allocate("D1", "S1", Source::kWalkIn).result.status == Status::kAllocated);
  CHECK(h.allocate("D1", "S1", Source::kWalkIn).result.status == Status::kAllocated);
  CHECK(h.allocate("D1", "S1", Source::kWalkIn).result.status == Status::kRejected);
}

TEST_CASE("setting the same capacity changes nothing", "[capacity]") {
  Harness h(test::three_slot_schedule(2, 1, 1));
  const auto out = h.set_capacity("D1", "S1", 2);
  CHECK(out.result.status == Status::kUpdated);
  CHECK(out.events.empty());
  CHECK(h.board("D1").version == 0);
}

TEST_CASE("lowering a capacity moves the excess, chosen in victim order", "[capacity]") {
  Harness h(test::three_slot_schedule(4, 3, 1));
  const auto paid = h.seat("D1", "S1", Source::kPaid);
  const auto walk_a = h.seat("D1", "S1", Source::kWalkIn);
  const auto online = h.seat("D1", "S1", Source::kOnline);
  const auto walk_b = h.seat("D1", "S1", Source::kWalkIn);

  // Two must leave: the WALK_INs (lowest priority), not the ONLINE or PAID.
  const auto out = h.set_capacity("D1", "S1", 2);
  CHECK(out.result.status == Status::kUpdated);
  CHECK(out.result.capacity == 2u);
  REQUIRE(out.events.size() == 3);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[0].capacity == 2u);
  Strings moved;
  for (std::size_t i = 1; i < 3; ++i) {
    CHECK(out.events[i].kind == EventKind::kMoved);
    CHECK(out.events[i].from_slot == test::slot("S1"));
    CHECK(out.events[i].to_slot == test::slot("S2"));
    moved.push_back(out.events[i].token_id->str());
  }
  std::sort(moved.begin(), moved.end());
  Strings expected{walk_a.str(), walk_b.str()};
  std::sort(expected.begin(), expected.end());
  CHECK(moved == expected);
  CHECK(h.in_slot("D1", "S1") == Strings{paid.str(), online.str()});
  // They keep their arrival order in S2.
  CHECK(h.in_slot("D1", "S2") == Strings{walk_a.str(), walk_b.str()});
}

TEST_CASE("lowering picks the latest arrival among equals and waitlists when no seat is left",
          "[capacity]") {
  Harness h(test::three_slot_schedule(3, 1, 0));
  h.seat("D1", "S2", Source::kEmergency);  // no later seat for anyone from S1
  const auto a = h.seat("D1", "S1", Source::kOnline);
  const auto b = h.seat("D1", "S1", Source::kOnline);
  const auto c = h.seat("D1", "S1", Source::kOnline);
  const auto out = h.set_capacity("D1", "S1", 2);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1].kind == EventKind::kWaitlisted);
  CHECK(out.events[1].token_id == c);
  CHECK(out.events[1].from_slot == test::slot("S1"));
  CHECK(h.in_slot("D1", "S1") == Strings{a.str(), b.str()});
  CHECK(h.waitlist("D1") == Strings{c.str()});
}

TEST_CASE("lowering keeps called and served tokens in place", "[capacity]") {
  Harness h(test::three_slot_schedule(3, 2, 1));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == walk);  // the lowest priority, but called
  const auto paid = h.seat("D1", "S1", Source::kPaid);
  const auto online = h.seat("D1", "S1", Source::kOnline);
  const auto out = h.set_capacity("D1", "S1", 2);
  REQUIRE(out.result.ok());
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1].kind == EventKind::kMoved);
  CHECK(out.events[1].token_id == online);
  CHECK(h.status(walk).slot_id == test::slot("S1"));
  CHECK(h.status(paid).slot_id == test::slot("S1"));
  CHECK(h.status(online).slot_id == test::slot("S2"));
}

TEST_CASE("capacity 0 closes the slot and moves all its waiting tokens", "[capacity]") {
  Harness h(test::three_slot_schedule(3, 1, 1));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kPaid);
  const auto c = h.seat("D1", "S1", Source::kOnline);
  const auto out = h.set_capacity("D1", "S1", 0);
  CHECK(out.result.status == Status::kUpdated);
  CHECK(out.result.capacity == 0u);
  REQUIRE(out.events.size() == 4);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[0].capacity == 0u);
  CHECK(h.in_slot("D1", "S1").empty());
  CHECK(h.capacity_of("D1", "S1") == 0);
  // Two later seats (S2, S3) for three tokens: one of them goes to the
  // waitlist: the rules fix who leaves, not which leaver gets which seat.
  int waitlisted = 0;
  for (const auto& t : {a, b, c}) waitlisted += h.state(t) == TokenState::kWaitlisted;
  CHECK(waitlisted == 1);
  CHECK(h.waitlist("D1").size() == 1);
  CHECK(h.in_slot("D1", "S2").size() == 1);
  CHECK(h.in_slot("D1", "S3").size() == 1);
  test::require_rejected(h.allocate("D1", "S1", Source::kEmergency), Code::kSlotClosed);
  test::require_rejected(h.call_next("D1", "S1"), Code::kQueueEmpty);
}

TEST_CASE("capacity cannot go below the tokens called or served: CAPACITY_BELOW_SERVED",
          "[capacity]") {
  Harness h(test::three_slot_schedule(4, 2, 2));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kWalkIn);
  const auto c = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == a);
  REQUIRE(h.complete(a).result.ok());
  REQUIRE(h.call("D1") == b);
  REQUIRE(h.no_show(b).result.ok());
  REQUIRE(h.call("D1") == c);  // a served, b no-show, c called: three seats used up

  const auto before = h.board("D1");
  for (std::uint32_t cap : {0u, 1u, 2u}) {
    INFO("capacity " << cap);
    const auto out = h.set_capacity("D1", "S1", cap);
    test::require_rejected(out, Code::kCapacityBelowServed);
    CHECK_FALSE(out.result.reason.empty());
  }
  CHECK(h.board("D1") == before);
  const auto ok = h.set_capacity("D1", "S1", 3);
  CHECK(ok.result.status == Status::kUpdated);
  CHECK(h.capacity_of("D1", "S1") == 3);
}

TEST_CASE("raising a capacity fills it from the waitlist, best first", "[capacity]") {
  Harness h(test::three_slot_schedule(3, 0, 0));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto online = h.seat("D1", "S1", Source::kOnline);
  const auto follow = h.seat("D1", "S1", Source::kFollowUp);
  REQUIRE(h.set_capacity("D1", "S1", 0).result.ok());
  REQUIRE(h.waitlist("D1") == Strings{follow.str(), online.str(), walk.str()});

  const auto out = h.set_capacity("D1", "S1", 2);
  REQUIRE(out.events.size() == 3);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[1].kind == EventKind::kMoved);
  CHECK(out.events[1].token_id == follow);
  CHECK_FALSE(out.events[1].from_slot.has_value());
  CHECK(out.events[1].to_slot == test::slot("S1"));
  CHECK(out.events[2].kind == EventKind::kMoved);
  CHECK(out.events[2].token_id == online);
  CHECK(h.waitlist("D1") == Strings{walk.str()});
  CHECK(h.in_slot("D1", "S1") == Strings{follow.str(), online.str()});
}

TEST_CASE("a waitlisted token is only placed at or after its original slot", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto s3 = h.seat("D1", "S3", Source::kEmergency);
  const auto walk = h.seat("D1", "S2", Source::kWalkIn);
  h.seat("D1", "S2", Source::kEmergency);  // walk -> waitlist, from S2
  REQUIRE(h.waitlist("D1") == Strings{walk.str()});

  // Seats before S2 are never offered to it.
  auto out = h.set_capacity("D1", "S1", 5);
  CHECK(test::kinds_of(out.events) == std::vector<EventKind>{EventKind::kSlotUpdated});
  out = h.set_capacity("D1", "EARLY", 5, "08:00", "09:00");
  CHECK(test::kinds_of(out.events) == std::vector<EventKind>{EventKind::kSlotUpdated});
  out = h.set_capacity("D1", "S1b", 5, "09:30", "10:00");
  CHECK(test::kinds_of(out.events) == std::vector<EventKind>{EventKind::kSlotUpdated});
  CHECK(h.waitlist("D1") == Strings{walk.str()});

  SECTION("its own slot raised") {
    out = h.set_capacity("D1", "S2", 2);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1].token_id == walk);
    CHECK(out.events[1].to_slot == test::slot("S2"));
  }
  SECTION("a later slot raised") {
    out = h.set_capacity("D1", "S3", 2);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1].token_id == walk);
    CHECK(out.events[1].to_slot == test::slot("S3"));
  }
  SECTION("a later slot created") {
    out = h.set_capacity("D1", "S4", 1, "12:00", "13:00");
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[0].kind == EventKind::kSlotUpdated);
    CHECK(out.events[1].kind == EventKind::kMoved);
    CHECK(out.events[1].token_id == walk);
    CHECK_FALSE(out.events[1].from_slot.has_value());
    CHECK(out.events[1].to_slot == test::slot("S4"));
  }
  SECTION("an untimed slot created (it comes after every timed slot)") {
    out = h.set_capacity("D1", "EXTRA", 1);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1].to_slot == test::slot("EXTRA"));
  }
  SECTION("a later slot created by allocate") {
    out = h.allocate("D1", "EXTRA", Source::kWalkIn, 2);
    CHECK(out.result.status == Status::kAllocated);
    CHECK(out.result.slot_id == test::slot("EXTRA"));
    REQUIRE(out.events.size() == 3);
    CHECK(out.events[0].kind == EventKind::kSlotUpdated);
    // The newcomer and the waitlisted token share the new slot.
    CHECK(h.in_slot("D1", "EXTRA") == Strings{walk.str(), out.result.token_id->str()});
  }
  CHECK(h.waitlist("D1").empty());
  CHECK(h.state(walk) == TokenState::kWaiting);
  CHECK(h.state(s3) == TokenState::kWaiting);
}

TEST_CASE("reopening a closed slot refills it from the waitlist", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 0, 0));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.set_capacity("D1", "S1", 0).result.ok());
  REQUIRE(h.state(a) == TokenState::kWaitlisted);
  const auto out = h.set_capacity("D1", "S1", 1);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1].kind == EventKind::kMoved);
  CHECK(h.in_slot("D1", "S1") == Strings{a.str()});
}

TEST_CASE("set_capacity rejections", "[capacity]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  test::require_rejected(h.set_capacity("D1", "T1", 3), Code::kSlotDoctorMismatch);
  CHECK(h.capacity_of("D2", "T1") == 1);
  // An existing slot keeps its times.
  test::require_rejected(h.set_capacity("D1", "S1", 3, "13:00", "14:00"), Code::kSlotTimeMismatch);
  CHECK(h.set_capacity("D1", "S1", 3, "09:00", "10:00").result.ok());
  CHECK(h.capacity_of("D1", "S1") == 3);
}

}  // namespace
}  // namespace opd

namespace opd {
namespace {

TEST_CASE("a slot with more seats than a slot record keeps inline behaves like any other", "[capacity]") {
  // Seat keys and seat lists live inside the slot's record up to 24
  // seats, on the heap beyond: 40 seats cross over, and lowering the
  // capacity brings them back under.
  test::Harness h(test::three_slot_schedule(40, 5, 5));
  std::vector<TokenId> walk_ins;
  for (int i = 0; i < 40; ++i) walk_ins.push_back(h.seat("D1", "S1", Source::kWalkIn));
  CHECK(h.engine.board(test::doc("D1"))->slots[0].tokens.size() == 40);

  // Full: a PAID patient displaces the latest walk-in, which moves to S2.
  const auto paid = h.allocate("D1", "S1", Source::kPaid);
  REQUIRE(paid.result.status == Status::kReallocated);
  CHECK(paid.result.removed_token == walk_ins.back());
  CHECK(paid.result.moved_to == Destination{test::slot("S2")});
  CHECK(paid.result.ahead == 0u);  // before every walk-in

  // Served in priority order, then arrival, from the 40 seats.
  CHECK(h.call_next("D1").result.token_id == paid.result.token_id);
  CHECK(h.call_next("D1").result.token_id == walk_ins[0]);
  REQUIRE(h.cancel(walk_ins[1]).result.status == Status::kCancelled);
  CHECK(h.call_next("D1").result.token_id == walk_ins[2]);

  // Down to 10: the 36 still waiting keep 7 seats beside the 3 called
  // ones; the other 29 move: 4 to S2 (beside the displaced walk-in), 5
  // to S3, 20 to the waitlist.
  const auto lowered = h.set_capacity("D1", "S1", 10);
  REQUIRE(lowered.result.ok());
  const auto board = *h.engine.board(test::doc("D1"));
  CHECK(board.slots[0].tokens.size() == 10);
  CHECK(board.slots[1].tokens.size() == 5);
  CHECK(board.slots[2].tokens.size() == 5);
  CHECK(board.waitlist.size() == 20);

  // And the state survives a snapshot.
  std::string error;
  const auto loaded = Engine::load(h.engine.save(), &error);
  REQUIRE(loaded.has_value());
  CHECK(loaded->dump() == h.engine.dump());
  CHECK(loaded->check_invariants().empty());
}

}  // namespace
}  // namespace opd
