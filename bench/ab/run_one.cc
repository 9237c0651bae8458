// One side of scripts/core_ab.sh: compiled once per core tree, with the
// macros OPD_AB_NAMESPACE (a name for `opd`, so that two cores link into
// one binary) and OPD_AB_RUN (this side's entry point). Not part of the
// CMake build.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "workload.h"

namespace {
std::unique_ptr<opd::bench::Recording> recording;
std::uint64_t sink = 0;  // what mode 2 read, kept so the reads stay
}

// Nanoseconds per request for one run of `total` requests of the bench's
// mix on a fresh engine, rendered (mode 0), quietly (mode 1) or in place
// (mode 2: both sides need Engine::apply_in_place); -1 if the engine broke
// an invariant or ended in another state than the recording's. As in the
// bench, the input is copied into a reused buffer 256 requests at a time,
// outside the clock.
extern "C" double OPD_AB_RUN(int mode, std::size_t total) {
  if (!recording) recording = std::make_unique<opd::bench::Recording>(opd::bench::record_workload(total));
  const auto& requests = recording->requests;
  opd::Engine engine(opd::bench::make_schedule());
  opd::Outcome outcome;
  std::vector<opd::Request> batch(256);
  std::chrono::steady_clock::duration applying{};
  for (std::size_t from = 0; from < requests.size(); from += batch.size()) {
    const std::size_t n = std::min(batch.size(), requests.size() - from);
    std::copy_n(requests.begin() + static_cast<std::ptrdiff_t>(from), n, batch.begin());
    const auto start = std::chrono::steady_clock::now();
    if (mode == 0) {
      for (std::size_t i = 0; i < n; ++i) engine.apply(batch[i], outcome);
    } else if (mode == 2) {
      for (std::size_t i = 0; i < n; ++i) sink += opd::bench::touch(engine.apply_in_place(batch[i]));
    } else {
      for (std::size_t i = 0; i < n; ++i) engine.apply_quietly(batch[i]);
    }
    applying += std::chrono::steady_clock::now() - start;
    // The invariants too, now and then mid-day, outside the clock: the
    // dump leaves out derived state (the slot summaries), and the day's
    // last request opens a new day, which rebuilds it. A core that got
    // it wrong ran 1.16x "faster" and still ended with the recording's dump.
    if ((from / batch.size()) % 64 == 63 && !engine.check_invariants().empty()) return -1;
  }
  if (engine.dump() != recording->final_dump || (mode == 2 && sink == 0)) return -1;
  return std::chrono::duration<double>(applying).count() * 1e9 / static_cast<double>(requests.size());
}
