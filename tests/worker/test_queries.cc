// Queries on ROUTER: REQ and DEALER clients, every query type, and an
// answer with a code and a reason (never silence) for anything unknown or bad.
#include <catch2/catch.hpp>

#include "harness.h"

namespace opd::worker::test {
namespace {

Schedule board_schedule() {
  return make_schedule({{"D1", {{"S1", 1, "09:00", "10:00"}, {"S2", 2, "10:00", "11:00"}, {"S3", 1, "", ""}}},
                        {"D2", {{"T1", 3, "09:00", "10:00"}}}});
}

TEST_CASE("REQ, DEALER with a delimiter and a bare DEALER all get answers", "[worker][queries]") {
  RunningWorker worker(board_schedule());
  for (const auto kind : {QueryClient::kReq, QueryClient::kDealerWithDelimiter, QueryClient::kDealerBare}) {
    Querier q(worker.context(), worker.endpoints().queries, kind);
    const View health = q.ask(Body().set("type", "health"));
    CHECK(health.str("status") == "ok");
    const View snapshot = q.ask(Body().set("type", "snapshot").set("doctor_id", "D2"));
    CHECK(snapshot.str("doctor_id") == "D2");
    const View unknown = q.ask(Body().set("type", "snapshot").set("doctor_id", "D9"));
    CHECK(unknown.str("code") == "UNKNOWN_DOCTOR");
  }
}

TEST_CASE("snapshot: slots in order with their tokens, the waitlist and now serving", "[worker][queries]") {
  RunningWorker worker(board_schedule());
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier q(worker.context(), worker.endpoints().queries);

  const View empty = q.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
  CHECK(empty.u64("version") == 0);
  CHECK(empty.u64("seq") == 0);
  REQUIRE(empty["slots"].size() == 3);
  CHECK(empty["slots"].at(0).str("slot_id") == "S1");
  CHECK(empty["slots"].at(0).str("start") == "09:00");
  CHECK(empty["slots"].at(0).str("end") == "10:00");
  CHECK(empty["slots"].at(0).u64("capacity") == 1);
  CHECK(empty["slots"].at(2).is_nil("start"));  // untimed slots come last
  CHECK(empty["waitlist"].size() == 0);
  CHECK(empty.is_nil("now_serving"));

  // S1 (cap 1) gets a walk-in, a paid patient displaces it to S2, an
  // emergency displaces the paid one; S2 then holds both displaced tokens.
  const std::string walk_in = round_trip(push, sub, allocate("a", "D1", "WALK_IN", "S1")).str("token_id");
  const std::string paid = round_trip(push, sub, allocate("b", "D1", "PAID", "S1")).str("token_id");
  const std::string emergency = round_trip(push, sub, allocate("c", "D1", "EMERGENCY", "S1")).str("token_id");
  const std::string online = round_trip(push, sub, allocate("d", "D1", "ONLINE", "S3")).str("token_id");
  const std::string called =
      round_trip(push, sub, Body().set("type", "call_next").set("request_id", "e").set("doctor_id", "D1")).str("token_id");
  CHECK(called == emergency);

  const View board = q.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
  CHECK(board.str("doctor_id") == "D1");
  CHECK(board.u64("seq") == 5);
  CHECK(board.u64("version") == 7);  // 3 allocations, 2 moves, 1 allocation, 1 call
  const View s1 = board["slots"].at(0);
  REQUIRE(s1["tokens"].size() == 1);
  CHECK(s1["tokens"].at(0).str("token_id") == emergency);
  CHECK(s1["tokens"].at(0).str("state") == "CALLED");
  CHECK(s1["tokens"].at(0).str("source") == "EMERGENCY");
  CHECK(s1["tokens"].at(0).u64("priority") == 0);
  CHECK(s1["tokens"].at(0).u64("token_number") == 3);
  const View s2 = board["slots"].at(1);
  REQUIRE(s2["tokens"].size() == 2);
  CHECK(s2["tokens"].at(0).str("token_id") == paid);  // service order: priority first
  CHECK(s2["tokens"].at(1).str("token_id") == walk_in);
  CHECK(s2["tokens"].at(1).str("state") == "WAITING");
  CHECK(board["slots"].at(2)["tokens"].at(0).str("token_id") == online);
  CHECK(board["now_serving"].str("token_id") == emergency);

  // token: where it is, and how many are ahead of it.
  const View t = q.ask(Body().set("type", "token").set("token_id", walk_in));
  CHECK(t.str("token_id") == walk_in);
  CHECK(t.u64("token_number") == 1);
  CHECK(t.str("doctor_id") == "D1");
  CHECK(t.str("slot_id") == "S2");
  CHECK(t.str("state") == "WAITING");
  CHECK(t.str("source") == "WALK_IN");
  CHECK(t.u64("priority") == 4);
  CHECK(t.u64("ahead") == 1);  // the paid token in S2
  const View served = q.ask(Body().set("type", "token").set("token_id", emergency));
  CHECK(served.str("state") == "CALLED");

  (void)round_trip(push, sub, Body().set("type", "cancel").set("request_id", "f").set("token_id", online));
  const View cancelled = q.ask(Body().set("type", "token").set("token_id", online));
  CHECK(cancelled.str("state") == "CANCELLED");
  CHECK(cancelled.is_nil("slot_id"));
  CHECK(cancelled.is_nil("ahead"));
}

TEST_CASE("a waitlisted token shows slot_id nil and a place in the waitlist", "[worker][queries]") {
  RunningWorker worker(make_schedule({{"D1", {{"S1", 1, "09:00", "10:00"}}}}));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier q(worker.context(), worker.endpoints().queries);
  const std::string victim = round_trip(push, sub, allocate("a", "D1", "WALK_IN")).str("token_id");
  (void)round_trip(push, sub, allocate("b", "D1", "PAID"));
  const View t = q.ask(Body().set("type", "token").set("token_id", victim));
  CHECK(t.str("state") == "WAITLISTED");
  CHECK(t.is_nil("slot_id"));
  CHECK(t.u64("ahead") == 1);
  const View board = q.ask(Body().set("type", "snapshot").set("doctor_id", "D1"));
  REQUIRE(board["waitlist"].size() == 1);
  CHECK(board["waitlist"].at(0).str("token_id") == victim);
  CHECK(board["waitlist"].at(0).str("state") == "WAITLISTED");
}

TEST_CASE("unknown doctors and tokens and bad queries are answered with a code and a reason", "[worker][queries]") {
  RunningWorker worker(board_schedule());
  Querier q(worker.context(), worker.endpoints().queries);
  struct Case {
    std::string body;
    std::string code;
    std::string reason;
  };
  const std::vector<Case> cases{
      {Body().set("type", "snapshot").set("doctor_id", "NOPE").bytes(), "UNKNOWN_DOCTOR", "unknown doctor 'NOPE'"},
      {Body().set("type", "token").set("token_id", "T999").bytes(), "UNKNOWN_TOKEN", "unknown token 'T999'"},
      {Body().set("type", "snapshot").bytes(), "BAD_REQUEST", "missing field 'doctor_id'"},
      {Body().set("type", "token").set("token_id", "a b").bytes(), "BAD_REQUEST", "field 'token_id': 'a b' breaks the id rule"},
      {Body().set("type", "gossip").bytes(), "BAD_REQUEST", "unknown query 'gossip'"},
      {Body().set("doctor_id", "D1").bytes(), "BAD_REQUEST", "missing field 'type'"},
      {Body().set("type", "health").set("verbose", true).bytes(), "BAD_REQUEST", "unknown field 'verbose'"},
      {std::string("\xc1", 1), "BAD_REQUEST", "not MessagePack"},
      {std::string("\x93\x01\x02\x03"), "BAD_REQUEST", "must be a MessagePack map"},
      {std::string("\xdd\xff\xff\xff\xff", 5), "BAD_REQUEST", "longer than the message"},
      {"", "BAD_REQUEST", "empty message"},
  };
  for (const auto& c : cases) {
    INFO(c.reason);
    const View answer = q.ask_raw(c.body);
    CHECK(answer.str("code") == c.code);
    CHECK_THAT(answer.str("reason"), Catch::Contains(c.reason));
  }
}

TEST_CASE("a query with extra frames is refused, not ignored", "[worker][queries]") {
  RunningWorker worker(board_schedule());
  zmq::socket_t dealer(worker.context(), zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, static_cast<int>(kWait.count()));
  dealer.connect(worker.endpoints().queries);
  const std::string body = Body().set("type", "health").bytes();
  (void)dealer.send(zmq::const_buffer(), zmq::send_flags::sndmore);
  (void)dealer.send(zmq::buffer(body), zmq::send_flags::sndmore);
  (void)dealer.send(zmq::str_buffer("extra"), zmq::send_flags::none);
  zmq::message_t delimiter;
  zmq::message_t answer;
  REQUIRE(dealer.recv(delimiter));
  CHECK(delimiter.size() == 0);
  REQUIRE(delimiter.more());
  REQUIRE(dealer.recv(answer));
  const View v = View::parse(answer.to_string_view());
  CHECK(v.str("code") == "BAD_REQUEST");
  CHECK_THAT(v.str("reason"), Catch::Contains("one body frame"));
}

TEST_CASE("health, stats and report", "[worker][queries]") {
  RunningWorker worker(board_schedule());
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/", "doctor/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier q(worker.context(), worker.endpoints().queries);

  (void)round_trip(push, sub, allocate("a", "D1", "WALK_IN", "S1"));
  (void)round_trip(push, sub, allocate("b", "D1", "WALK_IN", "S1"));  // full, equal priority: LOWER_PRIORITY
  (void)round_trip(push, sub, allocate("a", "D1", "WALK_IN", "S1"));  // duplicate
  push.send_raw("junk");
  (void)sub.expect("result/");
  (void)round_trip(push, sub, allocate("c", "D9", "WALK_IN", "", ""));  // creates nothing: no slot, no capacity

  const View health = q.ask(Body().set("type", "health"));
  CHECK(health.str("status") == "ok");
  CHECK(health.u64("seq") == 5);
  CHECK(health.u64("protocol") == 1);
  CHECK(health.str("start_id").size() == 16);
  CHECK(health.u64("uptime_s") < 60);
  CHECK(health.is_nil("date"));

  (void)q.ask_raw("junk");  // one bad query
  const View stats = q.ask(Body().set("type", "stats"));
  CHECK(stats.u64("seq") == 5);
  CHECK(stats.u64("received") == 5);
  CHECK(stats.u64("applied") == 4);
  CHECK(stats.u64("malformed") == 1);
  CHECK(stats.u64("duplicates") == 1);
  CHECK(stats["rejected"].u64("LOWER_PRIORITY") == 1);
  CHECK(stats["rejected"].u64("BAD_REQUEST") == 1);
  CHECK(stats["rejected"].u64("UNKNOWN_DOCTOR") == 1);
  CHECK(stats["rejected"].u64("SLOT_FULL") == 0);
  CHECK(stats.u64("results") == 5);
  CHECK(stats.u64("events") == 1);
  CHECK(stats.u64("published") == stats.u64("results") + stats.u64("events") + stats.u64("heartbeats"));
  CHECK(stats.u64("queries") == 3);  // health, junk, this one
  CHECK(stats.u64("bad_queries") == 1);

  const View report = q.ask(Body().set("type", "report"));
  CHECK(report.u64("seq") == 5);
  const View doctors = report["report"]["doctors"];
  REQUIRE(doctors.size() == 2);
  CHECK(doctors.at(0).str("doctor_id") == "D1");
  CHECK(doctors.at(0)["total"].u64("allocated") == 1);
  CHECK(doctors.at(0)["slots"].at(0)["tally"]["rejected"].u64("LOWER_PRIORITY") == 1);
  CHECK(report["report"]["unattributed"]["rejected"].u64("UNKNOWN_DOCTOR") == 1);
}

}  // namespace
}  // namespace opd::worker::test
