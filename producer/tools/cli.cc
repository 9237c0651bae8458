#include "producer/tools/cli.h"

#include "opd/worker/security/curve_key.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <random>

namespace opd::tools {

std::string connect_address(std::string_view endpoint) {
  for (const std::string_view any : {"tcp://*:", "tcp://0.0.0.0:"}) {
    if (endpoint.starts_with(any))
      return "tcp://127.0.0.1:" + std::string(endpoint.substr(any.size()));
  }
  return std::string(endpoint);
}

ArgReader::ArgReader(char** begin, char** end) : args_(begin, end) {}
ArgReader::ArgReader(std::vector<std::string> args) : args_(std::move(args)) {}

std::optional<std::string> ArgReader::next() {
  inline_value_.reset();
  if (at_ >= args_.size()) return std::nullopt;
  std::string arg = args_[at_++];
  if (arg == "-h") arg = "--help";
  if (!arg.starts_with("--")) throw UsageError("unexpected argument '" + arg + "'");
  if (const auto eq = arg.find('='); eq != std::string::npos) {
    inline_value_ = arg.substr(eq + 1);
    arg.resize(eq);
  }
  flag_ = arg;
  return arg;
}

std::optional<std::string> ArgReader::operand() {
  if (at_ >= args_.size() || args_[at_].starts_with("-")) return std::nullopt;
  return args_[at_++];
}

std::string ArgReader::value() {
  if (inline_value_) {
    std::string v = std::move(*inline_value_);
    inline_value_.reset();
    return v;
  }
  if (at_ >= args_.size()) throw UsageError("option '" + flag_ + "' needs a value");
  return args_[at_++];
}

void ArgReader::no_value() {
  if (inline_value_) throw UsageError("option '" + flag_ + "' takes no value");
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::uint64_t ArgReader::unsigned_value(std::uint64_t min, std::uint64_t max) {
  const std::string text = value();
  const auto parsed = parse_unsigned(text);
  if (!parsed || *parsed < min || *parsed > max)
    throw UsageError("option '" + flag_ + "': '" + text + "' is not a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  return *parsed;
}

std::int64_t ArgReader::signed_value() {
  const std::string text = value();
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size())
    throw UsageError("option '" + flag_ + "': '" + text + "' is not a whole number");
  return parsed;
}

double ArgReader::double_value(double min, double max) {
  const std::string text = value();
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(parsed >= min && parsed <= max))
    throw UsageError("option '" + flag_ + "': '" + text + "' is not a number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  return parsed;
}

std::chrono::milliseconds ArgReader::millis_value() {
  return std::chrono::milliseconds(static_cast<std::int64_t>(unsigned_value(1, 3'600'000)));
}

bool ArgReader::connect_flag(const std::string& name, ConnectOptions& options) {
  if (name == "--requests" || name == "--events" || name == "--queries") {
    std::string endpoint = value();
    if (endpoint.empty()) throw UsageError("option '" + name + "' needs a non-empty endpoint");
    endpoint = connect_address(endpoint);
    (name == "--requests" ? options.endpoints.requests
     : name == "--events" ? options.endpoints.events
                          : options.endpoints.queries) = std::move(endpoint);
    return true;
  }
  if (name == "--timeout") {
    options.timeout = millis_value();
    return true;
  }
  if (name == "--retries") {
    options.retries = static_cast<int>(unsigned_value(0, 100));
    return true;
  }
  if (name == "--server-key" || name == "--client-key") {
    using worker::security::KeyKind;
    const bool server = name == "--server-key";
    const auto load = worker::security::read_key_file(value(), server ? KeyKind::kPublic : KeyKind::kSecret);
    if (!load.key) throw UsageError("option '" + name + "': " + load.error);
    if (server) {
      options.endpoints.curve.server_public = load.key->bytes();
    } else {
      options.endpoints.curve.client_secret = load.key->bytes();
      options.endpoints.curve.client_public = worker::security::public_key_of(*load.key).bytes();
    }
    return true;
  }
  return false;
}

std::string_view connect_flags_help() {
  return R"(Connection (the worker's flags, same names; a bind address such as
tcp://*:5555 is read as tcp://127.0.0.1:5555):
  --requests ENDPOINT   the worker's PULL socket         [tcp://127.0.0.1:5555]
  --events ENDPOINT     the worker's PUB socket          [tcp://127.0.0.1:5556]
  --queries ENDPOINT    the worker's ROUTER socket       [tcp://127.0.0.1:5557]
  --timeout MS          wait per attempt                 [2000]
  --retries N           resends (same request_id, so the worker answers a
                        repeat as a duplicate instead of applying it twice)
                        before giving up                 [2]
  --server-key FILE     the worker's CURVE public key (server.pub), for a
                        worker run with --curve-secret-key-file
  --client-key FILE     this client's CURVE secret key file; its public key
                        must be in the worker's authorised-keys file. Both
                        or neither. A refused key gets no answer at all: a
                        timeout (exit 3) then means check the keys.
)";
}

std::string random_hex(std::size_t digits) {
  std::random_device device;
  std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
  bits ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  bits ^= static_cast<std::uint64_t>(::getpid()) << 40;
  std::mt19937_64 mix(bits);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < digits; ++i) text.push_back(kHex[mix() & 0xf]);
  return text;
}

}  // namespace opd::tools
