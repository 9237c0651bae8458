// One total order: every request gets the next seq, and what one client
// sends in order is applied in that order, however clients interleave.
#include <set>

#include <catch2/catch.hpp>

#include "harness.h"

namespace opd::worker::test {
namespace {

TEST_CASE("two PUSH clients interleaving: each one's order is kept, seqs are one total order",
          "[worker][ordering]") {
  constexpr int kEach = 500;
  RunningWorker worker(make_schedule({{"D1", {{"S1", 1000, "09:00", "10:00"}}}, {"D2", {{"S2", 1000, "09:00", "10:00"}}}}));
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/"}, 1'000'000);
  Pusher a(worker.context(), worker.endpoints().requests);
  Pusher b(worker.context(), worker.endpoints().requests);

  // Alternate sends; D1's token numbers then reveal the order of client a's
  // requests as the worker applied them, D2's the order of b's.
  for (int i = 0; i < kEach; ++i) {
    a.send(allocate("a-" + std::to_string(i), "D1", "WALK_IN", "", "client-a"));
    b.send(allocate("b-" + std::to_string(i), "D2", "WALK_IN", "", "client-b"));
  }

  std::set<std::uint64_t> seqs;
  std::uint64_t last_seq = 0;
  int next_a = 0;
  int next_b = 0;
  for (int n = 0; n < 2 * kEach; ++n) {
    const Published p = sub.expect("result/");
    const std::uint64_t seq = p.body.u64("seq");
    CHECK(seq > last_seq);  // strictly increasing on the wire
    last_seq = seq;
    seqs.insert(seq);
    REQUIRE(p.body.str("status") == "ALLOCATED");
    if (p.topic == "result/client-a/") {
      CHECK(p.body.str("request_id") == "a-" + std::to_string(next_a));
      CHECK(p.body.u64("token_number") == static_cast<std::uint64_t>(++next_a));
    } else {
      REQUIRE(p.topic == "result/client-b/");
      CHECK(p.body.str("request_id") == "b-" + std::to_string(next_b));
      CHECK(p.body.u64("token_number") == static_cast<std::uint64_t>(++next_b));
    }
  }
  CHECK(next_a == kEach);
  CHECK(next_b == kEach);
  // Seqs are exactly 1..N: every request received got one, none skipped.
  CHECK(seqs.size() == 2 * kEach);
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == 2 * kEach);
}

TEST_CASE("topics are exact: result/k1/ does not see result/k10/, doctor/D1/ not doctor/D10/",
          "[worker][ordering]") {
  RunningWorker worker(make_schedule({{"D1", {{"S1", 10, "09:00", "10:00"}}}, {"D10", {{"S10", 10, "09:00", "10:00"}}}}));
  Subscriber narrow(worker.context(), worker.endpoints().events, {"result/k1/", "doctor/D1/"});
  Subscriber wide(worker.context(), worker.endpoints().events, {"result/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  push.send(allocate("x", "D10", "WALK_IN", "", "k10"));
  (void)wide.expect("result/k10/");
  push.send(allocate("y", "D1", "WALK_IN", "", "k1"));
  // Read with next(), which keeps whatever arrives (expect() would skip a
  // wrong topic): exactly y's event, then y's result, then nothing.
  const auto event = narrow.next();
  REQUIRE(event.has_value());
  CHECK(event->topic == "doctor/D1/");
  CHECK(event->body.str("doctor_id") == "D1");
  const auto result = narrow.next();
  REQUIRE(result.has_value());
  CHECK(result->topic == "result/k1/");
  CHECK(result->body.str("request_id") == "y");
  CHECK(narrow.drain(100ms).empty());
}

}  // namespace
}  // namespace opd::worker::test
