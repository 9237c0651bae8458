// One line of text per applied request, for following a simulated day on a
// terminal: when, what was asked, what came of it, and the moves it caused.
#pragma once

#include <string>

#include "opd/core/outcome.h"
#include "opd/core/request.h"

namespace opd::producer {

// "HH:MM" for minutes since midnight (hours past 23 are kept, not wrapped).
[[nodiscard]] std::string clock_text(int minute);

// The request and its outcome, e.g.
//   09:42  allocate EMERGENCY GEN-1 @GEN-1-0930  REALLOCATED T31 #31 GEN-1-0930, 0 ahead
//          . T12 #12 WALK_IN moved GEN-1-0930 -> GEN-1-1000
// Lines after the first (one per move, waitlisting or slot change) start
// with spaces. Ends with a newline.
[[nodiscard]] std::string narrate(int minute, const Request& request, const Outcome& outcome);

}  // namespace opd::producer
