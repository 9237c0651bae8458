// The worker's logger: single-threaded sinks (the loop is the only thread
// that logs), one line per event to stderr, where systemd's journal or a
// terminal picks it up.
#pragma once

#include <memory>

#include <spdlog/logger.h>

namespace opd::worker {

[[nodiscard]] std::shared_ptr<spdlog::logger> make_stderr_logger(spdlog::level::level_enum level);
// Discards everything (tests that do not want the noise).
[[nodiscard]] std::shared_ptr<spdlog::logger> make_null_logger();

}  // namespace opd::worker
