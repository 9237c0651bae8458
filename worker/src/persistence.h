// Private: the service's side of durability. Owns the data-dir lock, the
// journal and the snapshot cadence; knows nothing of sockets.
//
// A journal record's payload is one received request exactly as it came off
// the wire, so replay runs it through the same decode-and-apply path and
// reproduces every result, malformed ones included:
//   [u8 format = 1][u8 role][u32 frame count][first frame's bytes]
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "opd/core/engine.h"
#include "opd/durability/data_dir.h"
#include "opd/durability/file_jobs.h"
#include "opd/durability/journal.h"
#include "opd/worker/persistence.h"

namespace opd::worker {

struct JournalEntry {
  std::uint8_t role = 0;       // 0: no authentication (see issue 6)
  std::uint32_t frames = 1;    // a request is one frame; more is refused
  std::string_view bytes;      // the first frame
};

// Threads: every member function is for the loop's thread. Snapshot files,
// day reports and the removal of journal segments a snapshot made redundant
// are done by one FileJobs thread (opd/durability/file_jobs.h states its
// contract), in the order the loop asked for them. A job owns copies: the
// engine's bytes (Engine::save, run here), the report's bytes, file names.
// The file thread never sees the engine, the journal or the logger; what
// it did is logged here, by tick() and finish(), from its reports.
class Persistence {
 public:
  // How recovery hands the journal to the service: `entry` for each record
  // in seq order, then `drained`, which returns once every entry has
  // reached the engine (the service applies them on another thread).
  struct Replay {
    std::function<void(std::uint64_t seq, const JournalEntry& entry)> entry;
    std::function<void()> drained;
  };
  using Clock = std::chrono::steady_clock;

  // Locks the data dir, loads the newest intact snapshot into `engine`
  // (replacing the one built from the schedule) and replays the journal
  // after it through `replay`. A data dir without a snapshot (a fresh one)
  // gets one before this returns, recording the schedule and options that
  // later restarts keep. Throws std::runtime_error naming the file and
  // offset when the data cannot be recovered or the snapshot not written.
  Persistence(const PersistenceConfig& config, Engine& engine, const Replay& replay, spdlog::logger& log);
  // Finishes the file work handed over (a snapshot being written is
  // completed), without reporting it: call finish() first to hear of it.
  ~Persistence();

  // The last seq recovered (0 for a fresh data dir).
  [[nodiscard]] std::uint64_t recovered_seq() const noexcept { return recovered_seq_; }
  // Whether each batch costs an fdatasync (FsyncMode::kAlways): the loop
  // then lets a batch grow to spread that cost over more requests.
  [[nodiscard]] bool syncs_every_batch() const noexcept { return config_.fsync == FsyncMode::kAlways; }

  // How long commit() has been taking (write and, in always mode,
  // fdatasync): a moving average over the last few batches.
  [[nodiscard]] std::chrono::nanoseconds typical_commit() const noexcept { return typical_commit_; }

  void record(std::uint64_t seq, const JournalEntry& entry);
  // Writes the batch (one write); with FsyncMode::kAlways also fdatasync.
  // Throws PersistenceFailure.
  void commit();
  // Interval mode: fdatasync when due. Logs what the file thread finished
  // and throws PersistenceFailure if it could not write a snapshot.
  void tick(Clock::time_point now);
  // When tick() next needs to run (interval mode with unsynced writes).
  [[nodiscard]] std::optional<Clock::time_point> next_deadline() const noexcept;
  // After a committed batch: snapshot when due or when `day_opened` (or
  // later, if the previous snapshot is still being written). The engine is
  // serialised here; the file is written on the file thread. Throws
  // PersistenceFailure.
  void after_batch(std::uint64_t seq, const Engine& engine, bool day_opened);
  // Keeps a closed day's report under reports/, as JSON converted from
  // `msgpack_report` (the report of the open_day result) on the file
  // thread. Failure is logged, not fatal: the report is also inside the
  // journal and snapshots.
  void keep_day_report(std::string name, std::string msgpack_report);
  // Waits for the file work handed over so far, logs it, and throws
  // PersistenceFailure if a snapshot could not be written. For a stop.
  void finish();

 private:
  void snapshot(std::uint64_t seq, const Engine& engine);
  // A snapshot written now, synchronously, when recovery found none.
  void record_configuration(const Engine& engine);
  // Logs what the file thread finished; throws on a failed snapshot.
  void report_file_jobs();

  PersistenceConfig config_;
  spdlog::logger& log_;
  durability::DataDir dir_;
  std::optional<durability::Journal> journal_;
  std::uint64_t recovered_seq_ = 0;
  std::uint64_t records_since_snapshot_ = 0;
  std::uint64_t last_snapshot_seq_ = 0;
  bool snapshot_wanted_ = false;  // an open_day whose snapshot is still to be taken
  // What each job handed to files_ is, in submission order (its reports
  // come back in that order): a snapshot's failure stops the worker, a day
  // report's does not.
  enum class Job : std::uint8_t { kSnapshot, kDayReport };
  std::deque<Job> jobs_;
  bool unsynced_ = false;
  Clock::time_point next_sync_{};
  std::chrono::nanoseconds typical_commit_{0};
  // Last: destroyed first, so its thread finishes while the rest still exists.
  // Nice 19 (the lowest): with nice 10 a day report's JSON (3-6 ms of CPU)
  // still slowed the requests right after an open_day from ~0.4 to ~2 ms
  // on two cores; at 19 they did not notice it. It cannot starve: CFS
  // still gives it a share, and the journal never waits for it.
  durability::FileJobs files_{19};
};

}  // namespace opd::worker
