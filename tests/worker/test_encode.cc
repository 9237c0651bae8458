// The encoder alone: canonical map headers (clients in other languages may
// be strict), keys present only where they apply, and the waitlist named.
#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/encode.h"

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

}  // namespace
}  // namespace opd::worker
