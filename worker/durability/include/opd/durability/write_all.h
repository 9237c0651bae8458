// Writing a whole buffer to a file descriptor, as every durable file here
// needs: write(2) may write less than asked, or be interrupted.
#pragma once

#include <string_view>

namespace opd::durability {

// Writes every byte of `bytes` to `fd`, retrying short writes and EINTR.
// False on any other failure (errno says why); part may have been written.
[[nodiscard]] bool write_all(int fd, std::string_view bytes) noexcept;

}  // namespace opd::durability
