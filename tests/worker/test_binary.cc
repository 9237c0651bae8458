// The opd-worker program itself: flags, schedule errors, and a clean exit
// on SIGTERM / SIGINT within 2 seconds.
#include <signal.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "harness.h"

namespace opd::worker::test {
namespace {

const std::string kBinary = OPD_WORKER_BINARY;

struct Endpoints {
  explicit Endpoints(const TempDir& dir)
      : requests("ipc://" + dir.path() + "/requests"),
        events("ipc://" + dir.path() + "/events"),
        queries("ipc://" + dir.path() + "/queries"),
        data(dir.path() + "/data") {}
  std::vector<std::string> args() const {
    return {"--requests", requests, "--events", events, "--queries", queries, "--data-dir", data};
  }
  std::string requests, events, queries, data;
};

// Waits until the worker answers a health query.
bool wait_ready(zmq::context_t& context, const std::string& queries, ChildProcess& child) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  Querier q(context, queries);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (q.ask(Body().set("type", "health"), 200ms).str("status") == "ok") return true;
    } catch (const std::runtime_error&) {
    }
  }
  UNSCOPED_INFO("worker stderr: " << child.err_so_far());
  return false;
}

std::vector<std::string> command(std::vector<std::string> args) {
  args.insert(args.begin(), kBinary);
  return args;
}

TEST_CASE("opd-worker --help and --version", "[worker][binary]") {
  const auto help = run_process(command({"--help"}), kWait);
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Usage: opd-worker"));
  CHECK_THAT(help.out, Catch::Contains("--preemption POLICY"));
  CHECK(help.err.empty());
  const auto version = run_process(command({"--version"}), kWait);
  CHECK(version.exit_code == 0);
  CHECK(version.out == "opd-worker " OPD_VERSION " (wire protocol v1)\n");
}

TEST_CASE("opd-worker refuses a bad flag or schedule with one message and a non-zero exit", "[worker][binary]") {
  TempDir dir;
  const auto flag = run_process(command({"--preemption", "whoever"}), kWait);
  CHECK(flag.exit_code == 2);
  CHECK_THAT(flag.err, Catch::StartsWith("opd-worker: option '--preemption': 'whoever'"));

  const auto missing = run_process(command({"--schedule", dir.path() + "/none.json"}), kWait);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "opd-worker: cannot read schedule file '" + dir.path() + "/none.json': No such file or directory\n");

  const std::string bad = dir.path() + "/bad.json";
  std::ofstream(bad) << "{\"doctors\": [\n  {\"doctor_id\": \"D1\",\n   \"slots\": [{\"slot_id\": \"S1\", \"capacity\": \"ten\"}]}]}\n";
  const auto invalid = run_process(command({"--schedule", bad}), kWait);
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.err == "opd-worker: " + bad + ":3: doctors[0].slots[0].capacity: must be a whole number from 0 to 1000, got \"ten\"\n");
}

TEST_CASE("opd-worker names an endpoint it cannot bind and exits 1", "[worker][binary]") {
  TempDir dir;
  Endpoints e(dir);
  auto args = e.args();
  args[1] = "tcp://256.1.1.1:1";  // not an address
  const auto result = run_process(command(args), kWait);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("cannot bind the requests endpoint 'tcp://256.1.1.1:1'"));
}

TEST_CASE("SIGTERM: the worker publishes what it took, exits 0 within 2 s", "[worker][binary][signals]") {
  TempDir dir;
  Endpoints e(dir);
  auto args = e.args();
  args.push_back("--schedule");
  args.push_back(OPD_EXAMPLE_SCHEDULE);
  ChildProcess worker(command(args));
  zmq::context_t context;
  REQUIRE(wait_ready(context, e.queries, worker));

  Subscriber sub(context, e.events, {"result/"}, 1'000'000);
  // A subscriber that never reads keeps messages queued in the worker's PUB:
  // the exit must not wait for it beyond the bounded linger.
  Subscriber stuck(context, e.events, {""}, 1);
  Pusher push(context, e.requests);
  for (int i = 0; i < 2000; ++i)
    push.send(Body().set("type", "call_next").set("request_id", "c" + std::to_string(i)).set("doctor_id", "GEN-1"));
  (void)sub.expect("result/");  // the worker is busy with them

  const auto signalled = std::chrono::steady_clock::now();
  worker.signal(SIGTERM);
  const ProcessResult exit = worker.wait(2s);
  const auto took = std::chrono::steady_clock::now() - signalled;
  INFO("stderr: " << exit.err);
  CHECK_FALSE(exit.timed_out);
  CHECK(exit.exit_code == 0);
  CHECK(took < 2s);
  CHECK_THAT(exit.err, Catch::Contains("received SIGTERM, stopping"));
  CHECK_THAT(exit.err, Catch::Contains("stopped after"));

  // What was published is the gap-free order of what it took: seq 1, 2,
  // ... up to the last seq it logs (the first one was consumed above).
  const auto at = exit.err.find("last seq ");
  REQUIRE(at != std::string::npos);
  const std::uint64_t last = std::stoull(exit.err.substr(at + 9));
  REQUIRE(last >= 1);
  std::uint64_t expected = 2;
  for (const auto& p : sub.drain(200ms)) CHECK(p.body.u64("seq") == expected++);
  CHECK(expected == last + 1);
}

TEST_CASE("SIGINT stops the worker the same way", "[worker][binary][signals]") {
  TempDir dir;
  Endpoints e(dir);
  ChildProcess worker(command(e.args()));
  zmq::context_t context;
  REQUIRE(wait_ready(context, e.queries, worker));
  worker.signal(SIGINT);
  const ProcessResult exit = worker.wait(2s);
  INFO("stderr: " << exit.err);
  CHECK(exit.exit_code == 0);
  CHECK_THAT(exit.err, Catch::Contains("received SIGINT, stopping"));
}

}  // namespace
}  // namespace opd::worker::test
