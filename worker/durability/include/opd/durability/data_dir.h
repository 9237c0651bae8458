// The worker's data directory: created if missing, checked writable, and
// held with an exclusive lock for the process's lifetime so two workers can
// never interleave writes to one journal.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace opd::durability {

class DataDir {
 public:
  // Creates `path` (and parents) if missing, verifies it is a writable
  // directory, and takes an exclusive flock on path/LOCK, writing our pid
  // into it. nullopt with `error` naming the problem otherwise (e.g. "data
  // directory /var/lib/opd is locked by another worker (pid 4242)").
  [[nodiscard]] static std::optional<DataDir> open(const std::filesystem::path& path,
                                                   std::string* error);
  ~DataDir();  // releases the lock
  DataDir(DataDir&& other) noexcept;
  DataDir& operator=(DataDir&& other) noexcept;
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  DataDir(std::filesystem::path path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

// fsync of a directory, so a rename or unlink inside it is durable.
[[nodiscard]] bool sync_directory(const std::filesystem::path& dir, std::string* error);

}  // namespace opd::durability
