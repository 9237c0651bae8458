// opd-producer send: the "try the API" tool. One request from flags, or
// JSON Lines on stdin; each result printed as one JSON line.
#include <unistd.h>

#include <iostream>
#include <set>
#include <string>

#include "producer/tools/client.h"
#include "producer/tools/commands.h"

namespace opd::tools {
namespace {

constexpr std::string_view kHelp = R"(Usage: opd-producer send [OPTION]...
Sends requests to the worker and prints each result as one JSON line, keys in
the worker's order. With request flags, sends that one request; without, reads
JSON objects from stdin, one per line (JSON Lines), and sends them in order.

Request flags (wire names in docs/protocol.md):
  --type TYPE          allocate (the default when absent), cancel, call_next,
                       complete, no_show, set_capacity, open_day
  --doctor ID          doctor_id
  --slot ID            slot_id
  --source SOURCE      EMERGENCY, PAID, FOLLOW_UP, ONLINE or WALK_IN
  --capacity N         capacity
  --patient REF        patient_ref
  --token ID           token_id
  --start HH:MM, --end HH:MM   a new slot's times (set_capacity)
  --date YYYY-MM-DD    open_day's date
  --request-id ID      request_id [<client id>-<n>]; resend one to see the
                       worker's idempotency (the result says duplicate)
Values are sent as given, unchecked: a bad one shows the worker's REJECTED
result with code BAD_REQUEST and its reason.

On stdin, each line is a JSON object with the same wire keys, e.g.
  {"type":"allocate","doctor_id":"D1","slot_id":"D1-0900","source":"ONLINE"}
request_id and client_id are added when absent.

Other options:
  --client-id ID       our client_id; results come on result/<ID>/
                       [cli-<random hex>]
  -h, --help           this text
)";

constexpr std::string_view kExitHelp = R"(
Each request waits for its result (matched by request_id on our result topic,
subscribed before anything is sent); after --timeout it is resent with the same
request_id, at most --retries times.
Exit status: 0 every request succeeded; 1 at least one result was REJECTED;
2 usage error or a line that is not a JSON object; 3 no result (timeout, or
no worker).
)";

struct FlagRequest {
  json map = json::object();
  bool any = false;
};

}  // namespace

int run_send(ArgReader& args) {
  ConnectOptions connect;
  FlagRequest flags;
  std::string client_id;
  std::optional<std::string> request_id;
  while (auto flag = args.next()) {
    const std::string& name = *flag;
    if (name == "--help") {
      std::cout << kHelp << connect_flags_help() << kExitHelp;
      return kExitOk;
    }
    if (args.connect_flag(name, connect)) continue;
    const auto field = [&](const char* key) {
      flags.map[key] = args.value();
      flags.any = true;
    };
    if (name == "--type") field("type");
    else if (name == "--doctor") field("doctor_id");
    else if (name == "--slot") field("slot_id");
    else if (name == "--source") field("source");
    else if (name == "--patient") field("patient_ref");
    else if (name == "--token") field("token_id");
    else if (name == "--start") field("start");
    else if (name == "--end") field("end");
    else if (name == "--date") field("date");
    else if (name == "--capacity") {
      const std::int64_t capacity = args.signed_value();
      if (capacity >= 0)
        flags.map["capacity"] = static_cast<std::uint64_t>(capacity);
      else
        flags.map["capacity"] = capacity;
      flags.any = true;
    } else if (name == "--request-id") {
      request_id = args.value();
    } else if (name == "--client-id") {
      client_id = args.value();
      if (!is_valid_id(client_id))
        throw UsageError("option '--client-id': '" + client_id + "' breaks the id rule (1-64 of A-Z a-z 0-9 . _ : -)");
    } else {
      throw UsageError("unknown option '" + name + "'");
    }
  }
  if (client_id.empty()) client_id = "cli-" + random_hex(8);

  Client client(connect.endpoints, client_id);
  std::set<std::string> subscribed;
  const auto ensure_subscribed = [&](const std::string& topic) {
    if (subscribed.insert(topic).second) client.subscribe(topic);
  };
  ensure_subscribed("result/" + client_id + "/");

  int exit_code = kExitOk;
  std::uint64_t counter = 0;
  const auto send_one = [&](json request) -> bool {
    ++counter;
    // Our fields first, so the map reads in protocol order.
    json map = json::object();
    if (request.contains("type")) map["type"] = request["type"];
    if (!request.contains("request_id")) map["request_id"] = client_id + "-" + std::to_string(counter);
    else map["request_id"] = request["request_id"];
    if (!request.contains("client_id")) map["client_id"] = client_id;
    for (auto& [key, value] : request.items())
      if (!map.contains(key)) map[key] = value;

    const std::string topic = result_topic_for(map);
    ensure_subscribed(topic);
    Expect expect{topic, std::nullopt};
    if (const auto id = string_field(map, "request_id"); id && is_valid_id(*id)) expect.request_id = *id;

    const CallOutcome outcome = call(client, to_msgpack(map), expect, connect, nullptr);
    if (!outcome.result) {
      std::cerr << "opd-producer send: no result for request_id "
                << (expect.request_id ? *expect.request_id : std::string("(unreadable)")) << " after "
                << outcome.attempts << " attempt(s) of " << connect.timeout.count() << " ms; is the worker running at "
                << connect.endpoints.requests << " / " << connect.endpoints.events << " / "
                << connect.endpoints.queries << "?\n";
      exit_code = kExitUnreachable;
      return false;
    }
    std::cout << outcome.result->dump() << std::endl;
    if (string_field(*outcome.result, "status") == "REJECTED" && exit_code == kExitOk) exit_code = kExitFailed;
    return true;
  };

  if (flags.any || request_id) {
    if (request_id) flags.map["request_id"] = *request_id;
    (void)send_one(flags.map);
    return exit_code;
  }

  if (::isatty(STDIN_FILENO))
    std::cerr << "opd-producer send: reading JSON Lines from the terminal (one request per line, Ctrl-D ends)\n";
  std::string line;
  std::uint64_t line_number = 0;
  bool any = false;
  while (std::getline(std::cin, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded() || !request.is_object()) {
      std::cerr << "opd-producer send: stdin line " << line_number << " is not a JSON object: " << line << "\n";
      return kExitUsage;
    }
    any = true;
    if (!send_one(std::move(request))) return exit_code;
  }
  if (!any) throw UsageError("nothing to send: give request flags, or JSON Lines on stdin");
  return exit_code;
}

}  // namespace opd::tools
