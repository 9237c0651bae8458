// The tools' small parts: the load generator's MessagePack writer and
// scanner, its latency histogram, the 80x24 screen, and flag helpers.
#include <algorithm>
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "producer/tools/board_view.h"
#include "producer/tools/cli.h"
#include "producer/tools/latency.h"
#include "producer/tools/load.h"
#include "producer/tools/msgpack_lite.h"
#include "producer/tools/wire.h"

namespace opd::tools::test {

TEST_CASE("msgpack writer: maps nlohmann reads back, every length class", "[producer][msgpack]") {
  for (const std::size_t length : {0u, 5u, 31u, 32u, 255u, 256u, 70000u}) {
    for (const std::uint64_t number : {0ULL, 127ULL, 128ULL, 255ULL, 256ULL, 65535ULL, 65536ULL, 4294967295ULL,
                                       4294967296ULL}) {
      std::string bytes;
      mp::Writer w(bytes);
      w.map(2);
      w.field("text", std::string(length, 'x'));
      w.field("number", number);
      const auto back = from_msgpack(bytes.data(), bytes.size());
      REQUIRE(back.has_value());
      CHECK((*back)["text"] == std::string(length, 'x'));
      CHECK((*back)["number"] == number);
    }
  }
  std::string big;
  mp::Writer w(big);
  w.map(20);
  for (int i = 0; i < 20; ++i) w.field("k" + std::to_string(i), static_cast<std::uint64_t>(i));
  const auto back = from_msgpack(big.data(), big.size());
  REQUIRE(back.has_value());
  CHECK(back->size() == 20);
}

TEST_CASE("msgpack scanner: picks the fields, skips the rest, refuses broken input", "[producer][msgpack]") {
  json map = json::object();
  map["seq"] = 42;
  map["nested"] = json{{"a", json::array({1, -2, 3.5, nullptr, true, "x"})}, {"b", json::object()}};
  map["request_id"] = "r-1";
  map["negative"] = -100000;
  map["status"] = "ALLOCATED";
  map["duplicate"] = true;
  map["token_id"] = "T7";
  map["blob"] = json::binary({1, 2, 3});
  const std::string bytes = to_msgpack(map);
  mp::ResultFields f;
  REQUIRE(mp::scan_result(bytes.data(), bytes.size(), f));
  CHECK(f.request_id == "r-1");
  CHECK(f.status == "ALLOCATED");
  CHECK(f.token_id == "T7");
  CHECK(f.seq == 42);
  CHECK(f.duplicate);
  CHECK(f.code.empty());
  // Every truncation is refused, never read past the end.
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(mp::scan_result(bytes.data(), n, f));
  // Trailing bytes, a non-map, a huge declared size are refused too.
  CHECK_FALSE(mp::scan_result((bytes + "x").data(), bytes.size() + 1, f));
  const std::string array = "\x91\x01";
  CHECK_FALSE(mp::scan_result(array.data(), array.size(), f));
  const std::string huge = "\xdf\xff\xff\xff\xff";
  CHECK_FALSE(mp::scan_result(huge.data(), huge.size(), f));
  std::string deep = "\x81\xa1k";
  for (int i = 0; i < 50; ++i) deep += "\x91";
  deep += "\x01";
  CHECK_FALSE(mp::scan_result(deep.data(), deep.size(), f));
}

TEST_CASE("latency histogram: percentiles within 1% of the exact ones", "[producer][load]") {
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    // Log-uniform from 100 ns to 100 ms, as latencies spread.
    const double exponent = 2.0 + 6.0 * static_cast<double>(rng() % 1000000) / 1e6;
    const auto v = static_cast<std::int64_t>(std::pow(10.0, exponent));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (const double p : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = samples[static_cast<std::size_t>(std::ceil(p * 100000.0)) - 1];
    const auto approx = h.percentile(p);
    INFO(p << ": exact " << exact << ", histogram " << approx);
    CHECK(approx >= exact);
    CHECK(static_cast<double>(approx) <= static_cast<double>(exact) * 1.01);
  }
  CHECK(h.max() == samples.back());
  CHECK(h.percentile(1.0) == samples.back());
  CHECK(h.count() == 100000);
  LatencyHistogram empty;
  CHECK(empty.percentile(0.99) == 0);
}

TEST_CASE("screen: a crowded day fits 80x24", "[producer][display]") {
  std::vector<BoardView> boards;
  for (int d = 0; d < 4; ++d) {
    BoardView b{.doctor_id = "DOCTOR-" + std::to_string(d), .version = 99};
    for (int s = 0; s < 8; ++s) {
      SlotView slot{.slot_id = "SLOT-" + std::to_string(d) + "-" + std::to_string(s), .start = "09:00", .end = "09:30",
                    .capacity = 40};
      for (int t = 0; t < 40; ++t)
        slot.tokens.push_back(TokenView{"T" + std::to_string(t), static_cast<std::uint32_t>(100 + t), "WALK_IN", 4,
                                        t < 3 ? "COMPLETED" : "WAITING"});
      b.slots.push_back(slot);
    }
    for (int t = 0; t < 30; ++t) b.waitlist.push_back(TokenView{"W", static_cast<std::uint32_t>(500 + t), "ONLINE", 3, "WAITLISTED"});
    b.now_serving = b.slots[0].tokens[0];
    b.recent_moves = {{"#101", "SLOT-0-1"}, {"#102", "WAITLIST"}};
    boards.push_back(std::move(b));
  }
  std::vector<const BoardView*> pointers;
  for (const auto& b : boards) pointers.push_back(&b);
  for (const bool lost : {false, true}) {
    const std::string long_note(120, 'n');  // cut, not wrapped
    const auto lines =
        screen_lines(pointers, {"DOCTOR X: unknown doctor"}, ScreenStatus{"10:42:13", lost, long_note}, 80, 24);
    CHECK(lines.size() == 24);
    for (const auto& line : lines) {
      std::string visible;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b') {
          while (i < line.size() && line[i] != 'm') ++i;
          continue;
        }
        visible.push_back(line[i]);
      }
      INFO(visible);
      CHECK(visible.size() <= 80);
    }
    const std::string all = [&] {
      std::string s;
      for (const auto& l : lines) s += l + "\n";
      return s;
    }();
    CHECK_THAT(all, Catch::Contains("DOCTOR DOCTOR-0"));
    CHECK_THAT(all, Catch::Contains("NOW SERVING #100"));
    CHECK_THAT(all, Catch::Contains(lost ? "CONNECTION LOST" : "LIVE"));
  }
  // One small board shows every slot, the waitlist and the moves.
  const auto few = screen_lines({&boards[0]}, {}, ScreenStatus{}, 80, 24);
  std::string text;
  for (const auto& l : few) text += l + "\n";
  CHECK_THAT(text, Catch::Contains("SLOT-0-7"));
  CHECK_THAT(text, Catch::Contains("waitlist: #500"));
  CHECK_THAT(text, Catch::Contains("moved: #102 -> waitlist, #101 -> SLOT-0-1"));
  CHECK_THAT(text, Catch::Contains("next: #103 #104"));
}

TEST_CASE("cli helpers: bind addresses become connect addresses, --mix parses", "[producer][cli]") {
  CHECK(connect_address("tcp://*:5555") == "tcp://127.0.0.1:5555");
  CHECK(connect_address("tcp://0.0.0.0:7") == "tcp://127.0.0.1:7");
  CHECK(connect_address("ipc:///tmp/x") == "ipc:///tmp/x");
  std::string error;
  const auto mix = parse_mix("allocate=3,call_next=1", &error);
  REQUIRE(mix.has_value());
  CHECK(mix_text(*mix) == "allocate=3,call_next=1");
  CHECK_FALSE(parse_mix("allocate", &error).has_value());
  CHECK_FALSE(parse_mix("allocate=x", &error).has_value());
  CHECK_FALSE(parse_mix("cancel=0", &error).has_value());
}

}  // namespace opd::tools::test
