// opd-core-day: one simulated OPD day run against the allocator in process,
// printed as it happens, then summarised per doctor and per slot. Needs no
// worker and no network: it shows what the core decides.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "opd/core/engine.h"
#include "producer/day_report.h"
#include "producer/default_schedule.h"
#include "producer/engine_check.h"
#include "producer/narrate.h"
#include "producer/scenario.h"

namespace {

constexpr std::string_view kUsage =
    "usage: opd-core-day [--seed N] [--date YYYY-MM-DD] [--quiet] [--help]\n"
    "\n"
    "Simulates one OPD day (four doctors on a built-in schedule: online bookings,\n"
    "follow-ups, walk-ins, paid, emergencies, a late doctor, cancellations, and each\n"
    "desk calling patients) against the allocator in this process, prints every\n"
    "request and its result, then a per-doctor, per-slot summary.\n"
    "\n"
    "  --seed N      the day's random seed (default 1); the same seed gives the same day\n"
    "  --date D      the service date opened first (default 2025-01-06)\n"
    "  --quiet       print only the summary\n"
    "  --help        this text\n"
    "\n"
    "Every operation is followed by the engine's invariant check, and the summary,\n"
    "rebuilt from results and board events alone, is compared with the engine's own\n"
    "totals. Exit status: 0 all consistent, 1 a check failed, 2 usage error.\n";

struct Options {
  std::uint64_t seed = 1;
  std::string date = "2025-01-06";
  bool quiet = false;
};

int usage_error(const std::string& message) {
  std::cerr << "opd-core-day: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--seed") {
      const auto text = value();
      if (!text) return usage_error("--seed needs a value");
      const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), options.seed);
      if (error != std::errc{} || end != text->data() + text->size())
        return usage_error("--seed: '" + std::string(*text) + "' is not a non-negative integer");
    } else if (arg == "--date") {
      const auto text = value();
      if (!text) return usage_error("--date needs a value");
      options.date = std::string(*text);
    } else {
      return usage_error("unknown argument '" + std::string(arg) + "'");
    }
  }
  const auto date = opd::ServiceDate::parse(options.date);
  if (!date) return usage_error("--date: '" + options.date + "' is not a date YYYY-MM-DD (2000-2999)");

  try {
    const opd::Schedule schedule = opd::producer::default_schedule();
    opd::Engine engine(schedule);
    opd::producer::Scenario day(schedule, {.seed = options.seed, .date = date, .request_prefix = "day"});
    opd::producer::DaySummaryBuilder summary(schedule);
    int failures = 0;
    while (auto step = day.next()) {
      const opd::Outcome outcome = engine.apply(step->request);
      if (!options.quiet) std::cout << opd::producer::narrate(step->minute, step->request, outcome);
      for (const auto& problem : engine.check_invariants()) {
        std::cerr << "invariant violated after " << step->request.request_id.str() << ": " << problem << "\n";
        ++failures;
      }
      summary.add(step->request, outcome);
      day.feed(opd::producer::reply_of(outcome.result));
    }
    const auto totals = summary.summary();
    std::cout << (options.quiet ? "" : "\n") << opd::producer::format_summary(totals);
    for (const auto& problem : opd::producer::compare_with_engine(totals, engine)) {
      std::cerr << "summary disagrees with the engine: " << problem << "\n";
      ++failures;
    }
    if (failures > 0) {
      std::cerr << "opd-core-day: " << failures << " check(s) failed\n";
      return 1;
    }
    std::cout << "\nchecks: invariants held after every operation; the summary equals the engine's totals\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "opd-core-day: " << e.what() << "\n";
    return 1;
  }
}
