// Instruction and branch-misprediction counts of the core on the bench's
// workload, for valgrind's callgrind, whose counts are deterministic where
// timings on a shared machine vary by 10-25% from run to run:
//
//   valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file=/dev/null
//       --toggle-collect='*run_apply*' ./build/release/bench/opd_core_counts 400000
//
// ('*run_in_place*' for apply_in_place, read as bench/workload.h's touch
// reads it, '*run_quiet*' for apply_quietly; the leading * matches the anonymous
// namespace in the demangled name). Divide callgrind's "Collected" figures
// (instructions, conditional branches, their mispredictions, indirect
// branches, their mispredictions) by the request count. Only the named
// function is counted: recording the workload and checking the final
// state are not.
#include <cstdio>
#include <cstdlib>

#include "bench_schedule.h"
#include "opd/core/engine.h"
#include "workload.h"

namespace {

// Not inlined, so that callgrind can count exactly these calls.
[[gnu::noinline]] std::uint64_t run_apply(opd::Engine& engine, const std::vector<opd::Request>& requests) {
  opd::Outcome outcome;
  std::uint64_t events = 0;
  for (const auto& request : requests) {
    engine.apply(request, outcome);
    events += outcome.events.size();
  }
  return events;
}

[[gnu::noinline]] std::uint64_t run_in_place(opd::Engine& engine, const std::vector<opd::Request>& requests) {
  std::uint64_t sink = 0;
  for (const auto& request : requests) sink += opd::bench::touch(engine.apply_in_place(request));
  return sink;
}

[[gnu::noinline]] void run_quiet(opd::Engine& engine, const std::vector<opd::Request>& requests) {
  for (const auto& request : requests) engine.apply_quietly(request);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 400'000;
  const auto recording = opd::bench::record_workload(total);
  opd::Engine rendered(opd::bench::make_schedule());
  const auto events = run_apply(rendered, recording.requests);
  opd::Engine in_place(opd::bench::make_schedule());
  const auto sink = run_in_place(in_place, recording.requests);
  opd::Engine quiet(opd::bench::make_schedule());
  run_quiet(quiet, recording.requests);
  if (rendered.dump() != recording.final_dump || in_place.dump() != recording.final_dump ||
      quiet.dump() != recording.final_dump || sink == 0) {
    std::fprintf(stderr, "the engines diverged from the recording\n");
    return 1;
  }
  std::printf("%zu requests applied, rendered (%llu events), in place and quietly\n", total,
              static_cast<unsigned long long>(events));
  return 0;
}
