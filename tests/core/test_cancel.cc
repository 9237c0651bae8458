// cancel: frees the seat, which the best eligible waitlisted token takes.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("cancelling a waiting token frees its seat", "[cancel]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto a = h.allocate("D1", "S1", Source::kOnline).result;
  const auto b = h.seat("D1", "S1", Source::kWalkIn);

  const auto out = h.cancel(*a.token_id);
  CHECK(out.result.status == Status::kCancelled);
  CHECK(out.result.type == OpType::kCancel);
  CHECK(out.result.token_id == a.token_id);
  CHECK(out.result.token_number == a.token_number);
  CHECK(out.result.slot_id == test::slot("S1"));
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0].kind == EventKind::kCancelled);
  CHECK(out.events[0].token_id == a.token_id);
  CHECK(out.events[0].token_number == a.token_number);

  CHECK(h.state(*a.token_id) == TokenState::kCancelled);
  CHECK_FALSE(h.status(*a.token_id).ahead.has_value());
  CHECK(h.in_slot("D1", "S1") == Strings{b.str()});
  CHECK(h.status(b).ahead == 0u);
  // The seat is free again.
  CHECK(h.allocate("D1", std::nullopt, Source::kWalkIn).result.slot_id == test::slot("S1"));
}

TEST_CASE("a freed seat goes to the waitlisted token displaced from that slot", "[cancel]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S3", Source::kEmergency);
  const auto walk = h.seat("D1", "S2", Source::kWalkIn);
  const auto paid = h.seat("D1", "S2", Source::kPaid);
  REQUIRE(h.waitlist("D1") == Strings{walk.str()});

  const auto out = h.cancel(paid);
  CHECK(out.result.status == Status::kCancelled);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].kind == EventKind::kCancelled);
  CHECK(out.events[0].token_id == paid);
  const auto& moved = out.events[1];
  CHECK(moved.kind == EventKind::kMoved);
  CHECK(moved.token_id == walk);
  CHECK(moved.token_number == 2);
  CHECK_FALSE(moved.from_slot.has_value());
  CHECK(moved.to_slot == test::slot("S2"));
  CHECK(moved.slot_id == test::slot("S2"));
  CHECK(h.waitlist("D1").empty());
  CHECK(h.in_slot("D1", "S2") == Strings{walk.str()});
  CHECK(h.state(walk) == TokenState::kWaiting);
}

TEST_CASE("a seat freed in a later slot is taken by an earlier-displaced waitlisted token",
          "[cancel]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto s3 = h.seat("D1", "S3", Source::kWalkIn);
  h.seat("D1", "S2", Source::kOnline);
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  h.seat("D1", "S1", Source::kEmergency);  // walk: S2, S3 full -> waitlist (from S1)
  REQUIRE(h.waitlist("D1") == Strings{walk.str()});
  const auto out = h.cancel(s3);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[1].kind == EventKind::kMoved);
  CHECK(out.events[1].to_slot == test::slot("S3"));
  CHECK(h.in_slot("D1", "S3") == Strings{walk.str()});
}

TEST_CASE("a seat freed before the token's original slot is not offered to it", "[cancel]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto s1 = h.seat("D1", "S1", Source::kWalkIn);
  h.seat("D1", "S3", Source::kWalkIn);
  const auto walk = h.seat("D1", "S2", Source::kWalkIn);
  h.seat("D1", "S2", Source::kPaid);  // walk: S3 full -> waitlist (from S2)
  REQUIRE(h.waitlist("D1") == Strings{walk.str()});

  const auto out = h.cancel(s1);
  CHECK(test::kinds_of(out.events) == std::vector<EventKind>{EventKind::kCancelled});
  CHECK(h.waitlist("D1") == Strings{walk.str()});
  CHECK(h.in_slot("D1", "S1").empty());
}

TEST_CASE("the waitlist drains by priority, then by arrival", "[cancel]") {
  SECTION("priority first") {
    Harness h(test::three_slot_schedule(2, 0, 0));
    const auto walk = h.seat("D1", "S1", Source::kWalkIn);    // arrives first
    const auto online = h.seat("D1", "S1", Source::kOnline);  // arrives second
    const auto e1 = h.seat("D1", "S1", Source::kEmergency);   // displaces walk
    const auto e2 = h.seat("D1", "S1", Source::kEmergency);   // displaces online
    REQUIRE(h.waitlist("D1") == Strings{online.str(), walk.str()});
    const auto out = h.cancel(e2);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1].token_id == online);
    CHECK(h.waitlist("D1") == Strings{walk.str()});
    REQUIRE(h.cancel(e1).events.size() == 2);
    CHECK(h.waitlist("D1").empty());
    CHECK(h.in_slot("D1", "S1") == Strings{online.str(), walk.str()});
  }
  SECTION("then arrival") {
    Harness h(test::three_slot_schedule(2, 0, 0));
    const auto first = h.seat("D1", "S1", Source::kWalkIn);
    const auto second = h.seat("D1", "S1", Source::kWalkIn);
    const auto e1 = h.seat("D1", "S1", Source::kEmergency);  // displaces second (latest)
    h.seat("D1", "S1", Source::kEmergency);                  // displaces first
    REQUIRE(h.waitlist("D1") == Strings{first.str(), second.str()});
    const auto out = h.cancel(e1);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1].token_id == first);
    CHECK(h.waitlist("D1") == Strings{second.str()});
  }
}

TEST_CASE("cancelling a waitlisted token removes it from the waitlist", "[cancel]") {
  Harness h(test::three_slot_schedule(1, 0, 0));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto emergency = h.seat("D1", "S1", Source::kEmergency);
  REQUIRE(h.state(walk) == TokenState::kWaitlisted);
  const auto out = h.cancel(walk);
  CHECK(out.result.status == Status::kCancelled);
  CHECK(out.result.token_id == walk);
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0].kind == EventKind::kCancelled);
  CHECK(out.events[0].token_id == walk);
  CHECK(h.waitlist("D1").empty());
  CHECK(h.state(walk) == TokenState::kCancelled);
  CHECK(h.in_slot("D1", "S1") == Strings{emergency.str()});
}

TEST_CASE("cancel of an unknown token is UNKNOWN_TOKEN", "[cancel]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S1", Source::kWalkIn);
  const auto before = h.board("D1");
  test::require_rejected(h.cancel(test::tok("T999999")), Code::kUnknownToken);
  test::require_rejected(h.cancel(test::tok("nonsense")), Code::kUnknownToken);
  CHECK(h.board("D1") == before);
}

TEST_CASE("cancel in a state that cannot be cancelled is INVALID_STATE", "[cancel]") {
  Harness h(test::three_slot_schedule(3, 1, 1));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kWalkIn);
  const auto c = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == a);
  test::require_rejected(h.cancel(a), Code::kInvalidState);  // called
  REQUIRE(h.complete(a).result.ok());
  test::require_rejected(h.cancel(a), Code::kInvalidState);  // completed
  REQUIRE(h.call("D1") == b);
  REQUIRE(h.no_show(b).result.ok());
  test::require_rejected(h.cancel(b), Code::kInvalidState);  // no-show
  REQUIRE(h.cancel(c).result.ok());
  test::require_rejected(h.cancel(c), Code::kInvalidState);  // already cancelled
  CHECK(h.state(a) == TokenState::kCompleted);
  CHECK(h.state(b) == TokenState::kNoShow);
  CHECK(h.state(c) == TokenState::kCancelled);
}

}  // namespace
}  // namespace opd
