// The scenario is deterministic per seed, realistic in what it contains, and
// never breaks the engine's invariants or the summary's agreement with the
// engine.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "opd/core/engine.h"
#include "producer/day_report.h"
#include "producer/default_schedule.h"
#include "producer/engine_check.h"
#include "producer/scenario.h"

namespace {

using opd::producer::Scenario;
using opd::producer::ScenarioOptions;

struct DayRun {
  std::vector<opd::producer::Step> steps;
  std::vector<opd::Outcome> outcomes;
  std::string final_state;
  std::vector<std::string> problems;  // invariants and summary disagreements
};

DayRun run_day(const opd::Schedule& schedule, ScenarioOptions options) {
  DayRun run;
  opd::Engine engine(schedule);
  Scenario day(schedule, std::move(options));
  opd::producer::DaySummaryBuilder summary(schedule);
  while (auto step = day.next()) {
    auto outcome = engine.apply(step->request);
    for (auto& problem : engine.check_invariants())
      run.problems.push_back(step->request.request_id.str() + ": " + problem);
    summary.add(step->request, outcome);
    day.feed(opd::producer::reply_of(outcome.result));
    run.steps.push_back(std::move(*step));
    run.outcomes.push_back(std::move(outcome));
  }
  for (auto& problem : opd::producer::compare_with_engine(summary.summary(), engine))
    run.problems.push_back(problem);
  run.final_state = engine.dump();
  return run;
}

// The request as text, every field, for comparing two runs.
std::string describe(const opd::Request& r) {
  std::string text = r.request_id.str() + " " + std::string(opd::to_string(r.type));
  const auto add = [&text](const char* name, const std::string& value) { text += std::string(" ") + name + "=" + value; };
  if (r.doctor_id) add("doctor", r.doctor_id->str());
  if (r.slot_id) add("slot", r.slot_id->str());
  if (r.source) add("source", std::string(opd::to_string(*r.source)));
  if (r.capacity) add("capacity", std::to_string(*r.capacity));
  if (r.patient_ref) add("patient", *r.patient_ref);
  if (r.token_id) add("token", r.token_id->str());
  if (r.start) add("start", r.start->str());
  if (r.end) add("end", r.end->str());
  if (r.date) add("date", r.date->str());
  return text;
}

std::vector<std::string> describe_all(const DayRun& run) {
  std::vector<std::string> lines;
  for (const auto& step : run.steps) lines.push_back(std::to_string(step.minute) + " " + describe(step.request));
  return lines;
}

ScenarioOptions seeded(std::uint64_t seed) {
  return ScenarioOptions{.seed = seed, .date = opd::ServiceDate::parse("2025-01-06"), .request_prefix = "t"};
}

}  // namespace

TEST_CASE("the same seed gives the same day, request for request", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  const auto first = run_day(schedule, seeded(42));
  const auto second = run_day(schedule, seeded(42));
  REQUIRE(first.steps.size() > 100);
  CHECK(describe_all(first) == describe_all(second));
  CHECK(first.final_state == second.final_state);
}

TEST_CASE("different seeds give different days", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  CHECK(describe_all(run_day(schedule, seeded(1))) != describe_all(run_day(schedule, seeded(2))));
}

TEST_CASE("steps come in time order with unique request ids", "[scenario]") {
  const auto run = run_day(opd::producer::default_schedule(), seeded(7));
  std::set<std::string> ids;
  int previous = 0;
  for (const auto& step : run.steps) {
    CHECK(step.minute >= previous);
    previous = step.minute;
    CHECK(ids.insert(step.request.request_id.str()).second);
    CHECK(step.request.request_id.str().rfind("t-", 0) == 0);
  }
  REQUIRE(!run.steps.empty());
  CHECK(run.steps.front().request.type == opd::OpType::kOpenDay);
  CHECK(run.outcomes.front().result.status == opd::Status::kDayOpened);
}

TEST_CASE("many seeds: invariants hold and the summary equals the engine's totals", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    INFO("seed " << seed);
    const auto run = run_day(schedule, seeded(seed));
    CHECK(run.problems.empty());
    for (const auto& problem : run.problems) UNSCOPED_INFO(problem);
  }
}

TEST_CASE("every day is realistic: all sources, a late doctor, cancellations, a served queue", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  std::map<opd::Code, int> rejections_over_seeds;
  int no_shows_over_seeds = 0;
  int reallocations_over_seeds = 0;
  int waitlisted_over_seeds = 0;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    INFO("seed " << seed);
    const auto run = run_day(schedule, seeded(seed));
    std::set<opd::Source> sources;
    std::map<opd::Status, int> statuses;
    int cuts = 0;
    int moved_by_cut = 0;
    int opened_slots = 0;
    for (std::size_t i = 0; i < run.steps.size(); ++i) {
      const auto& request = run.steps[i].request;
      const auto& result = run.outcomes[i].result;
      ++statuses[result.status];
      if (!result.ok()) ++rejections_over_seeds[result.code];
      if (result.ok() && request.type == opd::OpType::kAllocate) sources.insert(*request.source);
      if (result.ok() && request.type == opd::OpType::kSetCapacity) {
        if (request.start) {
          ++opened_slots;
        } else {
          ++cuts;
          for (const auto& e : run.outcomes[i].events)
            if (e.kind == opd::EventKind::kMoved || e.kind == opd::EventKind::kWaitlisted) ++moved_by_cut;
        }
      }
      for (const auto& e : run.outcomes[i].events)
        if (e.kind == opd::EventKind::kWaitlisted) ++waitlisted_over_seeds;
    }
    CHECK(sources.size() == 5);
    CHECK(cuts >= 1);
    CHECK(moved_by_cut >= 1);
    CHECK(opened_slots == 1);
    CHECK(statuses[opd::Status::kCancelled] >= 1);
    CHECK(statuses[opd::Status::kCalled] >= 40);
    CHECK(statuses[opd::Status::kCompleted] >= 30);
    no_shows_over_seeds += statuses[opd::Status::kNoShow];
    reallocations_over_seeds += statuses[opd::Status::kReallocated];
  }
  CHECK(no_shows_over_seeds >= 30);
  CHECK(reallocations_over_seeds >= 30);
  CHECK(waitlisted_over_seeds >= 1);
  CHECK(rejections_over_seeds[opd::Code::kLowerPriority] >= 1);
  CHECK(rejections_over_seeds[opd::Code::kNoSlotAvailable] >= 1);
  // The scenario only sends well-formed requests about tokens it knows.
  CHECK(rejections_over_seeds[opd::Code::kBadRequest] == 0);
  CHECK(rejections_over_seeds[opd::Code::kInvalidState] == 0);
  CHECK(rejections_over_seeds[opd::Code::kUnknownToken] == 0);
}

TEST_CASE("untimed slots and a doctor without open slots are handled", "[scenario]") {
  opd::Schedule schedule;
  opd::ScheduleDoctor a{.doctor_id = opd::DoctorId::from_trusted("A")};
  for (const char* id : {"A1", "A2", "A3", "A4"})
    a.slots.push_back(opd::ScheduleSlot{.slot_id = opd::SlotId::from_trusted(id), .capacity = 3});
  opd::ScheduleDoctor closed{.doctor_id = opd::DoctorId::from_trusted("B")};
  closed.slots.push_back(opd::ScheduleSlot{.slot_id = opd::SlotId::from_trusted("B1"), .capacity = 0});
  schedule.doctors = {a, closed};
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    INFO("seed " << seed);
    const auto run = run_day(schedule, seeded(seed));
    CHECK(run.problems.empty());
    for (const auto& step : run.steps)
      if (step.request.doctor_id) CHECK(step.request.doctor_id->str() == "A");
  }
}

TEST_CASE("the scenario refuses a bad prefix and misuse of next/feed", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  CHECK_THROWS_AS(Scenario(schedule, {.request_prefix = "bad prefix"}), std::invalid_argument);
  CHECK_THROWS_AS(Scenario(schedule, {.request_prefix = std::string(49, 'p')}), std::invalid_argument);
  Scenario day(schedule, {.seed = 1});
  CHECK_THROWS_AS(day.feed({}), std::logic_error);
  REQUIRE(day.next());
  CHECK_THROWS_AS(day.next(), std::logic_error);
}

TEST_CASE("without a date the day starts with bookings, not open_day", "[scenario]") {
  const auto schedule = opd::producer::default_schedule();
  Scenario day(schedule, {.seed = 9});
  const auto step = day.next();
  REQUIRE(step);
  CHECK(step->request.type == opd::OpType::kAllocate);
}

TEST_CASE("a schedule without doctors gives a day of just open_day", "[scenario]") {
  const auto run = run_day(opd::Schedule{}, seeded(3));
  REQUIRE(run.steps.size() == 1);
  CHECK(run.steps[0].request.type == opd::OpType::kOpenDay);
  CHECK(run.problems.empty());
}
