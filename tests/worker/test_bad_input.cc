// Every kind of bad input gets one REJECTED / BAD_REQUEST result whose reason
// names the problem, and the worker goes on serving: each bad request is
// followed by a good one that must still succeed.
#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/protocol.h"

namespace opd::worker::test {
namespace {

struct BadCase {
  std::string name;
  std::vector<std::string> frames;
  std::string reason;      // the result's reason must contain this
  std::string request_id;  // "" : the result's request_id must be nil
  std::string topic = "result/kiosk-1/";
};

Body good_fields(const std::string& request_id) {
  return allocate(request_id, "D1", "WALK_IN", "S1", "kiosk-1");
}

std::string with(const Body& body) { return body.bytes(); }

std::vector<BadCase> bad_cases() {
  const std::string ok = good_fields("x").bytes();
  std::vector<BadCase> cases{
      {"not MessagePack", {std::string("\xc1", 1)}, "not MessagePack: invalid data", "", "result//"},
      {"truncated MessagePack", {std::string("\x82\xaarequest_id", 12)}, "not MessagePack: the data ends inside a value", "", "result//"},
      {"plain text", {"hello"}, "body must be a MessagePack map, got integer", "", "result//"},
      {"empty frame", {""}, "empty message", "", "result//"},
      // Refused for its shape, yet addressed: the map was read whole.
      {"trailing bytes after the map", {ok + std::string("\x00", 1)}, "trailing bytes after the map (1 of", "x"},
      {"an array, not a map", {std::string("\x92\x01\x02")}, "body must be a MessagePack map, got array", "", "result//"},
      {"a string, not a map", {std::string("\xa3" "abc")}, "body must be a MessagePack map, got string", "", "result//"},
      {"non-string key", {std::string("\x81\x01\xa1x")}, "map key #1 must be a string, got integer", "", "result//"},
      {"non-string key after the addressing", {std::string("\x83\xaarequest_id\xa2k1\xa9" "client_id\xa7kiosk-1\xc3\xa1x")},
       "map key #3 must be a string, got boolean", "k1"},
      {"a value nested too deep after the addressing", {std::string("\x83\xaarequest_id\xa2k2\xa9" "client_id\xa7kiosk-1\xa9" "doctor_id") + std::string(5000, '\x91') + "\xc0"},
       "nested deeper than", "k2"},
      {"client_id nested too deep: not an address", {std::string("\x82\xaarequest_id\xa2k3\xa9" "client_id") + std::string(8, '\x91') + "\xc0"},
       "nested deeper than", "k3", "result//"},
      {"missing request_id", {with(Body().set("doctor_id", "D1").set("source", "WALK_IN").set("client_id", "kiosk-1"))},
       "missing field 'request_id'", ""},
      {"request_id not a string", {with(Body().set("request_id", 7).set("client_id", "kiosk-1"))},
       "field 'request_id' must be a string, got integer", ""},
      {"a key given twice", {with(good_fields("q").set("doctor_id", 12))}, "duplicate field 'doctor_id'", "q"},
      {"wrong-typed doctor_id", {with(Body().set("request_id", "q1").set("client_id", "kiosk-1").set("doctor_id", 12).set("source", "PAID"))},
       "field 'doctor_id' must be a string, got integer", "q1"},
      {"binary instead of string", {std::string("\x83\xaarequest_id\xa2q2\xa9" "client_id\xa7kiosk-1\xa9" "doctor_id\xc4\x02" "D1")},
       "field 'doctor_id' must be a string, got binary", "q2"},
      {"allocate without doctor_id (the core names it)", {with(Body().set("request_id", "q3").set("client_id", "kiosk-1").set("source", "PAID"))},
       "missing field 'doctor_id'", "q3"},
      {"type given twice", {with(good_fields("q4").set("type", "teleport"))}, "duplicate field 'type'", "q4"},
      {"unknown type value", {with(Body().set("type", "teleport").set("request_id", "q5").set("client_id", "kiosk-1"))},
       "field 'type': unknown type 'teleport'", "q5"},
      {"type not a string", {with(Body().set("type", 3).set("request_id", "q6").set("client_id", "kiosk-1"))},
       "field 'type' must be a string, got integer", "q6"},
      {"unknown source", {with(Body().set("request_id", "q7").set("client_id", "kiosk-1").set("doctor_id", "D1").set("source", "VIP"))},
       "field 'source': 'VIP' is not a source", "q7"},
      {"doctor_id breaking the id rule (space)", {with(Body().set("request_id", "q8").set("client_id", "kiosk-1").set("doctor_id", "D 1").set("source", "PAID"))},
       "field 'doctor_id': 'D 1' breaks the id rule", "q8"},
      {"empty doctor_id", {with(Body().set("request_id", "q9").set("client_id", "kiosk-1").set("doctor_id", "").set("source", "PAID"))},
       "field 'doctor_id': '' breaks the id rule", "q9"},
      {"65-character slot_id", {with(Body().set("request_id", "q10").set("client_id", "kiosk-1").set("doctor_id", "D1").set("slot_id", std::string(65, 's')).set("source", "PAID"))},
       "field 'slot_id': 'sss", "q10"},
      {"token_id with a slash", {with(Body().set("type", "cancel").set("request_id", "q11").set("client_id", "kiosk-1").set("token_id", "T1/2"))},
       "field 'token_id': 'T1/2' breaks the id rule", "q11"},
      {"request_id with non-ASCII", {with(Body().set("request_id", "r\xc3\xa9").set("client_id", "kiosk-1"))},
       "field 'request_id': 'r?" "?' breaks the id rule", ""},
      {"client_id breaking the id rule", {with(Body().set("request_id", "q12").set("client_id", "kiosk/1").set("doctor_id", "D1").set("source", "PAID"))},
       "field 'client_id': 'kiosk/1' breaks the id rule", "q12", "result//"},
      {"negative capacity", {with(Body().set("request_id", "q14").set("client_id", "kiosk-1").set("doctor_id", "D1").set("source", "PAID").set("capacity", -1))},
       "field 'capacity' must not be negative, got -1", "q14"},
      {"fractional capacity", {with(Body().set("request_id", "q15").set("client_id", "kiosk-1").set("doctor_id", "D1").set("source", "PAID").set("capacity", 2.5))},
       "field 'capacity' must be a whole number, got 2.5", "q15"},
      {"absurd capacity", {with(Body().set("request_id", "q16").set("client_id", "kiosk-1").set("type", "set_capacity").set("doctor_id", "D1").set("slot_id", "S1").set("capacity", std::uint64_t{5'000'000'000}))},
       "field 'capacity' exceeds the maximum 1000, got 5000000000", "q16"},
      {"capacity just over the maximum", {with(Body().set("request_id", "q17").set("client_id", "kiosk-1").set("type", "set_capacity").set("doctor_id", "D1").set("slot_id", "S1").set("capacity", 1001))},
       "field 'capacity' exceeds the maximum 1000, got 1001", "q17"},
      {"capacity as a string", {with(Body().set("request_id", "q18").set("client_id", "kiosk-1").set("type", "set_capacity").set("doctor_id", "D1").set("slot_id", "S1").set("capacity", "5"))},
       "field 'capacity' must be an integer, got string", "q18"},
      {"bad time", {with(Body().set("request_id", "q19").set("client_id", "kiosk-1").set("type", "set_capacity").set("doctor_id", "D1").set("slot_id", "S7").set("capacity", 5).set("start", "25:00"))},
       "field 'start': '25:00' is not a time", "q19"},
      {"bad date", {with(Body().set("request_id", "q20").set("client_id", "kiosk-1").set("type", "open_day").set("date", "2025-02-30"))},
       "field 'date': '2025-02-30' is not a date", "q20"},
      {"patient_ref too long", {with(Body().set("request_id", "q21").set("client_id", "kiosk-1").set("doctor_id", "D1").set("source", "PAID").set("patient_ref", std::string(129, 'p')))},
       "field 'patient_ref' longer than 128", "q21"},
      {"the reserved slot name", {with(Body().set("request_id", "q22").set("client_id", "kiosk-1").set("doctor_id", "D1").set("slot_id", "WAITLIST").set("capacity", 3).set("source", "PAID"))},
       "'WAITLIST' is reserved", "q22"},
      {"unknown field", {with(Body().set("request_id", "q23").set("client_id", "kiosk-1").set("doctor_id", "D1").set("slotid", "S1").set("source", "PAID"))},
       "unknown field 'slotid'", "q23"},
      {"extra frames", {good_fields("q24").bytes(), "second", "third"}, "a request is one frame, got 3", "q24"},
      {"over the size limit", {with(Body().set("request_id", "q25").set("client_id", "kiosk-1").set("patient_ref", std::string(kMaxRequestBytes, 'p')))},
       "bytes exceeds the limit of 65536 bytes", "", "result//"},
      {"declared-but-absent huge array", {std::string("\xdd\xff\xff\xff\xff", 5)},
       "not MessagePack: declares an array, map or string longer than the message", "", "result//"},
      {"declared-but-absent huge map", {std::string("\xdf\xff\xff\xff\xff", 5)},
       "not MessagePack: declares an array, map or string longer than the message", "", "result//"},
      {"declared-but-absent huge array inside a map", {std::string("\x81\xaarequest_id\xdd\xff\xff\xff\xf0", 17)},
       "not MessagePack: declares an array, map or string longer than the message", "", "result//"},
      {"declared-but-absent huge string inside a map", {std::string("\x81\xaarequest_id\xdb\xff\xff\xff\xf0", 17)},
       "not MessagePack: the data ends inside a value", "", "result//"},
      {"deep nesting", {"\x81\xaarequest_id" + std::string(5000, '\x91') + "\xc0"},
       "nested deeper than", "", "result//"},
  };
  return cases;
}

TEST_CASE("bad input: each gets REJECTED / BAD_REQUEST naming the problem, and the worker keeps serving",
          "[worker][bad-input]") {
  RunningWorker worker(make_schedule({{"D1", {{"S1", 1000, "09:00", "10:00"}}}}));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier query(worker.context(), worker.endpoints().queries);

  std::uint64_t expected_seq = 0;
  int good = 0;
  const auto cases = bad_cases();
  for (const auto& c : cases) {
    INFO("case: " << c.name);
    push.send_frames(c.frames);
    const Published bad = sub.expect("result/");
    ++expected_seq;
    CHECK(bad.topic == c.topic);
    CHECK(bad.body.u64("seq") == expected_seq);
    CHECK(bad.body.str("status") == "REJECTED");
    CHECK(bad.body.str("code") == "BAD_REQUEST");
    CHECK_THAT(bad.body.str("reason"), Catch::Contains(c.reason));
    CHECK_FALSE(bad.body.boolean("duplicate"));
    if (c.request_id.empty())
      CHECK(bad.body.is_nil("request_id"));
    else
      CHECK(bad.body.str("request_id") == c.request_id);

    const View ok = round_trip(push, sub, good_fields("good-" + std::to_string(++good)));
    ++expected_seq;
    CHECK(ok.u64("seq") == expected_seq);
    CHECK(ok.str("status") == "ALLOCATED");
  }

  // Nothing else was published, and the counters agree.
  CHECK(sub.drain(100ms).empty());
  const View stats = query.ask(Body().set("type", "stats"));
  CHECK(stats.u64("received") == expected_seq);
  CHECK(stats.u64("results") == expected_seq);
  CHECK(stats["rejected"].u64("BAD_REQUEST") == cases.size());
  // Two cases are well-formed on the wire and refused by the core itself.
  CHECK(stats.u64("malformed") == cases.size() - 2);
}

}  // namespace
}  // namespace opd::worker::test
