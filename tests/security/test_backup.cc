// opd-backup copies the data directory of a worker under load; a worker
// started on the copy recovers exactly the requests up to some seq S (a
// consistent point in time), and S covers everything acknowledged before
// the copy began.
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "secure_fixture.h"

using namespace opd::worker::test;

namespace {

const std::string kWorker = OPD_WORKER_BINARY;

bool wait_for_log(ChildProcess& child, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.err_so_far().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::vector<std::string> worker_argv(const std::string& run, const std::string& data, int snapshot_every) {
  return {kWorker,    "--requests", "ipc://" + run + "/r", "--events",         "ipc://" + run + "/e",
          "--queries", "ipc://" + run + "/q", "--data-dir", data, "--snapshot-every", std::to_string(snapshot_every)};
}

// seq -> token id of every ALLOCATED result received.
using Acked = std::map<std::uint64_t, std::string>;

void push_allocations(Pusher& pusher, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    pusher.send(request("allocate", "b-" + std::to_string(i), "backup")
                    .set("doctor_id", "BK")
                    .set("slot_id", "BK-" + std::to_string(i % 50))
                    .set("capacity", 1000)
                    .set("source", "WALK_IN"));
  }
}

// Reads results until `total` have arrived (bounded).
void collect(Subscriber& results, Acked& acked, std::size_t total) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (acked.size() < total) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    auto p = results.next(kWait);
    REQUIRE(p.has_value());
    REQUIRE(p->body.str("status") == "ALLOCATED");
    acked.emplace(p->body.u64("seq"), p->body.str("token_id"));
  }
}

}  // namespace

TEST_CASE("opd-backup: a live copy restores a consistent prefix with everything acknowledged before it",
          "[deploy][backup]") {
  // Pinning with hard links copes with a snapshot every 100 records; the
  // plain copying path (other filesystem) is retried when a file vanishes,
  // so it is given a calmer (still snapshotting) worker.
  const auto [links, snapshot_every] = GENERATE(table<bool, int>({{true, 100}, {false, 1000}}));
  INFO((links ? "hard links" : "plain copy") << ", a snapshot every " << snapshot_every);
  std::optional<ScopedEnv> no_links;
  if (!links) no_links.emplace("OPD_BACKUP_NO_LINKS", "1");
  TempDir run;
  const std::string data = run.path() + "/data";
  const std::string copy = run.path() + "/backup";
  ChildProcess worker(worker_argv(run.path(), data, snapshot_every));
  REQUIRE(wait_for_log(worker, "serving:"));

  zmq::context_t context(1);
  Subscriber results(context, "ipc://" + run.path() + "/e", {"result/backup/"}, 1'000'000);
  Pusher pusher(context, "ipc://" + run.path() + "/r");

  Acked acked;
  push_allocations(pusher, 0, 1000);
  collect(results, acked, 1000);
  const std::uint64_t acknowledged_before = acked.rbegin()->first;

  // The copy runs while 3000 more requests are journaled and snapshots
  // are taken every 100 of them.
  ProcessResult backup;
  std::thread copier([&] { backup = run_process({OPD_BACKUP_SCRIPT, data, copy}, 60s); });
  push_allocations(pusher, 1000, 3000);
  copier.join();
  INFO(backup.out << backup.err);
  REQUIRE(backup.exit_code == 0);
  CHECK(backup.out.find(links ? "(pinned with hard links" : "(copied, attempt") != std::string::npos);
  collect(results, acked, 4000);
  worker.signal(SIGTERM);
  REQUIRE(worker.wait(kWait).exit_code == 0);

  // Restore: a worker on the copy.
  TempDir second;
  ChildProcess restored(worker_argv(second.path(), copy, snapshot_every));
  REQUIRE(wait_for_log(restored, "serving:"));
  Querier querier(context, "ipc://" + second.path() + "/q");
  const View health = querier.ask(Body().set("type", "health"));
  const std::uint64_t recovered = health.u64("seq");
  CHECK(recovered >= acknowledged_before);
  CHECK(recovered <= acked.rbegin()->first);

  // Exactly the tokens of seq 1..recovered, none after.
  const View board = querier.ask(Body().set("type", "snapshot").set("doctor_id", "BK"));
  std::set<std::string> on_board;
  for (std::size_t i = 0; i < board["slots"].size(); ++i) {
    const View tokens = board["slots"].at(i)["tokens"];
    for (std::size_t t = 0; t < tokens.size(); ++t) on_board.insert(tokens.at(t).str("token_id"));
  }
  std::set<std::string> expected;
  for (const auto& [seq, token] : acked)
    if (seq <= recovered) expected.insert(token);
  CHECK(on_board.size() == expected.size());
  CHECK(on_board == expected);

  restored.signal(SIGTERM);
  CHECK(restored.wait(kWait).exit_code == 0);
}
