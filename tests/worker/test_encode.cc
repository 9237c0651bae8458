// The encoder alone: canonical map headers (clients in other languages may
// be strict), keys present only where they apply, and the waitlist named.
#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/encode.h"
#include "random_requests.h"

namespace opd::worker {
namespace {

using test::View;

TEST_CASE("small maps get a fixmap header, larger ones map16", "[worker][encode]") {
  ByteBuffer out;
  Result r;
  r.request_id = RequestId::from_trusted("r1");
  r.status = Status::kReallocated;
  r.token_id = TokenId::from_trusted("T9");
  r.token_number = 9;
  r.doctor_id = DoctorId::from_trusted("D1");
  r.slot_id = SlotId::from_trusted("S1");
  r.source = Source::kPaid;
  r.removed_token = TokenId::from_trusted("T3");
  r.moved_to = Destination{};  // the waitlist
  r.ahead = 2;
  encode_result(out, 7, r);
  REQUIRE(out.size() > 0);
  CHECK(static_cast<unsigned char>(out.view()[0]) == (0x80 | 14));
  const View v = View::parse(out.view());
  CHECK(v.size() == 14);
  CHECK(v.u64("seq") == 7);
  CHECK(v.str("status") == "REALLOCATED");
  CHECK(v.str("moved_to") == "WAITLIST");
  CHECK(v.u64("priority") == 1);
  CHECK_FALSE(v.has("code"));
  CHECK_FALSE(v.has("alternative_slot"));

  // Stats has more than 15 keys: map16, and the map after it still parses.
  const std::size_t before = out.size();
  Stats stats;
  stats.received = 70000;
  encode_stats(out, WorkerStatus{.seq = 70000, .start_id = "abc", .uptime_s = 5}, stats);
  CHECK(static_cast<unsigned char>(out.view()[before]) == 0xde);
  std::size_t offset = 0;
  (void)msgpack::unpack(out.view().data(), out.size(), offset);  // the result
  CHECK(offset == before);
  const auto stats_map = msgpack::unpack(out.view().data(), out.size(), offset);
  CHECK(offset == out.size());
  CHECK(stats_map.get().via.map.size == 16);
}

TEST_CASE("a malformed request's result carries nil for what could not be read", "[worker][encode]") {
  ByteBuffer out;
  DecodedRequest d;
  d.error = "not MessagePack: invalid data";
  encode_malformed(out, 3, d);
  const View v = View::parse(out.view());
  CHECK(v.u64("seq") == 3);
  CHECK(v.is_nil("request_id"));
  CHECK(v.is_nil("type"));
  CHECK(v.str("status") == "REJECTED");
  CHECK(v.str("code") == "BAD_REQUEST");
  CHECK(v.str("reason") == "not MessagePack: invalid data");
  CHECK_FALSE(v.boolean("duplicate"));
}

TEST_CASE("MOVED from the waitlist and WAITLISTED name the waitlist", "[worker][encode]") {
  ByteBuffer out;
  BoardEvent moved{.kind = EventKind::kMoved, .doctor_id = DoctorId::from_trusted("D1"), .version = 4,
                   .token_id = TokenId::from_trusted("T1"), .token_number = 1, .source = Source::kWalkIn,
                   .slot_id = SlotId::from_trusted("S2"), .to_slot = SlotId::from_trusted("S2")};
  encode_event(out, 10, moved);
  const View m = View::parse(out.view());
  CHECK(m.str("from_slot") == "WAITLIST");
  CHECK(m.str("to_slot") == "S2");
  CHECK(m.str("slot_id") == "S2");

  out.clear();
  BoardEvent waitlisted{.kind = EventKind::kWaitlisted, .doctor_id = DoctorId::from_trusted("D1"), .version = 5,
                        .token_id = TokenId::from_trusted("T1"), .token_number = 1, .source = Source::kWalkIn,
                        .from_slot = SlotId::from_trusted("S2")};
  encode_event(out, 11, waitlisted);
  const View w = View::parse(out.view());
  CHECK(w.str("from_slot") == "S2");
  CHECK(w.str("to_slot") == "WAITLIST");
  CHECK_FALSE(w.has("slot_id"));
  CHECK(w.u64("version") == 5);
}


// What msgpack::packer writes for the same values: the encoder writes
// MessagePack itself, and its bytes must not drift from these.
class Packed {
 public:
  Packed& map(std::uint32_t n) { return pack([n](auto& p) { p.pack_map(n); }); }
  Packed& array(std::uint32_t n) { return pack([n](auto& p) { p.pack_array(n); }); }
  Packed& str(std::string_view text) {
    return pack([text](auto& p) {
      p.pack_str(static_cast<std::uint32_t>(text.size()));
      p.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
    });
  }
  Packed& uint(std::uint64_t v) { return pack([v](auto& p) { p.pack_uint64(v); }); }
  Packed& nil() { return pack([](auto& p) { p.pack_nil(); }); }
  [[nodiscard]] std::string_view view() const { return {buffer_.data(), buffer_.size()}; }

 private:
  template <class F>
  Packed& pack(F f) {
    msgpack::packer<msgpack::sbuffer> packer(buffer_);
    f(packer);
    return *this;
  }
  msgpack::sbuffer buffer_;
};

TEST_CASE("strings and integers get msgpack::packer's bytes at every header boundary", "[worker][encode]") {
  for (const std::size_t n :
       {0u, 1u, 2u, 3u, 4u, 7u, 8u, 15u, 16u, 17u, 31u, 32u, 33u, 255u, 256u, 65535u, 65536u, 70000u}) {
    INFO("reason of " << n << " bytes");
    const std::string reason(n, 'r');
    ByteBuffer out;
    encode_query_error(out, Code::kBadRequest, reason);
    Packed expected;
    expected.map(2).str("code").str("BAD_REQUEST").str("reason").str(reason);
    CHECK(out.view() == expected.view());
  }
  for (const std::uint64_t v : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{255},
                                std::uint64_t{256}, std::uint64_t{65535}, std::uint64_t{65536},
                                std::uint64_t{0xffffffff}, std::uint64_t{0x100000000}, ~std::uint64_t{0}}) {
    INFO("value " << v);
    ByteBuffer out;
    encode_heartbeat(out, WorkerStatus{.seq = v, .start_id = "s", .uptime_s = v});
    Packed expected;
    expected.map(4).str("seq").uint(v).str("start_id").str("s").str("uptime_s").uint(v).str("protocol").uint(1);
    CHECK(out.view() == expected.view());
  }
}

TEST_CASE("arrays get a fixarray header, longer ones array16", "[worker][encode]") {
  for (const std::size_t n : {0u, 1u, 15u, 16u, 300u}) {
    INFO(n << " tokens waitlisted");
    Board board{.doctor_id = DoctorId::from_trusted("D1"), .version = 3};
    Packed expected;
    expected.map(6).str("doctor_id").str("D1").str("version").uint(3).str("seq").uint(9).str("slots").array(0);
    expected.str("waitlist").array(static_cast<std::uint32_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const std::string id = "T" + std::to_string(i);
      board.waitlist.push_back(TokenInfo{.token_id = TokenId::from_trusted(id),
                                         .token_number = static_cast<std::uint32_t>(i),
                                         .state = TokenState::kWaitlisted});
      expected.map(5).str("token_id").str(id).str("token_number").uint(i).str("source").str("WALK_IN");
      expected.str("priority").uint(4).str("state").str("WAITLISTED");
    }
    expected.str("now_serving").nil();
    ByteBuffer out;
    encode_snapshot(out, 9, board);
    CHECK(out.view() == expected.view());
  }
}

TEST_CASE("a reused buffer holds exactly what was encoded since clear()", "[worker][encode]") {
  ByteBuffer out;
  encode_query_error(out, Code::kBadRequest, std::string(100000, 'x'));
  out.clear();
  encode_query_error(out, Code::kUnknownDoctor, "no");
  Packed expected;
  expected.map(2).str("code").str("UNKNOWN_DOCTOR").str("reason").str("no");
  CHECK(out.view() == expected.view());

  // Encoding appends: what the buffer held stays, byte for byte.
  out.clear();
  out.write("topic/", 6);
  encode_query_error(out, Code::kUnknownDoctor, "no");
  CHECK(out.view() == "topic/" + std::string(expected.view()));
  CHECK(out.size() == 6 + expected.view().size());
}

}  // namespace
}  // namespace opd::worker

namespace opd::worker {
namespace {

TEST_CASE("answers encoded in place are the bytes their values encode to", "[worker][encode]") {
  // The worker encodes the engine's answers in place; tools and tests
  // encode values. Both must put the same bytes on the wire.
  opd::test::RandomRequests gen(99, 6, 4);
  const auto schedule = gen.schedule();
  Engine values(schedule);
  Engine in_place(schedule);
  ByteBuffer from_value, from_ref;
  std::size_t days = 0, events = 0;
  for (std::uint64_t seq = 1; seq <= 20'000; ++seq) {
    const Request r = gen.next();
    const Outcome expected = values.apply(r);
    const OutcomeRef& got = in_place.apply_in_place(r);
    from_value.clear();
    from_ref.clear();
    encode_result(from_value, seq, expected.result);
    encode_result(from_ref, seq, got.result);
    INFO("seq " << seq);
    REQUIRE(from_ref.view() == from_value.view());
    REQUIRE(got.events.size() == expected.events.size());
    for (std::size_t i = 0; i < got.events.size(); ++i) {
      from_value.clear();
      from_ref.clear();
      encode_event(from_value, seq, expected.events[i]);
      encode_event(from_ref, seq, got.events[i]);
      REQUIRE(from_ref.view() == from_value.view());
    }
    gen.observe(r, expected);
    days += expected.result.status == Status::kDayOpened;
    events += got.events.size();
  }
  CHECK(days > 20);
  CHECK(events > 5'000);
}

}  // namespace
}  // namespace opd::worker
