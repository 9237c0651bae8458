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

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

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

// What an engine on `schedule` grew the RSS by, measured while it holds
// 200,000 allocations without a slot: one doctor after another, each
// doctor's source the next of the five on each round (so on a full day
// higher priorities displace lower ones), request ids "m0" to "m199999".
struct Filled {
  long rss_growth_kib = 0;
  std::uint64_t requests = 0, issued = 0;
};
Filled fill(const opd::Schedule& schedule) {
  Filled f;
  opd::Outcome outcome;
  const long before = rss_kib();
  opd::Engine engine(schedule);
  for (; f.requests < 200'000; ++f.requests) {
    opd::Request r;
    r.request_id = opd::RequestId::from_trusted("m" + std::to_string(f.requests));
    r.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(f.requests % kDoctors));
    r.source = static_cast<opd::Source>((f.requests / kDoctors) % 5);
    engine.apply(r, outcome);
    f.issued += outcome.result.status == opd::Status::kAllocated ||
                outcome.result.status == opd::Status::kReallocated;
  }
  f.rss_growth_kib = rss_kib() - before;
  return f;
}

// Memory, each figure measured in a child process of its own, forked
// before anything but the schedule was built, so that it leaves nothing
// behind (the timed engines' allocator starts as if it had not run):
// - per live token: the bench's OPD with room for every request (250
//   seats a slot, 200,000 in all), so each allocation issues a token and
//   keeps it; the growth over the tokens, each with its seat, its id text
//   and its request's idempotency entry (no token exists without one);
// - per request of an overfull day: the bench's OPD as it is (16,000
//   seats), where most of the 200,000 allocations are turned away and
//   some displace a token: the growth over the requests, mostly their
//   idempotency entries (each keeps its id's text: longer ids than these
//   cost their extra characters).
// glibc raises its mmap threshold each time a mapped block is freed, so
// that later buffers of up to that size come from the heap, whose freed
// parts stay in the RSS: a vector's discarded buffers would count as the
// engine's. The child fixes the threshold at 128 KiB, so discarded buffers
// at least that big leave the RSS (smaller ones still count): the growth
// is close to what the engine holds. A worker under glibc's default keeps
// more RSS than that (see README.md, Performance).
template <class Measure>
void in_child(Measure&& measure) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (child == 0) {
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    const int status = measure();
    std::fflush(stdout);
    _exit(status);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "memory measurement failed\n");
    std::exit(1);
  }
}

void print_memory(const opd::Schedule& schedule) {
  in_child([&] {
    opd::Schedule roomy = schedule;
    for (auto& doctor : roomy.doctors)
      for (auto& slot : doctor.slots) slot.capacity = 250;
    const Filled live = fill(roomy);
    if (live.issued != live.requests) {
      std::fprintf(stderr, "memory per live token: %llu of %llu requests issued a token\n",
                   static_cast<unsigned long long>(live.issued), static_cast<unsigned long long>(live.requests));
      return 1;
    }
    std::printf("memory: %llu live tokens: RSS +%ld KiB = %.0f bytes per live token (record, seat, id text, its request's idempotency entry)\n",
                static_cast<unsigned long long>(live.issued), live.rss_growth_kib,
                static_cast<double>(live.rss_growth_kib) * 1024.0 / static_cast<double>(live.issued));
    return 0;
  });
  in_child([&] {
    const Filled busy = fill(schedule);
    std::printf("memory: %llu requests of an overfull day, %llu tokens issued: RSS +%ld KiB = %.0f bytes per request\n",
                static_cast<unsigned long long>(busy.requests), static_cast<unsigned long long>(busy.issued),
                busy.rss_growth_kib,
                static_cast<double>(busy.rss_growth_kib) * 1024.0 / static_cast<double>(busy.requests));
    return 0;
  });
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
  print_memory(schedule);
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
