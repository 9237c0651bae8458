// opd-worker's flags: defaults, every flag, and a message naming the
// problem for every kind of mistake.
#include <catch2/catch.hpp>

#include "opd/worker/options.h"

namespace opd::worker {
namespace {

Options parse_ok(const std::vector<std::string>& args) {
  auto parsed = parse_options(args);
  REQUIRE(std::holds_alternative<Options>(parsed));
  return std::get<Options>(parsed);
}

Exit parse_exit(const std::vector<std::string>& args) {
  auto parsed = parse_options(args);
  REQUIRE(std::holds_alternative<Exit>(parsed));
  return std::get<Exit>(parsed);
}

TEST_CASE("no flags gives the documented defaults", "[worker][options]") {
  const Options o = parse_ok({});
  CHECK(o.requests == "tcp://*:5555");
  CHECK(o.events == "tcp://*:5556");
  CHECK(o.queries == "tcp://*:5557");
  CHECK_FALSE(o.schedule_file);
  CHECK(o.engine.preemption == PreemptionPolicy::kAnyHigher);
  CHECK(o.engine.auto_create_slots);
  CHECK(o.log_level == spdlog::level::info);
  CHECK(o.sndhwm == 100000);
  CHECK(o.rcvhwm == 10000);
}

TEST_CASE("every flag is read, as 'flag value' and as 'flag=value'", "[worker][options]") {
  const Options o = parse_ok({"--requests", "ipc:///tmp/r", "--events=ipc:///tmp/e", "--queries",
                              "tcp://127.0.0.1:7000", "--schedule", "day.json", "--preemption=emergency_only",
                              "--auto-create-slots", "false", "--log-level", "debug", "--sndhwm", "5",
                              "--rcvhwm=7"});
  CHECK(o.requests == "ipc:///tmp/r");
  CHECK(o.events == "ipc:///tmp/e");
  CHECK(o.queries == "tcp://127.0.0.1:7000");
  CHECK(o.schedule_file == "day.json");
  CHECK(o.engine.preemption == PreemptionPolicy::kEmergencyOnly);
  CHECK_FALSE(o.engine.auto_create_slots);
  CHECK(o.log_level == spdlog::level::debug);
  CHECK(o.sndhwm == 5);
  CHECK(o.rcvhwm == 7);
}

TEST_CASE("--help and --version print to stdout and exit 0", "[worker][options]") {
  for (const char* flag : {"--help", "-h"}) {
    const Exit e = parse_exit({"--sndhwm", "3", flag});
    CHECK(e.exit_code == 0);
    CHECK_THAT(e.text, Catch::Contains("--requests ENDPOINT"));
    CHECK_THAT(e.text, Catch::Contains("--auto-create-slots"));
  }
  for (const char* flag : {"--version", "-V"}) {
    const Exit e = parse_exit({flag});
    CHECK(e.exit_code == 0);
    CHECK_THAT(e.text, Catch::StartsWith("opd-worker " OPD_VERSION));
    CHECK_THAT(e.text, Catch::Contains("protocol v1"));
  }
}

TEST_CASE("a bad flag exits 2 with one message naming it", "[worker][options]") {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"extra"}, "unexpected argument 'extra'"},
      {{"--requests"}, "option '--requests' needs a value"},
      {{"--requests="}, "option '--requests' needs a non-empty endpoint"},
      {{"--preemption", "sometimes"}, "'sometimes' is not any_higher or emergency_only"},
      {{"--auto-create-slots", "yes"}, "'yes' is not true or false"},
      {{"--log-level", "loud"}, "option '--log-level': 'loud'"},
      {{"--sndhwm", "0"}, "option '--sndhwm': '0' is not a whole number"},
      {{"--sndhwm", "-5"}, "option '--sndhwm': '-5'"},
      {{"--rcvhwm", "12x"}, "option '--rcvhwm': '12x'"},
      {{"--sndhwm", "99999999999"}, "option '--sndhwm'"},
      {{"--schedule", "a.json", "--schedule", "b.json"}, "option '--schedule' given twice"},
  };
  for (const auto& c : cases) {
    INFO(c.expected);
    const Exit e = parse_exit(c.args);
    CHECK(e.exit_code == kExitUsage);
    CHECK_THAT(e.text, Catch::StartsWith("opd-worker: "));
    CHECK_THAT(e.text, Catch::Contains(c.expected));
  }
}

}  // namespace
}  // namespace opd::worker
