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
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "opd/core/engine.h"
#include "opd/durability/data_dir.h"
#include "opd/durability/journal.h"
#include "opd/worker/persistence.h"

namespace opd::worker {

struct JournalEntry {
  std::uint8_t role = 0;       // 0: no authentication (see issue 6)
  std::uint32_t frames = 1;    // a request is one frame; more is refused
  std::string_view bytes;      // the first frame
};

class Persistence {
 public:
  using Replay = std::function<void(std::uint64_t seq, const JournalEntry& entry)>;
  using Clock = std::chrono::steady_clock;

  // Locks the data dir, loads the newest intact snapshot into `engine`
  // (replacing the one built from the schedule) and replays the journal
  // after it through `replay`. Throws std::runtime_error naming the file
  // and offset when the data cannot be recovered.
  Persistence(const PersistenceConfig& config, Engine& engine, const Replay& replay, spdlog::logger& log);

  // The last seq recovered (0 for a fresh data dir).
  [[nodiscard]] std::uint64_t recovered_seq() const noexcept { return recovered_seq_; }

  void record(std::uint64_t seq, const JournalEntry& entry);
  // Writes the batch (one write); with FsyncMode::kAlways also fdatasync.
  // Throws PersistenceFailure.
  void commit();
  // Interval mode: fdatasync when due. Throws PersistenceFailure.
  void tick(Clock::time_point now);
  // When tick() next needs to run (interval mode with unsynced writes).
  [[nodiscard]] std::optional<Clock::time_point> next_deadline() const noexcept;
  // After a committed batch: snapshot when due or when `day_opened`.
  // Throws PersistenceFailure.
  void after_batch(std::uint64_t seq, const Engine& engine, bool day_opened);
  // Keeps a closed day's report (JSON) under reports/. Failure is logged,
  // not fatal: the report is also inside the journal and snapshots.
  void keep_day_report(std::string_view name, std::string_view json);

 private:
  void snapshot(std::uint64_t seq, const Engine& engine);

  PersistenceConfig config_;
  spdlog::logger& log_;
  durability::DataDir dir_;
  std::optional<durability::Journal> journal_;
  std::uint64_t recovered_seq_ = 0;
  std::uint64_t records_since_snapshot_ = 0;
  std::uint64_t last_snapshot_seq_ = 0;
  std::uint64_t previous_snapshot_seq_ = 0;
  bool unsynced_ = false;
  Clock::time_point next_sync_{};
};

}  // namespace opd::worker
