// The built-in schedule opd-core-day runs when given none: four doctors with
// different hours, 6-8 half-hour slots each.
#pragma once

#include "opd/core/schedule.h"

namespace opd::producer {

[[nodiscard]] Schedule default_schedule();

}  // namespace opd::producer
