#include "producer/default_schedule.h"

#include <string>

namespace opd::producer {
namespace {

// `count` consecutive half-hour slots from `first` ("HH:MM"), ids
// "<doctor>-HHMM".
ScheduleDoctor doctor(const char* id, const char* first, int count, std::uint32_t capacity) {
  ScheduleDoctor d{.doctor_id = DoctorId::from_trusted(id)};
  const int start = ClockTime::parse(first).value().minutes();
  for (int k = 0; k < count; ++k) {
    const auto from = ClockTime::from_minutes(start + 30 * k).value();
    const auto to = ClockTime::from_minutes(start + 30 * (k + 1)).value();
    std::string hhmm = from.str();
    hhmm.erase(2, 1);
    d.slots.push_back(ScheduleSlot{.slot_id = SlotId::from_trusted(std::string(id) + "-" + hhmm),
                                   .start = from,
                                   .end = to,
                                   .capacity = capacity});
  }
  return d;
}

}  // namespace

Schedule default_schedule() {
  return Schedule{.doctors = {
                      doctor("GEN-1", "09:00", 8, 4),    // general medicine, 09:00-13:00
                      doctor("PED-1", "09:30", 6, 3),    // paediatrics, 09:30-12:30
                      doctor("ORTHO-1", "10:00", 8, 3),  // orthopaedics, 10:00-14:00
                      doctor("CARD-1", "14:00", 6, 2),   // cardiology, 14:00-17:00
                  }};
}

}  // namespace opd::producer
