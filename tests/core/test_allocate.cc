// allocate: free seats, token numbers, slot choice, and the rejections that
// do not involve preemption.
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;
using Strings = std::vector<std::string>;

TEST_CASE("a free seat gives ALLOCATED with a token id and number 1", "[allocate]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto out = h.allocate("D1", "S1", Source::kWalkIn, std::nullopt, std::string("kiosk-7"));
  const auto& r = out.result;
  CHECK(r.status == Status::kAllocated);
  CHECK(r.code == Code::kNone);
  CHECK(r.reason.empty());
  CHECK(r.type == OpType::kAllocate);
  REQUIRE(r.token_id.has_value());
  CHECK(r.token_number == 1);
  CHECK(r.doctor_id == test::doc("D1"));
  CHECK(r.slot_id == test::slot("S1"));
  CHECK(r.source == Source::kWalkIn);
  CHECK_FALSE(r.removed_token.has_value());
  CHECK_FALSE(r.moved_to.has_value());
  CHECK_FALSE(r.alternative_slot.has_value());
  CHECK(r.ahead == 0u);
  CHECK_FALSE(r.duplicate);

  REQUIRE(out.events.size() == 1);
  const auto& e = out.events[0];
  CHECK(e.kind == EventKind::kAllocated);
  CHECK(e.doctor_id == test::doc("D1"));
  CHECK(e.version == 1);
  CHECK(e.token_id == r.token_id);
  CHECK(e.token_number == 1);
  CHECK(e.source == Source::kWalkIn);
  CHECK(e.slot_id == test::slot("S1"));

  CHECK(h.in_slot("D1", "S1") == Strings{r.token_id->str()});
  const auto status = h.status(*r.token_id);
  CHECK(status.token.state == TokenState::kWaiting);
  CHECK(status.slot_id == test::slot("S1"));
  CHECK(status.patient_ref == std::string("kiosk-7"));
}

TEST_CASE("token numbers count 1, 2, 3 per doctor and are never reused", "[allocate]") {
  Harness h(test::three_slot_schedule(5, 5, 5));
  const auto a = h.allocate("D1", "S1", Source::kWalkIn).result;
  const auto b = h.allocate("D1", "S2", Source::kPaid).result;
  const auto x = h.allocate("D2", "T1", Source::kOnline).result;
  const auto c = h.allocate("D1", std::nullopt, Source::kOnline).result;
  CHECK(a.token_number == 1);
  CHECK(b.token_number == 2);
  CHECK(c.token_number == 3);
  CHECK(x.token_number == 1);  // D2 counts on its own
  // Token ids are distinct, also across doctors.
  CHECK(*a.token_id != *b.token_id);
  CHECK(*a.token_id != *c.token_id);
  CHECK(*b.token_id != *c.token_id);
  CHECK(*x.token_id != *a.token_id);

  // A cancelled token's number is not handed out again.
  REQUIRE(h.cancel(*c.token_id).result.ok());
  const auto d = h.allocate("D1", "S1", Source::kWalkIn).result;
  CHECK(d.token_number == 4);
  CHECK(*d.token_id != *c.token_id);
  // Neither are rejected attempts counted.
  REQUIRE_FALSE(h.allocate("D1", "S1", Source::kWalkIn, 99).result.ok());
  CHECK(h.allocate("D1", "S3", Source::kWalkIn).result.token_number == 5);
}

TEST_CASE("without slot_id the earliest open slot with a free seat is chosen", "[allocate]") {
  Harness h(test::three_slot_schedule(2, 1, 2));
  Strings chosen;
  for (int i = 0; i < 5; ++i) {
    const auto r = h.allocate("D1", std::nullopt, Source::kWalkIn).result;
    REQUIRE(r.status == Status::kAllocated);
    chosen.push_back(r.slot_id->str());
  }
  CHECK(chosen == Strings{"S1", "S1", "S2", "S3", "S3"});
}

TEST_CASE("without slot_id a closed slot is skipped even when it comes first", "[allocate]") {
  Harness h(test::three_slot_schedule(0, 1, 1));
  CHECK(h.allocate("D1", std::nullopt, Source::kPaid).result.slot_id == test::slot("S2"));
}

TEST_CASE("without slot_id a seat freed in an earlier slot is taken first", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto a = h.seat("D1", std::nullopt, Source::kWalkIn);
  h.seat("D1", std::nullopt, Source::kWalkIn);
  REQUIRE(h.cancel(a).result.ok());
  CHECK(h.allocate("D1", std::nullopt, Source::kWalkIn).result.slot_id == test::slot("S1"));
}

TEST_CASE("without slot_id and no free seat, the earliest slot where preemption applies",
          "[allocate][preemption]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  h.seat("D1", "S1", Source::kEmergency);
  h.seat("D1", "S2", Source::kFollowUp);
  const auto walk = h.seat("D1", "S3", Source::kWalkIn);
  // PAID cannot displace the EMERGENCY in S1; S2's FOLLOW_UP it can.
  const auto out = h.allocate("D1", std::nullopt, Source::kPaid);
  CHECK(out.result.status == Status::kReallocated);
  CHECK(out.result.slot_id == test::slot("S2"));
  // A WALK_IN fits nowhere: NO_SLOT_AVAILABLE.
  const auto none = h.allocate("D1", std::nullopt, Source::kWalkIn);
  test::require_rejected(none, Code::kNoSlotAvailable);
  // ONLINE outranks only the WALK_IN in S3.
  const auto online = h.allocate("D1", std::nullopt, Source::kOnline);
  CHECK(online.result.status == Status::kReallocated);
  CHECK(online.result.slot_id == test::slot("S3"));
  CHECK(online.result.removed_token == walk);
}

TEST_CASE("NO_SLOT_AVAILABLE when every slot is full of equal or higher priority", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 0));
  h.seat("D1", "S1", Source::kOnline);
  h.seat("D1", "S2", Source::kPaid);
  const auto before = h.board("D1");
  const auto out = h.allocate("D1", std::nullopt, Source::kOnline);
  test::require_rejected(out, Code::kNoSlotAvailable);
  CHECK_FALSE(out.result.reason.empty());
  CHECK(h.board("D1") == before);
}

TEST_CASE("NO_SLOT_AVAILABLE for a doctor whose slots are all closed", "[allocate]") {
  Harness h(test::three_slot_schedule(0, 0, 0));
  test::require_rejected(h.allocate("D1", std::nullopt, Source::kEmergency), Code::kNoSlotAvailable);
}

TEST_CASE("a capacity that differs from a known slot's is CAPACITY_MISMATCH", "[allocate]") {
  Harness h(test::three_slot_schedule(2, 2, 2));
  const auto before = h.engine.board(test::doc("D1"));
  const auto out = h.allocate("D1", "S1", Source::kWalkIn, 5);
  test::require_rejected(out, Code::kCapacityMismatch);
  CHECK(h.engine.board(test::doc("D1")) == before);
  CHECK(h.capacity_of("D1", "S1") == 2);
  // The same capacity as the slot's is accepted.
  CHECK(h.allocate("D1", "S1", Source::kWalkIn, 2).result.status == Status::kAllocated);
}

TEST_CASE("an unknown slot with a capacity is created (the original REST behaviour)", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto out = h.allocate("D1", "EXTRA", Source::kOnline, 3);
  CHECK(out.result.status == Status::kAllocated);
  CHECK(out.result.slot_id == test::slot("EXTRA"));
  CHECK(out.result.token_number == 1);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[0].slot_id == test::slot("EXTRA"));
  CHECK(out.events[0].capacity == 3u);
  CHECK(out.events[1].kind == EventKind::kAllocated);
  // Untimed, so after the timed slots.
  CHECK(h.slot_order("D1") == Strings{"S1", "S2", "S3", "EXTRA"});
  CHECK(h.capacity_of("D1", "EXTRA") == 3);
  CHECK(h.in_slot("D1", "EXTRA") == Strings{out.result.token_id->str()});
  // Once created the slot is known: the same capacity books, another one is refused.
  CHECK(h.allocate("D1", "EXTRA", Source::kOnline, 3).result.status == Status::kAllocated);
  test::require_rejected(h.allocate("D1", "EXTRA", Source::kOnline, 4), Code::kCapacityMismatch);
}

TEST_CASE("an unknown slot and doctor are both created", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto out = h.allocate("D9", "X1", Source::kWalkIn, 2);
  CHECK(out.result.status == Status::kAllocated);
  CHECK(out.result.doctor_id == test::doc("D9"));
  CHECK(out.result.token_number == 1);
  REQUIRE(out.events.size() == 2);
  CHECK(out.events[0].kind == EventKind::kSlotUpdated);
  CHECK(out.events[0].doctor_id == test::doc("D9"));
  CHECK(out.events[0].version == 1);
  CHECK(out.events[1].kind == EventKind::kAllocated);
  CHECK(out.events[1].version == 2);
  Strings doctors;
  for (const auto& d : h.engine.doctors()) doctors.push_back(d.str());
  CHECK(doctors == Strings{"D1", "D2", "D9"});
  const auto board = h.board("D9");
  CHECK(board.version == 2);
  CHECK(h.slot_order("D9") == Strings{"X1"});
  CHECK(h.capacity_of("D9", "X1") == 2);
  // Without a slot_id the new doctor's new slot is used.
  CHECK(h.allocate("D9", std::nullopt, Source::kWalkIn).result.slot_id == test::slot("X1"));
}

TEST_CASE("an unknown slot without a capacity is UNKNOWN_SLOT", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  test::require_rejected(h.allocate("D1", "NOPE", Source::kWalkIn), Code::kUnknownSlot);
  CHECK(h.slot_order("D1") == Strings{"S1", "S2", "S3"});
}

TEST_CASE("auto_create_slots=false turns slot creation into UNKNOWN_SLOT", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1), EngineConfig{.auto_create_slots = false});
  CHECK_FALSE(h.engine.config().auto_create_slots);
  test::require_rejected(h.allocate("D1", "EXTRA", Source::kWalkIn, 3), Code::kUnknownSlot);
  test::require_rejected(h.allocate("D9", "X1", Source::kWalkIn, 3), Code::kUnknownSlot);
  CHECK(h.slot_order("D1") == Strings{"S1", "S2", "S3"});
  CHECK_FALSE(h.engine.board(test::doc("D9")).has_value());
  CHECK(h.engine.doctors().size() == 2);
  // Known slots still work.
  CHECK(h.allocate("D1", "S1", Source::kWalkIn, 1).result.status == Status::kAllocated);
}

TEST_CASE("a slot of another doctor is SLOT_DOCTOR_MISMATCH", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  test::require_rejected(h.allocate("D1", "T1", Source::kWalkIn), Code::kSlotDoctorMismatch);
  test::require_rejected(h.allocate("D2", "S1", Source::kEmergency, 1), Code::kSlotDoctorMismatch);
  CHECK(h.in_slot("D2", "T1").empty());
  CHECK(h.in_slot("D1", "S1").empty());
}

TEST_CASE("a closed slot is SLOT_CLOSED", "[allocate]") {
  Harness h(test::three_slot_schedule(0, 1, 1));
  test::require_rejected(h.allocate("D1", "S1", Source::kEmergency), Code::kSlotClosed);
  // Closing a slot later has the same effect.
  REQUIRE(h.set_capacity("D1", "S2", 0).result.ok());
  test::require_rejected(h.allocate("D1", "S2", Source::kEmergency), Code::kSlotClosed);
  CHECK(h.allocate("D1", "S3", Source::kWalkIn).result.status == Status::kAllocated);
}

TEST_CASE("allocate for an unknown doctor without a slot is UNKNOWN_DOCTOR", "[allocate]") {
  Harness h(test::three_slot_schedule(1, 1, 1));
  test::require_rejected(h.allocate("D7", std::nullopt, Source::kWalkIn), Code::kUnknownDoctor);
  CHECK_FALSE(h.engine.board(test::doc("D7")).has_value());
}

TEST_CASE("a doctor with more slots than a word of the slot summary: choice, ahead and calls follow slot order",
          "[allocate]") {
  // 70 ten-minute slots of one seat, created out of order, so that slot
  // positions shift as they come and the summary spans three 32-slot words.
  constexpr int kCount = 70;
  const auto name = [](int k) { return "S" + std::string(k < 10 ? "00" : k < 100 ? "0" : "") + std::to_string(k); };
  const auto time_of = [](int minutes) {
    const std::string hh = std::to_string(minutes / 60), mm = std::to_string(minutes % 60);
    return (hh.size() < 2 ? "0" + hh : hh) + ":" + (mm.size() < 2 ? "0" + mm : mm);
  };
  Schedule schedule;
  schedule.doctors.push_back(test::sched_doctor("D1", {test::sched_slot(name(0), "06:00", 1)}));
  Harness h(std::move(schedule));
  for (int i = 1; i < kCount; ++i) {
    const int k = (i * 37) % (kCount - 1) + 1;  // a permutation of 1..69
    const int start = 6 * 60 + 10 * k;
    REQUIRE(h.set_capacity("D1", name(k), 1, time_of(start), time_of(start + 10)).result.ok());
  }
  for (int k = 0; k < kCount; ++k) {
    const auto r = h.allocate("D1", std::nullopt, Source::kWalkIn).result;
    REQUIRE(r.status == Status::kAllocated);
    CHECK(r.slot_id->str() == name(k));
    CHECK(r.ahead == static_cast<std::uint32_t>(k));  // one waiting token in each earlier slot
  }
  CHECK(h.allocate("D1", std::nullopt, Source::kWalkIn).result.code == Code::kNoSlotAvailable);
  for (int k = 0; k < kCount; ++k) {
    const auto r = h.call_next("D1").result;
    REQUIRE(r.status == Status::kCalled);
    CHECK(r.slot_id->str() == name(k));
  }
  CHECK(h.call_next("D1").result.code == Code::kQueueEmpty);
}

TEST_CASE("ahead counts the waiting tokens called before the newcomer", "[allocate]") {
  Harness h(test::three_slot_schedule(3, 3, 3));
  CHECK(h.allocate("D1", "S2", Source::kWalkIn).result.ahead == 0u);
  CHECK(h.allocate("D1", "S1", Source::kWalkIn).result.ahead == 0u);
  // S2 is served after S1: the S1 token and the earlier S2 token are ahead.
  CHECK(h.allocate("D1", "S2", Source::kWalkIn).result.ahead == 2u);
  // Within a slot, priority first: a PAID newcomer in S2 is behind S1 only.
  CHECK(h.allocate("D1", "S2", Source::kPaid).result.ahead == 1u);
  // Other doctors' tokens never count.
  CHECK(h.allocate("D2", "T1", Source::kWalkIn).result.ahead == 0u);
}

}  // namespace
}  // namespace opd
