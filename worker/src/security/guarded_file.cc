#include "guarded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opd::worker::security {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

GuardedRead read_guarded_file(const std::string& name, std::size_t max_bytes,
                              const std::function<std::string(mode_t)>& check_mode,
                              std::string_view too_large_hint) {
  const Fd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return GuardedRead{.error = name + ": cannot open: " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return GuardedRead{.error = name + ": cannot stat: " + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) return GuardedRead{.error = name + ": not a regular file"};
  if (auto why = check_mode(st.st_mode); !why.empty()) return GuardedRead{.error = name + ": " + why};
  GuardedRead read;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return GuardedRead{.error = name + ": cannot read: " + std::strerror(errno)};
    }
    if (n == 0) break;
    read.text.append(buffer, static_cast<std::size_t>(n));
    if (read.text.size() > max_bytes)
      return GuardedRead{.error = name + ": larger than " + std::to_string(max_bytes) + " bytes" +
                                  std::string(too_large_hint)};
  }
  return read;
}

}  // namespace opd::worker::security
