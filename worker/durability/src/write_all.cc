#include "opd/durability/write_all.h"

#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace opd::durability {

bool write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace opd::durability
