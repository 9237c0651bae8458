// Group commit and snapshots with --fsync always, through real sockets:
// nothing a subscriber or a querier sees is ahead of the journal on disk;
// a batch grows past max_batch under a flood, within its bounds; snapshots
// are written by the file thread in order (two kept, covered journal
// segments removed, complete when run() returns), and one the disk refuses
// stops the worker with PersistenceFailure after what was published.
#include <catch2/catch.hpp>
#include <fstream>
#include <future>

#include "harness.h"
#include "opd/durability/crc32c.h"
#include "opd/durability/journal.h"
#include "opd/durability/snapshot_file.h"
#include "opd/worker/protocol.h"
#include "workload.h"

namespace opd::worker::test {
namespace {

ServiceConfig always_config(const std::string& data_dir) {
  auto config = test_config();
  config.persistence = PersistenceConfig{.data_dir = data_dir, .fsync = FsyncMode::kAlways};
  config.rcvhwm = 1'000'000;
  config.sndhwm = 1'000'000;
  return config;
}

std::vector<std::filesystem::path> files_ending(const std::string& dir, std::string_view suffix) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().ends_with(suffix)) found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found;
}

std::uint64_t u32_at(const std::string& bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)])} << (8 * i);
  return v;
}

// Follows the journal's segment files as the worker writes them: the
// highest seq of a record wholly present in the files, read when asked.
class JournalOnDisk {
 public:
  explicit JournalOnDisk(std::string dir) : dir_(std::move(dir)) {}

  std::uint64_t highest() {
    for (const auto& file : files_ending(dir_, ".log")) {
      auto& offset = offsets_[file.string()];
      std::ifstream in(file, std::ios::binary);
      // Records are [u32 length][u32 crc][u64 seq][payload]; the file may
      // go on past them with reserved zeros (length 0, never a record's),
      // so it is read record by record, not to its end. A record counts
      // once it is wholly there with its CRC matching; anything short of
      // that is read again next time.
      std::string record(16, '\0');
      while (in.seekg(static_cast<std::streamoff>(offset)) && in.read(record.data(), 16)) {
        const auto length = u32_at(record, 0, 4);
        if (length == 0 || length > durability::kMaxRecordPayload) break;
        record.resize(16 + length);
        if (!in.read(record.data() + 16, static_cast<std::streamsize>(length)) ||
            durability::crc32c(std::string_view(record).substr(8)) != u32_at(record, 4, 4))
          break;
        highest_ = std::max(highest_, u32_at(record, 8, 8));
        offset += record.size();
        record.resize(16);
      }
    }
    return highest_;
  }

 private:
  std::string dir_;
  std::map<std::string, std::size_t> offsets_;
  std::uint64_t highest_ = 0;
};

void wait_for_seq(RunningWorker& worker, std::uint64_t seq) {
  Querier q(worker.context(), worker.endpoints().queries);
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::uint64_t last = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    last = q.ask(Body().set("type", "health")).u64("seq");
    if (last >= seq) return;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("the worker reached seq " << last << ", not " << seq);
}

}  // namespace

TEST_CASE("with fsync always, no result, event or query answer is ahead of the journal", "[durability][commit]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto config = always_config(data);
  // Small bounds, so a flood of a few thousand requests must hit them.
  config.max_batch = 8;
  config.max_synced_batch = 1024;
  config.synced_batch_time = 10s;
  RunningWorker worker(durability_schedule(), config);
  Subscriber published(worker.context(), worker.endpoints().events, {"result/", "doctor/"}, 1'000'000);
  Querier q(worker.context(), worker.endpoints().queries);
  JournalOnDisk journal(data);

  // Bursts with pauses, from another thread, so this one is mostly waiting
  // when a batch is published and looks at the file at once. Each burst
  // ends with 8 frames of 64 KiB, the most a request may be (refused as
  // malformed, journaled all the same; a larger one would be journaled
  // empty): the write of their batch takes a while, so a result published
  // before that write would be caught here.
  constexpr std::uint64_t kBursts = 40;
  constexpr std::uint64_t kBurst = 100;
  std::thread pushing([&worker] {
    Pusher pusher(worker.context(), worker.endpoints().requests);
    Workload workload(11);
    const std::string blob(kMaxRequestBytes, '\xc1');
    for (std::uint64_t i = 0; i < kBursts * kBurst; ++i) {
      pusher.send_raw(i % kBurst >= kBurst - 8 ? blob : workload.next());
      if (i % kBurst == kBurst - 1) std::this_thread::sleep_for(3ms);
    }
  });

  std::uint64_t results = 0;
  std::uint64_t messages = 0;
  while (results < kBursts * kBurst) {
    const auto message = published.next();
    if (!message) break;
    ++messages;
    const auto seq = message->body.u64("seq");
    // Read after receiving: the record was in the file before we saw it.
    if (seq > journal.highest()) {
      INFO(message->topic << " of seq " << seq << " published before its journal record");
      CHECK(journal.highest() >= seq);
      break;
    }
    if (message->topic.starts_with("result/")) ++results;
    if (messages % 997 == 0) {
      // A query during the flood answers from published, durable state.
      const auto seen = q.ask(Body().set("type", "health")).u64("seq");
      INFO("health answered seq " << seen);
      CHECK(journal.highest() >= seen);
    }
  }
  pushing.join();
  REQUIRE(results == kBursts * kBurst);
  const auto stats = q.ask(Body().set("type", "stats"));
  INFO("batches " << stats.u64("batches") << ", largest " << stats.u64("largest_batch"));
  CHECK(stats.u64("largest_batch") > 8);    // grew past max_batch while requests waited
  CHECK(stats.u64("largest_batch") <= 1024);  // never past max_synced_batch
}

TEST_CASE("with fsync always, a batch stops growing once synced_batch_time has passed", "[durability][commit]") {
  TempDir dir;
  auto config = always_config(dir.path() + "/data");
  config.max_batch = 8;
  config.max_synced_batch = 4096;
  config.synced_batch_time = 0us;
  RunningWorker worker(durability_schedule(), config);
  Pusher pusher(worker.context(), worker.endpoints().requests);
  Workload workload(12);
  for (int i = 0; i < 3'000; ++i) pusher.send_raw(workload.next());
  wait_for_seq(worker, 3'000);
  Querier q(worker.context(), worker.endpoints().queries);
  CHECK(q.ask(Body().set("type", "stats")).u64("largest_batch") <= 8);
}

TEST_CASE("snapshots under a flood: two kept, covered segments removed, a restart is exact", "[durability][snapshot]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string dump_before;
  std::uint64_t seq_before = 0;
  {
    auto config = always_config(data);
    config.persistence->snapshot_every = 700;
    config.persistence->segment_bytes = 16 * 1024;
    RunningWorker worker(durability_schedule(), config);
    Pusher pusher(worker.context(), worker.endpoints().requests);
    Workload workload(13);
    // In waves: a fast worker may take a whole flood in one or two batches
    // (a snapshot is considered after each batch, one in flight at a time),
    // so waves with a pause for the file thread make sure several are taken.
    for (int wave = 1; wave <= 6; ++wave) {
      for (int i = 0; i < 2'000; ++i) pusher.send_raw(workload.next());
      wait_for_seq(worker, static_cast<std::uint64_t>(wave) * 2'000);
      std::this_thread::sleep_for(100ms);
    }
    worker.stop();
    dump_before = worker.service().engine().dump();
    seq_before = worker.service().last_seq();
  }
  // run() returned only after the file thread finished: nothing half-made.
  CHECK(files_ending(data, ".tmp").empty());
  const auto snapshots = files_ending(data, ".snap");
  REQUIRE(snapshots.size() == 2);
  const auto older_seq = std::stoull(snapshots[0].filename().string().substr(9, 20));
  const auto segments = files_ending(data, ".log");
  REQUIRE_FALSE(segments.empty());
  // Segments wholly covered by the older snapshot are gone; the first one
  // left starts at or before the record after it, so there is no hole.
  const auto first_kept = std::stoull(segments[0].filename().string().substr(8, 20));
  CHECK(first_kept > 1);
  CHECK(first_kept <= older_seq + 1);

  RunningWorker restarted(durability_schedule(), always_config(data));
  restarted.stop();
  CHECK(restarted.service().last_seq() == seq_before);
  CHECK(restarted.service().engine().dump() == dump_before);
}

TEST_CASE("an open_day's snapshot is complete when run() returns, at the open_day's seq", "[durability][snapshot]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  RunningWorker worker(durability_schedule(), always_config(data));
  Pusher pusher(worker.context(), worker.endpoints().requests);
  Subscriber results(worker.context(), worker.endpoints().events, {"result/"});
  (void)round_trip(pusher, results, allocate("a1", "D1", "PAID"));
  const auto opened = round_trip(
      pusher, results,
      Body().set("type", "open_day").set("request_id", "o1").set("date", "2026-11-28").set("client_id", "kiosk-1"));
  REQUIRE(opened.str("status") == "DAY_OPENED");
  worker.stop();
  const auto snapshot = durability::load_newest_snapshot(data, nullptr);
  REQUIRE(snapshot);
  CHECK(snapshot->seq == opened.u64("seq"));
  CHECK(files_ending(data, ".tmp").empty());
  CHECK(files_ending(data + "/reports", ".json").size() == 1);
}

TEST_CASE("a snapshot the disk refuses stops the worker after what it published", "[durability][snapshot]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  zmq::context_t context(1);
  auto config = always_config(data);
  config.requests_endpoint = "inproc://refused-requests";
  config.events_endpoint = "inproc://refused-events";
  config.queries_endpoint = "inproc://refused-queries";
  auto service = std::make_unique<Service>(context, durability_schedule(), config);
  std::promise<std::string> stopped;
  auto outcome = stopped.get_future();
  std::thread loop([&] {
    try {
      service->run();
      stopped.set_value("returned");
    } catch (const PersistenceFailure& e) {
      stopped.set_value(std::string("PersistenceFailure: ") + e.what());
    } catch (const std::exception& e) {
      stopped.set_value(std::string("other: ") + e.what());
    }
  });
  {
    Pusher pusher(context, config.requests_endpoint);
    Subscriber results(context, config.events_endpoint, {"result/"});
    (void)round_trip(pusher, results, allocate("a1", "D1", "PAID"));
    // The open_day gets seq 2; a directory where its snapshot's temporary
    // file goes makes the write fail as a full disk would.
    std::filesystem::create_directory(data + "/snapshot-00000000000000000002.snap.tmp");
    const auto opened = round_trip(
        pusher, results,
        Body().set("type", "open_day").set("request_id", "o1").set("date", "2026-11-28").set("client_id", "kiosk-1"));
    CHECK(opened.str("status") == "DAY_OPENED");  // it was in the journal: published
  }
  const bool ended = outcome.wait_for(kWait) == std::future_status::ready;
  if (!ended) service->request_stop();
  loop.join();
  service.reset();  // releases the data directory's lock
  REQUIRE(ended);
  const auto how = outcome.get();
  CHECK_THAT(how, Catch::StartsWith("PersistenceFailure: snapshot at seq 2"));

  // The restart removes the leftover and recovers both requests from the journal.
  auto restart = always_config(data);
  RunningWorker restarted(durability_schedule(), restart);
  restarted.stop();
  CHECK(restarted.service().last_seq() == 2);
  CHECK(restarted.service().engine().current_date() == ServiceDate::parse("2026-11-28"));
  CHECK_FALSE(std::filesystem::exists(data + "/snapshot-00000000000000000002.snap.tmp"));
}

}  // namespace opd::worker::test
