// Validation: every malformed or incomplete request is a REJECTED result
// naming the field, never an exception, and never a partial change.
#include <functional>
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

using test::Harness;

// A day with some of everything: seated, called, waitlisted tokens.
struct Setup {
  Harness h{test::three_slot_schedule(2, 1, 0)};
  TokenId walk, paid;
  Setup() : walk(h.seat("D1", "S2", Source::kWalkIn)), paid(h.seat("D1", "S2", Source::kPaid)) {
    h.seat("D1", "S1", Source::kOnline);
    h.call("D1");
    h.seat("D2", "T1", Source::kFollowUp);
    REQUIRE(h.state(walk) == TokenState::kWaitlisted);
  }
};

Request full_request(OpType type, const Setup& s) {
  Request r{.type = type};
  r.doctor_id = test::doc("D1");
  r.slot_id = test::slot("S1");
  r.source = Source::kEmergency;
  r.capacity = 2;
  r.patient_ref = "ref";
  r.token_id = s.paid;
  r.date = test::day("2030-01-01");
  return r;
}

// Applies `bad` to the setup and requires a rejection with `code` whose
// reason names `field`, no events, and a state that behaves exactly like
// an engine that never saw the request.
void require_clean_rejection(const std::function<void(Request&)>& spoil, OpType type, Code code,
                             std::string_view field) {
  Setup spoiled;
  Setup twin;
  Request bad = full_request(type, spoiled);
  spoil(bad);
  const auto before = test::observable_state(spoiled.h.engine);
  Outcome out;
  REQUIRE_NOTHROW(out = spoiled.h.apply(bad));
  INFO("op " << to_string(type) << ", reason: " << out.result.reason);
  CHECK(out.result.status == Status::kRejected);
  CHECK(out.result.code == code);
  CHECK_THAT(out.result.reason, Catch::Contains(std::string(field)));
  CHECK(out.events.empty());
  CHECK(test::observable_state(spoiled.h.engine) == before);
  CHECK(test::observable_state(spoiled.h.engine) == test::observable_state(twin.h.engine));

  // And the future is the same as without the rejected request.
  for (auto* h : {&spoiled.h, &twin.h}) {
    h->allocate("D1", std::nullopt, Source::kEmergency);
    h->set_capacity("D1", "S3", 1);
    h->cancel(spoiled.paid);
    h->call_next("D1");
  }
  CHECK(test::observable_state(spoiled.h.engine) == test::observable_state(twin.h.engine));
}

TEST_CASE("allocate: missing doctor_id or source", "[validation]") {
  require_clean_rejection([](Request& r) { r.doctor_id.reset(); }, OpType::kAllocate,
                          Code::kBadRequest, "doctor_id");
  require_clean_rejection([](Request& r) { r.source.reset(); }, OpType::kAllocate,
                          Code::kBadRequest, "source");
}

TEST_CASE("cancel, complete, no_show: missing token_id", "[validation]") {
  for (const auto type : {OpType::kCancel, OpType::kComplete, OpType::kNoShow})
    require_clean_rejection([](Request& r) { r.token_id.reset(); }, type, Code::kBadRequest,
                            "token_id");
}

TEST_CASE("call_next: missing doctor_id", "[validation]") {
  require_clean_rejection([](Request& r) { r.doctor_id.reset(); }, OpType::kCallNext,
                          Code::kBadRequest, "doctor_id");
}

TEST_CASE("set_capacity: missing doctor_id, slot_id or capacity", "[validation]") {
  require_clean_rejection([](Request& r) { r.doctor_id.reset(); }, OpType::kSetCapacity,
                          Code::kBadRequest, "doctor_id");
  require_clean_rejection([](Request& r) { r.slot_id.reset(); }, OpType::kSetCapacity,
                          Code::kBadRequest, "slot_id");
  require_clean_rejection([](Request& r) { r.capacity.reset(); }, OpType::kSetCapacity,
                          Code::kBadRequest, "capacity");
}

TEST_CASE("open_day: missing date", "[validation]") {
  require_clean_rejection([](Request& r) { r.date.reset(); }, OpType::kOpenDay, Code::kBadRequest,
                          "date");
}

TEST_CASE("capacity above kMaxSlotCapacity is refused", "[validation]") {
  CHECK(kMaxSlotCapacity == 1000);
  // set_capacity, existing slot and new slot.
  require_clean_rejection([](Request& r) { r.capacity = kMaxSlotCapacity + 1; },
                          OpType::kSetCapacity, Code::kBadRequest, "capacity");
  require_clean_rejection(
      [](Request& r) {
        r.slot_id = test::slot("NEW");
        r.capacity = 4'000'000'000u;
      },
      OpType::kSetCapacity, Code::kBadRequest, "capacity");
  // allocate creating a slot.
  require_clean_rejection(
      [](Request& r) {
        r.slot_id = test::slot("NEW");
        r.capacity = kMaxSlotCapacity + 1;
      },
      OpType::kAllocate, Code::kBadRequest, "capacity");
  // The maximum itself is fine.
  Harness h(test::three_slot_schedule(1, 1, 1));
  CHECK(h.set_capacity("D1", "S1", kMaxSlotCapacity).result.status == Status::kUpdated);
  CHECK(h.allocate("D1", "BIG", Source::kWalkIn, kMaxSlotCapacity).result.status == Status::kAllocated);
}

TEST_CASE("patient_ref longer than kMaxPatientRefLength is refused", "[validation]") {
  CHECK(kMaxPatientRefLength == 128);
  require_clean_rejection([](Request& r) { r.patient_ref = std::string(kMaxPatientRefLength + 1, 'p'); },
                          OpType::kAllocate, Code::kBadRequest, "patient_ref");
  // ...also when the request would have created a doctor and a slot.
  require_clean_rejection(
      [](Request& r) {
        r.doctor_id = test::doc("NEWDOC");
        r.slot_id = test::slot("NEWSLOT");
        r.patient_ref = std::string(kMaxPatientRefLength + 1, 'p');
      },
      OpType::kAllocate, Code::kBadRequest, "patient_ref");
  Harness h(test::three_slot_schedule(1, 1, 1));
  const auto ok = h.allocate("D1", "S1", Source::kWalkIn, std::nullopt,
                             std::string(kMaxPatientRefLength, 'p'));
  CHECK(ok.result.status == Status::kAllocated);
  CHECK(h.status(*ok.result.token_id).patient_ref == std::string(kMaxPatientRefLength, 'p'));
}

TEST_CASE("set_capacity: malformed times are refused before any slot is created", "[validation]") {
  require_clean_rejection(
      [](Request& r) {
        r.slot_id = test::slot("NEW");
        r.end = test::at("10:00");
      },
      OpType::kSetCapacity, Code::kBadRequest, "end");
  require_clean_rejection(
      [](Request& r) {
        r.slot_id = test::slot("NEW");
        r.start = test::at("11:00");
        r.end = test::at("10:00");
      },
      OpType::kSetCapacity, Code::kBadRequest, "start");
  require_clean_rejection(
      [](Request& r) {
        r.slot_id = test::slot("NEW");
        r.start = test::at("10:00");
        r.end = test::at("10:00");
      },
      OpType::kSetCapacity, Code::kBadRequest, "end");
}

TEST_CASE("the WAITLIST name cannot become a slot", "[validation]") {
  require_clean_rejection(
      [](Request& r) { r.slot_id = SlotId::from_trusted(kWaitlistName); }, OpType::kSetCapacity,
      Code::kBadRequest, "slot_id");
  require_clean_rejection(
      [](Request& r) { r.slot_id = SlotId::from_trusted(kWaitlistName); }, OpType::kAllocate,
      Code::kBadRequest, "slot_id");
}

TEST_CASE("allocate cannot create a closed slot", "[validation]") {
  Setup s;
  const auto before = test::observable_state(s.h.engine);
  const auto out = s.h.allocate("D1", "ZERO", Source::kWalkIn, 0);
  CHECK(out.result.status == Status::kRejected);
  CHECK(out.events.empty());
  CHECK(test::observable_state(s.h.engine) == before);
  const auto new_doctor = s.h.allocate("D77", "ZERO", Source::kWalkIn, 0);
  CHECK(new_doctor.result.status == Status::kRejected);
  CHECK_FALSE(s.h.engine.board(test::doc("D77")).has_value());
}

TEST_CASE("an operation type outside the enum is BAD_REQUEST, not undefined behaviour",
          "[validation]") {
  Setup s;
  const auto before = test::observable_state(s.h.engine);
  Request r = full_request(OpType::kAllocate, s);
  r.type = static_cast<OpType>(kOpTypeCount + 3);
  Outcome out;
  REQUIRE_NOTHROW(out = s.h.apply(r));
  CHECK(out.result.status == Status::kRejected);
  CHECK(out.result.code == Code::kBadRequest);
  CHECK(out.events.empty());
  CHECK(test::observable_state(s.h.engine) == before);
}

TEST_CASE("a source outside the enum is BAD_REQUEST, not undefined behaviour", "[validation]") {
  // Only a cast makes one (parsing yields the five), but the per-source
  // counters it would index are in the slot record: UBSan saw the write.
  for (const int value : {kSourceCount, kSourceCount + 2, 255}) {
    INFO("source " << value);
    Setup s;
    const auto before = test::observable_state(s.h.engine);
    Request r = full_request(OpType::kAllocate, s);
    r.source = static_cast<Source>(value);
    const Outcome out = s.h.apply(r);
    CHECK(out.result.status == Status::kRejected);
    CHECK(out.result.code == Code::kBadRequest);
    CHECK(out.result.reason == "field 'source' is not a source");
    CHECK(out.events.empty());
    CHECK(test::observable_state(s.h.engine) == before);
  }
}

TEST_CASE("an empty request of each type is rejected, never thrown", "[validation]") {
  for (int t = 0; t < kOpTypeCount; ++t) {
    Setup s;
    const auto before = test::observable_state(s.h.engine);
    Request r{.type = static_cast<OpType>(t)};
    Outcome out;
    INFO(to_string(r.type));
    REQUIRE_NOTHROW(out = s.h.apply(r));
    CHECK(out.result.status == Status::kRejected);
    CHECK(out.result.code == Code::kBadRequest);
    CHECK_FALSE(out.result.reason.empty());
    CHECK(test::observable_state(s.h.engine) == before);
  }
}

TEST_CASE("rejections by rule leave the state unchanged", "[validation]") {
  // A sample of business rejections, each applied to a fresh setup.
  require_clean_rejection([](Request& r) { r.capacity = 7; }, OpType::kAllocate,
                          Code::kCapacityMismatch, "S1");
  require_clean_rejection([](Request& r) { r.slot_id = test::slot("T1"); r.capacity.reset(); }, OpType::kAllocate,
                          Code::kSlotDoctorMismatch, "T1");
  require_clean_rejection([](Request& r) { r.token_id = test::tok("ghost"); }, OpType::kCancel,
                          Code::kUnknownToken, "ghost");
  require_clean_rejection([](Request& r) { r.capacity = 0; }, OpType::kSetCapacity,
                          Code::kCapacityBelowServed, "S1");
  require_clean_rejection([](Request&) {}, OpType::kComplete, Code::kInvalidState, "");
}

}  // namespace
}  // namespace opd
