// The schedule: validation and how the engine lays out a day from it.
#include <stdexcept>
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::sched_doctor;
using test::sched_slot;

TEST_CASE("a well-formed schedule validates", "[schedule]") {
  CHECK(test::three_slot_schedule(2, 2, 2).validate().empty());
  CHECK(Schedule{}.validate().empty());
}

TEST_CASE("schedule validation names the first problem", "[schedule]") {
  Schedule s;
  SECTION("duplicate doctor") {
    s.doctors = {sched_doctor("D1", {}), sched_doctor("D1", {})};
    CHECK_THAT(s.validate(), Catch::Contains("D1"));
  }
  SECTION("duplicate slot id, even across doctors") {
    s.doctors = {sched_doctor("D1", {sched_slot("S1", "09:00", 1)}),
                 sched_doctor("D2", {sched_slot("S1", "10:00", 1)})};
    CHECK_THAT(s.validate(), Catch::Contains("S1"));
  }
  SECTION("capacity above the maximum") {
    s.doctors = {sched_doctor("D1", {sched_slot("S1", "09:00", kMaxSlotCapacity + 1)})};
    CHECK_THAT(s.validate(), Catch::Contains("capacity"));
  }
  SECTION("the reserved WAITLIST slot id") {
    s.doctors = {sched_doctor("D1", {sched_slot("WAITLIST", "09:00", 1)})};
    CHECK_THAT(s.validate(), Catch::Contains("WAITLIST"));
  }
  SECTION("start not before end") {
    auto bad = sched_slot("S1", "09:00", 1);
    bad.end = test::at("09:00");
    s.doctors = {sched_doctor("D1", {bad})};
    CHECK_FALSE(s.validate().empty());
  }
  SECTION("end without start") {
    auto bad = sched_slot("S1", "", 1);
    bad.end = test::at("10:00");
    s.doctors = {sched_doctor("D1", {bad})};
    CHECK_FALSE(s.validate().empty());
  }
  CHECK_THROWS_AS(Engine(s), std::invalid_argument);
}

TEST_CASE("the engine lays out the schedule's doctors and slots", "[schedule]") {
  Schedule s;
  // Declared out of order on purpose: the board orders by start time, and
  // untimed slots come after the timed ones in creation order.
  s.doctors = {sched_doctor("D1", {sched_slot("U1", "", 1), sched_slot("LATE", "14:00", 2),
                                   sched_slot("EARLY", "08:30", 3), sched_slot("U2", "", 4),
                                   sched_slot("MID", "11:00", 0)}),
               sched_doctor("D2", {})};
  test::Harness h(s);
  std::vector<std::string> doctors;
  for (const auto& d : h.engine.doctors()) doctors.push_back(d.str());
  CHECK(doctors == std::vector<std::string>{"D1", "D2"});

  const auto board = h.board("D1");
  CHECK(board.doctor_id == test::doc("D1"));
  CHECK(board.version == 0);
  CHECK(board.waitlist.empty());
  CHECK_FALSE(board.now_serving.has_value());
  CHECK(h.slot_order("D1") == std::vector<std::string>{"EARLY", "MID", "LATE", "U1", "U2"});
  REQUIRE(board.slots.size() == 5);
  CHECK(board.slots[0].capacity == 3);
  CHECK(board.slots[0].start == test::at("08:30"));
  CHECK(board.slots[0].end == test::at("09:30"));
  CHECK(board.slots[1].capacity == 0);
  CHECK(board.slots[3].capacity == 1);
  CHECK_FALSE(board.slots[3].start.has_value());
  for (const auto& slot : board.slots) CHECK(slot.tokens.empty());

  CHECK(h.board("D2").slots.empty());
  CHECK_FALSE(h.engine.board(test::doc("D3")).has_value());
  CHECK_FALSE(h.engine.current_date().has_value());
}

TEST_CASE("allocation follows the slot order, not the declaration order", "[schedule]") {
  Schedule s;
  s.doctors = {sched_doctor("D1", {sched_slot("U1", "", 1), sched_slot("LATE", "14:00", 1),
                                   sched_slot("EARLY", "08:30", 1)})};
  test::Harness h(s);
  std::vector<std::string> slots;
  for (int i = 0; i < 3; ++i) {
    const auto out = h.allocate("D1", std::nullopt, Source::kWalkIn);
    REQUIRE(out.result.slot_id.has_value());
    slots.push_back(out.result.slot_id->str());
  }
  CHECK(slots == std::vector<std::string>{"EARLY", "LATE", "U1"});
}

}  // namespace
}  // namespace opd
