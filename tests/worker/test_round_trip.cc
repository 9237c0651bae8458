// Requests through the real worker: PUSH in, results and board events out on
// PUB, with the exact keys of protocol v1.
#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "harness.h"

namespace opd::worker::test {
namespace {

Schedule two_slots(std::uint32_t capacity) {
  return make_schedule({{"D1", {{"S1", capacity, "09:00", "10:00"}, {"S2", capacity, "10:00", "11:00"}}}});
}

std::set<std::string> key_set(const View& v) {
  const auto keys = v.keys();
  return {keys.begin(), keys.end()};
}

TEST_CASE("allocate round trip: ALLOCATED result and its board event", "[worker][wire]") {
  RunningWorker worker(two_slots(2));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/kiosk-1/", "doctor/D1/"});
  Pusher push(worker.context(), worker.endpoints().requests);

  std::vector<Published> events;
  const View r = round_trip(push, sub, allocate("r1", "D1", "WALK_IN"), &events);
  CHECK(r.u64("seq") == 1);
  CHECK(r.str("request_id") == "r1");
  CHECK(r.str("type") == "allocate");
  CHECK(r.str("status") == "ALLOCATED");
  CHECK_FALSE(r.boolean("duplicate"));
  CHECK(r.str("doctor_id") == "D1");
  CHECK(r.str("slot_id") == "S1");
  CHECK(r.str("source") == "WALK_IN");
  CHECK(r.u64("priority") == 4);
  CHECK(r.u64("token_number") == 1);
  CHECK(r.u64("ahead") == 0);
  CHECK_FALSE(r.has("code"));  // only rejections carry a code
  CHECK_FALSE(r.has("removed_token"));
  const std::string token = r.str("token_id");

  // The request's events come before its result, on doctor/<id>/.
  REQUIRE(events.size() == 1);
  CHECK(events[0].topic == "doctor/D1/");
  const View& e = events[0].body;
  CHECK(key_set(e) == std::set<std::string>{"seq", "version", "event", "doctor_id", "token_id", "token_number",
                                            "slot_id", "source", "priority"});
  CHECK(e.u64("seq") == 1);
  CHECK(e.u64("version") == 1);
  CHECK(e.str("event") == "ALLOCATED");
  CHECK(e.str("token_id") == token);
  CHECK(e.u64("token_number") == 1);
  CHECK(e.str("slot_id") == "S1");

  const View second = round_trip(push, sub, allocate("r2", "D1", "WALK_IN"));
  CHECK(second.u64("seq") == 2);
  CHECK(second.u64("token_number") == 2);
  CHECK(second.u64("ahead") == 1);
  CHECK(second.str("token_id") != token);
}

TEST_CASE("the three original outcomes: ALLOCATED, REALLOCATED, REJECTED 'Lower priority'", "[worker][wire]") {
  RunningWorker worker(make_schedule({{"D1", {{"S1", 1, "09:00", "10:00"}}}}));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/kiosk-1/"});
  Pusher push(worker.context(), worker.endpoints().requests);

  const View allocated = round_trip(push, sub, allocate("a", "D1", "WALK_IN", "S1"));
  CHECK(allocated.str("status") == "ALLOCATED");
  const std::string first = allocated.str("token_id");

  const View reallocated = round_trip(push, sub, allocate("b", "D1", "PAID", "S1"));
  CHECK(reallocated.str("status") == "REALLOCATED");
  CHECK(reallocated.str("removed_token") == first);
  CHECK(reallocated.str("moved_to") == "WAITLIST");
  CHECK(reallocated.str("token_id") != first);

  const View rejected = round_trip(push, sub, allocate("c", "D1", "ONLINE", "S1"));
  CHECK(rejected.str("status") == "REJECTED");
  CHECK(rejected.str("reason") == "Lower priority");
  CHECK(rejected.str("code") == "LOWER_PRIORITY");
  CHECK_FALSE(rejected.has("token_id"));
}

TEST_CASE("preemption: the victim's MOVED and WAITLISTED events, and its way back", "[worker][wire]") {
  RunningWorker worker(two_slots(1));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/kiosk-1/", "doctor/D1/"});
  Pusher push(worker.context(), worker.endpoints().requests);

  const std::string a = round_trip(push, sub, allocate("a", "D1", "WALK_IN", "S1")).str("token_id");

  std::vector<Published> events;
  const View b = round_trip(push, sub, allocate("b", "D1", "PAID", "S1"), &events);
  CHECK(b.str("status") == "REALLOCATED");
  CHECK(b.str("removed_token") == a);
  CHECK(b.str("moved_to") == "S2");
  const auto moved = std::find_if(events.begin(), events.end(),
                                  [](const Published& p) { return p.body.str("event") == "MOVED"; });
  REQUIRE(moved != events.end());
  CHECK(moved->body.str("token_id") == a);
  CHECK(moved->body.str("from_slot") == "S1");
  CHECK(moved->body.str("to_slot") == "S2");
  CHECK(moved->body.str("slot_id") == "S2");
  CHECK(moved->body.u64("token_number") == 1);  // a moved token keeps its number

  events.clear();
  const View c = round_trip(push, sub, allocate("c", "D1", "EMERGENCY", "S1"), &events);
  CHECK(c.str("status") == "REALLOCATED");
  const std::string b_token = b.str("token_id");
  CHECK(c.str("removed_token") == b_token);
  CHECK(c.str("moved_to") == "WAITLIST");  // S2 is full; no cascade onto A
  const auto waitlisted = std::find_if(events.begin(), events.end(),
                                       [](const Published& p) { return p.body.str("event") == "WAITLISTED"; });
  REQUIRE(waitlisted != events.end());
  CHECK(waitlisted->body.str("token_id") == b_token);
  CHECK(waitlisted->body.str("from_slot") == "S1");
  CHECK(waitlisted->body.str("to_slot") == "WAITLIST");
  CHECK_FALSE(waitlisted->body.has("slot_id"));

  // Cancelling A frees S2: B comes back from the waitlist.
  events.clear();
  const View cancel = round_trip(push, sub, Body().set("type", "cancel").set("request_id", "d").set("token_id", a).set("client_id", "kiosk-1"), &events);
  CHECK(cancel.str("status") == "CANCELLED");
  REQUIRE(events.size() == 2);
  CHECK(events[0].body.str("event") == "CANCELLED");
  CHECK(events[0].body.str("token_id") == a);
  CHECK(events[1].body.str("event") == "MOVED");
  CHECK(events[1].body.str("token_id") == b_token);
  CHECK(events[1].body.str("from_slot") == "WAITLIST");
  CHECK(events[1].body.str("to_slot") == "S2");
}

TEST_CASE("an idempotent retry returns the same result marked duplicate and changes nothing", "[worker][wire]") {
  RunningWorker worker(two_slots(5));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/", "doctor/D1/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier query(worker.context(), worker.endpoints().queries);

  const View first = round_trip(push, sub, allocate("once", "D1", "ONLINE"));
  REQUIRE(first.str("status") == "ALLOCATED");
  const auto version = query.ask(Body().set("type", "snapshot").set("doctor_id", "D1")).u64("version");

  std::vector<Published> events;
  // Same request_id, even from another kiosk with another body.
  const View retry = round_trip(push, sub, allocate("once", "D1", "EMERGENCY", "", "kiosk-2"), &events);
  CHECK(events.empty());
  CHECK(retry.boolean("duplicate"));
  CHECK(retry.u64("seq") == first.u64("seq") + 1);  // a new position in the order
  for (const char* key : {"request_id", "type", "status", "token_id", "slot_id", "source"})
    CHECK(retry.str(key) == first.str(key));
  CHECK(retry.u64("token_number") == first.u64("token_number"));
  CHECK(query.ask(Body().set("type", "snapshot").set("doctor_id", "D1")).u64("version") == version);
}

TEST_CASE("call_next, complete, no_show, set_capacity and open_day on the wire", "[worker][wire]") {
  RunningWorker worker(two_slots(2));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/desk/", "doctor/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  auto op = [](const char* type, const char* id) {
    Body b;
    b.set("type", type).set("request_id", id).set("client_id", "desk");
    return b;
  };

  const std::string t1 = round_trip(push, sub, allocate("a1", "D1", "WALK_IN", "", "desk")).str("token_id");
  const std::string t2 = round_trip(push, sub, allocate("a2", "D1", "WALK_IN", "", "desk")).str("token_id");

  std::vector<Published> events;
  const View called = round_trip(push, sub, op("call_next", "c1").set("doctor_id", "D1"), &events);
  CHECK(called.str("status") == "CALLED");
  CHECK(called.str("token_id") == t1);
  CHECK(called.u64("ahead") == 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].body.str("event") == "CALLED");

  CHECK(round_trip(push, sub, op("complete", "f1").set("token_id", t1)).str("status") == "COMPLETED");
  CHECK(round_trip(push, sub, op("call_next", "c2").set("doctor_id", "D1")).str("token_id") == t2);
  CHECK(round_trip(push, sub, op("no_show", "f2").set("token_id", t2)).str("status") == "NO_SHOW");
  const View empty = round_trip(push, sub, op("call_next", "c3").set("doctor_id", "D1"));
  CHECK(empty.str("status") == "REJECTED");
  CHECK(empty.str("code") == "QUEUE_EMPTY");

  events.clear();
  const View updated = round_trip(
      push, sub, op("set_capacity", "s1").set("doctor_id", "D1").set("slot_id", "S9").set("capacity", 3).set("start", "12:00").set("end", "13:00"),
      &events);
  CHECK(updated.str("status") == "UPDATED");
  CHECK(updated.u64("capacity") == 3);
  CHECK(updated.str("slot_id") == "S9");
  REQUIRE(events.size() == 1);
  CHECK(events[0].body.str("event") == "SLOT_UPDATED");
  CHECK(events[0].body.u64("capacity") == 3);

  events.clear();
  const View opened = round_trip(push, sub, op("open_day", "o1").set("date", "2025-03-02"), &events);
  CHECK(opened.str("status") == "DAY_OPENED");
  CHECK(opened.str("date") == "2025-03-02");
  const View report = opened["report"];
  CHECK(report.is_nil("date"));  // the day the worker started with has no date
  REQUIRE(report["doctors"].size() == 1);
  const View d1 = report["doctors"].at(0);
  CHECK(d1.str("doctor_id") == "D1");
  CHECK(d1["total"].u64("allocated") == 2);
  CHECK(d1["total"].u64("served") == 1);
  CHECK(d1["total"].u64("no_shows") == 1);
  CHECK(d1["total"]["rejected"].u64("QUEUE_EMPTY") == 1);
  CHECK(d1["slots"].size() == 3);
  REQUIRE(events.size() == 1);
  CHECK(events[0].topic == "doctor/D1/");
  CHECK(events[0].body.str("event") == "DAY_OPENED");
  CHECK(events[0].body.str("date") == "2025-03-02");

  // A new day: numbers restart, the old day's date cannot come back.
  CHECK(round_trip(push, sub, allocate("n1", "D1", "WALK_IN", "", "desk")).u64("token_number") == 1);
  const View stale = round_trip(push, sub, op("open_day", "o2").set("date", "2025-03-01"));
  CHECK(stale.str("code") == "STALE_DATE");
}

}  // namespace
}  // namespace opd::worker::test
