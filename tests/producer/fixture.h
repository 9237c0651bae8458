// A real opd-worker on ipc endpoints in a temporary directory, and helpers
// to run the producer tools against it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"

namespace opd::tools::test {

inline const std::string kWorkerBin = OPD_WORKER_BIN;
inline const std::string kProducerBin = OPD_PRODUCER_BIN;
inline const std::string kDisplayBin = OPD_DISPLAY_BIN;

// Generous: the same tests run in the sanitizer build.
inline constexpr auto kToolDeadline = 60s;

// A two-doctor schedule the send and display tests can reason about:
//   D1: D1-0900 (2 seats), D1-1000 (2 seats);  D2: D2-0900 (1 seat).
std::string write_small_schedule(const TempDir& dir);

class Worker {
 public:
  // Starts opd-worker with `extra` flags, its data dir in `dir`, and waits
  // until it answers a health query; REQUIREs that it does. start() after
  // stop() is a restart: the worker recovers its state from the data dir.
  explicit Worker(const TempDir& dir, std::vector<std::string> extra = {});
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // --requests/--events/--queries as the tools take them.
  [[nodiscard]] const std::vector<std::string>& endpoints() const noexcept { return endpoints_; }
  void start();
  int stop();
  [[nodiscard]] std::string log() const;

 private:
  const TempDir& dir_;
  std::vector<std::string> extra_;
  std::vector<std::string> endpoints_;
  std::unique_ptr<Child> child_;
  int starts_ = 0;
};

// opd-producer ARGS... plus the worker's endpoints.
RunResult producer(const Worker& worker, std::vector<std::string> args, const std::string& input = "");
// The answer of `opd-producer query KIND ARGS...`, parsed; REQUIREs exit 0.
nlohmann::json query(const Worker& worker, const std::string& kind, std::vector<std::string> args = {});
// A snapshot with "seq" removed: what a display should end up showing.
nlohmann::json board_of(const Worker& worker, const std::string& doctor);

// Parses each line of `text` as JSON (REQUIREs it parses).
std::vector<nlohmann::json> json_lines(const std::string& text);

}  // namespace opd::tools::test
