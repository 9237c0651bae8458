// Real processes for the producer tools' end-to-end tests: the opd-worker,
// opd-producer and opd-display binaries, each run with a deadline and
// killed when it passes, so no test can hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace opd::tools::test {

using namespace std::chrono_literals;

// A fresh directory under the system temp dir, removed with its contents.
// Short, because ipc:// paths must fit in a sockaddr_un (107 bytes).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;     // -1 when killed by a signal (or at the deadline)
  bool timed_out = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

// Runs argv[0] with the arguments, `input` on its stdin, until it exits or
// `deadline` passes (then SIGKILL).
[[nodiscard]] RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds deadline,
                            const std::string& input = "");

// A long-running child (a worker, a display) with stdout and stderr going
// to files. The destructor kills it if it still runs.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) const;
  // The exit code (-1 if killed by a signal), or nullopt if still running at the deadline.
  [[nodiscard]] std::optional<int> wait(std::chrono::milliseconds deadline);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code (-1: signalled).
  int stop(std::chrono::milliseconds grace = 5s);
  [[nodiscard]] bool running();
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

[[nodiscard]] std::string read_file(const std::string& path);
// The file's complete lines (a line still being written is left out).
[[nodiscard]] std::vector<std::string> read_lines(const std::string& path);

// Polls `condition` every 20 ms until it holds or `deadline` passes.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace opd::tools::test
