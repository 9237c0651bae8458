// The decoder alone: what a well-formed body becomes, and what is kept from
// a malformed one so its REJECTED result can still be routed and matched.
#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/decode.h"

namespace opd::worker {
namespace {

using test::Body;

DecodedRequest decode(const std::string& bytes) {
  Decoder decoder;
  DecodedRequest out;
  decoder.request(bytes.data(), bytes.size(), out);
  return out;
}

TEST_CASE("every request field is decoded into the core's Request", "[worker][decode]") {
  const auto d = decode(Body()
                            .set("type", "set_capacity")
                            .set("request_id", "r-1")
                            .set("client_id", "desk.7")
                            .set("doctor_id", "D1")
                            .set("slot_id", "S1")
                            .set("source", "walkin")
                            .set("capacity", 12)
                            .set("patient_ref", "MRN 0042")
                            .set("token_id", "T5")
                            .set("start", "09:30")
                            .set("end", "10:00")
                            .set("date", "2025-03-01")
                            .bytes());
  INFO(d.error);
  REQUIRE(d.request);
  const Request& r = *d.request;
  CHECK(r.type == OpType::kSetCapacity);
  CHECK(r.request_id.str() == "r-1");
  CHECK(d.client_id == "desk.7");
  CHECK(r.doctor_id->str() == "D1");
  CHECK(r.slot_id->str() == "S1");
  CHECK(r.source == Source::kWalkIn);
  CHECK(r.capacity == 12u);
  CHECK(r.patient_ref == "MRN 0042");
  CHECK(r.token_id->str() == "T5");
  CHECK(r.start->str() == "09:30");
  CHECK(r.end->str() == "10:00");
  CHECK(r.date->str() == "2025-03-01");
}

TEST_CASE("an absent type means allocate, and nil means absent", "[worker][decode]") {
  const auto d = decode(Body().set("request_id", "r").set_nil("slot_id").set_nil("client_id").set("doctor_id", "D1").bytes());
  REQUIRE(d.request);
  CHECK(d.request->type == OpType::kAllocate);
  CHECK_FALSE(d.request->slot_id);
  CHECK(d.client_id.empty());
}

TEST_CASE("a malformed request keeps its request_id, type and client_id", "[worker][decode]") {
  const auto d = decode(Body().set("type", "cancel").set("request_id", "r-9").set("client_id", "k1").set("token_id", 5).bytes());
  CHECK_FALSE(d.request);
  CHECK(d.error == "field 'token_id' must be a string, got integer");
  REQUIRE(d.request_id);
  CHECK(d.request_id->str() == "r-9");
  CHECK(d.type == OpType::kCancel);
  CHECK(d.client_id == "k1");
}

TEST_CASE("an invalid client_id is dropped (result goes to result//) and named", "[worker][decode]") {
  const auto d = decode(Body().set("request_id", "r").set("client_id", "k/1").bytes());
  CHECK_FALSE(d.request);
  CHECK(d.client_id.empty());
  CHECK_THAT(d.error, Catch::StartsWith("field 'client_id': 'k/1' breaks the id rule"));
}

TEST_CASE("a hostile string is quoted short and printable in the reason", "[worker][decode]") {
  const auto d = decode(Body().set("request_id", std::string(5000, '\x01')).bytes());
  CHECK_FALSE(d.request);
  CHECK(d.error.size() < 200);
  CHECK_THAT(d.error, Catch::Contains("'????"));
  CHECK_THAT(d.error, Catch::Contains("...'"));
}

TEST_CASE("five bytes declaring a huge container are refused without allocating it", "[worker][decode]") {
  // array32 / map32 announcing 4 billion entries: the limits, capped by the
  // bytes received, refuse them before msgpack-c reserves anything.
  for (const std::string& bytes : {std::string("\xdd\xff\xff\xff\xff", 5), std::string("\xdf\xff\xff\xff\xff", 5)}) {
    const auto d = decode(bytes);
    CHECK_FALSE(d.request);
    CHECK(d.error == "not MessagePack: declares an array, map or string longer than the message");
  }
  // str32 / bin32 of 4 GB: the bytes must be present before anything is
  // built (and strings are referenced in place, never copied).
  for (const std::string& bytes : {std::string("\xdb\xff\xff\xff\xff", 5), std::string("\xc6\xff\xff\xff\xff", 5)}) {
    const auto d = decode(bytes);
    CHECK_FALSE(d.request);
    CHECK(d.error == "not MessagePack: the data ends inside a value");
  }
}

TEST_CASE("nesting is bounded", "[worker][decode]") {
  // {"request_id": [[[[...]]]]} a thousand deep.
  std::string deep = "\x81\xaarequest_id" + std::string(1000, '\x91') + "\xc0";
  const auto d = decode(deep);
  CHECK_FALSE(d.request);
  CHECK_THAT(d.error, Catch::StartsWith("not a valid request: nested deeper than"));
  // A value one level down is an ordinary wrong type.
  const auto shallow = decode(std::string("\x81\xaarequest_id\x91\xa1x"));
  CHECK(shallow.error == "field 'request_id' must be a string, got array");
}

TEST_CASE("queries decode their type and ids", "[worker][decode]") {
  Decoder decoder;
  DecodedQuery q;
  const std::string snapshot = Body().set("type", "snapshot").set("doctor_id", "D1").bytes();
  decoder.query(snapshot.data(), snapshot.size(), q);
  CHECK(q.type == QueryType::kSnapshot);
  CHECK(q.doctor_id->str() == "D1");
  const std::string token = Body().set("type", "token").bytes();
  decoder.query(token.data(), token.size(), q);
  CHECK_FALSE(q.type);
  CHECK(q.error == "missing field 'token_id'");
  const std::string unknown = Body().set("type", "gossip").bytes();
  decoder.query(unknown.data(), unknown.size(), q);
  CHECK_THAT(q.error, Catch::StartsWith("field 'type': unknown query 'gossip'"));
}

}  // namespace
}  // namespace opd::worker
