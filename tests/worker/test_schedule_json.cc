// Schedules from JSON: the embedded default, the example file, and errors
// that name the origin, the line and the field.
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/schedule_json.h"

namespace opd::worker {
namespace {

std::string error_of(std::string_view text) {
  const auto load = parse_schedule_json(text, "day.json");
  CHECK_FALSE(load.schedule);
  return load.error;
}

TEST_CASE("the embedded default schedule is deploy/schedule.example.json and loads", "[worker][schedule]") {
  std::ifstream in(OPD_EXAMPLE_SCHEDULE, std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  REQUIRE_FALSE(on_disk.empty());
  CHECK(default_schedule_json() == on_disk);

  const auto load = parse_schedule_json(default_schedule_json(), kDefaultScheduleOrigin);
  INFO(load.error);
  REQUIRE(load.schedule);
  CHECK(load.schedule->validate().empty());
  CHECK(load.schedule->doctors.size() >= 2);
  CHECK(load_schedule_file(OPD_EXAMPLE_SCHEDULE).schedule);
}

TEST_CASE("a schedule is read field by field", "[worker][schedule]") {
  const auto load = parse_schedule_json(R"({
    "description": "two doctors",
    "doctors": [
      {"doctor_id": "D1", "slots": [
        {"slot_id": "S1", "start": "09:00", "end": "10:00", "capacity": 3},
        {"slot_id": "S2", "capacity": 0}]},
      {"doctor_id": "D2", "slots": []}]})",
                                        "x");
  INFO(load.error);
  REQUIRE(load.schedule);
  const auto& doctors = load.schedule->doctors;
  REQUIRE(doctors.size() == 2);
  CHECK(doctors[0].doctor_id.str() == "D1");
  REQUIRE(doctors[0].slots.size() == 2);
  CHECK(doctors[0].slots[0].slot_id.str() == "S1");
  CHECK(doctors[0].slots[0].start->str() == "09:00");
  CHECK(doctors[0].slots[0].end->str() == "10:00");
  CHECK(doctors[0].slots[0].capacity == 3);
  CHECK_FALSE(doctors[0].slots[1].start);
  CHECK(doctors[0].slots[1].capacity == 0);
  CHECK(doctors[1].slots.empty());
}

TEST_CASE("schedule errors name the origin, the line and the field", "[worker][schedule]") {
  CHECK(error_of("{\"doctors\": [\n  {\"doctor_id\": \"D1\", \"slots\": [\n    {\"slot_id\": \"S1\", \"capacity\": -3}]}]}") ==
        "day.json:3: doctors[0].slots[0].capacity: must be a whole number from 0 to 1000, got -3");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\", \"slots\": [\n{\"slot_id\": \"S1\", \"capacity\": 2.5}]}]}") ==
        "day.json:3: doctors[0].slots[0].capacity: must be a whole number from 0 to 1000, got 2.5");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\", \"slots\": [\n{\"slot_id\": \"S1\", \"capacity\": 1001}]}]}") ==
        "day.json:3: doctors[0].slots[0].capacity: must be a whole number from 0 to 1000, got 1001");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D 1\", \"slots\": []}]}") ==
        "day.json:2: doctors[0].doctor_id: 'D 1' breaks the id rule (1-64 characters of A-Z a-z 0-9 . _ : -)");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\", \"slots\": [\n{\"slot_id\": \"S1\",\n\"capcity\": 3}]}]}") ==
        "day.json:4: doctors[0].slots[0].capcity: unknown key (expected 'slot_id', 'start', 'end', 'capacity')");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\", \"slots\": [\n{\"slot_id\": \"S1\"}]}]}") ==
        "day.json:3: doctors[0].slots[0]: missing key 'capacity'");
  CHECK(error_of("{\"doctors\": [{\"doctor_id\": \"D1\", \"slots\": [{\"slot_id\": \"S1\", \"capacity\": 1, \"start\": \"9am\"}]}]}") ==
        "day.json:1: doctors[0].slots[0].start: must be a time \"HH:MM\" (00:00 to 23:59)");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\", \"slots\": [\n{\"slot_id\": \"S1\", \"capacity\": 1},\n{\"slot_id\": \"S1\", \"capacity\": 1}]}]}") ==
        "day.json:4: doctors[0].slots[1]: duplicate slot_id 'S1'");
  CHECK(error_of("{\"doctors\": [\n{\"doctor_id\": \"D1\",\n \"doctor_id\": \"D2\", \"slots\": []}]}") ==
        "day.json:3: doctors[0].doctor_id: duplicate key 'doctor_id'");
  CHECK(error_of("{\"doctors\": {}}") == "day.json:1: doctors: must be an array");
  CHECK(error_of("[]") == "day.json:1: the schedule must be a JSON object with a 'doctors' array");
  CHECK(error_of("{}") == "day.json:1: missing key 'doctors'");
  CHECK(error_of("{\"doctors\": [],\n \"extra\": 1}") == "day.json:2: extra: unknown key (expected 'description', 'doctors')");
}

TEST_CASE("JSON syntax errors give line and column", "[worker][schedule]") {
  const std::string error = error_of("{\"doctors\": [\n  {\"doctor_id\": \"D1\",, }]}");
  CHECK_THAT(error, Catch::StartsWith("day.json:2:"));
  CHECK_THAT(error, Catch::Contains("invalid JSON"));
  CHECK_THAT(error_of(""), Catch::StartsWith("day.json:1:1: invalid JSON"));
}

TEST_CASE("an unreadable schedule file is named with the system's reason", "[worker][schedule]") {
  test::TempDir dir;
  const auto missing = load_schedule_file(dir.path() + "/none.json");
  CHECK_FALSE(missing.schedule);
  CHECK(missing.error == "cannot read schedule file '" + dir.path() + "/none.json': No such file or directory");
  const auto directory = load_schedule_file(dir.path());
  CHECK(directory.error == "cannot read schedule file '" + dir.path() + "': Is a directory");
}

}  // namespace
}  // namespace opd::worker
