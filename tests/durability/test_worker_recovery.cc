// The worker's state survives a restart: journal replay after the newest
// snapshot reproduces the engine (tokens, waitlists, board versions, the
// idempotency table) exactly; damaged journals are truncated or refused as
// documented; a second worker cannot take the same data dir.
#include <catch2/catch.hpp>
#include <fstream>

#include "harness.h"
#include "opd/durability/journal.h"
#include "workload.h"

namespace opd::worker::test {
namespace {

ServiceConfig durable_config(const std::string& data_dir, FsyncMode fsync = FsyncMode::kNever,
                             std::uint64_t snapshot_every = 100'000) {
  auto config = test_config();
  config.persistence = PersistenceConfig{.data_dir = data_dir, .fsync = fsync, .snapshot_every = snapshot_every};
  config.rcvhwm = 1'000'000;
  return config;
}

// Waits (bounded) until the worker has taken `seq` requests.
void wait_for_seq(RunningWorker& worker, std::uint64_t seq, std::chrono::milliseconds timeout) {
  Querier q(worker.context(), worker.endpoints().queries);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint64_t last = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    last = q.ask(Body().set("type", "health")).u64("seq");
    if (last >= seq) return;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("the worker reached seq " << last << ", not " << seq << ", within the timeout");
}

// A result without its seq (a retry gets a new seq, and nothing else new).
std::string without_seq(const View& result) {
  std::string text;
  for (const auto& key : result.keys())
    if (key != "seq") text += key + "=" + result[key].dump() + ";";
  return text;
}

std::vector<std::string> journal_segments(const std::string& data_dir) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator(data_dir))
    if (e.path().extension() == ".log") found.push_back(e.path().string());
  std::sort(found.begin(), found.end());
  return found;
}

// Where a segment's records end: the file may go on with zeros reserved
// for the next ones (a record's length is never 0).
std::size_t records_end(const std::string& segment) {
  std::ifstream in(segment, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t at = 0;
  while (bytes.size() - at >= durability::kRecordHeaderBytes) {
    std::size_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) length |= std::size_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
    if (length == 0) break;
    at += durability::kRecordHeaderBytes + length;
  }
  return at;
}

// Pushes `count` workload requests, then asks for some earlier request ids
// again (answered as duplicates) and returns those answers by request id.
std::map<std::string, std::string> drive(RunningWorker& worker, std::uint64_t seed, std::uint64_t count,
                                         const std::vector<std::string>& retry_ids) {
  Pusher pusher(worker.context(), worker.endpoints().requests);
  Workload workload(seed);
  for (std::uint64_t i = 0; i < count; ++i) pusher.send_raw(workload.next());
  wait_for_seq(worker, count, 120s);
  Subscriber results(worker.context(), worker.endpoints().events, {"result/retry/"});
  std::map<std::string, std::string> answers;
  for (const auto& id : retry_ids) {
    const auto result = round_trip(pusher, results, allocate(id, "D0", "WALK_IN", "", "retry"));
    answers[id] = without_seq(result);
  }
  return answers;
}

}  // namespace

TEST_CASE("a restarted worker is the worker that never stopped (100,000 requests)", "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  // Ids from the last day (open_day empties the idempotency table).
  const std::vector<std::string> retry_ids{"w80100", "w85000", "w90210", "w95555", "w99999", "w99998"};
  std::string dump_before;
  std::uint64_t seq_before = 0;
  std::map<std::string, std::string> answers_before;
  {
    // Snapshots every 30,000 records: the restart loads one and replays
    // the journal after it.
    RunningWorker worker(durability_schedule(), durable_config(data, FsyncMode::kNever, 30'000));
    answers_before = drive(worker, 42, 100'000, retry_ids);
    worker.stop();
    dump_before = worker.service().engine().dump();
    seq_before = worker.service().last_seq();
  }
  REQUIRE(seq_before == 100'000 + retry_ids.size());
  bool snapshot_found = false;
  for (const auto& e : std::filesystem::directory_iterator(data)) snapshot_found |= e.path().extension() == ".snap";
  CHECK(snapshot_found);

  RunningWorker restarted(durability_schedule(), durable_config(data));
  Querier q(restarted.context(), restarted.endpoints().queries);
  CHECK(q.ask(Body().set("type", "health")).u64("seq") == seq_before);
  Pusher pusher(restarted.context(), restarted.endpoints().requests);
  Subscriber results(restarted.context(), restarted.endpoints().events, {"result/retry/"});
  for (const auto& id : retry_ids) {
    INFO("retry of " << id);
    const auto result = round_trip(pusher, results, allocate(id, "D0", "WALK_IN", "", "retry"));
    CHECK(result.boolean("duplicate"));
    CHECK(without_seq(result) == answers_before[id]);
  }
  restarted.stop();
  // The retries changed nothing: the state is the one before the restart.
  CHECK(restarted.service().engine().dump() == dump_before);
}

TEST_CASE("a restart keeps the schedule and options the data dir began with, even before its first snapshot",
          "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string answer_before;
  {
    // The default policy: any higher priority displaces.
    RunningWorker worker(durability_schedule(), durable_config(data));
    Pusher pusher(worker.context(), worker.endpoints().requests);
    Subscriber results(worker.context(), worker.endpoints().events, {"result/retry/"});
    for (int i = 0; i < 5; ++i)  // D0-S0 holds 5
      CHECK(round_trip(pusher, results, allocate("walk" + std::to_string(i), "D0", "WALK_IN", "D0-S0", "retry"))
                .str("status") == "ALLOCATED");
    const auto paid = round_trip(pusher, results, allocate("paid", "D0", "PAID", "D0-S0", "retry"));
    REQUIRE(paid.str("status") == "REALLOCATED");
    // As a retry answers it (duplicate: true).
    answer_before = without_seq(round_trip(pusher, results, allocate("paid", "D0", "PAID", "D0-S0", "retry")));
    worker.stop();
  }
  // Far from the 100,000 records of a periodic snapshot: what the restart
  // finds is the snapshot the fresh data dir got at seq 0, and the journal.
  std::vector<std::string> snapshots;
  for (const auto& e : std::filesystem::directory_iterator(data))
    if (e.path().extension() == ".snap") snapshots.push_back(e.path().filename().string());
  CHECK(snapshots == std::vector<std::string>{"snapshot-00000000000000000000.snap"});

  // Another policy, under which PAID displaces no one, and another schedule
  // (D0-S0 with 8 seats): the recorded ones win, so the acknowledged
  // REALLOCATED is answered again, not re-decided.
  auto config = durable_config(data);
  config.engine.preemption = PreemptionPolicy::kEmergencyOnly;
  const Schedule other = make_schedule({DoctorSpec{"D0", {SlotSpec{"D0-S0", 8, "10:00", "11:00"}}}});
  RunningWorker restarted(other, config);
  CHECK(restarted.service().engine().config().preemption == PreemptionPolicy::kAnyHigher);
  Pusher pusher(restarted.context(), restarted.endpoints().requests);
  Subscriber results(restarted.context(), restarted.endpoints().events, {"result/retry/"});
  const auto retry = round_trip(pusher, results, allocate("paid", "D0", "PAID", "D0-S0", "retry"));
  CHECK(retry.boolean("duplicate"));
  CHECK(without_seq(retry) == answer_before);
  // The schedule recorded at the start: four slots for D1, which the
  // other schedule does not have.
  const auto walk_in = round_trip(pusher, results, allocate("later", "D1", "WALK_IN", "D1-S3", "retry"));
  CHECK(walk_in.str("status") == "ALLOCATED");
}

TEST_CASE("a frame over the size limit is journaled as an empty frame, refused again on replay", "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  constexpr int kOversize = 20;
  std::string answer_before;
  {
    RunningWorker worker(durability_schedule(), durable_config(data));
    Pusher pusher(worker.context(), worker.endpoints().requests);
    Subscriber results(worker.context(), worker.endpoints().events, {"result/"});
    for (int i = 0; i < kOversize; ++i) {
      auto big = allocate("big" + std::to_string(i), "D0", "WALK_IN", "D0-S0", "retry");
      big.set("patient_ref", std::string(100 * 1024, 'x'));  // over the body limit, under the transport ceiling
      pusher.send(big);
      const auto refused = results.expect("result/");
      CHECK(refused.body.str("code") == "BAD_REQUEST");
      CHECK_THAT(refused.body.str("reason"), Catch::Contains("exceeds the limit of 65536 bytes"));
    }
    const auto good = allocate("good", "D0", "WALK_IN", "D0-S0", "retry");
    REQUIRE(round_trip(pusher, results, good).str("status") == "ALLOCATED");
    answer_before = without_seq(round_trip(pusher, results, good));
    worker.stop();
  }
  // 20 frames of 100 KiB came in; the journal holds their seqs, not their bytes.
  std::size_t journaled = 0;
  for (const auto& segment : journal_segments(data)) journaled += records_end(segment);
  CHECK(journaled < 4 * 1024);

  RunningWorker restarted(durability_schedule(), durable_config(data));
  Querier q(restarted.context(), restarted.endpoints().queries);
  CHECK(q.ask(Body().set("type", "health")).u64("seq") == kOversize + 2);
  Pusher pusher(restarted.context(), restarted.endpoints().requests);
  Subscriber results(restarted.context(), restarted.endpoints().events, {"result/retry/"});
  CHECK(without_seq(round_trip(pusher, results, allocate("good", "D0", "WALK_IN", "D0-S0", "retry"))) ==
        answer_before);
}

TEST_CASE("a second worker on the same data dir is refused", "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  RunningWorker first(durability_schedule(), durable_config(data));
  zmq::context_t context(1);
  auto config = durable_config(data);
  config.requests_endpoint = "inproc://second-requests";
  config.events_endpoint = "inproc://second-events";
  config.queries_endpoint = "inproc://second-queries";
  try {
    Service second(context, durability_schedule(), config);
    FAIL("the second worker started");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("locked by another worker"));
  }
}

TEST_CASE("journal damage: a torn tail is truncated, corruption refused until --repair", "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string dump_before;
  {
    RunningWorker worker(durability_schedule(), durable_config(data));
    (void)drive(worker, 7, 2'000, {});
    worker.stop();
    dump_before = worker.service().engine().dump();
  }
  const auto segments = journal_segments(data);
  REQUIRE(segments.size() == 1);
  const auto end = records_end(segments[0]);
  REQUIRE(end > 0);

  SECTION("half a record at the end (a crash mid-write) is dropped") {
    {
      // Right after the last record, over the reserved zeros if any.
      std::fstream f(segments[0], std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(static_cast<std::streamoff>(end));
      f.write("\x40\x00\x00\x00\x12\x34\x56\x78\xd1\x07", 10);  // a header promising 64 bytes
    }
    RunningWorker restarted(durability_schedule(), durable_config(data));
    restarted.stop();
    CHECK(restarted.service().engine().dump() == dump_before);
    CHECK(restarted.service().last_seq() == 2'000);
    CHECK(std::filesystem::file_size(segments[0]) == end);
  }
  SECTION("a flipped byte in the middle refuses to start; --repair starts from before it") {
    {
      std::fstream f(segments[0], std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(static_cast<std::streamoff>(end / 2));
      f.put('\x7f');
    }
    zmq::context_t context(1);
    try {
      Service refused(context, durability_schedule(), durable_config(data));
      FAIL("a corrupt journal was accepted");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(segments[0]) && Catch::Contains("offset") && Catch::Contains("--repair"));
    }
    auto repair = durable_config(data);
    repair.persistence->repair = true;
    RunningWorker repaired(durability_schedule(), repair);
    repaired.stop();
    CHECK(repaired.service().last_seq() < 2'000);
    CHECK(repaired.service().last_seq() > 0);
    CHECK(std::filesystem::exists(segments[0] + ".corrupt"));
    CHECK(repaired.service().engine().check_invariants().empty());
  }
}

TEST_CASE("a journal record the worker cannot read stops recovery midway, naming its seq", "[durability]") {
  // Replay decodes on the recovering thread and applies on another: a
  // refusal thousands of records in (several batches on their way to the
  // engine) must still surface as the refusal, promptly, and not hang.
  TempDir dir;
  const std::string data = dir.path() + "/data";
  {
    RunningWorker worker(durability_schedule(), durable_config(data));
    (void)drive(worker, 11, 5'000, {});
    worker.stop();
  }
  {
    std::string error;
    auto journal = durability::Journal::open(data, 0, {}, [](std::uint64_t, std::string_view) {}, nullptr, &error);
    REQUIRE(journal.has_value());
    journal->add(5'001, std::string_view("\xee unknown entry format"));
    REQUIRE(journal->commit(true, &error));
  }
  zmq::context_t context(1);
  try {
    Service refused(context, durability_schedule(), durable_config(data));
    FAIL("an unreadable journal record was accepted");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("journal record 5001") && Catch::Contains("unknown format"));
  }
}

TEST_CASE("a closed day's report is kept in the data dir", "[durability]") {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  RunningWorker worker(durability_schedule(), durable_config(data));
  Pusher pusher(worker.context(), worker.endpoints().requests);
  Subscriber results(worker.context(), worker.endpoints().events, {"result/"});
  (void)round_trip(pusher, results, allocate("a1", "D1", "PAID"));
  const auto opened = round_trip(pusher, results,
                                 Body().set("type", "open_day").set("request_id", "o1").set("date", "2026-11-28").set("client_id", "kiosk-1"));
  REQUIRE(opened.str("status") == "DAY_OPENED");
  worker.stop();
  std::string report_file;
  for (const auto& e : std::filesystem::directory_iterator(data + "/reports")) report_file = e.path().string();
  REQUIRE_FALSE(report_file.empty());
  std::ifstream in(report_file);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(json, Catch::Contains("\"doctors\"") && Catch::Contains("\"D1\""));
  // open_day also snapshotted: the restart replays nothing before it.
  bool snapshot_found = false;
  for (const auto& e : std::filesystem::directory_iterator(data)) snapshot_found |= e.path().extension() == ".snap";
  CHECK(snapshot_found);
}

}  // namespace opd::worker::test
