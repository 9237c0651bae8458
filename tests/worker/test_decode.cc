// The decoder alone: what a well-formed body becomes, and what is kept from
// a malformed one so its REJECTED result can still be routed and matched.
#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <vector>

#include "harness.h"
#include "opd/worker/decode.h"

namespace opd::worker {
namespace {

using test::Body;
using namespace std::string_literals;

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


// Edge cases of the reader (wire_reader.h), pinned to what msgpack-c's
// unpack() answered, so a kiosk sees the same reason as before.
TEST_CASE("a refusal is decided at the byte msgpack-c stopped at", "[worker][decode]") {
  struct Case {
    std::string bytes;
    std::string error;
  };
  const std::vector<Case> cases{
      // Four containers may be open at once; the fifth is refused at its
      // header, even when empty.
      {"\x81\xaarequest_id\x91\x91\x91\xa1x"s, "field 'request_id' must be a string, got array"},
      {"\x81\xaarequest_id\x91\x91\x91\x90"s, "not a valid request: nested deeper than 4 levels"},
      {"\x81\xaarequest_id\x91\x91\x91\x80"s, "not a valid request: nested deeper than 4 levels"},
      // The whole body is read before its root type or its keys are judged.
      {"\x92\x01\xc1"s, "not MessagePack: invalid data"},
      {"\x92\x01"s, "not MessagePack: the data ends inside a value"},
      {"\x82\x01\xa1x\xa1y\xc1"s, "not MessagePack: invalid data"},
      {"\x82\xa1x\xa1y\x02\xa1z"s, "map key #2 must be a string, got integer"},
      {"\x81\xc4\x01k\xa1v"s, "map key #1 must be a string, got binary"},
      {"\x81\x91\x01\xa1v"s, "map key #1 must be a string, got array"},
      // Counts are capped by the bytes received: an array by all of them, a
      // map by half; strings, binaries and extensions need their bytes.
      {"\x81\xaarequest_id\x92\x01"s, "not MessagePack: the data ends inside a value"},
      {"\x81\xaarequest_id\x9f"s, "not MessagePack: declares an array, map or string longer than the message"},
      {"\x8f\x01"s, "not MessagePack: declares an array, map or string longer than the message"},
      {"\xde\x00\x08\xa1k\xa1v"s, "not MessagePack: declares an array, map or string longer than the message"},
      {"\x81\xaarequest_id\xc9\x00\x00\x00\x02\x01\x02"s, "not MessagePack: the data ends inside a value"},
      {"\x81\xaarequest_id\xd8\x01\x02"s, "not MessagePack: the data ends inside a value"},
      {"\x81\xaarequest_id\xcb\x00\x00"s, "not MessagePack: the data ends inside a value"},
      // Extensions and binaries are values of the wrong type, not garbage.
      {"\x81\xaarequest_id\xd4\x01\x02"s, "field 'request_id' must be a string, got extension"},
      {"\x81\xaarequest_id\xc7\x01\x05\x00"s, "field 'request_id' must be a string, got extension"},
      {"\x81\xaarequest_id\xc5\x00\x01z"s, "field 'request_id' must be a string, got binary"},
      {"\x81\xaarequest_id\xc3"s, "field 'request_id' must be a string, got boolean"},
      {"\x81\xaarequest_id\xca\x3f\x80\x00\x00"s, "field 'request_id' must be a string, got float"},
      // The root's type is named before trailing bytes are counted.
      {"\xa1x\x00"s, "body must be a MessagePack map, got string"},
      {"\x80\x00"s, "trailing bytes after the map (1 of 2 bytes)"},
      {"\x80"s, "missing field 'request_id'"},
  };
  for (const auto& c : cases) {
    INFO("bytes of size " << c.bytes.size() << ": " << c.error);
    const auto d = decode(c.bytes);
    CHECK_FALSE(d.request);
    CHECK(d.error == c.error);
  }
}

TEST_CASE("integers decode by value, whatever their encoding", "[worker][decode]") {
  const std::string head = "\x83\xaarequest_id\xa1r\xa4type\xacset_capacity\xa8"s + "capacity";
  // msgpack-c filed a non-negative signed integer as positive: so do we.
  for (const std::string& five : {"\x05"s, "\xcc\x05"s, "\xcd\x00\x05"s, "\xd0\x05"s, "\xd1\x00\x05"s,
                                  "\xd3\x00\x00\x00\x00\x00\x00\x00\x05"s}) {
    const auto d = decode(head + five);
    INFO(d.error);
    REQUIRE(d.request);
    CHECK(d.request->capacity == 5u);
  }
  CHECK(decode(head + "\xd0\xfb"s).error == "field 'capacity' must not be negative, got -5");
  CHECK(decode(head + "\xff"s).error == "field 'capacity' must not be negative, got -1");
  CHECK(decode(head + "\xca\x40\x20\x00\x00"s).error == "field 'capacity' must be a whole number, got 2.5");
  CHECK(decode(head + "\xcf\xff\xff\xff\xff\xff\xff\xff\xff"s).error ==
        "field 'capacity' exceeds the maximum 1000, got 18446744073709551615");
}

TEST_CASE("strings decode whatever their header width", "[worker][decode]") {
  // str8, str16 and str32 headers for short strings are legal MessagePack.
  const auto d = decode("\x82\xaarequest_id\xd9\x02r1\xa9" "client_id\xdb\x00\x00\x00\x02k1"s);
  INFO(d.error);
  REQUIRE(d.request);
  CHECK(d.request->request_id.str() == "r1");
  CHECK(d.client_id == "k1");
}

TEST_CASE("a key given twice is refused even when the first is nil", "[worker][decode]") {
  const auto d = decode(Body().set("request_id", "r").set_nil("slot_id").set("slot_id", "S1").bytes());
  CHECK_FALSE(d.request);
  CHECK(d.error == "duplicate field 'slot_id'");
  CHECK(d.request_id->str() == "r");
}

TEST_CASE("every source name and alias decodes as the core parses it", "[worker][decode]") {
  for (int s = 0; s < kSourceCount; ++s) {
    const std::string name(to_string(static_cast<Source>(s)));
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& text : {name, lower}) {
      const auto d = decode(Body().set("request_id", "r").set("source", text).bytes());
      INFO(text << ": " << d.error);
      REQUIRE(d.request);
      CHECK(d.request->source == static_cast<Source>(s));
    }
  }
  CHECK(decode(Body().set("request_id", "r").set("source", "FollowUp").bytes()).request->source == Source::kFollowUp);
  CHECK(decode(Body().set("request_id", "r").set("source", "walkin").bytes()).request->source == Source::kWalkIn);
  CHECK_THAT(decode(Body().set("request_id", "r").set("source", "PAID ").bytes()).error,
             Catch::StartsWith("field 'source': 'PAID ' is not a source"));
}

TEST_CASE("a reused result carries nothing over from the previous frame", "[worker][decode]") {
  Decoder decoder;
  DecodedRequest d;
  const std::string full = Body()
                               .set("type", "set_capacity")
                               .set("request_id", "r-1")
                               .set("client_id", "desk.7")
                               .set("doctor_id", "D1")
                               .set("slot_id", "S1")
                               .set("source", "PAID")
                               .set("capacity", 12)
                               .set("patient_ref", std::string(100, 'p'))
                               .set("token_id", "T5")
                               .set("start", "09:30")
                               .set("end", "10:00")
                               .set("date", "2025-03-01")
                               .bytes();
  const std::string bare = Body().set("request_id", "r-2").bytes();
  const std::string bad = Body().set("request_id", "r-3").set("client_id", "k").set("doctor_id", 7).bytes();
  for (int round = 0; round < 2; ++round) {
    decoder.request(full.data(), full.size(), d);
    REQUIRE(d.request);
    CHECK(d.request->patient_ref == std::string(100, 'p'));
    decoder.request(bare.data(), bare.size(), d);
    REQUIRE(d.request);
    const Request& r = *d.request;
    CHECK(r.type == OpType::kAllocate);
    CHECK(r.request_id.str() == "r-2");
    CHECK(d.client_id.empty());
    CHECK_FALSE(r.doctor_id);
    CHECK_FALSE(r.slot_id);
    CHECK_FALSE(r.source);
    CHECK_FALSE(r.capacity);
    CHECK_FALSE(r.patient_ref);
    CHECK_FALSE(r.token_id);
    CHECK_FALSE(r.start);
    CHECK_FALSE(r.end);
    CHECK_FALSE(r.date);
    decoder.request(bad.data(), bad.size(), d);
    CHECK_FALSE(d.request);
    CHECK(d.error == "field 'doctor_id' must be a string, got integer");
    CHECK(d.client_id == "k");
  }
}

TEST_CASE("queries refuse unknown and repeated keys", "[worker][decode]") {
  Decoder decoder;
  DecodedQuery q;
  const std::string twice = Body().set("type", "health").set("type", "stats").bytes();
  decoder.query(twice.data(), twice.size(), q);
  CHECK_FALSE(q.type);
  CHECK(q.error == "duplicate field 'type'");
  const std::string untyped = Body().set("doctor_id", "D1").bytes();
  decoder.query(untyped.data(), untyped.size(), q);
  CHECK(q.error == "missing field 'type'");
  const std::string request_key = Body().set("type", "health").set("request_id", "r").bytes();
  decoder.query(request_key.data(), request_key.size(), q);
  CHECK(q.error == "unknown field 'request_id'");
}

}  // namespace
}  // namespace opd::worker
