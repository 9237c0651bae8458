// Command-line flags of opd-worker. Parsing is total: any problem is a
// message naming the flag, never an exception.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <spdlog/common.h>

#include "opd/core/engine.h"
#include "opd/worker/persistence.h"
#include "opd/worker/security/curve_config.h"

namespace opd::worker {

struct Options {
  std::string requests = "tcp://*:5555";  // PULL
  std::string events = "tcp://*:5556";    // PUB
  std::string queries = "tcp://*:5557";   // ROUTER
  std::optional<std::string> schedule_file;  // nullopt: the embedded default
  EngineConfig engine;
  spdlog::level::level_enum log_level = spdlog::level::info;
  int sndhwm = 100'000;  // PUB, per subscriber
  int rcvhwm = 10'000;   // PULL, per connection (ServiceConfig::rcvhwm)
  PersistenceConfig persistence{.data_dir = "data"};
  // --curve-secret-key-file and --authorized-keys (both or neither).
  std::optional<security::CurveConfig> curve;
};

// What main() does instead of running: print `text` (to stdout when
// exit_code is 0, else to stderr) and exit.
struct Exit {
  int exit_code = 0;
  std::string text;
};

inline constexpr int kExitUsage = 2;  // a bad flag

// args excludes the program name.
[[nodiscard]] std::variant<Options, Exit> parse_options(const std::vector<std::string>& args);

[[nodiscard]] std::string usage_text();
[[nodiscard]] std::string version_text();

}  // namespace opd::worker
