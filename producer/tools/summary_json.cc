#include "producer/tools/summary_json.h"

#include <fstream>
#include <iostream>

#include <cmath>

namespace opd::tools {
namespace {

// Seats held / capacity (SlotSummary::utilisation), null for a closed slot.
json utilisation(std::uint32_t seated, std::uint32_t capacity) {
  if (capacity == 0) return nullptr;
  // Four decimals: enough for a report, and stable text across runs.
  return std::round(static_cast<double>(seated) / static_cast<double>(capacity) * 10000.0) / 10000.0;
}

json time_or_null(const std::optional<ClockTime>& time) {
  if (!time) return nullptr;
  return time->str();
}

std::string describe(const Tally& t) {
  std::string text = "allocated " + std::to_string(t.allocated) + ", displaced " + std::to_string(t.displaced) +
                     ", moved_in " + std::to_string(t.moved_in) + ", waitlisted " + std::to_string(t.waitlisted) +
                     ", cancelled " + std::to_string(t.cancelled) + ", served " + std::to_string(t.served) +
                     ", no_shows " + std::to_string(t.no_shows) + ", rejected";
  for (int c = 1; c < kCodeCount; ++c) {
    const auto n = t.rejected[static_cast<std::size_t>(c)];
    if (n != 0) text += " " + std::string(to_string(static_cast<Code>(c))) + "=" + std::to_string(n);
  }
  return text;
}

void compare_tally(const std::string& where, const Tally& ours, const Tally& theirs,
                   std::vector<std::string>& problems) {
  if (ours == theirs) return;
  problems.push_back(where + ": summary has {" + describe(ours) + "}, worker has {" + describe(theirs) + "}");
}

bool is_empty(const DoctorReport& doctor) {
  return doctor.slots.empty() && doctor.total == Tally{} && doctor.waitlisted_at_close == 0;
}

}  // namespace

json tally_to_json(const Tally& t) {
  json rejected = json::object();
  for (int c = 1; c < kCodeCount; ++c) {
    const auto n = t.rejected[static_cast<std::size_t>(c)];
    if (n != 0) rejected[std::string(to_string(static_cast<Code>(c)))] = n;
  }
  return json{{"allocated", t.allocated},   {"displaced", t.displaced}, {"moved_in", t.moved_in},
              {"waitlisted", t.waitlisted}, {"cancelled", t.cancelled}, {"served", t.served},
              {"no_shows", t.no_shows},     {"rejected_total", t.rejected_total()},
              {"rejected", std::move(rejected)}};
}

json summary_to_json(const producer::DaySummary& day) {
  json doctors = json::array();
  for (const auto& d : day.doctors) {
    json slots = json::array();
    for (const auto& s : d.slots) {
      slots.push_back(json{{"slot_id", s.slot_id.str()},
                           {"start", time_or_null(s.start)},
                           {"end", time_or_null(s.end)},
                           {"capacity", s.capacity},
                           {"seated_at_close", s.seated_at_close},
                           {"utilisation", utilisation(s.seated_at_close, s.capacity)},
                           {"longest_wait", s.longest_wait},
                           {"tally", tally_to_json(s.tally)}});
    }
    doctors.push_back(json{{"doctor_id", d.doctor_id.str()},
                           {"tokens_issued", d.tokens_issued},
                           {"capacity", d.capacity},
                           {"seated_at_close", d.seated_at_close},
                           {"utilisation", utilisation(d.seated_at_close, d.capacity)},
                           {"waitlisted_at_close", d.waitlisted_at_close},
                           {"longest_wait", d.longest_wait},
                           {"total", tally_to_json(d.total)},
                           {"unplaced", tally_to_json(d.unplaced)},
                           {"slots", std::move(slots)}});
  }
  return json{{"date", day.date ? json(day.date->str()) : json(nullptr)},
              {"requests", day.requests},
              {"rejected", day.rejected},
              {"duplicates", day.duplicates},
              {"doctors", std::move(doctors)},
              {"unattributed", tally_to_json(day.unattributed)}};
}

std::vector<std::string> compare_with_report(const producer::DaySummary& summary, const DayReport& report) {
  std::vector<std::string> problems;
  std::size_t at = 0;  // next report doctor to look at
  for (const auto& ours : summary.doctors) {
    while (at < report.doctors.size() && report.doctors[at].doctor_id != ours.doctor_id &&
           is_empty(report.doctors[at]))
      ++at;
    if (at >= report.doctors.size() || report.doctors[at].doctor_id != ours.doctor_id) {
      problems.push_back("doctor " + ours.doctor_id.str() + " is not in the worker's report (in this order)");
      continue;
    }
    const DoctorReport& theirs = report.doctors[at++];
    const std::string doctor = "doctor " + ours.doctor_id.str();
    if (ours.slots.size() != theirs.slots.size()) {
      problems.push_back(doctor + ": summary has " + std::to_string(ours.slots.size()) + " slots, worker has " +
                         std::to_string(theirs.slots.size()));
    } else {
      for (std::size_t i = 0; i < ours.slots.size(); ++i) {
        const auto& a = ours.slots[i];
        const auto& b = theirs.slots[i];
        const std::string slot = doctor + " slot " + a.slot_id.str();
        if (a.slot_id != b.slot_id) {
          problems.push_back(doctor + ": slot #" + std::to_string(i) + " is " + a.slot_id.str() +
                             " in the summary, " + b.slot_id.str() + " at the worker");
          continue;
        }
        if (a.capacity != b.capacity)
          problems.push_back(slot + ": capacity " + std::to_string(a.capacity) + " vs the worker's " +
                             std::to_string(b.capacity));
        compare_tally(slot, a.tally, b.tally, problems);
      }
    }
    compare_tally(doctor + " (no slot)", ours.unplaced, theirs.unplaced, problems);
    compare_tally(doctor + " total", ours.total, theirs.total, problems);
    if (ours.waitlisted_at_close != theirs.waitlisted_at_close)
      problems.push_back(doctor + ": " + std::to_string(ours.waitlisted_at_close) +
                         " waitlisted at close vs the worker's " + std::to_string(theirs.waitlisted_at_close));
  }
  for (; at < report.doctors.size(); ++at)
    if (!is_empty(report.doctors[at]))
      problems.push_back("the worker reports doctor " + report.doctors[at].doctor_id.str() +
                         " with slots or counts the summary does not have");
  compare_tally("rejections with no known doctor", summary.unattributed, report.unattributed, problems);
  if (summary.date != report.date)
    problems.push_back("the worker's day is " + (report.date ? report.date->str() : std::string("(first day)")) +
                       ", the summary's " + (summary.date ? summary.date->str() : std::string("(first day)")));
  return problems;
}

bool write_json_output(const json& out, const std::string& target, std::string_view command) {
  if (target == "-") {
    std::cout << out.dump(2) << "\n";
    return true;
  }
  std::ofstream file(target);
  file << out.dump(2) << "\n";
  if (!file) std::cerr << command << ": cannot write " << target << "\n";
  return static_cast<bool>(file);
}

}  // namespace opd::tools
