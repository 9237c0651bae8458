// The simulated day's report for machines (opd-producer simulate --json),
// and the cross-check of that report against the worker's own totals.
#pragma once

#include <string>
#include <vector>

#include "opd/core/outcome.h"
#include "producer/day_report.h"
#include "producer/tools/wire.h"

namespace opd::tools {

// The same content as format_summary(): per doctor and per slot, every
// counter, rejections by code, utilisation and the longest wait in tokens.
[[nodiscard]] json summary_to_json(const producer::DaySummary& summary);

// Writes `out` (indented) to `target`, or to stdout when target is "-".
// False after printing "<command>: cannot write <target>" to stderr.
[[nodiscard]] bool write_json_output(const json& out, const std::string& target, std::string_view command);
[[nodiscard]] json tally_to_json(const Tally& tally);

// One message per disagreement between the client-side summary (rebuilt
// from results and board events) and the worker's report query: slot order,
// capacities, every counter, waitlists, unattributed rejections. Doctors the
// worker knows but the summary does not (created by other clients on an
// earlier day) are ignored while they have no slots and no counts.
[[nodiscard]] std::vector<std::string> compare_with_report(const producer::DaySummary& summary,
                                                           const DayReport& report);

}  // namespace opd::tools
