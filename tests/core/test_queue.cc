// call_next, complete and no_show: the service order and the token life cycle.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("call_next: earliest slot with waiting tokens, then priority, then arrival", "[queue]") {
  Harness h(test::three_slot_schedule(3, 3, 3));
  const auto emergency_s2 = h.seat("D1", "S2", Source::kEmergency);
  const auto walk1 = h.seat("D1", "S1", Source::kWalkIn);
  const auto online = h.seat("D1", "S1", Source::kOnline);
  const auto walk2 = h.seat("D1", "S1", Source::kWalkIn);
  const auto paid_s3 = h.seat("D1", "S3", Source::kPaid);
  const auto walk_s3 = h.seat("D1", "S3", Source::kWalkIn);

  Strings order;
  for (int i = 0; i < 6; ++i) {
    const auto out = h.call_next("D1");
    REQUIRE(out.result.status == Status::kCalled);
    order.push_back(out.result.token_id->str());
  }
  CHECK(order == Strings{online.str(), walk1.str(), walk2.str(), emergency_s2.str(), paid_s3.str(),
                         walk_s3.str()});
  test::require_rejected(h.call_next("D1"), Code::kQueueEmpty);
}

TEST_CASE("call_next reports the token and emits CALLED", "[queue]") {
  Harness h(test::three_slot_schedule(3, 3, 3));
  const auto a = h.allocate("D1", "S2", Source::kPaid).result;
  const auto out = h.call_next("D1");
  const auto& r = out.result;
  CHECK(r.status == Status::kCalled);
  CHECK(r.type == OpType::kCallNext);
  CHECK(r.token_id == a.token_id);
  CHECK(r.token_number == a.token_number);
  CHECK(r.slot_id == test::slot("S2"));
  CHECK(r.doctor_id == test::doc("D1"));
  CHECK(r.source == Source::kPaid);
  REQUIRE(out.events.size() == 1);
  CHECK(out.events[0].kind == EventKind::kCalled);
  CHECK(out.events[0].token_id == a.token_id);
  CHECK(out.events[0].slot_id == test::slot("S2"));

  CHECK(h.state(*a.token_id) == TokenState::kCalled);
  const auto board = h.board("D1");
  REQUIRE(board.now_serving.has_value());
  CHECK(board.now_serving->token_id == *a.token_id);
  CHECK(board.now_serving->state == TokenState::kCalled);
  // A called token keeps its seat on the board.
  CHECK(h.in_slot("D1", "S2") == Strings{a.token_id->str()});
}

TEST_CASE("call_next with a slot calls from that slot only", "[queue]") {
  Harness h(test::three_slot_schedule(3, 3, 3));
  const auto s1 = h.seat("D1", "S1", Source::kEmergency);
  const auto s2_walk = h.seat("D1", "S2", Source::kWalkIn);
  const auto s2_paid = h.seat("D1", "S2", Source::kPaid);
  CHECK(h.call("D1", "S2") == s2_paid);
  CHECK(h.call("D1", "S2") == s2_walk);
  test::require_rejected(h.call_next("D1", "S2"), Code::kQueueEmpty);
  test::require_rejected(h.call_next("D1", "S3"), Code::kQueueEmpty);
  CHECK(h.state(s1) == TokenState::kWaiting);
  CHECK(h.call("D1") == s1);
}

TEST_CASE("call_next rejections", "[queue]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D2", "T1", Source::kWalkIn);
  test::require_rejected(h.call_next("D1"), Code::kQueueEmpty);
  test::require_rejected(h.call_next("D1", "T1"), Code::kSlotDoctorMismatch);
  test::require_rejected(h.call_next("D1", "NOPE"), Code::kUnknownSlot);
  test::require_rejected(h.call_next("D404"), Code::kUnknownDoctor);
  CHECK(h.board("D2").now_serving == std::nullopt);
}

TEST_CASE("waitlisted tokens are not called", "[queue]") {
  Harness h(test::three_slot_schedule(1, 0, 0));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);
  const auto emergency = h.seat("D1", "S1", Source::kEmergency);
  REQUIRE(h.state(walk) == TokenState::kWaitlisted);
  CHECK(h.call("D1") == emergency);
  test::require_rejected(h.call_next("D1"), Code::kQueueEmpty);
  CHECK(h.state(walk) == TokenState::kWaitlisted);
}

TEST_CASE("complete and no_show end a CALLED token", "[queue]") {
  Harness h(test::three_slot_schedule(3, 1, 1));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == a);

  const auto done = h.complete(a);
  CHECK(done.result.status == Status::kCompleted);
  CHECK(done.result.token_id == a);
  CHECK(done.result.slot_id == test::slot("S1"));
  REQUIRE(done.events.size() == 1);
  CHECK(done.events[0].kind == EventKind::kCompleted);
  CHECK(done.events[0].token_id == a);
  CHECK(h.state(a) == TokenState::kCompleted);
  CHECK_FALSE(h.status(a).ahead.has_value());

  REQUIRE(h.call("D1") == b);
  const auto missed = h.no_show(b);
  CHECK(missed.result.status == Status::kNoShow);
  CHECK(missed.result.token_id == b);
  REQUIRE(missed.events.size() == 1);
  CHECK(missed.events[0].kind == EventKind::kNoShow);
  CHECK(h.state(b) == TokenState::kNoShow);
  CHECK_FALSE(h.status(b).ahead.has_value());
}

TEST_CASE("served tokens keep their seats: capacity counts every non-cancelled token", "[queue]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.call("D1") == a);
  REQUIRE(h.complete(a).result.ok());
  CHECK(h.in_slot("D1", "S1") == Strings{a.str()});
  CHECK(h.allocate("D1", std::nullopt, Source::kWalkIn).result.slot_id == test::slot("S2"));
}

TEST_CASE("complete and no_show need a CALLED token: INVALID_STATE otherwise", "[queue]") {
  Harness h(test::three_slot_schedule(2, 1, 0));
  const auto waiting = h.seat("D1", "S1", Source::kWalkIn);
  const auto waitlisted = h.seat("D1", "S2", Source::kWalkIn);
  h.seat("D1", "S2", Source::kPaid);  // pushes `waitlisted` to the waitlist
  REQUIRE(h.state(waitlisted) == TokenState::kWaitlisted);

  test::require_rejected(h.complete(waiting), Code::kInvalidState);
  test::require_rejected(h.no_show(waiting), Code::kInvalidState);
  test::require_rejected(h.complete(waitlisted), Code::kInvalidState);
  test::require_rejected(h.no_show(waitlisted), Code::kInvalidState);

  const auto called = h.call("D1");
  REQUIRE(called == waiting);
  REQUIRE(h.complete(called).result.ok());
  test::require_rejected(h.complete(called), Code::kInvalidState);
  test::require_rejected(h.no_show(called), Code::kInvalidState);
  CHECK(h.state(called) == TokenState::kCompleted);

  const auto cancelled = h.seat("D1", "S1", Source::kWalkIn);
  REQUIRE(h.cancel(cancelled).result.ok());
  test::require_rejected(h.complete(cancelled), Code::kInvalidState);

  const auto noshow = h.call("D1", "S2");
  REQUIRE(h.no_show(noshow).result.ok());
  test::require_rejected(h.complete(noshow), Code::kInvalidState);
  CHECK(h.state(noshow) == TokenState::kNoShow);
}

TEST_CASE("complete and no_show of an unknown token are UNKNOWN_TOKEN", "[queue]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  test::require_rejected(h.complete(test::tok("no-such-token")), Code::kUnknownToken);
  test::require_rejected(h.no_show(test::tok("T1")), Code::kUnknownToken);
}

TEST_CASE("now_serving follows the latest call", "[queue]") {
  Harness h(test::three_slot_schedule(2, 1, 1));
  const auto a = h.seat("D1", "S1", Source::kWalkIn);
  const auto b = h.seat("D1", "S1", Source::kWalkIn);
  CHECK_FALSE(h.board("D1").now_serving.has_value());
  REQUIRE(h.call("D1") == a);
  CHECK(h.board("D1").now_serving->token_id == a);
  REQUIRE(h.complete(a).result.ok());
  REQUIRE(h.call("D1") == b);
  CHECK(h.board("D1").now_serving->token_id == b);
}

}  // namespace
}  // namespace opd
