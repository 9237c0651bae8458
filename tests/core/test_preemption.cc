// Preemption in a full slot: who the victim is, where it goes, and when the
// newcomer is refused instead.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("the victim is the waiting token with the lowest priority", "[preemption]") {
  Harness h(test::three_slot_schedule(3, 1, 1));
  const auto paid = h.seat("D1", "S1", Source::kPaid);
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto follow = h.seat("D1", "S1", Source::kFollowUp);
  const auto out = h.allocate("D1", "S1", Source::kOnline);
  CHECK(out.result.status == Status::kReallocated);
  CHECK(out.result.removed_token == walk);
  CHECK(out.result.moved_to == Destination{test::slot("S2")});
  CHECK(out.result.slot_id == test::slot("S1"));
  CHECK(out.result.token_number == 4);
  CHECK(h.in_slot("D1", "S1") ==
        Strings{paid.str(), follow.str(), out.result.token_id->str()});
  CHECK(h.in_slot("D1", "S2") == Strings{walk.str()});
}

TEST_CASE("among equal priorities the latest arrival is the victim", "[preemption]") {
  Harness h(test::three_slot_schedule(3, 1, 1));
  const auto first = h.seat("D1", "S1", Source::kOnline);
  const auto second = h.seat("D1", "S1", Source::kOnline);
  const auto third = h.seat("D1", "S1", Source::kOnline);
  const auto out = h.allocate("D1", "S1", Source::kPaid);
  CHECK(out.result.removed_token == third);
  CHECK(h.in_slot("D1", "S1") == Strings{out.result.token_id->str(), first.str(), second.str()});
}

TEST_CASE("among equal priorities a never-displaced token is the victim before a displaced one",
          "[preemption]") {
  Harness h(test::three_slot_schedule(1, 2, 1));
  const auto early = h.seat("D1", "S2", Source::kWalkIn);  // never displaced, arrived first
  const auto late = h.seat("D1", "S1", Source::kWalkIn);
  // late is displaced from S1 into S2, so S2 holds two WALK_INs: `late`
  // arrived later but has been displaced once already.
  const auto first_push = h.allocate("D1", "S1", Source::kPaid);
  REQUIRE(first_push.result.removed_token == late);
  REQUIRE(h.in_slot("D1", "S2") == Strings{early.str(), late.str()});

  const auto out = h.allocate("D1", "S2", Source::kPaid);
  CHECK(out.result.status == Status::kReallocated);
  CHECK(out.result.removed_token == early);
  CHECK(out.result.moved_to == Destination{test::slot("S3")});
  CHECK(h.in_slot("D1", "S2") == Strings{out.result.token_id->str(), late.str()});
  CHECK(h.in_slot("D1", "S3") == Strings{early.str()});
}

TEST_CASE("when every candidate was displaced before, the latest arrival goes", "[preemption]") {
  Harness h(test::three_slot_schedule(2, 2, 0));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kWalkIn);
  // Both are pushed into S2 (each displaced once).
  REQUIRE(h.allocate("D1", "S1", Source::kPaid).result.removed_token == b);
  REQUIRE(h.allocate("D1", "S1", Source::kPaid).result.removed_token == a);
  REQUIRE(h.in_slot("D1", "S2") == Strings{a.str(), b.str()});
  const auto out = h.allocate("D1", "S2", Source::kOnline);
  CHECK(out.result.removed_token == b);
  CHECK(out.result.moved_to == Destination{});
}

TEST_CASE("the victim moves to the earliest later free slot keeping id, number and arrival",
          "[preemption]") {
  Harness h(test::three_slot_schedule(1, 2, 2));
  const auto victim = h.allocate("D1", "S1", Source::kWalkIn).result;
  const auto later = h.seat("D1", "S2", Source::kWalkIn);  // arrives after the victim
  const auto out = h.allocate("D1", "S1", Source::kEmergency);
  REQUIRE(out.result.status == Status::kReallocated);
  CHECK(out.result.removed_token == victim.token_id);
  CHECK(out.result.moved_to == Destination{test::slot("S2")});
  CHECK(*out.result.token_id != *victim.token_id);

  // Events: the victim's MOVED first, then the newcomer's ALLOCATED.
  REQUIRE(out.events.size() == 2);
  const auto& moved = out.events[0];
  CHECK(moved.kind == EventKind::kMoved);
  CHECK(moved.token_id == victim.token_id);
  CHECK(moved.token_number == victim.token_number);
  CHECK(moved.source == Source::kWalkIn);
  CHECK(moved.from_slot == test::slot("S1"));
  CHECK(moved.to_slot == test::slot("S2"));
  CHECK(moved.slot_id == test::slot("S2"));
  CHECK(out.events[1].kind == EventKind::kAllocated);
  CHECK(out.events[1].token_id == out.result.token_id);
  CHECK(out.events[1].slot_id == test::slot("S1"));

  const auto status = h.status(*victim.token_id);
  CHECK(status.token.state == TokenState::kWaiting);
  CHECK(status.token.token_number == victim.token_number);
  CHECK(status.slot_id == test::slot("S2"));
  // Original arrival order is kept: the victim is served before the S2
  // token that arrived after it.
  CHECK(h.in_slot("D1", "S2") == Strings{victim.token_id->str(), later.str()});
  CHECK(h.status(*victim.token_id).ahead == 1u);  // the EMERGENCY in S1
  CHECK(h.status(later).ahead == 2u);
  CHECK(h.call("D1") == *out.result.token_id);
  CHECK(h.call("D1") == *victim.token_id);
  CHECK(h.call("D1") == later);
}

TEST_CASE("the victim skips full and closed later slots", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.set_capacity("D1", "S4", 1, "12:00", "13:00");
  const auto victim = h.seat("D1", "S1", Source::kOnline);
  h.seat("D1", "S2", Source::kEmergency);  // S2 full
  REQUIRE(h.set_capacity("D1", "S3", 0).result.ok());  // S3 closed
  const auto out = h.allocate("D1", "S1", Source::kPaid);
  CHECK(out.result.removed_token == victim);
  CHECK(out.result.moved_to == Destination{test::slot("S4")});
  CHECK(h.in_slot("D1", "S4") == Strings{victim.str()});
}

TEST_CASE("the victim never moves to an earlier slot: it is WAITLISTED instead", "[preemption]") {
  Harness h(test::three_slot_schedule(2, 1, 1));
  h.seat("D1", "S3", Source::kWalkIn);               // S3 full
  const auto victim = h.seat("D1", "S2", Source::kWalkIn);  // S2 full; S1 has two free seats
  const auto out = h.allocate("D1", "S2", Source::kOnline);
  CHECK(out.result.status == Status::kReallocated);
  CHECK(out.result.removed_token == victim);
  CHECK(out.result.moved_to == Destination{});
  CHECK(out.result.moved_to->is_waitlist());
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].kind == EventKind::kWaitlisted);
  CHECK(out.events[0].token_id == victim);
  CHECK(out.events[0].from_slot == test::slot("S2"));
  CHECK_FALSE(out.events[0].slot_id.has_value());
  CHECK_FALSE(out.events[0].to_slot.has_value());
  CHECK(out.events[1].kind == EventKind::kAllocated);

  CHECK(h.in_slot("D1", "S1").empty());
  CHECK(h.waitlist("D1") == Strings{victim.str()});
  const auto status = h.status(victim);
  CHECK(status.token.state == TokenState::kWaitlisted);
  CHECK_FALSE(status.slot_id.has_value());
}

TEST_CASE("no cascades: a displaced token never displaces another", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto paid = h.seat("D1", "S1", Source::kPaid);
  const auto walk2 = h.seat("D1", "S2", Source::kWalkIn);
  const auto walk3 = h.seat("D1", "S3", Source::kWalkIn);
  const auto out = h.allocate("D1", "S1", Source::kEmergency);
  CHECK(out.result.removed_token == paid);
  CHECK(out.result.moved_to == Destination{});
  CHECK(test::kinds_of(out.events) ==
        std::vector<EventKind>{EventKind::kWaitlisted, EventKind::kAllocated});
  CHECK(h.in_slot("D1", "S2") == Strings{walk2.str()});
  CHECK(h.in_slot("D1", "S3") == Strings{walk3.str()});
  CHECK(h.waitlist("D1") == Strings{paid.str()});
}

TEST_CASE("a token that does not outrank the victim is LOWER_PRIORITY", "[preemption]") {
  Harness h(test::three_slot_schedule(2, 1, 1));
  h.seat("D1", "S1", Source::kPaid);
  h.seat("D1", "S1", Source::kOnline);
  const auto before = h.board("D1");

  SECTION("lower priority") {
    const auto out = h.allocate("D1", "S1", Source::kWalkIn);
    test::require_rejected(out, Code::kLowerPriority);
    CHECK(out.result.reason == "Lower priority");
    CHECK(out.result.alternative_slot == test::slot("S2"));
    CHECK_FALSE(out.result.removed_token.has_value());
    CHECK(out.result.token_number == 0);
  }
  SECTION("equal priority is not enough") {
    const auto out = h.allocate("D1", "S1", Source::kOnline);
    test::require_rejected(out, Code::kLowerPriority);
    CHECK(out.result.reason == "Lower priority");
  }
  // The alternative is a suggestion: nothing is booked.
  CHECK(h.board("D1") == before);
}

TEST_CASE("alternative_slot is the earliest LATER open slot with a free seat", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.set_capacity("D1", "S4", 1, "12:00", "13:00");
  // S1 is free but earlier than S2; S3 is closed; S4 is the answer.
  h.seat("D1", "S2", Source::kPaid);
  REQUIRE(h.set_capacity("D1", "S3", 0).result.ok());
  const auto out = h.allocate("D1", "S2", Source::kWalkIn);
  test::require_rejected(out, Code::kLowerPriority);
  CHECK(out.result.alternative_slot == test::slot("S4"));

  // With S4 full there is no alternative at all.
  h.seat("D1", "S4", Source::kEmergency);
  const auto none = h.allocate("D1", "S2", Source::kWalkIn);
  test::require_rejected(none, Code::kLowerPriority);
  CHECK_FALSE(none.result.alternative_slot.has_value());
}

TEST_CASE("called, completed and no-show tokens are never victims", "[preemption]") {
  // S1 holds a WALK_IN (the natural victim) and an EMERGENCY. Once the
  // WALK_IN has been called, the only waiting candidate is the EMERGENCY,
  // which PAID does not outrank.
  Harness h(test::three_slot_schedule(2, 1, 1));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == walk);
  h.seat("D1", "S1", Source::kEmergency);

  SECTION("called") {}
  SECTION("completed") { REQUIRE(h.complete(walk).result.status == Status::kCompleted); }
  SECTION("no-show") { REQUIRE(h.no_show(walk).result.status == Status::kNoShow); }

  const auto out = h.allocate("D1", "S1", Source::kPaid);
  test::require_rejected(out, Code::kLowerPriority);
  CHECK(out.result.alternative_slot == test::slot("S2"));
  CHECK(h.status(walk).slot_id == test::slot("S1"));
}

TEST_CASE("a full slot with no waiting token cannot preempt: SLOT_FULL", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == walk);
  const auto out = h.allocate("D1", "S1", Source::kEmergency);
  test::require_rejected(out, Code::kSlotFull);
  CHECK(out.result.alternative_slot == test::slot("S2"));
  // Without a slot_id the EMERGENCY simply gets the next free seat.
  CHECK(h.allocate("D1", std::nullopt, Source::kEmergency).result.slot_id == test::slot("S2"));
}

TEST_CASE("policy emergency_only: only EMERGENCY displaces", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1), EngineConfig{.preemption = PreemptionPolicy::kEmergencyOnly});
  CHECK(h.engine.config().preemption == PreemptionPolicy::kEmergencyOnly);
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto before = h.board("D1");

  // PAID outranks WALK_IN, but the policy forbids it to displace: to the
  // kiosk that is the original API's "Lower priority".
  const auto paid = h.allocate("D1", "S1", Source::kPaid);
  test::require_rejected(paid, Code::kLowerPriority);
  CHECK(paid.result.reason == "Lower priority");
  CHECK(paid.result.alternative_slot == test::slot("S2"));
  CHECK(h.board("D1") == before);

  const auto emergency = h.allocate("D1", "S1", Source::kEmergency);
  CHECK(emergency.result.status == Status::kReallocated);
  CHECK(emergency.result.removed_token == walk);
  CHECK(emergency.result.moved_to == Destination{test::slot("S2")});

  // An EMERGENCY still needs a strictly lower priority to displace.
  const auto equal = h.allocate("D1", "S1", Source::kEmergency);
  test::require_rejected(equal, Code::kLowerPriority);
  CHECK(equal.result.reason == "Lower priority");
  CHECK(equal.result.alternative_slot == test::slot("S3"));
}

TEST_CASE("policy emergency_only: no slot_id and everything full", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 0), EngineConfig{.preemption = PreemptionPolicy::kEmergencyOnly});
  h.seat("D1", "S1", Source::kWalkIn);
  const auto online = h.seat("D1", "S2", Source::kOnline);
  test::require_rejected(h.allocate("D1", std::nullopt, Source::kPaid), Code::kNoSlotAvailable);
  const auto emergency = h.allocate("D1", std::nullopt, Source::kEmergency);
  CHECK(emergency.result.status == Status::kReallocated);
  CHECK(emergency.result.slot_id == test::slot("S1"));
  CHECK(h.status(online).slot_id == test::slot("S2"));
}

TEST_CASE("a token may be displaced again after a move", "[preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.allocate("D1", "S1", Source::kOnline).result.moved_to == Destination{test::slot("S2")});
  const auto again = h.allocate("D1", "S2", Source::kFollowUp);
  CHECK(again.result.removed_token == walk);
  CHECK(again.result.moved_to == Destination{test::slot("S3")});
  REQUIRE(again.events.size() == 2);
  CHECK(again.events[0].from_slot == test::slot("S2"));
  CHECK(again.events[0].to_slot == test::slot("S3"));
  CHECK(h.status(walk).token.token_number == 1);
}

}  // namespace
}  // namespace opd
