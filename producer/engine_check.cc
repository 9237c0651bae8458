#include "producer/engine_check.h"

#include <cstddef>
#include <string>

namespace opd::producer {
namespace {

std::string tally_text(const Tally& t) {
  std::string text = "alloc " + std::to_string(t.allocated) + " displ " + std::to_string(t.displaced) +
                     " moved " + std::to_string(t.moved_in) + " waitl " + std::to_string(t.waitlisted) +
                     " cancel " + std::to_string(t.cancelled) + " served " + std::to_string(t.served) +
                     " noshow " + std::to_string(t.no_shows) + " rejected";
  for (std::size_t code = 0; code < t.rejected.size(); ++code)
    if (t.rejected[code] > 0)
      text += " " + std::string(to_string(static_cast<Code>(code))) + ":" + std::to_string(t.rejected[code]);
  return text;
}

void compare_tally(const std::string& where, const Tally& ours, const Tally& engine,
                   std::vector<std::string>& problems) {
  if (ours != engine)
    problems.push_back(where + ": summary {" + tally_text(ours) + "} but engine {" + tally_text(engine) + "}");
}

}  // namespace

std::vector<std::string> compare_with_engine(const DaySummary& summary, const Engine& engine) {
  std::vector<std::string> problems;
  const DayReport report = engine.totals();
  compare_tally("unattributed", summary.unattributed, report.unattributed, problems);
  if (summary.doctors.size() != report.doctors.size()) {
    problems.push_back("summary has " + std::to_string(summary.doctors.size()) + " doctors, engine " +
                       std::to_string(report.doctors.size()));
    return problems;
  }
  for (std::size_t d = 0; d < report.doctors.size(); ++d) {
    const DoctorSummary& ours = summary.doctors[d];
    const DoctorReport& theirs = report.doctors[d];
    const std::string where = "doctor " + theirs.doctor_id.str();
    if (ours.doctor_id != theirs.doctor_id) {
      problems.push_back("doctor #" + std::to_string(d) + ": summary " + ours.doctor_id.str() + ", engine " +
                         theirs.doctor_id.str());
      continue;
    }
    compare_tally(where + " unplaced", ours.unplaced, theirs.unplaced, problems);
    compare_tally(where + " total", ours.total, theirs.total, problems);
    if (ours.waitlisted_at_close != theirs.waitlisted_at_close)
      problems.push_back(where + ": waitlisted at close " + std::to_string(ours.waitlisted_at_close) +
                         ", engine " + std::to_string(theirs.waitlisted_at_close));
    const auto board = engine.board(theirs.doctor_id);
    if (!board || board->slots.size() != theirs.slots.size() || ours.slots.size() != theirs.slots.size()) {
      problems.push_back(where + ": slot lists differ in length");
      continue;
    }
    for (std::size_t s = 0; s < theirs.slots.size(); ++s) {
      const SlotSummary& slot = ours.slots[s];
      const SlotReport& expected = theirs.slots[s];
      const std::string at = where + " slot #" + std::to_string(s) + " " + expected.slot_id.str();
      if (slot.slot_id != expected.slot_id) {
        problems.push_back(at + ": summary has " + slot.slot_id.str() + " in this place");
        continue;
      }
      if (slot.capacity != expected.capacity)
        problems.push_back(at + ": capacity " + std::to_string(slot.capacity) + ", engine " +
                           std::to_string(expected.capacity));
      compare_tally(at, slot.tally, expected.tally, problems);
      const auto held = board->slots[s].tokens.size();
      if (slot.seated_at_close != held)
        problems.push_back(at + ": " + std::to_string(slot.seated_at_close) + " seats held, board shows " +
                           std::to_string(held));
    }
  }
  return problems;
}

}  // namespace opd::producer
