// Idempotency: a request_id seen before returns the original result again,
// marked duplicate, with no events and no change.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;

Request with_id(Request r, std::string_view id) {
  r.request_id = test::rid(id);
  return r;
}

Request allocate_req(std::string_view doctor, std::optional<std::string_view> slot_id, Source source) {
  Request r{.type = OpType::kAllocate};
  r.doctor_id = test::doc(doctor);
  if (slot_id) r.slot_id = test::slot(*slot_id);
  r.source = source;
  return r;
}

Request token_req(OpType type, const TokenId& token) {
  Request r{.type = type};
  r.token_id = token;
  return r;
}

// Re-sends `request` and requires the original answer, flagged duplicate,
// with no events and an unchanged engine.
void require_duplicate(Harness& h, const Request& request, const Outcome& original) {
  const auto dump = h.engine.dump();
  const auto totals = h.engine.totals();
  const auto again = h.apply_as_is(request);
  INFO("request " << request.request_id.str());
  CHECK(again.result.duplicate);
  CHECK(again.events.empty());
  auto expected = original.result;
  expected.duplicate = true;
  CHECK(again.result == expected);
  CHECK(h.engine.dump() == dump);
  CHECK(h.engine.totals() == totals);
}

TEST_CASE("a repeated allocate returns the original result and changes nothing", "[idempotency]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto request = with_id(allocate_req("D1", "S1", Source::kWalkIn), "kiosk-1:0001");
  const auto first = h.apply_as_is(request);
  REQUIRE(first.result.status == Status::kAllocated);
  CHECK_FALSE(first.result.duplicate);
  CHECK(first.result.request_id == test::rid("kiosk-1:0001"));
  CHECK(h.board("D1").version == 1);

  require_duplicate(h, request, first);
  require_duplicate(h, request, first);
  CHECK(h.board("D1").version == 1);
  CHECK(h.in_slot("D1", "S1") == std::vector<std::string>{first.result.token_id->str()});
  // The duplicate did not use up a token number.
  CHECK(h.allocate("D1", "S1", Source::kWalkIn).result.token_number == 2);
}

TEST_CASE("a repeated request_id wins over different content", "[idempotency]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto first = h.apply_as_is(with_id(allocate_req("D1", "S1", Source::kWalkIn), "r-1"));
  const auto other = with_id(allocate_req("D2", "T1", Source::kEmergency), "r-1");
  require_duplicate(h, other, first);
  CHECK(h.in_slot("D2", "T1").empty());
}

TEST_CASE("a repeated rejection is the same rejection and is counted once", "[idempotency]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S1", Source::kPaid);
  const auto request = with_id(allocate_req("D1", "S1", Source::kWalkIn), "r-low");
  const auto first = h.apply_as_is(request);
  test::require_rejected(first, Code::kLowerPriority);
  CHECK(first.result.alternative_slot == test::slot("S2"));
  require_duplicate(h, request, first);
  const auto s1 = h.engine.totals().doctors[0].slots[0].tally;
  CHECK(s1.rejected[static_cast<std::size_t>(Code::kLowerPriority)] == 1);
}

TEST_CASE("the original result is returned even after the state moved on", "[idempotency]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto request = with_id(allocate_req("D1", "S1", Source::kWalkIn), "r-orig");
  const auto first = h.apply_as_is(request);
  REQUIRE(first.result.slot_id == test::slot("S1"));
  // The token is displaced to S2 afterwards; the replay still tells what
  // the original request got.
  const auto push = h.allocate("D1", "S1", Source::kEmergency);
  REQUIRE(push.result.removed_token == first.result.token_id);
  require_duplicate(h, request, first);
  CHECK(h.status(*first.result.token_id).slot_id == test::slot("S2"));
}

TEST_CASE("every operation type is idempotent", "[idempotency]") {
  Harness h(test::three_slot_schedule(1, 1, 0));
  const auto walk = h.seat("D1", "S1", Source::kWalkIn);

  const auto realloc_req = with_id(allocate_req("D1", "S1", Source::kPaid), "op-realloc");
  const auto realloc = h.apply_as_is(realloc_req);
  REQUIRE(realloc.result.status == Status::kReallocated);
  REQUIRE(realloc.result.moved_to == Destination{test::slot("S2")});
  require_duplicate(h, realloc_req, realloc);

  Request cap{.type = OpType::kSetCapacity};
  cap.doctor_id = test::doc("D1");
  cap.slot_id = test::slot("S2");
  cap.capacity = 3;
  cap = with_id(cap, "op-cap");
  const auto capped = h.apply_as_is(cap);
  REQUIRE(capped.result.status == Status::kUpdated);
  require_duplicate(h, cap, capped);
  CHECK(h.capacity_of("D1", "S2") == 3);

  Request call{.type = OpType::kCallNext};
  call.doctor_id = test::doc("D1");
  call = with_id(call, "op-call");
  const auto called = h.apply_as_is(call);
  REQUIRE(called.result.status == Status::kCalled);
  require_duplicate(h, call, called);  // does not call a second patient
  CHECK(h.state(walk) == TokenState::kWaiting);

  const auto complete = with_id(token_req(OpType::kComplete, *called.result.token_id), "op-done");
  const auto completed = h.apply_as_is(complete);
  REQUIRE(completed.result.status == Status::kCompleted);
  require_duplicate(h, complete, completed);

  const auto walk_call = h.call("D1");
  REQUIRE(walk_call == walk);
  const auto noshow = with_id(token_req(OpType::kNoShow, walk), "op-noshow");
  const auto missed = h.apply_as_is(noshow);
  REQUIRE(missed.result.status == Status::kNoShow);
  require_duplicate(h, noshow, missed);

  const auto extra = h.seat("D1", "S2", Source::kOnline);
  const auto cancel = with_id(token_req(OpType::kCancel, extra), "op-cancel");
  const auto cancelled = h.apply_as_is(cancel);
  REQUIRE(cancelled.result.status == Status::kCancelled);
  require_duplicate(h, cancel, cancelled);  // not INVALID_STATE: it is a replay

  Request open{.type = OpType::kOpenDay};
  open.date = test::day("2025-06-01");
  open = with_id(open, "op-open");
  const auto opened = h.apply_as_is(open);
  REQUIRE(opened.result.status == Status::kDayOpened);
  require_duplicate(h, open, opened);  // not STALE_DATE: it is a replay
  CHECK(h.engine.current_date() == test::day("2025-06-01"));
}

TEST_CASE("distinct request_ids with the same content are distinct requests", "[idempotency]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto a = h.apply_as_is(with_id(allocate_req("D1", "S1", Source::kWalkIn), "a"));
  const auto b = h.apply_as_is(with_id(allocate_req("D1", "S1", Source::kWalkIn), "b"));
  CHECK_FALSE(b.result.duplicate);
  CHECK(a.result.token_number == 1);
  CHECK(b.result.token_number == 2);
  CHECK(*a.result.token_id != *b.result.token_id);
}

TEST_CASE("request ids are remembered for the service day", "[idempotency]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto request = with_id(allocate_req("D1", "S1", Source::kWalkIn), "daily-1");
  REQUIRE(h.apply_as_is(request).result.ok());
  REQUIRE(h.open_day("2025-06-01").result.ok());
  const auto next_day = h.apply_as_is(request);
  CHECK_FALSE(next_day.result.duplicate);
  CHECK(next_day.result.status == Status::kAllocated);
  CHECK(next_day.result.token_number == 1);
  CHECK(next_day.events.size() == 1);
}

}  // namespace
}  // namespace opd
