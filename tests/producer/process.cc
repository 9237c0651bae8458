#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace opd::tools::test {
namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::string& in, const std::string& out,
            const std::string& err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd_in = ::open(in.c_str(), O_RDONLY);
    const int fd_out = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fd_err = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd_in < 0 || fd_out < 0 || fd_err < 0) ::_exit(126);
    ::dup2(fd_in, 0);
    ::dup2(fd_out, 1);
    ::dup2(fd_err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

TempDir::TempDir() {
  std::random_device entropy;
  path_ = (std::filesystem::temp_directory_path() / ("opdp-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(entropy() % 1000000)))
              .string();
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds deadline, const std::string& input) {
  TempDir dir;
  const std::string in = dir.file("in");
  std::ofstream(in) << input;
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = spawn(argv, in, dir.file("out"), dir.file("err"));
  RunResult result;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = exit_code_of(status);
      break;
    }
    if (std::chrono::steady_clock::now() - started >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  result.out = read_file(dir.file("out"));
  result.err = read_file(dir.file("err"));
  return result;
}

Child::Child(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file)
    : pid_(spawn(argv, "/dev/null", out_file, err_file)) {}

Child::~Child() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void Child::signal(int sig) const {
  if (!status_) ::kill(pid_, sig);
}

std::optional<int> Child::wait(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!status_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = exit_code_of(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  return status_;
}

int Child::stop(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (const auto code = wait(grace)) return *code;
  signal(SIGKILL);
  return wait(5s).value_or(-1);
}

bool Child::running() { return !wait(0ms).has_value(); }

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> lines;
  std::size_t at = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', at)) {
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

}  // namespace opd::tools::test
