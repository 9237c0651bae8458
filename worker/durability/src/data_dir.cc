#include "opd/durability/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace opd::durability {

std::optional<DataDir> DataDir::open(const std::filesystem::path& path, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<DataDir> {
    if (error) *error = "data directory " + path.string() + ": " + std::move(why);
    return std::nullopt;
  };
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return fail("cannot create it: " + ec.message());
  if (!std::filesystem::is_directory(path, ec)) return fail("not a directory");
  if (::access(path.c_str(), W_OK | X_OK) != 0) return fail(std::string("not writable: ") + std::strerror(errno));

  const auto lock_path = path / "LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot open " + lock_path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    char pid[32] = {};
    const auto n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (lock_errno == EWOULDBLOCK)
      return fail("locked by another worker" +
                  (n > 0 ? " (pid " + std::string(pid, static_cast<std::size_t>(n)) + ")" : std::string()));
    return fail(std::string("cannot lock: ") + std::strerror(lock_errno));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int write_errno = errno;
    ::close(fd);
    return fail(std::string("not writable: ") + std::strerror(write_errno));
  }
  return DataDir(path, fd);
}

DataDir::DataDir(DataDir&& other) noexcept : path_(std::move(other.path_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

DataDir& DataDir::operator=(DataDir&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    path_ = std::move(other.path_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

DataDir::~DataDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

bool sync_directory(const std::filesystem::path& dir, std::string* error) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (error) *error = "fsync of directory " + dir.string() + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

}  // namespace opd::durability
