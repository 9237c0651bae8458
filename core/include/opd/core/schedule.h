// The service day's template: which doctors work which slots. Every
// open_day starts the board afresh from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "opd/core/domain.h"
#include "opd/core/ids.h"

namespace opd {

struct ScheduleSlot {
  SlotId slot_id;
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  std::uint32_t capacity = 0;
};

struct ScheduleDoctor {
  DoctorId doctor_id;
  std::vector<ScheduleSlot> slots;
};

struct Schedule {
  std::vector<ScheduleDoctor> doctors;

  // Empty when the schedule is usable; otherwise one message naming the
  // first problem ("doctors[1].slots[0]: duplicate slot_id 'S1'").
  [[nodiscard]] std::string validate() const;
};

}  // namespace opd
