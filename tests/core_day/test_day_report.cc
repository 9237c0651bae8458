// The day summary, built only from requests and outcomes, on a hand-made
// sequence whose every number is known.
#include <catch2/catch.hpp>

#include <string>

#include "opd/core/engine.h"
#include "producer/day_report.h"
#include "producer/engine_check.h"

namespace {

opd::Schedule two_slots() {
  opd::ScheduleDoctor d{.doctor_id = opd::DoctorId::from_trusted("D")};
  d.slots.push_back({.slot_id = opd::SlotId::from_trusted("S1"), .start = opd::ClockTime::parse("09:00"),
                     .end = opd::ClockTime::parse("10:00"), .capacity = 1});
  d.slots.push_back({.slot_id = opd::SlotId::from_trusted("S2"), .start = opd::ClockTime::parse("10:00"),
                     .end = opd::ClockTime::parse("11:00"), .capacity = 1});
  return opd::Schedule{.doctors = {d}};
}

struct Driver {
  opd::Schedule schedule = two_slots();
  opd::Engine engine{schedule};
  opd::producer::DaySummaryBuilder builder{schedule};
  int next = 1;

  opd::Outcome send(opd::Request r) {
    r.request_id = opd::RequestId::from_trusted("r" + std::to_string(next++));
    auto outcome = engine.apply(r);
    builder.add(r, outcome);
    return outcome;
  }
  opd::Outcome allocate(opd::Source source, const char* slot = nullptr) {
    opd::Request r{.type = opd::OpType::kAllocate, .doctor_id = opd::DoctorId::from_trusted("D"), .source = source};
    if (slot) r.slot_id = opd::SlotId::from_trusted(slot);
    return send(r);
  }
  opd::Outcome on_token(opd::OpType type, const opd::TokenId& token) {
    return send(opd::Request{.type = type, .token_id = token});
  }
  opd::Outcome call() {
    return send(opd::Request{.type = opd::OpType::kCallNext, .doctor_id = opd::DoctorId::from_trusted("D")});
  }
};

}  // namespace

TEST_CASE("summary counts allocations, displacement, moves, waitlist, service and rejections", "[day_report]") {
  Driver d;
  const auto walk_in = d.allocate(opd::Source::kWalkIn);            // S1
  const auto online = d.allocate(opd::Source::kOnline);             // S2
  const auto paid = d.allocate(opd::Source::kPaid, "S1");           // displaces walk_in; S2 full: waitlist
  REQUIRE(paid.result.status == opd::Status::kReallocated);
  const auto refused = d.allocate(opd::Source::kWalkIn);            // NO_SLOT_AVAILABLE
  REQUIRE(refused.result.code == opd::Code::kNoSlotAvailable);
  const auto lower = d.allocate(opd::Source::kOnline, "S1");        // LOWER_PRIORITY at S1
  REQUIRE(lower.result.code == opd::Code::kLowerPriority);
  d.on_token(opd::OpType::kCancel, *online.result.token_id);        // frees S2: walk_in moves in
  const auto first = d.call();                                      // paid (S1)
  REQUIRE(first.result.token_id == paid.result.token_id);
  d.on_token(opd::OpType::kComplete, *first.result.token_id);
  const auto second = d.call();                                     // walk_in (S2)
  REQUIRE(second.result.token_id == walk_in.result.token_id);
  d.on_token(opd::OpType::kNoShow, *second.result.token_id);
  const auto empty = d.call();
  REQUIRE(empty.result.code == opd::Code::kQueueEmpty);
  d.on_token(opd::OpType::kCancel, opd::TokenId::from_trusted("T999"));  // UNKNOWN_TOKEN

  const auto day = d.builder.summary();
  CHECK(day.requests == 12);
  CHECK(day.rejected == 4);
  REQUIRE(day.doctors.size() == 1);
  const auto& doctor = day.doctors[0];
  REQUIRE(doctor.slots.size() == 2);
  const auto& s1 = doctor.slots[0].tally;
  const auto& s2 = doctor.slots[1].tally;
  CHECK(s1.allocated == 2);   // walk_in, paid
  CHECK(s1.displaced == 1);   // walk_in
  CHECK(s1.waitlisted == 1);  // S2 was full
  CHECK(s1.served == 1);
  CHECK(s1.rejected[static_cast<std::size_t>(opd::Code::kLowerPriority)] == 1);
  CHECK(s2.allocated == 1);   // online
  CHECK(s2.cancelled == 1);
  CHECK(s2.moved_in == 1);    // walk_in from the waitlist
  CHECK(s2.no_shows == 1);
  CHECK(doctor.unplaced.rejected[static_cast<std::size_t>(opd::Code::kNoSlotAvailable)] == 1);
  CHECK(doctor.unplaced.rejected[static_cast<std::size_t>(opd::Code::kQueueEmpty)] == 1);
  CHECK(day.unattributed.rejected[static_cast<std::size_t>(opd::Code::kUnknownToken)] == 1);
  CHECK(doctor.tokens_issued == 3);
  CHECK(doctor.waitlisted_at_close == 0);
  CHECK(doctor.slots[0].seated_at_close == 1);
  CHECK(doctor.slots[1].seated_at_close == 1);
  CHECK(doctor.slots[0].utilisation() == Approx(1.0));
  // walk_in was issued first and called second: one other patient before it.
  CHECK(doctor.slots[1].longest_wait == 1);
  CHECK(doctor.slots[0].longest_wait == 0);
  CHECK(opd::producer::compare_with_engine(day, d.engine).empty());

  const std::string text = opd::producer::format_summary(day);
  CHECK_THAT(text, Catch::Contains("Doctor D: 3 tokens issued, 1 served, 1 no-shows"));
  CHECK_THAT(text, Catch::Contains("LOWER_PRIORITY 1"));
  CHECK_THAT(text, Catch::Contains("Rejected with no known doctor: UNKNOWN_TOKEN 1"));
}

TEST_CASE("a capacity cut and a new slot are followed, and duplicates change nothing", "[day_report]") {
  Driver d;
  const auto a = d.allocate(opd::Source::kOnline, "S1");
  REQUIRE(a.result.ok());
  // Cut S1 to 0: its token moves to S2.
  d.send(opd::Request{.type = opd::OpType::kSetCapacity, .doctor_id = opd::DoctorId::from_trusted("D"),
                      .slot_id = opd::SlotId::from_trusted("S1"), .capacity = 0});
  // A new slot before S1 by time: the summary must order it first, as the engine does.
  d.send(opd::Request{.type = opd::OpType::kSetCapacity, .doctor_id = opd::DoctorId::from_trusted("D"),
                      .slot_id = opd::SlotId::from_trusted("S0"), .capacity = 2,
                      .start = opd::ClockTime::parse("08:00"), .end = opd::ClockTime::parse("09:00")});
  // Replaying the first request id is a duplicate.
  opd::Request replay{.type = opd::OpType::kAllocate, .request_id = opd::RequestId::from_trusted("r1"),
                      .doctor_id = opd::DoctorId::from_trusted("D"), .source = opd::Source::kOnline};
  const auto dup = d.engine.apply(replay);
  REQUIRE(dup.result.duplicate);
  d.builder.add(replay, dup);

  const auto day = d.builder.summary();
  CHECK(day.duplicates == 1);
  const auto& slots = day.doctors.at(0).slots;
  REQUIRE(slots.size() == 3);
  CHECK(slots[0].slot_id.str() == "S0");
  CHECK(slots[1].capacity == 0);
  CHECK_FALSE(slots[1].utilisation().has_value());
  CHECK(slots[1].tally.displaced == 1);
  CHECK(slots[2].tally.moved_in == 1);
  CHECK(slots[2].seated_at_close == 1);
  CHECK(opd::producer::compare_with_engine(day, d.engine).empty());
}

TEST_CASE("the engine comparison reports a disagreement", "[day_report]") {
  Driver d;
  REQUIRE(d.allocate(opd::Source::kWalkIn).result.ok());
  auto day = d.builder.summary();
  REQUIRE(opd::producer::compare_with_engine(day, d.engine).empty());
  ++day.doctors.at(0).slots.at(0).tally.served;
  CHECK(opd::producer::compare_with_engine(day, d.engine).size() == 1);
  ++day.doctors.at(0).total.served;
  CHECK(opd::producer::compare_with_engine(day, d.engine).size() == 2);  // the slot and the doctor's total
  day.doctors.at(0).slots.at(0).seated_at_close = 0;
  CHECK(opd::producer::compare_with_engine(day, d.engine).size() == 3);
}
