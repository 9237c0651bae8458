#include "opd/worker/options.h"

#include <charconv>
#include <set>
#include <string_view>

#include "opd/worker/protocol.h"

namespace opd::worker {
namespace {

constexpr int kMaxHwm = 100'000'000;

std::optional<int> parse_hwm(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > kMaxHwm)
    return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

Exit usage_error(const std::string& message) {
  return Exit{kExitUsage, "opd-worker: " + message + "\nTry 'opd-worker --help'.\n"};
}

}  // namespace

std::string version_text() {
  return "opd-worker " OPD_VERSION " (wire protocol v" + std::to_string(kProtocolVersion) + ")\n";
}

std::string usage_text() {
  return R"(Usage: opd-worker [OPTION]...
The OPD token allocation service: takes requests on a ZeroMQ PULL socket,
applies them one at a time in arrival order, publishes every result and board
event on a PUB socket and answers queries on a ROUTER socket. Protocol:
docs/protocol.md.

  --requests ENDPOINT     PULL endpoint for requests       [tcp://*:5555]
  --events ENDPOINT       PUB endpoint for results, board events and
                          heartbeats                       [tcp://*:5556]
  --queries ENDPOINT      ROUTER endpoint for queries      [tcp://*:5557]
  --schedule FILE         JSON schedule (doctors, slots, times, capacities)
                          [the embedded copy of deploy/schedule.example.json]
  --preemption POLICY     any_higher | emergency_only      [any_higher]
  --auto-create-slots B   true | false: an unknown slot named with a capacity
                          is created (and its doctor)      [true]
  --log-level LEVEL       trace | debug | info | warn | error | critical | off
                                                           [info]
  --sndhwm N              PUB high-water mark, messages per subscriber; a
                          subscriber further behind loses messages (it
                          recovers with a snapshot), the worker never waits
                                                           [100000]
  --rcvhwm N              PULL high-water mark, messages per connection; a
                          client past it waits (back-pressure). At most
                          N x 128 KiB buffered per connection      [10000]
  --data-dir DIR          journal, snapshots and closed days' reports; created
                          if missing, locked against a second worker [./data]
  --fsync MODE            always: nothing is published before it is on disk
                          (one fdatasync per batch); interval: publish at once,
                          fdatasync every --fsync-interval-ms (a power cut can
                          lose that much acknowledged work); never: tests and
                          benchmarks only                  [always]
  --fsync-interval-ms N   for --fsync interval             [1000]
  --snapshot-every N      snapshot after N journal records (and at every
                          open_day); bounds the replay at start-up [100000]
  --repair                a corrupt journal record before the tail is
                          truncated (the damaged file is kept as .corrupt)
                          instead of refusing to start
  --curve-secret-key-file FILE
                          the server's CURVE secret key (a Z85 key file of
                          mode 0600, from opd-keygen): requests and queries
                          are encrypted, and only clients listed in
                          --authorized-keys connect. Events (PUB) stay
                          plaintext: they carry no patient data
  --authorized-keys FILE  client public keys and their roles, one per line:
                          KEY ROLE [comment]. kiosk: allocate, cancel; desk:
                          also call_next, complete, no_show; admin:
                          everything; display: queries only. Every role may
                          query. Re-read on SIGHUP. Required with
                          --curve-secret-key-file
  -h, --help              print this help and exit
  -V, --version           print the version and exit

ENDPOINT is a ZeroMQ endpoint: tcp://HOST:PORT, ipc://PATH or inproc://NAME.
Flags take their value as the next argument or after '=' (--sndhwm=1000).
SIGTERM or SIGINT: stop taking requests, publish the batch in hand, exit 0.
SIGHUP: re-read the authorised keys (a bad file is logged and the keys
loaded before stay); state and connections are kept.
Without CURVE every request is allowed: for development on loopback only
(a warning is logged when requests or queries are reachable from outside).
Exit status: 0 after a clean stop, 1 if the schedule or a key file is
unusable, an endpoint cannot be bound or the data dir cannot be recovered,
2 for a bad flag, 4 if the journal could not be written (nothing unwritten
was published; restart to recover).
)";
}

std::variant<Options, Exit> parse_options(const std::vector<std::string>& args) {
  Options options;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") return Exit{0, usage_text()};
    if (arg == "-V" || arg == "--version") return Exit{0, version_text()};
    if (arg == "--repair") {
      if (!seen.insert("--repair").second) return usage_error("option '--repair' given twice");
      options.persistence.repair = true;
      continue;
    }
    if (!arg.starts_with("--")) return usage_error("unexpected argument '" + std::string(arg) + "'");

    std::string name(arg);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    static const std::set<std::string> kKnown{"--requests",   "--events",    "--queries",
                                              "--schedule",   "--preemption", "--auto-create-slots",
                                              "--log-level",  "--sndhwm",    "--rcvhwm",
                                              "--data-dir",   "--fsync",     "--fsync-interval-ms",
                                              "--snapshot-every", "--curve-secret-key-file",
                                              "--authorized-keys"};
    if (!kKnown.contains(name)) return usage_error("unknown option '" + name + "'");
    // A flag given twice is almost always a mistake in a unit file; refusing
    // it beats guessing which one the operator meant.
    if (!seen.insert(name).second) return usage_error("option '" + name + "' given twice");
    if (!value) {
      if (i + 1 >= args.size()) return usage_error("option '" + name + "' needs a value");
      value = args[++i];
    }
    const std::string& v = *value;

    if (name == "--requests" || name == "--events" || name == "--queries") {
      if (v.empty()) return usage_error("option '" + name + "' needs a non-empty endpoint");
      (name == "--requests" ? options.requests : name == "--events" ? options.events : options.queries) = v;
    } else if (name == "--schedule") {
      if (v.empty()) return usage_error("option '--schedule' needs a file name");
      options.schedule_file = v;
    } else if (name == "--preemption") {
      const auto policy = parse_preemption_policy(v);
      if (!policy)
        return usage_error("option '--preemption': '" + v + "' is not any_higher or emergency_only");
      options.engine.preemption = *policy;
    } else if (name == "--auto-create-slots") {
      const auto flag = parse_bool(v);
      if (!flag) return usage_error("option '--auto-create-slots': '" + v + "' is not true or false");
      options.engine.auto_create_slots = *flag;
    } else if (name == "--log-level") {
      // spdlog maps unknown names to "off"; only accept the real ones.
      static const std::set<std::string> kLevels{"trace", "debug",    "info", "warn",
                                                 "error", "critical", "off"};
      if (!kLevels.contains(v))
        return usage_error("option '--log-level': '" + v +
                           "' is not trace, debug, info, warn, error, critical or off");
      options.log_level = spdlog::level::from_str(v);
    } else if (name == "--curve-secret-key-file" || name == "--authorized-keys") {
      if (v.empty()) return usage_error("option '" + name + "' needs a file name");
      if (!options.curve) options.curve.emplace();
      (name == "--authorized-keys" ? options.curve->authorized_keys_file : options.curve->secret_key_file) = v;
    } else if (name == "--data-dir") {
      if (v.empty()) return usage_error("option '--data-dir' needs a directory");
      options.persistence.data_dir = v;
    } else if (name == "--fsync") {
      const auto mode = parse_fsync_mode(v);
      if (!mode) return usage_error("option '--fsync': '" + v + "' is not always, interval or never");
      options.persistence.fsync = *mode;
    } else if (name == "--fsync-interval-ms" || name == "--snapshot-every") {
      std::uint64_t n = 0;
      const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), n);
      const std::uint64_t most = name == "--fsync-interval-ms" ? 60'000 : 100'000'000;
      if (error != std::errc{} || end != v.data() + v.size() || n < 1 || n > most)
        return usage_error("option '" + name + "': '" + v + "' is not a whole number from 1 to " +
                           std::to_string(most));
      if (name == "--fsync-interval-ms") options.persistence.fsync_interval = std::chrono::milliseconds(n);
      else options.persistence.snapshot_every = n;
    } else {  // --sndhwm, --rcvhwm
      const auto hwm = parse_hwm(v);
      if (!hwm)
        return usage_error("option '" + name + "': '" + v + "' is not a whole number from 1 to " +
                           std::to_string(kMaxHwm));
      (name == "--sndhwm" ? options.sndhwm : options.rcvhwm) = *hwm;
    }
  }
  if (options.curve) {
    if (options.curve->secret_key_file.empty())
      return usage_error("option '--authorized-keys' needs '--curve-secret-key-file' (the server's key)");
    if (options.curve->authorized_keys_file.empty())
      return usage_error("option '--curve-secret-key-file' needs '--authorized-keys' (who may connect)");
  }
  return options;
}

}  // namespace opd::worker
