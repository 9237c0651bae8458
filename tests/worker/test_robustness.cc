// What must not hurt the worker: dead subscribers, frames past the
// transport ceiling, busy endpoints. Also heartbeats and the ipc and tcp
// transports.
#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/protocol.h"

namespace opd::worker::test {
namespace {

Schedule one_slot() { return make_schedule({{"D1", {{"S1", 1000, "09:00", "10:00"}}}}); }

ServiceConfig tcp_config() {
  ServiceConfig config = test_config();
  config.requests_endpoint = "tcp://127.0.0.1:*";
  config.events_endpoint = "tcp://127.0.0.1:*";
  config.queries_endpoint = "tcp://127.0.0.1:*";
  return config;
}

// Polls the stats until `received` reaches n (bounded by kWait).
View wait_received(Querier& q, std::uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (true) {
    View stats = q.ask(Body().set("type", "stats"));
    if (stats.u64("received") >= n || std::chrono::steady_clock::now() > deadline) return stats;
    std::this_thread::sleep_for(10ms);
  }
}

TEST_CASE("a subscriber that never reads does not slow or block the worker", "[worker][robustness]") {
  ServiceConfig config = tcp_config();
  config.sndhwm = 50;
  RunningWorker worker(one_slot(), config);
  // Subscribed to everything over tcp, with the smallest buffers, never read.
  Subscriber dead(worker.context(), worker.endpoints().events, {""}, 1);
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier q(worker.context(), worker.endpoints().queries);

  constexpr int kRequests = 20'000;
  for (int i = 0; i < kRequests; ++i)
    push.send(Body().set("type", "call_next").set("request_id", "c" + std::to_string(i)).set("doctor_id", "D1"));
  const View stats = wait_received(q, kRequests);
  CHECK(stats.u64("received") == kRequests);
  CHECK(stats.u64("results") == kRequests);
  CHECK(stats["rejected"].u64("QUEUE_EMPTY") == kRequests);
  // And a live client is still served at once.
  Subscriber live(worker.context(), worker.endpoints().events, {"result/kiosk-1/"});
  CHECK(round_trip(push, live, allocate("after", "D1", "WALK_IN")).str("status") == "ALLOCATED");
}

TEST_CASE("size limits over tcp: over 64 KiB is REJECTED, over the transport ceiling is disconnected",
          "[worker][robustness]") {
  RunningWorker worker(one_slot(), tcp_config());
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/"});
  Querier q(worker.context(), worker.endpoints().queries);
  {
    Pusher push(worker.context(), worker.endpoints().requests);
    push.send(Body().set("request_id", "big").set("patient_ref", std::string(100 * 1024, 'x')));
    const Published big = sub.expect("result/");
    CHECK(big.body.str("code") == "BAD_REQUEST");
    CHECK_THAT(big.body.str("reason"), Catch::Contains("exceeds the limit of 65536 bytes"));
  }
  {
    // Past ZMQ_MAXMSGSIZE libzmq drops the connection before buffering the
    // frame: no result (nothing was received), no memory spent.
    Pusher hostile(worker.context(), worker.endpoints().requests);
    hostile.send_raw(std::string(static_cast<std::size_t>(kTransportMaxMessageBytes) + 1, 'x'));
    CHECK_FALSE(sub.next(300ms));
  }
  Pusher honest(worker.context(), worker.endpoints().requests);
  const View ok = round_trip(honest, sub, allocate("fine", "D1", "WALK_IN"));
  CHECK(ok.str("status") == "ALLOCATED");
  CHECK(ok.u64("seq") == 2);
  CHECK(q.ask(Body().set("type", "stats")).u64("received") == 2);
}

TEST_CASE("ipc endpoints in a private directory work end to end", "[worker][robustness]") {
  TempDir dir;
  ServiceConfig config = test_config();
  config.requests_endpoint = "ipc://" + dir.path() + "/requests";
  config.events_endpoint = "ipc://" + dir.path() + "/events";
  config.queries_endpoint = "ipc://" + dir.path() + "/queries";
  RunningWorker worker(one_slot(), config);
  Subscriber sub(worker.context(), worker.endpoints().events, {"result/kiosk-1/"});
  Pusher push(worker.context(), worker.endpoints().requests);
  CHECK(round_trip(push, sub, allocate("r", "D1", "PAID")).str("status") == "ALLOCATED");
  Querier q(worker.context(), worker.endpoints().queries, QueryClient::kDealerWithDelimiter);
  CHECK(q.ask(Body().set("type", "health")).u64("seq") == 1);
}

TEST_CASE("heartbeats carry the last seq and a start id that changes on restart", "[worker][robustness]") {
  std::string first_start;
  {
    RunningWorker worker(one_slot());
    Subscriber sub(worker.context(), worker.endpoints().events, {"result/"});
    const Published beat = sub.expect("heartbeat/");
    CHECK(beat.body.u64("seq") == 0);
    CHECK(beat.body.u64("protocol") == 1);
    CHECK(beat.body.u64("uptime_s") < 60);
    first_start = beat.body.str("start_id");
    CHECK(first_start.size() == 16);

    Pusher push(worker.context(), worker.endpoints().requests);
    (void)round_trip(push, sub, allocate("r", "D1", "PAID"));
    (void)round_trip(push, sub, allocate("s", "D1", "PAID"));
    const Published later = sub.expect("heartbeat/");
    CHECK(later.body.u64("seq") == 2);
    CHECK(later.body.str("start_id") == first_start);
  }
  RunningWorker restarted(one_slot());
  Subscriber sub(restarted.context(), restarted.endpoints().events, {});
  CHECK(sub.expect("heartbeat/").body.str("start_id") != first_start);
}

TEST_CASE("an endpoint that cannot be bound is named in the error", "[worker][robustness]") {
  RunningWorker first(one_slot(), tcp_config());
  ServiceConfig clash = tcp_config();
  clash.queries_endpoint = first.endpoints().queries;  // already bound
  zmq::context_t context;
  try {
    Service second(context, one_slot(), clash);
    FAIL("binding a busy endpoint succeeded");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("cannot bind the queries endpoint '" + first.endpoints().queries + "'"));
  }
}

TEST_CASE("stop finishes promptly even with results queued for a stuck subscriber", "[worker][robustness]") {
  ServiceConfig config = tcp_config();
  config.linger = 300ms;
  auto worker = std::make_unique<RunningWorker>(one_slot(), config);
  Subscriber stuck(worker->context(), worker->endpoints().events, {""}, 1);
  Pusher push(worker->context(), worker->endpoints().requests);
  Querier q(worker->context(), worker->endpoints().queries);
  for (int i = 0; i < 5000; ++i)
    push.send(Body().set("type", "call_next").set("request_id", "c" + std::to_string(i)).set("doctor_id", "D1"));
  (void)wait_received(q, 5000);
  const auto start = std::chrono::steady_clock::now();
  worker->stop();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

}  // namespace
}  // namespace opd::worker::test
