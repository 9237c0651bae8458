// opd-producer query: one question to the worker's ROUTER socket, the
// answer printed as one JSON line. And opd-producer relay, the load
// baseline run by hand.
#include <csignal>
#include <iostream>
#include <set>
#include <thread>

#include "producer/tools/client.h"
#include "producer/tools/commands.h"
#include "producer/tools/relay.h"

namespace opd::tools {
namespace {

constexpr std::string_view kQueryHelp = R"(Usage: opd-producer query KIND [OPTION]...
Asks the worker one question and prints its answer as one JSON line.

Kinds:
  health                   status, seq, uptime_s, start_id, the service date
  stats                    counters: received, applied, rejected by code, ...
  report                   the running day's totals per doctor and slot
  snapshot --doctor ID     a doctor's board: slots with their tokens, the
                           waitlist, now serving, the board version
  token --token ID         one token: state, slot, how many are ahead

Options:
  --doctor ID, --token ID  as above
  --pretty                 indent the JSON
  -h, --help               this text
)";

constexpr std::string_view kQueryExit = R"(
Exit status: 0 answered; 1 the worker answered with an error code (unknown
doctor or token, bad query); 2 usage error; 3 no answer before the timeout.
)";

constexpr std::string_view kRelayHelp = R"(Usage: opd-producer relay [OPTION]...
Runs the no-op relay the load generator measures the worker against: every
frame taken off PULL is published unchanged on PUB behind the topic "relay/".
Stops on SIGINT or SIGTERM.

  --requests ENDPOINT   PULL bind address           [tcp://*:5565]
  --events ENDPOINT     PUB bind address            [tcp://*:5566]
  -h, --help            this text
)";

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

int run_query(ArgReader& args) {
  ConnectOptions connect;
  std::optional<std::string> kind;
  json body = json::object();
  bool pretty = false;
  kind = args.operand();
  while (auto flag = args.next()) {
    if (*flag == "--help") {
      std::cout << kQueryHelp << connect_flags_help() << kQueryExit;
      return kExitOk;
    }
    if (args.connect_flag(*flag, connect)) continue;
    if (*flag == "--doctor") body["doctor_id"] = args.value();
    else if (*flag == "--token") body["token_id"] = args.value();
    else if (*flag == "--pretty") pretty = true;
    else throw UsageError("unknown option '" + *flag + "'");
  }
  if (!kind) throw UsageError("which query? health, stats, report, snapshot or token");
  static const std::set<std::string> kKinds{"health", "stats", "report", "snapshot", "token"};
  if (!kKinds.contains(*kind)) throw UsageError("unknown query '" + *kind + "'");
  if (*kind == "snapshot" && !body.contains("doctor_id")) throw UsageError("snapshot needs --doctor ID");
  if (*kind == "token" && !body.contains("token_id")) throw UsageError("token needs --token ID");
  json query = json{{"type", *kind}};
  for (auto& [key, value] : body.items()) query[key] = value;

  std::optional<json> answer;
  for (int attempt = 0; attempt <= connect.retries && !answer; ++attempt)
    answer = query_once(connect.endpoints.queries, query, connect.timeout, connect.endpoints.curve);
  if (!answer) {
    std::cerr << "opd-producer query: no answer from " << connect.endpoints.queries << " after "
              << connect.retries + 1 << " attempt(s) of " << connect.timeout.count() << " ms\n";
    return kExitUnreachable;
  }
  std::cout << (pretty ? answer->dump(2) : answer->dump()) << std::endl;
  return answer->contains("code") ? kExitFailed : kExitOk;
}

int run_relay(ArgReader& args) {
  std::string requests = "tcp://*:5565";
  std::string events = "tcp://*:5566";
  while (auto flag = args.next()) {
    if (*flag == "--help") {
      std::cout << kRelayHelp;
      return kExitOk;
    }
    if (*flag == "--requests") requests = args.value();
    else if (*flag == "--events") events = args.value();
    else throw UsageError("unknown option '" + *flag + "'");
  }
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  zmq::context_t context(1);
  std::atomic<bool> ready{false};
  std::atomic<std::uint64_t> relayed{0};
  std::string bound_requests;
  std::string bound_events;
  std::thread thread([&] {
    try {
      run_relay(context, requests, events, g_stop, ready, &bound_requests, &bound_events, &relayed);
    } catch (const zmq::error_t& e) {
      std::cerr << "opd-producer relay: cannot bind " << requests << " / " << events << ": " << e.what() << "\n";
      g_stop.store(true);
    }
  });
  while (!ready.load() && !g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (ready.load()) std::cerr << "opd-producer relay: " << bound_requests << " -> " << bound_events << "\n";
  thread.join();
  if (!ready.load()) return kExitFailed;
  std::cerr << "opd-producer relay: relayed " << relayed.load() << " messages\n";
  return kExitOk;
}

}  // namespace opd::tools
