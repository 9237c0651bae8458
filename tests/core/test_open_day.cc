// open_day: a new service day from the schedule, and the closed day's report.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

std::size_t code_index(Code c) { return static_cast<std::size_t>(c); }

// D1: S1 (09:00, 1 seat), S2 (10:00, 1 seat), S3 (11:00, closed); D2: T1 (1 seat).
Schedule report_schedule() { return test::three_slot_schedule(1, 1, 0); }

// A day with every counter exercised at least once. The comments give the
// counter each step moves.
struct BusyDay {
  Harness h{report_schedule()};
  TokenId a, b, e, f, g, x;

  BusyDay()
      : a(h.seat("D1", "S1", Source::kWalkIn)),   // S1 allocated 1
        b(h.seat("D1", "S2", Source::kWalkIn)),   // S2 allocated 1
        e(h.seat("D1", "S1", Source::kPaid)),     // S1 allocated 2, displaced 1, waitlisted 1 (a)
        f(test::tok("unset-f")),
        g(test::tok("unset-g")),
        x(test::tok("unset-x")) {
    REQUIRE(h.state(a) == TokenState::kWaitlisted);
    test::require_rejected(h.allocate("D1", "S1", Source::kWalkIn), Code::kLowerPriority);        // S1
    test::require_rejected(h.allocate("D1", "S1", Source::kWalkIn, 5), Code::kCapacityMismatch);  // S1
    REQUIRE(h.call("D1") == e);
    REQUIRE(h.complete(e).result.ok());      // S1 served 1
    REQUIRE(h.call("D1") == b);
    REQUIRE(h.no_show(b).result.ok());       // S2 no_shows 1
    REQUIRE(h.set_capacity("D1", "S2", 2).events.size() == 2);  // S2 moved_in 1 (a)
    REQUIRE(h.status(a).slot_id == test::slot("S2"));
    REQUIRE(h.cancel(a).result.ok());        // S2 cancelled 1
    f = h.seat("D1", "S2", Source::kOnline); // S2 allocated 2
    g = h.seat("D1", "S2", Source::kEmergency);  // S2 allocated 3, displaced 1, waitlisted 1 (f)
    REQUIRE(h.state(f) == TokenState::kWaitlisted);
    test::require_rejected(h.allocate("D1", "NOPE", Source::kWalkIn), Code::kUnknownSlot);  // D1 unplaced
    test::require_rejected(h.allocate("DX", std::nullopt, Source::kWalkIn), Code::kUnknownDoctor);  // day
    x = h.seat("D2", "T1", Source::kWalkIn);  // T1 allocated 1
  }
};

DayReport expected_busy_report() {
  Tally s1;
  s1.allocated = 2;
  s1.displaced = 1;
  s1.waitlisted = 1;
  s1.served = 1;
  s1.rejected[code_index(Code::kLowerPriority)] = 1;
  s1.rejected[code_index(Code::kCapacityMismatch)] = 1;
  Tally s2;
  s2.allocated = 3;
  s2.displaced = 1;
  s2.moved_in = 1;
  s2.waitlisted = 1;
  s2.cancelled = 1;
  s2.no_shows = 1;
  Tally d1_unplaced;
  d1_unplaced.rejected[code_index(Code::kUnknownSlot)] = 1;
  Tally d1_total = d1_unplaced;
  d1_total += s1;
  d1_total += s2;
  Tally t1;
  t1.allocated = 1;

  DayReport report;
  report.doctors.push_back(DoctorReport{
      .doctor_id = test::doc("D1"),
      .slots = {SlotReport{test::slot("S1"), 1, s1}, SlotReport{test::slot("S2"), 2, s2},
                SlotReport{test::slot("S3"), 0, Tally{}}},
      .unplaced = d1_unplaced,
      .total = d1_total,
      .waitlisted_at_close = 1});
  report.doctors.push_back(DoctorReport{.doctor_id = test::doc("D2"),
                                        .slots = {SlotReport{test::slot("T1"), 1, t1}},
                                        .unplaced = {},
                                        .total = t1,
                                        .waitlisted_at_close = 0});
  report.unattributed.rejected[code_index(Code::kUnknownDoctor)] = 1;
  return report;
}

void check_report(const DayReport& actual, const DayReport& expected) {
  CHECK(actual.date == expected.date);
  CHECK(actual.unattributed == expected.unattributed);
  REQUIRE(actual.doctors.size() == expected.doctors.size());
  for (std::size_t d = 0; d < expected.doctors.size(); ++d) {
    const auto& a = actual.doctors[d];
    const auto& e = expected.doctors[d];
    INFO("doctor " << e.doctor_id.str());
    CHECK(a.doctor_id == e.doctor_id);
    CHECK(a.unplaced == e.unplaced);
    CHECK(a.total == e.total);
    CHECK(a.waitlisted_at_close == e.waitlisted_at_close);
    REQUIRE(a.slots.size() == e.slots.size());
    for (std::size_t s = 0; s < e.slots.size(); ++s) {
      INFO("slot " << e.slots[s].slot_id.str());
      CHECK(a.slots[s].slot_id == e.slots[s].slot_id);
      CHECK(a.slots[s].capacity == e.slots[s].capacity);
      CHECK(a.slots[s].tally == e.slots[s].tally);
    }
  }
  CHECK(actual == expected);
}

TEST_CASE("totals count the running day", "[open_day][queries]") {
  BusyDay day;
  check_report(day.h.engine.totals(), expected_busy_report());
  CHECK(expected_busy_report().doctors[0].total.rejected_total() == 3);
}

TEST_CASE("open_day returns the closed day's report and starts the new day", "[open_day]") {
  BusyDay day;
  auto& h = day.h;
  const auto totals_before = h.engine.totals();
  const auto out = h.open_day("2025-03-01");
  const auto& r = out.result;
  CHECK(r.status == Status::kDayOpened);
  CHECK(r.type == OpType::kOpenDay);
  CHECK(r.date == test::day("2025-03-01"));
  REQUIRE(r.report.has_value());
  check_report(*r.report, expected_busy_report());
  CHECK(*r.report == totals_before);
  CHECK_FALSE(r.report->date.has_value());  // the day the engine started with
  CHECK(h.engine.current_date() == test::day("2025-03-01"));

  // One DAY_OPENED per doctor, in creation order, continuing the versions.
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].kind == EventKind::kDayOpened);
  CHECK(out.events[0].doctor_id == test::doc("D1"));
  CHECK(out.events[0].date == test::day("2025-03-01"));
  CHECK(out.events[1].kind == EventKind::kDayOpened);
  CHECK(out.events[1].doctor_id == test::doc("D2"));
  CHECK(out.events[1].version == 2);  // D2: ALLOCATED was 1
}

TEST_CASE("a new day is the schedule again", "[open_day]") {
  BusyDay day;
  auto& h = day.h;
  REQUIRE(h.set_capacity("D1", "EXTRA", 3, "15:00", "16:00").result.ok());
  REQUIRE(h.slot_order("D1") == Strings{"S1", "S2", "S3", "EXTRA"});
  REQUIRE(h.open_day("2025-03-01").result.ok());

  const auto board = h.board("D1");
  CHECK(h.slot_order("D1") == Strings{"S1", "S2", "S3"});
  CHECK(h.capacity_of("D1", "S2") == 1);  // set_capacity's 2 is gone
  for (const auto& s : board.slots) CHECK(s.tokens.empty());
  CHECK(board.waitlist.empty());
  CHECK_FALSE(board.now_serving.has_value());
  CHECK(h.in_slot("D2", "T1").empty());

  // The new day's totals start from zero.
  const auto totals = h.engine.totals();
  CHECK(totals.date == test::day("2025-03-01"));
  CHECK(totals.unattributed == Tally{});
  for (const auto& d : totals.doctors) {
    CHECK(d.total == Tally{});
    CHECK(d.waitlisted_at_close == 0);
  }
}

TEST_CASE("token numbers restart and the old day's tokens are unknown", "[open_day]") {
  BusyDay day;
  auto& h = day.h;
  const std::vector<TokenId> old{day.a, day.b, day.e, day.f, day.g, day.x};
  REQUIRE(h.open_day("2025-03-01").result.ok());

  for (const auto& t : old) {
    INFO(t.str());
    CHECK_FALSE(h.engine.token(t).has_value());
  }
  test::require_rejected(h.cancel(day.f), Code::kUnknownToken);  // was waitlisted
  test::require_rejected(h.cancel(day.g), Code::kUnknownToken);  // was waiting
  test::require_rejected(h.complete(day.e), Code::kUnknownToken);

  const auto first = h.allocate("D1", std::nullopt, Source::kWalkIn).result;
  CHECK(first.token_number == 1);
  CHECK(first.slot_id == test::slot("S1"));
  const auto second = h.allocate("D2", std::nullopt, Source::kWalkIn).result;
  CHECK(second.token_number == 1);
  // New tokens never reuse an old id, or the old id would be "known" again.
  for (const auto& t : old) {
    CHECK(*first.token_id != t);
    CHECK(*second.token_id != t);
  }
}

TEST_CASE("each report carries the date of the day it closes", "[open_day]") {
  Harness h(report_schedule());
  REQUIRE(h.open_day("2025-03-01").result.ok());
  h.seat("D1", "S1", Source::kWalkIn);
  const auto out = h.open_day("2025-03-05");
  REQUIRE(out.result.report.has_value());
  CHECK(out.result.report->date == test::day("2025-03-01"));
  CHECK(out.result.report->doctors[0].slots[0].tally.allocated == 1);
  CHECK(h.engine.current_date() == test::day("2025-03-05"));
}

TEST_CASE("open_day with a date not after the current one is STALE_DATE", "[open_day]") {
  Harness h(report_schedule());
  REQUIRE(h.open_day("2025-03-01").result.ok());
  const auto token = h.seat("D1", "S1", Source::kWalkIn);
  const auto before = test::observable_state(h.engine);
  test::require_rejected(h.open_day("2025-03-01"), Code::kStaleDate);
  test::require_rejected(h.open_day("2025-02-28"), Code::kStaleDate);
  test::require_rejected(h.open_day("2024-12-31"), Code::kStaleDate);
  CHECK(test::observable_state(h.engine) == before);
  CHECK(h.engine.current_date() == test::day("2025-03-01"));
  CHECK(h.state(token) == TokenState::kWaiting);
  CHECK(h.open_day("2025-03-02").result.ok());
}

TEST_CASE("the first open_day accepts any date", "[open_day]") {
  Harness h(report_schedule());
  CHECK_FALSE(h.engine.current_date().has_value());
  CHECK(h.open_day("2000-01-01").result.status == Status::kDayOpened);
}

}  // namespace
}  // namespace opd
