// The decoder against hostile bytes: seeded mutations of valid frames and
// sweeps of every truncation and of huge declared lengths at every offset.
// Run under ASan (the asan preset), any read past the frame fails the test.
// Each frame must give either a request or a refusal with a known reason,
// and the same answer whether the result object is fresh or reused.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"
#include "opd/worker/decode.h"

namespace opd::worker {
namespace {

using test::Body;

std::vector<std::string> valid_frames() {
  return {
      Body().set("type", "allocate").set("request_id", "k1:1").set("client_id", "k1").set("doctor_id", "D1")
          .set("source", "WALK_IN").set("slot_id", "D1-S2").bytes(),
      Body().set("type", "cancel").set("request_id", "k2:2").set("client_id", "k2").set("token_id", "T17").bytes(),
      Body().set("type", "call_next").set("request_id", "k3:3").set("client_id", "k3").set("doctor_id", "D9").bytes(),
      Body().set("type", "set_capacity").set("request_id", "r").set("doctor_id", "D1").set("slot_id", "S1")
          .set("capacity", 300).set("start", "09:00").set("end", "10:00").bytes(),
      Body().set("type", "open_day").set("request_id", "r9").set("date", "2026-02-01").set_nil("slot_id").bytes(),
      Body().set("request_id", "r").set("patient_ref", std::string(120, 'p')).set("doctor_id", "D1").bytes(),
      Body().set("type", "snapshot").set("doctor_id", "D1").bytes(),
      Body().set("type", "token").set("token_id", "T1").bytes(),
  };
}

bool known_reason(std::string_view error) {
  static constexpr std::array<std::string_view, 12> kPrefixes{
      "not MessagePack: ", "not a valid request: ", "body must be a MessagePack map, got ",
      "trailing bytes after the map (", "map key #", "empty message", "message of ", "field '",
      "missing field '", "unknown field '", "duplicate field '", "a request is one frame"};
  for (const auto prefix : kPrefixes)
    if (error.substr(0, prefix.size()) == prefix) return true;
  return false;
}

// Decodes `bytes` fresh and into `reused`; checks the invariants.
void check_frame(Decoder& decoder, DecodedRequest& reused, const std::string& bytes) {
  DecodedRequest fresh;
  decoder.request(bytes.data(), bytes.size(), fresh);
  decoder.request(bytes.data(), bytes.size(), reused);
  REQUIRE(fresh.request.has_value() == fresh.error.empty());
  if (!fresh.request) REQUIRE(known_reason(fresh.error));
  REQUIRE(reused.error == fresh.error);
  REQUIRE(reused.client_id == fresh.client_id);
  REQUIRE(reused.type == fresh.type);
  REQUIRE(reused.request_id == fresh.request_id);
  REQUIRE(reused.request.has_value() == fresh.request.has_value());
  if (fresh.request) {
    const Request& a = *fresh.request;
    const Request& b = *reused.request;
    REQUIRE((a.type == b.type && a.request_id == b.request_id && a.doctor_id == b.doctor_id &&
             a.slot_id == b.slot_id && a.source == b.source && a.capacity == b.capacity &&
             a.patient_ref == b.patient_ref && a.token_id == b.token_id));
    REQUIRE(a.start.has_value() == b.start.has_value());
    REQUIRE(a.end.has_value() == b.end.has_value());
    REQUIRE(a.date.has_value() == b.date.has_value());
  }
  DecodedQuery query;
  decoder.query(bytes.data(), bytes.size(), query);
  REQUIRE(query.type.has_value() == query.error.empty());
}

TEST_CASE("fuzz: seeded mutations of valid frames decode or are refused, never crash", "[worker][decode][fuzz]") {
  const auto seeds = valid_frames();
  std::mt19937_64 rng(20260101);
  auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  Decoder decoder;
  DecodedRequest reused;
  int requests = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string f = seeds[below(seeds.size())];
    for (std::size_t edits = 1 + below(4); edits > 0; --edits) {
      const auto at = f.empty() ? 0 : below(f.size());
      switch (below(6)) {
        case 0: if (!f.empty()) f[at] = static_cast<char>(rng()); break;
        case 1: f.resize(at); break;
        case 2: f.insert(f.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng())); break;
        case 3: if (!f.empty()) f.erase(f.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 4: if (!f.empty()) f[at] = static_cast<char>(f[at] ^ (1 << below(8))); break;
        default: f += seeds[below(seeds.size())].substr(0, below(8)); break;
      }
    }
    INFO("mutation " << i << ", " << f.size() << " bytes");
    check_frame(decoder, reused, f);
    if (reused.request) ++requests;
  }
  // Some mutations (a changed id character, say) stay valid requests.
  CHECK(requests > 0);
}

TEST_CASE("fuzz: every truncation of a valid frame is refused", "[worker][decode][fuzz]") {
  Decoder decoder;
  DecodedRequest reused;
  for (const auto& frame : valid_frames()) {
    for (std::size_t n = 0; n < frame.size(); ++n) {
      const std::string cut = frame.substr(0, n);
      INFO(n << " of " << frame.size() << " bytes");
      check_frame(decoder, reused, cut);
      CHECK_FALSE(reused.request);
    }
  }
}

TEST_CASE("fuzz: huge declared lengths at every offset are refused without reading past the frame",
          "[worker][decode][fuzz]") {
  // str32, bin32, ext32, array32 and map32 headers claiming ~4 GB, and the
  // 16-bit forms claiming 64 KiB.
  const std::vector<std::string> bombs{
      std::string("\xdb\xff\xff\xff\xff", 5), std::string("\xc6\xff\xff\xff\xff", 5),
      std::string("\xc9\xff\xff\xff\xff", 5), std::string("\xdd\xff\xff\xff\xff", 5),
      std::string("\xdf\xff\xff\xff\xff", 5), std::string("\xda\xff\xff", 3),
      std::string("\xdc\xff\xff", 3),         std::string("\xde\xff\xff", 3)};
  Decoder decoder;
  DecodedRequest reused;
  for (const auto& frame : valid_frames()) {
    for (std::size_t at = 0; at < frame.size(); ++at) {
      for (const auto& bomb : bombs) {
        std::string f = frame;
        f.replace(at, std::min(bomb.size(), f.size() - at), bomb);
        INFO("bomb at " << at);
        // Inside a string's bytes a bomb is only text: the frame may stay valid.
        check_frame(decoder, reused, f);
      }
    }
  }
}

}  // namespace
}  // namespace opd::worker
