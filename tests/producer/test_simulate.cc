// opd-producer simulate against real workers: deterministic for a seed, its
// totals equal the worker's own report and stats, and it refuses to run a
// day the worker cannot take (stale date, another schedule).
#include <map>

#include <catch2/catch.hpp>

#include "fixture.h"

namespace opd::tools::test {
namespace {

using nlohmann::json;

struct Day {
  RunResult run;
  json report;
};

Day simulate(const Worker& worker, const TempDir& dir, const std::string& name, std::vector<std::string> args) {
  const std::string file = dir.file(name + ".json");
  args.insert(args.begin(), {"simulate", "--json", file});
  Day day{producer(worker, args), json()};
  INFO("simulate stderr: " << day.run.err << "\nworker log: " << worker.log());
  REQUIRE(day.run.exit_code == 0);
  day.report = json::parse(read_file(file));
  return day;
}

// Sums a tally's rejections by code over every doctor and the unattributed.
std::map<std::string, std::uint64_t> rejections(const json& summary) {
  std::map<std::string, std::uint64_t> sum;
  const auto add = [&sum](const json& tally) {
    for (const auto& [code, n] : tally["rejected"].items()) sum[code] += n.get<std::uint64_t>();
  };
  for (const auto& doctor : summary["doctors"]) add(doctor["total"]);
  add(summary["unattributed"]);
  return sum;
}

}  // namespace

TEST_CASE("simulate: a fixed seed gives the same report twice, and its totals match the worker's", "[producer][simulate]") {
  TempDir dir_a;
  TempDir dir_b;
  Worker a(dir_a);
  Worker b(dir_b);
  const Day first = simulate(a, dir_a, "first", {"--seed", "7"});
  const Day second = simulate(b, dir_b, "second", {"--seed", "7"});
  CHECK(first.report == second.report);
  CHECK(first.run.out == second.run.out);

  const json& summary = first.report["summary"];
  CHECK(first.report["seed"] == 7);
  CHECK(first.report["date"] == "2025-01-06");  // a fresh worker's first day
  CHECK(first.report["checks"]["report_matches"] == true);
  CHECK(first.report["checks"]["stats_match"] == true);
  CHECK_THAT(first.run.out, Catch::Contains("open_day 2025-01-06  ->  DAY_OPENED"));
  CHECK_THAT(first.run.out, Catch::Contains("checks: the summary, rebuilt from results and board events, equals"));

  // A realistic day: several doctors, preemption, moves, waitlisting,
  // cancellations, calls and no-shows all happened.
  REQUIRE(summary["doctors"].size() >= 3);
  std::uint64_t allocated = 0, displaced = 0, moved = 0, waitlisted = 0, cancelled = 0, served = 0, no_shows = 0;
  for (const auto& d : summary["doctors"]) {
    allocated += d["total"]["allocated"].get<std::uint64_t>();
    displaced += d["total"]["displaced"].get<std::uint64_t>();
    moved += d["total"]["moved_in"].get<std::uint64_t>();
    waitlisted += d["total"]["waitlisted"].get<std::uint64_t>();
    cancelled += d["total"]["cancelled"].get<std::uint64_t>();
    served += d["total"]["served"].get<std::uint64_t>();
    no_shows += d["total"]["no_shows"].get<std::uint64_t>();
    CHECK(d["slots"].size() >= 1);
  }
  CHECK(allocated > 50);
  CHECK(displaced > 0);
  CHECK(moved > 0);
  CHECK(waitlisted > 0);
  CHECK(cancelled > 0);
  CHECK(served > 0);
  CHECK(no_shows > 0);

  // The worker's own counters, independently of the tool's checks: every
  // request this run sent was received and applied once, and the rejections
  // by code are those of the report.
  const json stats = query(a, "stats");
  const auto requests = first.report["requests"].get<std::uint64_t>();
  CHECK(summary["requests"] == requests);
  CHECK(stats["received"] == requests);
  CHECK(stats["applied"] == requests);
  CHECK(stats["duplicates"] == 0);
  CHECK(stats["malformed"] == 0);
  for (const auto& [code, n] : rejections(summary)) {
    INFO(code);
    CHECK(stats["rejected"][code] == n);
  }
  std::uint64_t rejected_total = 0;
  for (const auto& [code, n] : stats["rejected"].items()) rejected_total += n.get<std::uint64_t>();
  CHECK(rejected_total == summary["rejected"].get<std::uint64_t>());

  // And the worker's report, doctor by doctor.
  const json report = query(a, "report")["report"];
  REQUIRE(report["doctors"].size() == summary["doctors"].size());
  for (std::size_t i = 0; i < summary["doctors"].size(); ++i) {
    const json& ours = summary["doctors"][i];
    const json& theirs = report["doctors"][i];
    CHECK(ours["doctor_id"] == theirs["doctor_id"]);
    CHECK(ours["waitlisted_at_close"] == theirs["waitlisted_at_close"]);
    for (const char* key : {"allocated", "displaced", "moved_in", "waitlisted", "cancelled", "served", "no_shows"})
      CHECK(ours["total"][key] == theirs["total"][key]);
  }
}

TEST_CASE("simulate: another seed gives another day, and a second run opens the next day", "[producer][simulate]") {
  TempDir dir;
  Worker worker(dir);
  const Day seven = simulate(worker, dir, "seven", {"--seed", "7", "--quiet"});
  const Day eight = simulate(worker, dir, "eight", {"--seed", "8", "--quiet"});
  CHECK(seven.report["date"] == "2025-01-06");
  CHECK(eight.report["date"] == "2025-01-07");
  CHECK(eight.report["checks"]["report_matches"] == true);
  json a = seven.report["summary"];
  json b = eight.report["summary"];
  a.erase("date");
  b.erase("date");
  CHECK(a != b);
  // --quiet prints the summary only.
  CHECK_THAT(seven.run.out, Catch::StartsWith("OPD day 2025-01-06:"));
}

TEST_CASE("simulate: a stale --date or another schedule is refused with exit 1", "[producer][simulate]") {
  TempDir dir;
  const std::string small = write_small_schedule(dir);
  Worker worker(dir, {"--schedule", small});

  // The worker runs the small schedule; the default one does not fit it.
  const RunResult other = producer(worker, {"simulate", "--quiet"});
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.err, Catch::Contains("the worker runs another schedule"));

  // Given the worker's schedule, the day runs (on the next date: the
  // refused run already opened 2025-01-06).
  const RunResult same = producer(worker, {"simulate", "--quiet", "--schedule", small, "--seed", "3"});
  INFO(same.err);
  CHECK(same.exit_code == 0);
  CHECK_THAT(same.out, Catch::StartsWith("OPD day 2025-01-07:"));

  const RunResult stale = producer(worker, {"simulate", "--quiet", "--schedule", small, "--date", "2025-01-07"});
  CHECK(stale.exit_code == 1);
  CHECK_THAT(stale.err, Catch::Contains("open_day 2025-01-07 was refused: STALE_DATE"));

  CHECK(producer(worker, {"simulate", "--date", "2025-13-01"}).exit_code == 2);
  CHECK(producer(worker, {"simulate", "--schedule", dir.file("missing.json")}).exit_code == 2);
}

TEST_CASE("simulate: no worker means exit 3", "[producer][simulate]") {
  TempDir dir;
  const RunResult r = run({kProducerBin, "simulate", "--timeout", "200", "--retries", "1", "--requests",
                           "ipc://" + dir.file("r"), "--events", "ipc://" + dir.file("e"), "--queries",
                           "ipc://" + dir.file("q")},
                          kToolDeadline);
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("no answer from the worker"));
}

}  // namespace opd::tools::test
