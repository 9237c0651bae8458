// Core throughput: operations per second for a realistic OPD mix over 100
// doctors x 8 slots (allocations with preemption and moves, cancels,
// call_next, complete/no_show, a new day every so often).
//
// The workload (workload.h) is recorded first, whole, by driving a
// reference engine (untimed, so the generator can pick real token ids from
// its results); then a fresh engine applies the recording under the clock,
// alone, as the worker's engine runs, its input in cache (see kBatch).
// Both apply the same requests, so the timed engine sees exactly the state
// evolution the generator saw. (Recording in
// batches between timed runs let the reference engine and the generator
// evict the timed engine's state from the caches every batch: the figure
// then measured three engines sharing a cache, not one.)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_schedule.h"
#include "opd/core/engine.h"
#include "workload.h"

namespace {

using opd::bench::kDoctors;
using opd::bench::make_schedule;

long rss_kib() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return pages_resident * 4;
}

// Memory per live token: one engine filled to a full day, RSS growth over
// the tokens it holds (idempotency entries for every request included).
// Runs first, before any other engine has freed memory it could reuse.
void print_memory_per_request(const opd::Schedule& schedule) {
  opd::Outcome outcome;
  const long before = rss_kib();
  opd::Engine filled(schedule);
  std::uint64_t issued = 0;
  for (std::uint64_t i = 0; i < 200'000; ++i) {
    opd::Request r;
    r.request_id = opd::RequestId::from_trusted("m" + std::to_string(i));
    r.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(i % kDoctors));
    r.source = static_cast<opd::Source>(i % 5);
    filled.apply(r, outcome);
    issued += outcome.result.ok();
  }
  const long after = rss_kib();
  std::printf("memory: %llu tokens, %d requests: RSS +%ld KiB = %.0f bytes per request (token + idempotency entry)\n",
              static_cast<unsigned long long>(issued), 200'000, after - before,
              static_cast<double>(after - before) * 1024.0 / 200'000.0);
}

// Median, fastest and slowest of a set of rates.
struct Spread {
  double median = 0, low = 0, high = 0;
};
Spread spread_of(std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  const std::size_t mid = rates.size() / 2;
  const double median = rates.size() % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  return Spread{median, rates.front(), rates.back()};
}

// The worker decodes each request into a reused Request just before it
// applies it, so the core meets its input in cache. The recording is 2 M
// requests of ~400 bytes: applied straight from it, the core would also
// wait on memory streaming in the input (7-10% of the time, measured).
// So each run copies kBatch requests at a time into a reused buffer,
// outside the clock, and times applying them.
constexpr std::size_t kBatch = 256;  // ~100 KB: in the core's cache, beside the engine's state

// Applies `recording` with `apply(request)` in batches; the seconds spent
// applying, without the copies.
template <class Apply>
double seconds_applying(const std::vector<opd::Request>& recording, Apply&& apply) {
  std::vector<opd::Request> batch(kBatch);
  std::chrono::steady_clock::duration applying{};
  for (std::size_t from = 0; from < recording.size(); from += kBatch) {
    const std::size_t n = std::min(kBatch, recording.size() - from);
    std::copy_n(recording.begin() + static_cast<std::ptrdiff_t>(from), n, batch.begin());
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) apply(batch[i]);
    applying += std::chrono::steady_clock::now() - start;
  }
  return std::chrono::duration<double>(applying).count();
}

}  // namespace

int main(int argc, char** argv) {
  // 2 M requests of ~400 bytes each are recorded before the clock starts.
  const std::size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  // Each repetition applies the recording to fresh engines, once rendered
  // and once quietly, alternately: on a shared machine one run varies by
  // 10-20%, so the median of several is the figure to compare.
  const int repetitions = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const auto schedule = make_schedule();
  print_memory_per_request(schedule);
  const auto [recording, reference_dump] = opd::bench::record_workload(total);

  std::vector<double> in_place_rates, rendered_rates, quiet_rates, streamed_rates;
  std::uint64_t events = 0, preemptions = 0, rejected = 0, sink = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    events = preemptions = rejected = sink = 0;
    opd::Outcome outcome;  // reused, as the worker's loop did before it answered in place
    {
      // What the worker's loop runs: answers viewed in place, each read
      // as its encoder reads them at the least (workload.h's touch).
      opd::Engine timed(schedule);
      const double seconds = seconds_applying(recording, [&](const opd::Request& request) {
        sink += opd::bench::touch(timed.apply_in_place(request));
      });
      in_place_rates.push_back(static_cast<double>(total) / seconds / 1e6);
      if (timed.dump() != reference_dump) {
        std::fprintf(stderr, "reference and in-place engines diverged\n");
        return 1;
      }
    }
    {
      opd::Engine timed(schedule);
      const double seconds = seconds_applying(recording, [&](const opd::Request& request) {
        timed.apply(request, outcome);
        events += outcome.events.size();
        preemptions += outcome.result.status == opd::Status::kReallocated;
        rejected += outcome.result.status == opd::Status::kRejected;
        sink += outcome.result.token_number;
      });
      rendered_rates.push_back(static_cast<double>(total) / seconds / 1e6);
      if (timed.dump() != reference_dump) {
        std::fprintf(stderr, "reference and timed engines diverged\n");
        return 1;
      }
    }
    {
      // The same recording on another engine, state changes only: what
      // journal replay runs at start-up.
      opd::Engine quiet(schedule);
      const double seconds =
          seconds_applying(recording, [&quiet](const opd::Request& request) { quiet.apply_quietly(request); });
      quiet_rates.push_back(static_cast<double>(total) / seconds / 1e6);
      if (quiet.dump() != reference_dump) {
        std::fprintf(stderr, "reference and quiet engines diverged\n");
        return 1;
      }
    }
    {
      // Rendered again, straight from the recording, input streamed from
      // memory: how this bench measured before it copied in batches.
      opd::Engine streamed(schedule);
      const auto start = std::chrono::steady_clock::now();
      for (const auto& request : recording) streamed.apply(request, outcome);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      streamed_rates.push_back(static_cast<double>(total) / seconds / 1e6);
      if (streamed.dump() != reference_dump) {
        std::fprintf(stderr, "reference and streamed engines diverged\n");
        return 1;
      }
    }
  }
  const auto in_place = spread_of(in_place_rates);
  const auto rendered = spread_of(rendered_rates);
  const auto quietly = spread_of(quiet_rates);
  const auto streamed = spread_of(streamed_rates);
  std::printf("core, answers in place, read as the worker's encoder reads them (apply_in_place): %zu ops x %d runs: median %.2f M ops/s (%.2f-%.2f)\n",
              total, repetitions, in_place.median, in_place.low, in_place.high);
  std::printf("core, with results and events rendered as values (apply): median %.2f M ops/s (%.2f-%.2f) (%llu events, %llu preemptions, %llu rejected; sink %llu)\n",
              rendered.median, rendered.low, rendered.high,
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(preemptions),
              static_cast<unsigned long long>(rejected), static_cast<unsigned long long>(sink));
  std::printf("core, state changes only (apply_quietly, as journal replay): median %.2f M ops/s (%.2f-%.2f)\n",
              quietly.median, quietly.low, quietly.high);
  std::printf("core, rendered, input streamed from memory (the bench's method before batches): median %.2f M ops/s (%.2f-%.2f)\n",
              streamed.median, streamed.low, streamed.high);
  return 0;
}
