#include "opd/worker/logging.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace opd::worker {

std::shared_ptr<spdlog::logger> make_stderr_logger(spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>("opd-worker", std::make_shared<spdlog::sinks::stderr_sink_st>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  logger->set_level(level);
  // Warnings and errors reach the terminal or journal at once; routine
  // lines may wait for the buffer.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

std::shared_ptr<spdlog::logger> make_null_logger() {
  auto logger = std::make_shared<spdlog::logger>("opd-worker", std::make_shared<spdlog::sinks::null_sink_st>());
  logger->set_level(spdlog::level::off);
  return logger;
}

}  // namespace opd::worker
