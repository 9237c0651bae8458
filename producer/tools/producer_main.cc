// opd-producer: the worker's command-line client. One subcommand per job;
// see usage below and each subcommand's --help.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "producer/tools/cli.h"
#include "producer/tools/commands.h"

namespace {

constexpr std::string_view kUsage = R"(Usage: opd-producer COMMAND [OPTION]...
The OPD token allocation worker's client: try the API, simulate an OPD day,
measure throughput and latency.

Commands:
  send       send requests (from flags, or JSON Lines on stdin) and print each
             result as one JSON line
  simulate   run a realistic, seeded one-day OPD simulation against the worker
             and print the per-doctor, per-slot summary
  load       open-loop load: throughput, latency percentiles, lost results,
             optionally against a no-op relay baseline
  query      ask the worker: health, stats, report, snapshot, token
  relay      run the no-op PULL->PUB relay alone (the load baseline, by hand)

Run 'opd-producer COMMAND --help' for a command's options.
Exit status: 0 success, 1 a rejected or failed operation, 2 usage error,
3 timeout or worker unreachable.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace opd::tools;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  ArgReader args(argv + 2, argv + argc);
  try {
    if (command == "send") return run_send(args);
    if (command == "simulate") return run_simulate(args);
    if (command == "load") return run_load(args);
    if (command == "query") return run_query(args);
    if (command == "relay") return run_relay(args);
    throw UsageError("unknown command '" + std::string(command) + "'");
  } catch (const UsageError& e) {
    std::cerr << "opd-producer: " << e.what() << "\nTry 'opd-producer " <<
        (command == "send" || command == "simulate" || command == "load" || command == "query" || command == "relay"
             ? std::string(command) + " --help"
             : std::string("--help"))
              << "'.\n";
    return kExitUsage;
  } catch (const zmq::error_t& e) {
    std::cerr << "opd-producer " << command << ": ZeroMQ: " << e.what() << "\n";
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "opd-producer " << command << ": " << e.what() << "\n";
    return kExitFailed;
  }
}
