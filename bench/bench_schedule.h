// The day every benchmark runs: 100 doctors x 8 hourly slots of 20 seats,
// and how many requests make one day. One definition, so the core bench
// and the worker benches measure the same OPD.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "opd/core/schedule.h"

namespace opd::bench {

inline constexpr int kDoctors = 100;
inline constexpr int kSlotsPerDoctor = 8;
inline constexpr std::uint32_t kCapacity = 20;
// About 1.5 allocation attempts per seat per day, as in a busy OPD.
inline constexpr std::uint64_t kRequestsPerDay = 40'000;

[[nodiscard]] inline opd::Schedule make_schedule() {
  opd::Schedule schedule;
  for (int d = 0; d < kDoctors; ++d) {
    opd::ScheduleDoctor doctor{.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(d))};
    for (int s = 0; s < kSlotsPerDoctor; ++s)
      doctor.slots.push_back(opd::ScheduleSlot{
          .slot_id = opd::SlotId::from_trusted("D" + std::to_string(d) + "-S" + std::to_string(s)),
          .start = opd::ClockTime::from_minutes((9 + s) * 60),
          .end = opd::ClockTime::from_minutes((10 + s) * 60),
          .capacity = kCapacity});
    schedule.doctors.push_back(std::move(doctor));
  }
  return schedule;
}

}  // namespace opd::bench
