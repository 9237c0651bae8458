// The real opd-worker, killed with SIGKILL at random moments while a client
// pushes requests, ten times over: every result a subscriber received
// before a kill is in the recovered state, no token id or token number is
// ever issued twice, and no slot exceeds its capacity.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "harness.h"
#include "opd/worker/schedule_json.h"

namespace opd::worker::test {
namespace {

const std::string kBinary = OPD_WORKER_BINARY;

struct Acknowledged {
  std::string request_id;
  std::string doctor_id;
  std::uint64_t number = 0;
};

bool wait_ready(zmq::context_t& context, const std::string& queries) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  Querier q(context, queries);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (q.ask(Body().set("type", "health"), 200ms).str("status") == "ok") return true;
    } catch (const std::runtime_error&) {
    }
  }
  return false;
}

// Pushes allocations (and some cancels and calls) as fast as the pipe takes
// them, paced to about `rate` per second, until told to stop. A PUSH to a
// dead worker just fails to send; the thread never blocks for long.
void push_load(zmq::context_t& context, const std::string& endpoint, const std::vector<std::string>& doctors,
               int round, std::atomic<bool>& stop, std::atomic<std::uint64_t>& sent) {
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  push.set(zmq::sockopt::sndtimeo, 50);
  push.connect(endpoint);
  std::mt19937_64 rng(static_cast<std::uint64_t>(round) * 7919);
  static const char* kSources[] = {"EMERGENCY", "PAID", "FOLLOW_UP", "ONLINE", "WALK_IN"};
  for (std::uint64_t i = 0; !stop.load(); ++i) {
    const std::string id = "r" + std::to_string(round) + "-" + std::to_string(i);
    const auto& doctor = doctors[rng() % doctors.size()];
    Body body;
    const auto roll = rng() % 10;
    if (roll < 8) {
      body = allocate(id, doctor, kSources[rng() % 5], "", "crash");
    } else if (roll < 9) {
      body.set("type", "call_next").set("request_id", id).set("doctor_id", doctor).set("client_id", "crash");
    } else {
      body.set("type", "cancel").set("request_id", id).set("token_id", "T" + std::to_string(1 + rng() % 200))
          .set("client_id", "crash");
    }
    const auto bytes = body.bytes();
    if (push.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none)) sent.fetch_add(1);
    if (i % 20 == 19) std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

TEST_CASE("SIGKILL under load, ten times: nothing acknowledged is lost", "[durability][crash]") {
  TempDir dir;
  const auto schedule = load_schedule_file(OPD_EXAMPLE_SCHEDULE);
  REQUIRE(schedule.schedule);
  std::vector<std::string> doctors;
  for (const auto& d : schedule.schedule->doctors) doctors.push_back(d.doctor_id.str());

  const std::string requests = "ipc://" + dir.path() + "/requests";
  const std::string events = "ipc://" + dir.path() + "/events";
  const std::string queries = "ipc://" + dir.path() + "/queries";
  const std::vector<std::string> argv{kBinary,   "--requests", requests, "--events",  events,
                                      "--queries", queries,    "--data-dir", dir.path() + "/data",
                                      "--fsync", "always", "--snapshot-every", "500", "--log-level", "warn"};

  std::map<std::string, Acknowledged> tokens;                  // token id -> first acknowledgement
  std::set<std::pair<std::string, std::uint64_t>> numbers;     // (doctor, number) issued
  std::uint64_t highest_seq = 0;
  std::uint64_t acknowledged_results = 0;
  std::mt19937_64 rng(2026);
  zmq::context_t context(1);

  auto check_recovered = [&](int round) {
    INFO("after kill " << round);
    Querier q(context, queries);
    CHECK(q.ask(Body().set("type", "health")).u64("seq") >= highest_seq);
    for (const auto& [token_id, ack] : tokens) {
      const auto status = q.ask(Body().set("type", "token").set("token_id", token_id));
      INFO("token " << token_id << " of request " << ack.request_id << ": " << status.dump());
      REQUIRE_FALSE(status.has("code"));
      CHECK(status.str("doctor_id") == ack.doctor_id);
      CHECK(status.u64("token_number") == ack.number);
    }
    for (const auto& doctor : doctors) {
      const auto board = q.ask(Body().set("type", "snapshot").set("doctor_id", doctor));
      const auto slots = board["slots"];
      for (std::size_t i = 0; i < slots.size(); ++i)
        CHECK(slots.at(i)["tokens"].size() <= slots.at(i).u64("capacity"));
    }
  };

  for (int round = 0; round < 10; ++round) {
    ChildProcess worker(argv);
    REQUIRE(wait_ready(context, queries));
    if (round > 0) check_recovered(round);

    Subscriber results(context, events, {"result/crash/"});
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> sent{0};
    std::thread pusher(push_load, std::ref(context), requests, std::cref(doctors), round, std::ref(stop), std::ref(sent));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 500));
    worker.signal(SIGKILL);
    (void)worker.wait(5s);
    stop.store(true);
    pusher.join();

    for (const auto& message : results.drain(300ms)) {
      const auto& r = message.body;
      ++acknowledged_results;
      highest_seq = std::max(highest_seq, r.u64("seq"));
      const auto status = r.str("status");
      if (status != "ALLOCATED" && status != "REALLOCATED") continue;
      const auto token_id = r.str("token_id");
      const Acknowledged ack{r.str("request_id"), r.str("doctor_id"), r.u64("token_number")};
      INFO("token " << token_id << " for request " << ack.request_id);
      const auto [it, fresh] = tokens.emplace(token_id, ack);
      if (!fresh) {
        // Only a retry of the same request may name the same token again.
        CHECK(it->second.request_id == ack.request_id);
        CHECK(r.boolean("duplicate"));
      } else {
        CHECK(numbers.emplace(ack.doctor_id, ack.number).second);
      }
    }
    INFO("round " << round << ": " << sent.load() << " sent");
  }
  ChildProcess last(argv);
  REQUIRE(wait_ready(context, queries));
  check_recovered(10);
  // The test proved something only if the worker acknowledged real work.
  CHECK(tokens.size() > 50);
  CHECK(acknowledged_results > 200);
  last.signal(SIGTERM);
  CHECK(last.wait(5s).exit_code == 0);
}

}  // namespace opd::worker::test
