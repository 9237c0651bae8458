// opd-producer load: option parsing, progress and the report around
// run_phase() (load.h).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "producer/tools/client.h"
#include "producer/tools/commands.h"
#include "producer/tools/load.h"
#include "producer/tools/summary_json.h"
#include "producer/tools/relay.h"

namespace opd::tools {
namespace {

constexpr std::string_view kHelp = R"(Usage: opd-producer load [OPTION]...
Open-loop load against the worker: requests are due at a fixed rate whatever
the worker does, and each latency is measured from the request's scheduled
send time to its result (no coordinated omission). Reports throughput,
latency p50/p90/p99/p99.9/max, and lost or duplicate results.

  --rate R             requests per second over all clients, or 'unlimited'
                       (as fast as PUSH takes them)              [1000]
  --duration S         seconds to send for                       [5]
  --count N            send exactly N requests (instead of --duration)
  --clients C          PUSH connections, each its own client_id  [1]
  --mix LIST           weights per operation, e.g. the default
                       allocate=60,cancel=15,call_next=15,complete=10
                       (also no_show, set_capacity). cancel uses a token from
                       an earlier result, else becomes allocate; complete and
                       no_show use a called token, else become call_next
  --doctors N          doctors to spread the load over           [20]
  --slots N            slots per doctor                          [8]
  --capacity N         seats per slot                            [100]
  --doctor-prefix P    doctor ids are P-D01, P-D02, ...; their slots
                       P-D01-S1, ... are created (set_capacity) before the
                       clock starts                              [LOAD]
  --seed N             the operation mix's random seed           [1]
  --drain S            after the last send, wait this long for results [5]
  --relay-baseline     then run the same load through a no-op PULL->PUB
                       relay (same transport, started by this tool) and
                       report the worker/relay throughput ratio
  --json FILE          also write the report as JSON ('-' = stdout)
  --no-progress        no progress line (default: a live line on a terminal,
                       one line a second otherwise, on stderr)
  -h, --help           this text
)";

constexpr std::string_view kExitHelp = R"(
Exit status: 0 every result from the worker arrived exactly once; 1 results
were lost or duplicated (or the relay baseline could not start); 2 usage
error; 3 the worker did not answer the setup requests or stopped answering.
)";

double micros(std::int64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

std::string duration_text(std::int64_t nanos) {
  char text[32];
  if (nanos < 1'000'000)
    std::snprintf(text, sizeof text, "%.0f us", micros(nanos));
  else if (nanos < 1'000'000'000)
    std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(nanos) / 1e6);
  else
    std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(nanos) / 1e9);
  return text;
}

json latency_json(const LatencyHistogram& h) {
  return json{{"p50", micros(h.percentile(0.50))},  {"p90", micros(h.percentile(0.90))},
              {"p99", micros(h.percentile(0.99))},  {"p99_9", micros(h.percentile(0.999))},
              {"max", micros(h.max())},             {"mean", std::round(h.mean() / 10.0) / 100.0}};
}

json phase_json(const PhaseReport& r) {
  json ops = json::object();
  for (int i = 0; i < kLoadOpCount; ++i)
    if (r.sent_by_op[static_cast<std::size_t>(i)] != 0)
      ops[std::string(load_op_name(static_cast<LoadOp>(i)))] = r.sent_by_op[static_cast<std::size_t>(i)];
  json statuses = json::object();
  for (const auto& [k, v] : r.by_status) statuses[k] = v;
  json codes = json::object();
  for (const auto& [k, v] : r.rejected_by_code) codes[k] = v;
  return json{{"reached", r.reached},
              {"error", r.setup_error.empty() ? json(nullptr) : json(r.setup_error)},
              {"stalled", r.stalled},
              {"setup_sent", r.setup_sent},
              {"sent", r.sent},
              {"received", r.received},
              {"lost", r.lost},
              {"duplicates", r.duplicates},
              {"flagged_duplicate", r.flagged_duplicate},
              {"unmatched", r.unmatched},
              {"send_seconds", r.send_seconds},
              {"elapsed_seconds", r.elapsed_seconds},
              {"offered_rate", r.send_seconds > 0 ? static_cast<double>(r.sent) / r.send_seconds : 0.0},
              {"throughput", r.throughput()},
              {"latency_us", latency_json(r.latency)},
              {"send_lag_us", latency_json(r.send_lag)},
              {"sent_by_op", std::move(ops)},
              {"by_status", std::move(statuses)},
              {"rejected_by_code", std::move(codes)}};
}

void print_phase(const PhaseReport& r) {
  std::printf("  %-7s sent %llu, received %llu, lost %llu, duplicates %llu; %.0f results/s over %.2f s\n",
              (r.name + ":").c_str(), static_cast<unsigned long long>(r.sent),
              static_cast<unsigned long long>(r.received), static_cast<unsigned long long>(r.lost),
              static_cast<unsigned long long>(r.duplicates + r.flagged_duplicate), r.throughput(), r.elapsed_seconds);
  const auto& h = r.latency;
  std::printf("          latency from scheduled send: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s\n",
              duration_text(h.percentile(0.5)).c_str(), duration_text(h.percentile(0.9)).c_str(),
              duration_text(h.percentile(0.99)).c_str(), duration_text(h.percentile(0.999)).c_str(),
              duration_text(h.max()).c_str());
  std::printf("          sender lateness (in the above): p99 %s, max %s\n",
              duration_text(r.send_lag.percentile(0.99)).c_str(), duration_text(r.send_lag.max()).c_str());
  std::string statuses;
  for (const auto& [k, v] : r.by_status) statuses += (statuses.empty() ? "" : ", ") + k + " " + std::to_string(v);
  std::string codes;
  for (const auto& [k, v] : r.rejected_by_code) codes += (codes.empty() ? "" : ", ") + k + " " + std::to_string(v);
  if (!statuses.empty()) std::printf("          results: %s\n", statuses.c_str());
  if (!codes.empty()) std::printf("          rejected: %s\n", codes.c_str());
}

}  // namespace

int run_load(ArgReader& args) {
  LoadPlan plan;
  bool relay_baseline = false;
  bool progress_on = true;
  std::optional<std::string> json_file;
  while (auto flag = args.next()) {
    const std::string& name = *flag;
    if (name == "--help") {
      std::cout << kHelp << connect_flags_help() << kExitHelp;
      return kExitOk;
    }
    if (args.connect_flag(name, plan.connect)) continue;
    if (name == "--rate") {
      const std::string text = args.value();
      if (text == "unlimited" || text == "0") {
        plan.rate = 0;
      } else {
        ArgReader one(std::vector<std::string>{"--rate", text});
        (void)one.next();
        plan.rate = one.double_value(0.001, 1e9);
      }
    } else if (name == "--duration") {
      plan.duration_s = args.double_value(0.001, 86400);
    } else if (name == "--count") {
      plan.count = args.unsigned_value(1, 1'000'000'000);
    } else if (name == "--clients") {
      plan.clients = static_cast<int>(args.unsigned_value(1, 256));
    } else if (name == "--mix") {
      std::string error;
      const auto mix = parse_mix(args.value(), &error);
      if (!mix) throw UsageError("option '--mix': " + error);
      plan.mix = *mix;
    } else if (name == "--doctors") {
      plan.doctors = static_cast<int>(args.unsigned_value(1, 10'000));
    } else if (name == "--slots") {
      plan.slots = static_cast<int>(args.unsigned_value(1, 100));
    } else if (name == "--capacity") {
      plan.capacity = static_cast<std::uint32_t>(args.unsigned_value(1, 999));
    } else if (name == "--doctor-prefix") {
      plan.doctor_prefix = args.value();
      if (!is_valid_id(plan.doctor_prefix) || plan.doctor_prefix.size() > 40)
        throw UsageError("option '--doctor-prefix': '" + plan.doctor_prefix +
                         "' must be 1-40 characters of A-Z a-z 0-9 . _ : -");
    } else if (name == "--seed") {
      plan.seed = args.unsigned_value(0, UINT64_MAX);
    } else if (name == "--drain") {
      plan.drain = std::chrono::milliseconds(static_cast<std::int64_t>(args.double_value(0, 3600) * 1000));
    } else if (name == "--relay-baseline") {
      relay_baseline = true;
    } else if (name == "--json") {
      json_file = args.value();
    } else if (name == "--no-progress") {
      progress_on = false;
    } else {
      throw UsageError("unknown option '" + name + "'");
    }
  }
  if (plan.duration_s && plan.count) throw UsageError("give --duration or --count, not both");
  if (!plan.duration_s && !plan.count) plan.duration_s = 5.0;
  if (plan.rate == 0 && !plan.duration_s && !plan.count) plan.duration_s = 5.0;

  const bool tty = ::isatty(STDERR_FILENO) != 0;
  Progress progress;
  progress.interval = std::chrono::milliseconds(tty ? 250 : 1000);
  if (progress_on) {
    progress.report = [tty](const std::string& phase, double seconds, std::uint64_t sent, std::uint64_t received) {
      const double rate = seconds > 0 ? static_cast<double>(received) / seconds : 0.0;
      std::fprintf(stderr, "%s[%s] %6.1f s  sent %llu  received %llu  (%.0f/s)  in flight %llu%s",
                   tty ? "\r\x1b[K" : "", phase.c_str(), seconds, static_cast<unsigned long long>(sent),
                   static_cast<unsigned long long>(received), rate,
                   static_cast<unsigned long long>(sent - std::min(sent, received)), tty ? "" : "\n");
      std::fflush(stderr);
    };
    if (tty) progress.done = [] { std::fputs("\n", stderr); };
  }

  const auto stats = [&plan]() {
    return query_once(plan.connect.endpoints.queries, json{{"type", "stats"}}, plan.connect.timeout,
                      plan.connect.endpoints.curve);
  };
  const auto before = stats();
  const PhaseTarget worker_target{"worker", plan.connect.endpoints.requests, plan.connect.endpoints.events, false,
                                  plan.connect.endpoints.curve};
  const PhaseReport worker = run_phase(worker_target, plan, progress);
  const auto after = stats();
  if (!worker.reached || worker.stalled) {
    std::cerr << "opd-producer load: "
              << (worker.stalled ? "the worker stopped answering mid-run" : worker.setup_error) << " (worker at "
              << plan.connect.endpoints.requests << " / " << plan.connect.endpoints.events << ")\n";
    if (!worker.setup_error.empty() && worker.reached) return kExitFailed;
    return kExitUnreachable;
  }
  if (!worker.setup_error.empty()) {
    std::cerr << "opd-producer load: setup failed: " << worker.setup_error << "\n";
    return kExitFailed;
  }

  std::optional<PhaseReport> relay;
  if (relay_baseline) {
    const RelayBind bind(plan.connect.endpoints.requests);
    RelayThread thread(bind.requests, bind.events);
    const PhaseTarget relay_target{"relay", thread.requests(), thread.events(), true};
    relay = run_phase(relay_target, plan, progress);
    if (!relay->reached || relay->stalled) {
      std::cerr << "opd-producer load: the relay baseline failed: "
                << (relay->stalled ? "results stopped coming" : relay->setup_error) << "\n";
      return kExitFailed;
    }
  }

  const std::string rate = plan.rate > 0 ? std::to_string(static_cast<long long>(plan.rate)) + "/s" : "unlimited";
  std::printf("opd-producer load: %s, %d client(s), rate %s, mix %s\n", plan.connect.endpoints.requests.c_str(),
              plan.clients, rate.c_str(), mix_text(plan.mix).c_str());
  print_phase(worker);
  std::optional<std::uint64_t> worker_received;
  if (before && after) {
    const auto b = unsigned_field(*before, "received");
    const auto a = unsigned_field(*after, "received");
    if (a && b) worker_received = *a - *b;
  }
  if (worker_received)
    std::printf("          the worker's stats: %llu requests received in this run (%llu setup frames included)\n",
                static_cast<unsigned long long>(*worker_received),
                static_cast<unsigned long long>(worker.setup_sent));
  std::optional<double> ratio;
  if (relay) {
    print_phase(*relay);
    if (relay->throughput() > 0) ratio = worker.throughput() / relay->throughput();
    if (ratio)
      std::printf("  worker/relay throughput ratio: %.3f%s\n", *ratio,
                  plan.rate > 0 ? " (rate-limited: both run at the offered rate; use --rate unlimited for ceilings)" : "");
  }

  if (json_file) {
    const json out{{"requests_endpoint", plan.connect.endpoints.requests},
                   {"rate", plan.rate > 0 ? json(plan.rate) : json("unlimited")},
                   {"duration_s", plan.duration_s ? json(*plan.duration_s) : json(nullptr)},
                   {"count", plan.count ? json(*plan.count) : json(nullptr)},
                   {"clients", plan.clients},
                   {"mix", mix_text(plan.mix)},
                   {"doctors", plan.doctors},
                   {"slots", plan.slots},
                   {"capacity", plan.capacity},
                   {"seed", plan.seed},
                   {"worker", phase_json(worker)},
                   {"worker_stats_received", worker_received ? json(*worker_received) : json(nullptr)},
                   {"relay", relay ? phase_json(*relay) : json(nullptr)},
                   {"ratio", ratio ? json(*ratio) : json(nullptr)}};
    if (!write_json_output(out, *json_file, "opd-producer load")) return kExitFailed;
  }
  const auto clean = [](const PhaseReport& r) {
    return r.lost == 0 && r.duplicates == 0 && r.flagged_duplicate == 0 && r.unmatched == 0;
  };
  // The relay's losses measure this generator's own ceiling (its receiver
  // falling behind the relay's PUB), not the worker: reported, not failed.
  if (relay && !clean(*relay))
    std::printf("  note: the relay lost results: at this rate the generator itself is the limit\n");
  return clean(worker) ? kExitOk : kExitFailed;
}

}  // namespace opd::tools
