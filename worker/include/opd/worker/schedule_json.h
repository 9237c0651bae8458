// The service day's template as JSON: the --schedule file and the embedded
// default (deploy/schedule.example.json). Format, in docs/protocol.md:
//
//   {"description": "optional text",
//    "doctors": [{"doctor_id": "D1",
//                 "slots": [{"slot_id": "D1-0900", "start": "09:00",
//                            "end": "10:00", "capacity": 10}]}]}
//
// Loading is strict: an unknown key, a duplicate key, a wrong type or a
// schedule the core would refuse is an error naming the origin, the line and
// the field ("schedule.json:14: doctors[0].slots[1].capacity: ..."), so an
// operator's typo stops the worker instead of silently opening a wrong day.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "opd/core/schedule.h"

namespace opd::worker {

struct ScheduleLoad {
  std::optional<Schedule> schedule;  // set on success; passes Schedule::validate()
  std::string error;                 // set on failure: one line, origin first
};

// `origin` names the text in error messages (usually the file name).
[[nodiscard]] ScheduleLoad parse_schedule_json(std::string_view text, std::string_view origin);

[[nodiscard]] ScheduleLoad load_schedule_file(const std::string& path);

// deploy/schedule.example.json as it was at build time.
[[nodiscard]] std::string_view default_schedule_json() noexcept;
inline constexpr std::string_view kDefaultScheduleOrigin = "<embedded deploy/schedule.example.json>";

}  // namespace opd::worker
