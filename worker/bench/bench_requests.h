// The workload both worker benchmarks send: 100 doctors x 8 slots and a
// realistic request mix, packed as a kiosk would. One definition, so the
// codec bench's figures describe the frames the end-to-end bench sends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "opd/core/schedule.h"

namespace opd::bench {

inline constexpr int kDoctors = 100;
inline constexpr int kSlotsPerDoctor = 8;
inline constexpr std::uint32_t kCapacity = 20;
inline constexpr std::uint64_t kRequestsPerDay = 40'000;

[[nodiscard]] opd::Schedule make_schedule();

// Allocations with preemption, cancels, call_next, complete / no_show and
// a new day every kRequestsPerDay, with token ids a reference engine really
// issued; each a MessagePack request frame.
[[nodiscard]] std::vector<std::string> make_requests(std::uint64_t total);

}  // namespace opd::bench
