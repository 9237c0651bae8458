// Private: reading the small files whose permissions are part of their
// meaning (key files, the authorised-keys file). One place opens, checks
// and reads them, so every such file is refused for the same reasons.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace opd::worker::security {

struct GuardedRead {
  std::string text;
  std::string error;  // "NAME: why", empty on success
};

// Opens `name`, requires a regular file, asks `check_mode` about its mode
// (it returns why the mode is unacceptable, or an empty string), then reads
// at most `max_bytes` (more: an error ending with `too_large_hint`).
[[nodiscard]] GuardedRead read_guarded_file(const std::string& name, std::size_t max_bytes,
                                            const std::function<std::string(mode_t)>& check_mode,
                                            std::string_view too_large_hint = {});

}  // namespace opd::worker::security
