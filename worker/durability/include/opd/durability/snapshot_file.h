// Snapshot files: "snapshot-<seq, 20 digits>.snap" holding the worker's
// whole state as of request `seq`:
//   [8 "OPDSNAPF"][u32 format 1][u64 seq][u64 length][u32 CRC-32C][payload]
// Written to a temporary name, fsynced, renamed into place and the
// directory fsynced, so a crash leaves either the old set or the new one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opd::durability {

struct LoadedSnapshot {
  std::uint64_t seq = 0;
  std::string payload;
  std::filesystem::path file;
};

[[nodiscard]] bool write_snapshot(const std::filesystem::path& dir, std::uint64_t seq,
                                  std::string_view payload, std::string* error);

// The newest snapshot that checks out; damaged newer ones are skipped with
// a warning each. nullopt when there is none (a fresh data directory).
[[nodiscard]] std::optional<LoadedSnapshot> load_newest_snapshot(const std::filesystem::path& dir,
                                                                 std::vector<std::string>* warnings);

// Keeps the newest `keep` snapshots and removes older ones.
[[nodiscard]] bool prune_snapshots(const std::filesystem::path& dir, std::size_t keep, std::string* error);

}  // namespace opd::durability
