// The workload both worker benchmarks send: the benchmarks' schedule and a
// realistic request mix, packed as a kiosk would. One definition, so the
// codec bench's figures describe the frames the end-to-end bench sends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench_schedule.h"  // bench/: the schedule and day size

namespace opd::bench {

// Allocations with preemption, cancels, call_next, complete / no_show and
// a new day every kRequestsPerDay, with token ids a reference engine really
// issued; each a MessagePack request frame.
[[nodiscard]] std::vector<std::string> make_requests(std::uint64_t total);

}  // namespace opd::bench
