#include "opd/core/schedule.h"

#include <string>
#include <unordered_set>

#include "opd/core/request.h"

namespace opd {

std::string Schedule::validate() const {
  std::unordered_set<std::string_view> doctor_ids;
  std::unordered_set<std::string_view> slot_ids;
  for (std::size_t d = 0; d < doctors.size(); ++d) {
    const auto& doctor = doctors[d];
    const std::string where = "doctors[" + std::to_string(d) + "]";
    if (!doctor_ids.insert(doctor.doctor_id.view()).second)
      return where + ": duplicate doctor_id '" + doctor.doctor_id.str() + "'";
    for (std::size_t s = 0; s < doctor.slots.size(); ++s) {
      const auto& slot = doctor.slots[s];
      const std::string slot_where = where + ".slots[" + std::to_string(s) + "]";
      if (slot.slot_id.view() == kWaitlistName)
        return slot_where + ": slot_id 'WAITLIST' is reserved";
      if (!slot_ids.insert(slot.slot_id.view()).second)
        return slot_where + ": duplicate slot_id '" + slot.slot_id.str() + "'";
      if (slot.capacity > kMaxSlotCapacity)
        return slot_where + ": capacity " + std::to_string(slot.capacity) + " exceeds the maximum " +
               std::to_string(kMaxSlotCapacity);
      if (slot.start && slot.end && !(*slot.start < *slot.end))
        return slot_where + ": start " + slot.start->str() + " is not before end " + slot.end->str();
      if (!slot.start && slot.end) return slot_where + ": end given without start";
    }
  }
  return {};
}

}  // namespace opd
