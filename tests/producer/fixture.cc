#include "fixture.h"

#include <fstream>

#include <catch2/catch.hpp>

namespace opd::tools::test {

std::string write_small_schedule(const TempDir& dir) {
  const std::string path = dir.file("schedule.json");
  std::ofstream(path) << R"({"doctors": [
  {"doctor_id": "D1", "slots": [
    {"slot_id": "D1-0900", "start": "09:00", "end": "10:00", "capacity": 2},
    {"slot_id": "D1-1000", "start": "10:00", "end": "11:00", "capacity": 2}]},
  {"doctor_id": "D2", "slots": [
    {"slot_id": "D2-0900", "start": "09:00", "end": "10:00", "capacity": 1}]}]}
)";
  return path;
}

Worker::Worker(const TempDir& dir, std::vector<std::string> extra)
    : dir_(dir),
      extra_(std::move(extra)),
      endpoints_{"--requests", "ipc://" + dir.file("requests"), "--events", "ipc://" + dir.file("events"),
                 "--queries", "ipc://" + dir.file("queries")} {
  start();
}

Worker::~Worker() {
  if (child_) child_->stop();
}

void Worker::start() {
  // Its own data dir (a restart recovers from it); no fsync in tests.
  std::vector<std::string> argv{kWorkerBin, "--data-dir", dir_.file("data"), "--fsync", "never"};
  argv.insert(argv.end(), endpoints_.begin(), endpoints_.end());
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  ++starts_;
  child_ = std::make_unique<Child>(argv, dir_.file("worker.out"),
                                   dir_.file("worker" + std::to_string(starts_) + ".err"));
  const bool ready = eventually(
      [&] {
        std::vector<std::string> probe{kProducerBin, "query", "health", "--timeout", "200", "--retries", "0"};
        probe.insert(probe.end(), endpoints_.begin(), endpoints_.end());
        return run(probe, 10s).exit_code == 0 || !child_->running();
      },
      30s);
  INFO("worker log: " << log());
  REQUIRE(ready);
  REQUIRE(child_->running());
}

int Worker::stop() {
  const int code = child_ ? child_->stop() : -1;
  child_.reset();
  return code;
}

std::string Worker::log() const { return read_file(dir_.file("worker" + std::to_string(starts_) + ".err")); }

RunResult producer(const Worker& worker, std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), kProducerBin);
  args.insert(args.end(), worker.endpoints().begin(), worker.endpoints().end());
  return run(args, kToolDeadline, input);
}

nlohmann::json query(const Worker& worker, const std::string& kind, std::vector<std::string> args) {
  args.insert(args.begin(), {"query", kind});
  const RunResult r = producer(worker, args);
  INFO("query " << kind << ": " << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

nlohmann::json board_of(const Worker& worker, const std::string& doctor) {
  nlohmann::json board = query(worker, "snapshot", {"--doctor", doctor});
  board.erase("seq");
  return board;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(at, nl - at);
    at = nl + 1;
    if (line.empty()) continue;
    INFO("line: " << line);
    REQUIRE(nlohmann::json::accept(line));
    lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

}  // namespace opd::tools::test
