// How the worker keeps what it acknowledged: a write-ahead journal of every
// request it received, periodic snapshots of the engine, and recovery of
// both at start-up (worker/durability does the file work).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace opd::worker {

enum class FsyncMode : std::uint8_t {
  kAlways,    // nothing is published before its batch is on disk (fdatasync)
  kInterval,  // publish at once, fdatasync every fsync_interval: a power cut
              // (not a crash of the process) can lose that much acknowledged work
  kNever,     // leave it to the kernel: tests and benchmarks only
};
[[nodiscard]] std::optional<FsyncMode> parse_fsync_mode(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(FsyncMode mode) noexcept;

struct PersistenceConfig {
  std::filesystem::path data_dir;
  FsyncMode fsync = FsyncMode::kAlways;
  std::chrono::milliseconds fsync_interval{1000};
  // A snapshot after this many journal records (and after every open_day);
  // start-up then replays at most this many records.
  std::uint64_t snapshot_every = 100'000;
  bool repair = false;  // truncate a corrupt journal at the first bad record
  std::size_t segment_bytes = 64 * 1024 * 1024;
};

// The journal or a snapshot could not be written (disk full, I/O error).
// Service::run() throws it without publishing the batch in hand: nothing
// unpersisted is ever acknowledged, and a restart recovers what is on disk.
class PersistenceFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit status of opd-worker after a PersistenceFailure, so a supervisor
// (systemd Restart=on-failure) can tell it from a configuration error.
inline constexpr int kExitPersistFailure = 4;

}  // namespace opd::worker
