// opd-producer simulate: the one-day OPD scenario (producer/scenario.h)
// played against a running worker, request by request, then summarised per
// doctor and per slot and cross-checked against the worker's own totals.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "opd/worker/schedule_json.h"
#include "producer/day_report.h"
#include "producer/narrate.h"
#include "producer/scenario.h"
#include "producer/tools/client.h"
#include "producer/tools/commands.h"
#include "producer/tools/summary_json.h"

namespace opd::tools {
namespace {

constexpr std::string_view kHelp = R"(Usage: opd-producer simulate [OPTION]...
Plays one realistic OPD day against the running worker: online bookings early,
follow-ups, walk-ins through the morning, paid consultations, emergencies at
random times, cancellations, a doctor who arrives late (their first slot's
capacity is cut, so tokens move on or to the waitlist), and each doctor's desk
calling, completing and marking no-shows. Every request waits for its result,
because later requests use earlier results (token ids to cancel or complete).
Prints each request and its outcome, then a summary per doctor and per slot:
allocated, displaced, moved, waitlisted, cancelled, served, no-shows,
utilisation, longest wait in tokens, rejections by code.

The day starts with open_day, so the worker starts a fresh day. The summary is
rebuilt from results and board events alone and then compared with the
worker's report and stats.

  --seed N             the day's random seed [1]; same seed and schedule,
                       same day and the same report
  --date YYYY-MM-DD    the service day to open [the day after the worker's
                       current day, or 2025-01-06 on a fresh worker]
  --schedule FILE      the schedule the worker runs (its --schedule) [the
                       embedded deploy/schedule.example.json, the worker's
                       default]
  --json FILE          also write the report as JSON to FILE ('-' = stdout)
  --quiet              print only the summary, not each request
  --no-check           skip the comparison with the worker's report and stats
  -h, --help           this text
)";

constexpr std::string_view kExitHelp = R"(
Exit status: 0 the day ran and the summary matches the worker; 1 a check
failed, the open_day was refused (pick a later --date) or the worker runs
another schedule; 2 usage error or a bad schedule file; 3 timeout or worker
unreachable.
)";

constexpr std::string_view kFreshWorkerDate = "2025-01-06";

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

std::string civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char text[48];
  std::snprintf(text, sizeof text, "%04ld-%02u-%02u", y, m, d);
  return text;
}

std::string next_day(const ServiceDate& date) {
  const std::string& s = date.str();
  const long y = std::stol(s.substr(0, 4));
  const auto m = static_cast<unsigned>(std::stoul(s.substr(5, 2)));
  const auto d = static_cast<unsigned>(std::stoul(s.substr(8, 2)));
  return civil_from_days(days_from_civil(y, m, d) + 1);
}

// Board events seen on doctor/ topics, kept by the seq of the request that
// caused them until that request's result arrives (the worker publishes a
// request's events before its result). Checks each doctor's versions are
// contiguous: a gap means events were lost and the summary would be wrong.
class EventLog {
 public:
  void add(const Message& message) {
    if (!message.topic.starts_with("doctor/") || !message.decoded) return;
    std::string error;
    auto event = event_from_json(message.body, &error);
    const auto seq = unsigned_field(message.body, "seq");
    if (!event || !seq) {
      problems_.push_back("undecodable board event on " + message.topic + ": " + error);
      return;
    }
    auto [it, fresh] = versions_.try_emplace(event->doctor_id.str(), event->version);
    if (!fresh) {
      if (event->version != it->second + 1)
        problems_.push_back("board events lost for doctor " + event->doctor_id.str() + ": version " +
                            std::to_string(it->second) + " then " + std::to_string(event->version));
      it->second = event->version;
    }
    by_seq_[*seq].push_back(std::move(*event));
  }

  // The events of the request answered with `seq`; older ones (other
  // clients' requests) are dropped.
  std::vector<BoardEvent> take(std::uint64_t seq) {
    std::vector<BoardEvent> events;
    if (const auto it = by_seq_.find(seq); it != by_seq_.end()) events = std::move(it->second);
    by_seq_.erase(by_seq_.begin(), by_seq_.upper_bound(seq));
    return events;
  }

  // A result recovered by a resend comes back as a duplicate with a new
  // seq; the original's events carry a seq between the previous result's
  // and this one. Only one request of ours can be in that range.
  std::vector<BoardEvent> take_between(std::uint64_t after, std::uint64_t before) {
    std::vector<BoardEvent> events;
    std::size_t seqs = 0;
    for (auto it = by_seq_.upper_bound(after); it != by_seq_.end() && it->first < before; ++it) {
      ++seqs;
      events = it->second;
    }
    if (seqs > 1) problems_.push_back("cannot tell which board events belong to a resent request");
    by_seq_.erase(by_seq_.begin(), by_seq_.lower_bound(before));
    return events;
  }

  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::map<std::uint64_t, std::vector<BoardEvent>> by_seq_;
  std::map<std::string, std::uint64_t> versions_;
  std::vector<std::string> problems_;
};

// The schedule the worker runs must be ours, or the scenario books into
// slots that do not exist. Compared right after open_day, on snapshots.
std::vector<std::string> compare_schedule(Client& client, const Schedule& schedule, const ConnectOptions& connect) {
  std::vector<std::string> problems;
  for (const auto& doctor : schedule.doctors) {
    const auto board = client.query(json{{"type", "snapshot"}, {"doctor_id", doctor.doctor_id.str()}},
                                    Clock::now() + connect.timeout);
    if (!board) {
      problems.push_back("no answer to the snapshot query for doctor " + doctor.doctor_id.str());
      continue;
    }
    if (board->contains("code")) {
      problems.push_back("the worker does not know doctor " + doctor.doctor_id.str());
      continue;
    }
    const auto& slots = (*board)["slots"];
    if (!slots.is_array() || slots.size() != doctor.slots.size()) {
      problems.push_back("doctor " + doctor.doctor_id.str() + " has " +
                         std::to_string(slots.is_array() ? slots.size() : 0) + " slots at the worker, " +
                         std::to_string(doctor.slots.size()) + " in the schedule");
      continue;
    }
    for (const auto& slot : doctor.slots) {
      bool found = false;
      for (const auto& theirs : slots) {
        if (string_field(theirs, "slot_id") != slot.slot_id.str()) continue;
        found = true;
        const auto start = slot.start ? std::optional<std::string>(slot.start->str()) : std::nullopt;
        const auto end = slot.end ? std::optional<std::string>(slot.end->str()) : std::nullopt;
        if (unsigned_field(theirs, "capacity") != slot.capacity || string_field(theirs, "start") != start ||
            string_field(theirs, "end") != end)
          problems.push_back("slot " + slot.slot_id.str() + " has other times or capacity at the worker");
      }
      if (!found) problems.push_back("slot " + slot.slot_id.str() + " is not at the worker");
    }
  }
  return problems;
}

std::map<std::string, std::uint64_t> rejected_by_code(const json& stats) {
  std::map<std::string, std::uint64_t> counts;
  if (const auto it = stats.find("rejected"); it != stats.end() && it->is_object())
    for (const auto& [code, n] : it->items())
      if (n.is_number_unsigned()) counts[code] = n.get<std::uint64_t>();
  return counts;
}

}  // namespace

int run_simulate(ArgReader& args) {
  ConnectOptions connect;
  std::uint64_t seed = 1;
  std::optional<std::string> date_text;
  std::optional<std::string> schedule_file;
  std::optional<std::string> json_file;
  bool quiet = false;
  bool check = true;
  while (auto flag = args.next()) {
    const std::string& name = *flag;
    if (name == "--help") {
      std::cout << kHelp << connect_flags_help() << kExitHelp;
      return kExitOk;
    }
    if (args.connect_flag(name, connect)) continue;
    if (name == "--seed") seed = args.unsigned_value(0, UINT64_MAX);
    else if (name == "--date") date_text = args.value();
    else if (name == "--schedule") schedule_file = args.value();
    else if (name == "--json") json_file = args.value();
    else if (name == "--quiet") quiet = true;
    else if (name == "--no-check") check = false;
    else throw UsageError("unknown option '" + name + "'");
  }
  if (date_text && !ServiceDate::parse(*date_text))
    throw UsageError("option '--date': '" + *date_text + "' is not a date YYYY-MM-DD (2000-2999)");

  const worker::ScheduleLoad load =
      schedule_file ? worker::load_schedule_file(*schedule_file)
                    : worker::parse_schedule_json(worker::default_schedule_json(), worker::kDefaultScheduleOrigin);
  if (!load.schedule) {
    std::cerr << "opd-producer simulate: " << load.error << "\n";
    return kExitUsage;
  }
  const Schedule& schedule = *load.schedule;
  const std::string origin = schedule_file ? *schedule_file : std::string(worker::kDefaultScheduleOrigin);

  Client client(connect.endpoints, "sim-" + random_hex(8));
  client.subscribe("result/" + client.client_id() + "/");
  client.subscribe("doctor/");  // every doctor: the summary is built from the events
  const auto unreachable = [&](const std::string& what) {
    std::cerr << "opd-producer simulate: " << what << " (worker at " << connect.endpoints.requests << " / "
              << connect.endpoints.events << " / " << connect.endpoints.queries << ")\n";
    return kExitUnreachable;
  };
  const auto patience = connect.timeout * (connect.retries + 1);
  if (!client.ready(Clock::now() + patience)) return unreachable("no answer from the worker");
  const auto health = client.query(json{{"type", "health"}}, Clock::now() + patience);
  if (!health) return unreachable("no answer to the health query");
  if (!date_text) {
    const auto current = string_field(*health, "date");
    const auto parsed = current ? ServiceDate::parse(*current) : std::nullopt;
    date_text = parsed ? next_day(*parsed) : std::string(kFreshWorkerDate);
  }
  const ServiceDate date = *ServiceDate::parse(*date_text);
  const auto stats_before = check ? client.query(json{{"type", "stats"}}, Clock::now() + patience) : std::nullopt;
  if (check && !stats_before) return unreachable("no answer to the stats query");

  // Request ids unique to this run: the worker answers a known id as a
  // duplicate (its open_day too, within the day it opened), so a second
  // run must never reuse the first one's. They appear in no output.
  producer::Scenario day(schedule,
                         {.seed = seed, .date = date, .request_prefix = "sim-" + date.str() + "-" + random_hex(6)});
  producer::DaySummaryBuilder builder(schedule);
  EventLog events;
  const auto on_other = [&events](const Message& m) { events.add(m); };
  std::uint64_t last_seq = 0;
  std::uint64_t requests = 0;
  std::uint64_t attempts = 0;
  bool recovered = false;
  bool first = true;

  while (auto step = day.next()) {
    const json map = request_to_json(step->request, client.client_id());
    const Expect expect{"result/" + client.client_id() + "/", step->request.request_id.str()};
    const CallOutcome outcome = call(client, to_msgpack(map), expect, connect, on_other);
    attempts += static_cast<std::uint64_t>(outcome.attempts);
    if (!outcome.result)
      return unreachable("no result for " + step->request.request_id.str() + " after " +
                         std::to_string(outcome.attempts) + " attempt(s)");
    std::string error;
    auto result = result_from_json(*outcome.result, &error);
    const auto seq = unsigned_field(*outcome.result, "seq");
    if (!result || !seq) {
      std::cerr << "opd-producer simulate: malformed result for " << step->request.request_id.str() << ": "
                << (result ? "no seq" : error) << "\n";
      return kExitFailed;
    }
    Outcome applied{.result = std::move(*result)};
    if (applied.result.duplicate && outcome.attempts == 1) {
      std::cerr << "opd-producer simulate: the worker already knew request_id " << step->request.request_id.str()
                << " (answered as a duplicate)\n";
      return kExitFailed;
    }
    if (applied.result.duplicate) {
      // Our first copy was lost and a resend brought the stored answer back.
      recovered = true;
      applied.result.duplicate = false;
      applied.events = events.take_between(last_seq, *seq);
    } else {
      applied.events = events.take(*seq);
    }
    last_seq = *seq;
    ++requests;
    if (first) {
      first = false;
      if (!applied.result.ok()) {
        std::cerr << "opd-producer simulate: open_day " << date.str() << " was refused: "
                  << to_string(applied.result.code) << ": " << applied.result.reason
                  << "\n(the worker is on a later day; pass a later --date, or omit it)\n";
        return kExitFailed;
      }
      const auto problems = compare_schedule(client, schedule, connect);
      if (!problems.empty()) {
        for (const auto& p : problems) std::cerr << "opd-producer simulate: " << p << "\n";
        std::cerr << "opd-producer simulate: the worker runs another schedule than " << origin
                  << "; pass the worker's schedule with --schedule FILE\n";
        return kExitFailed;
      }
    }
    if (!quiet) std::cout << producer::narrate(step->minute, step->request, applied);
    builder.add(step->request, applied);
    day.feed(producer::reply_of(applied.result));
  }

  const producer::DaySummary summary = builder.summary();
  std::cout << (quiet ? "" : "\n") << producer::format_summary(summary);

  std::vector<std::string> problems = events.problems();
  bool report_matches = false;
  std::optional<bool> stats_match;  // nullopt: not compared (resends blur the counts)
  if (check) {
    const auto answer = client.query(json{{"type", "report"}}, Clock::now() + patience);
    const auto stats_after = client.query(json{{"type", "stats"}}, Clock::now() + patience);
    if (!answer || !stats_after) return unreachable("no answer to the report or stats query");
    std::string error;
    const auto report = answer->contains("report") ? report_from_json((*answer)["report"], &error) : std::nullopt;
    if (!report) {
      problems.push_back("the worker's report could not be read: " + error);
    } else {
      const auto differences = compare_with_report(summary, *report);
      report_matches = differences.empty();
      problems.insert(problems.end(), differences.begin(), differences.end());
    }
    // The stats are the worker's lifetime counters: compare what this run
    // added. Exact only when nobody else sent requests meanwhile.
    const auto delta = [&](const char* key) {
      return unsigned_field(*stats_after, key).value_or(0) - unsigned_field(*stats_before, key).value_or(0);
    };
    std::map<std::string, std::uint64_t> expected;
    for (const auto& doctor : summary.doctors)
      for (int c = 1; c < kCodeCount; ++c)
        if (const auto n = doctor.total.rejected[static_cast<std::size_t>(c)]; n != 0)
          expected[std::string(to_string(static_cast<Code>(c)))] += n;
    for (int c = 1; c < kCodeCount; ++c)
      if (const auto n = summary.unattributed.rejected[static_cast<std::size_t>(c)]; n != 0)
        expected[std::string(to_string(static_cast<Code>(c)))] += n;
    const auto before = rejected_by_code(*stats_before);
    std::map<std::string, std::uint64_t> observed;
    for (const auto& [code, n] : rejected_by_code(*stats_after))
      if (const auto diff = n - (before.contains(code) ? before.at(code) : 0); diff != 0) observed[code] = diff;
    if (attempts != requests || recovered) {
      std::cerr << "opd-producer simulate: " << attempts - requests
                << " request(s) were resent; the stats comparison is skipped\n";
    } else {
      stats_match = delta("received") == requests && delta("applied") == requests && delta("malformed") == 0 &&
                    delta("duplicates") == 0 && observed == expected;
      if (!*stats_match)
        problems.push_back("the worker's stats moved by received " + std::to_string(delta("received")) +
                           ", applied " + std::to_string(delta("applied")) + ", duplicates " +
                           std::to_string(delta("duplicates")) + ", rejected " + json(observed).dump() +
                           "; this run sent " + std::to_string(requests) + " requests with rejections " +
                           json(expected).dump() + " (did another client send requests meanwhile?)");
    }
  }

  if (json_file) {
    const json out{{"seed", seed},
                   {"date", date.str()},
                   {"schedule", origin},
                   {"requests", requests},
                   {"summary", summary_to_json(summary)},
                   {"checks", check ? json{{"report_matches", report_matches}, {"stats_match", stats_match ? json(*stats_match) : json(nullptr)}}
                                    : json(nullptr)}};
    if (!write_json_output(out, *json_file, "opd-producer simulate")) return kExitFailed;
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "opd-producer simulate: check failed: " << p << "\n";
    return kExitFailed;
  }
  if (check)
    std::cout << "\nchecks: the summary, rebuilt from results and board events, equals the worker's report;\n"
                 "the worker's stats count exactly this run's "
              << requests << " requests and their rejections by code\n";
  return kExitOk;
}

}  // namespace opd::tools
