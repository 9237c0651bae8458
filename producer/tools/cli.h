// Command-line plumbing shared by opd-producer and opd-display: exit codes
// scripts rely on, flag parsing in the worker's style ("--flag value" or
// "--flag=value"), and the worker's endpoint flags under the same names.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace opd::tools {

// Exit codes (issue 5): scripts branch on these.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // a rejected or failed operation, a failed check
inline constexpr int kExitUsage = 2;        // bad flags or input
inline constexpr int kExitUnreachable = 3;  // timeout, or the worker does not answer

// A usage problem; main() prints it with a hint and exits kExitUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A client's CURVE keys, for a worker run with --curve-secret-key-file:
// the worker's public key and this client's key pair (32 bytes each).
// Empty: plaintext. Set on the PUSH and DEALER sockets only (the worker's
// PUB is plaintext).
struct CurveClient {
  std::optional<std::array<std::uint8_t, 32>> server_public;
  std::optional<std::array<std::uint8_t, 32>> client_public;
  std::optional<std::array<std::uint8_t, 32>> client_secret;
  [[nodiscard]] bool enabled() const noexcept { return server_public || client_secret; }
};

// The worker's three sockets, as a client connects to them.
struct Endpoints {
  std::string requests = "tcp://127.0.0.1:5555";  // the worker's PULL: we PUSH
  std::string events = "tcp://127.0.0.1:5556";    // the worker's PUB: we SUB
  std::string queries = "tcp://127.0.0.1:5557";   // the worker's ROUTER: we use a DEALER
  CurveClient curve;
};

// A worker's bind address names no host to connect to: "tcp://*:5555" and
// "tcp://0.0.0.0:5555" become "tcp://127.0.0.1:5555", so the flags can be
// copied from the worker's command line unchanged.
[[nodiscard]] std::string connect_address(std::string_view endpoint);

// Flags every networked command takes.
struct ConnectOptions {
  Endpoints endpoints;
  std::chrono::milliseconds timeout{2000};  // per attempt
  int retries = 2;                          // resends after the first attempt
};

// Walks the arguments after the subcommand. Typical use:
//   ArgReader args(argv + 2, argv + argc);
//   while (auto flag = args.next()) { if (*flag == "--seed") seed = args.number(); ... }
class ArgReader {
 public:
  ArgReader(char** begin, char** end);
  explicit ArgReader(std::vector<std::string> args);

  // The next flag's name ("--seed" of "--seed=3" too); nullopt at the end.
  // Throws UsageError for an argument that is not a flag.
  [[nodiscard]] std::optional<std::string> next();
  // The next argument when it is not a flag (a subcommand's operand), else
  // nullopt; nothing is consumed then.
  [[nodiscard]] std::optional<std::string> operand();
  // The value of the flag just returned by next(). Throws UsageError if none.
  [[nodiscard]] std::string value();
  // Throws UsageError when the flag just read carried "=value".
  void no_value();
  [[nodiscard]] std::uint64_t unsigned_value(std::uint64_t min, std::uint64_t max);
  [[nodiscard]] std::int64_t signed_value();
  [[nodiscard]] double double_value(double min, double max);
  [[nodiscard]] std::chrono::milliseconds millis_value();
  [[nodiscard]] const std::string& flag() const noexcept { return flag_; }

  // Consumes the connection flags (--requests, --events, --queries,
  // --timeout MS, --retries N, --server-key FILE, --client-key FILE); false
  // when `name` is not one of them.
  bool connect_flag(const std::string& name, ConnectOptions& options);

 private:
  std::vector<std::string> args_;
  std::size_t at_ = 0;
  std::string flag_;
  std::optional<std::string> inline_value_;
};

// Help text for the connection flags, shared by every command's --help.
[[nodiscard]] std::string_view connect_flags_help();

// Whole-number parsing for values read outside ArgReader (JSON, --mix).
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// A short random hex string (for client ids and run ids); not for secrets.
[[nodiscard]] std::string random_hex(std::size_t digits);

}  // namespace opd::tools
