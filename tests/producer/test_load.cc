// opd-producer load against a real worker: every result arrives exactly
// once at a modest rate, the report is coherent, the relay baseline runs
// in the same invocation, and failures have the documented exit codes.
#include <catch2/catch.hpp>

#include "fixture.h"

namespace opd::tools::test {
namespace {

using nlohmann::json;

void check_phase(const json& phase, std::uint64_t count) {
  INFO(phase.dump(2));
  CHECK(phase["reached"] == true);
  CHECK(phase["sent"] == count);
  CHECK(phase["received"] == count);
  CHECK(phase["lost"] == 0);
  CHECK(phase["duplicates"] == 0);
  CHECK(phase["flagged_duplicate"] == 0);
  CHECK(phase["unmatched"] == 0);
  CHECK(phase["throughput"].get<double>() > 0);
  const json& l = phase["latency_us"];
  CHECK(l["p50"].get<double>() > 0);
  CHECK(l["p50"] <= l["p90"]);
  CHECK(l["p90"] <= l["p99"]);
  CHECK(l["p99"] <= l["p99_9"]);
  CHECK(l["p99_9"] <= l["max"]);
}

}  // namespace

TEST_CASE("load: zero lost results at a modest rate, with the relay baseline", "[producer][load]") {
  TempDir dir;
  Worker worker(dir);
  const std::string file = dir.file("load.json");
  const RunResult r = producer(worker, {"load", "--rate", "400", "--count", "800", "--clients", "2", "--doctors",
                                        "3", "--slots", "2", "--capacity", "50", "--mix",
                                        "allocate=50,cancel=10,call_next=20,complete=10,no_show=5,set_capacity=5",
                                        "--relay-baseline", "--json", file});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = json::parse(read_file(file));
  check_phase(report["worker"], 800);
  check_phase(report["relay"], 800);
  CHECK(report["ratio"].get<double>() > 0);

  // Every operation of the mix was exercised and answered by the worker.
  const json& worker_phase = report["worker"];
  std::uint64_t by_status = 0;
  for (const auto& [status, n] : worker_phase["by_status"].items()) by_status += n.get<std::uint64_t>();
  CHECK(by_status == 800);
  CHECK(worker_phase["by_status"].contains("ALLOCATED"));
  CHECK(worker_phase["by_status"].contains("CALLED"));
  CHECK(worker_phase["sent_by_op"]["allocate"].get<std::uint64_t>() > 0);
  CHECK(worker_phase["sent_by_op"]["set_capacity"].get<std::uint64_t>() > 0);
  CHECK(report["relay"]["by_status"]["RELAYED"] == 800);
  // The worker received exactly the measured requests plus the setup
  // frames: one set_capacity per slot, and any resend of the probe while
  // the subscription was still joining (more of them on a busy machine).
  const auto setup_sent = worker_phase["setup_sent"].get<std::uint64_t>();
  CHECK(setup_sent >= 3 * 2);
  CHECK(report["worker_stats_received"] == 800 + setup_sent);
  CHECK(query(worker, "stats")["received"] == 800 + setup_sent);

  CHECK_THAT(r.out, Catch::Contains("worker: sent 800, received 800, lost 0, duplicates 0"));
  CHECK_THAT(r.out, Catch::Contains("p99.9"));
  CHECK_THAT(r.out, Catch::Contains("worker/relay throughput ratio"));
  // Not a terminal: plain progress lines on stderr.
  CHECK_THAT(r.err, Catch::Contains("[worker]"));
}

TEST_CASE("load: usage errors exit 2, no worker exits 3", "[producer][load]") {
  CHECK(run({kProducerBin, "load", "--mix", "allocate=1,dance=2"}, kToolDeadline).exit_code == 2);
  CHECK(run({kProducerBin, "load", "--mix", "allocate=0"}, kToolDeadline).exit_code == 2);
  CHECK(run({kProducerBin, "load", "--count", "5", "--duration", "1"}, kToolDeadline).exit_code == 2);
  CHECK(run({kProducerBin, "load", "--rate", "-5"}, kToolDeadline).exit_code == 2);

  TempDir dir;
  const RunResult r = run({kProducerBin, "load", "--count", "10", "--timeout", "200", "--retries", "1",
                           "--requests", "ipc://" + dir.file("r"), "--events", "ipc://" + dir.file("e"),
                           "--queries", "ipc://" + dir.file("q"), "--no-progress"},
                          kToolDeadline);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("no answer from"));
}

}  // namespace opd::tools::test
