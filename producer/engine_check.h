// Cross-checks a client-side DaySummary against the engine's own view of
// the day. The summary is rebuilt only from results and board events, so
// agreement shows that the events tell a display the whole story.
#pragma once

#include <string>
#include <vector>

#include "opd/core/engine.h"
#include "producer/day_report.h"

namespace opd::producer {

// One message per disagreement (slot order, capacities, every Tally
// counter, seats held, waitlist sizes, unattributed rejections); empty
// when the summary matches Engine::totals() and Engine::board().
[[nodiscard]] std::vector<std::string> compare_with_engine(const DaySummary& summary, const Engine& engine);

}  // namespace opd::producer
