// Wire names of the enums (protocol v1: the names the issue and the
// original API use).
#include <algorithm>
#include <string>
#include <vector>

#include "support.h"

namespace opd {
namespace {

TEST_CASE("operation names parse and print", "[names]") {
  const std::vector<std::pair<std::string, OpType>> ops{
      {"allocate", OpType::kAllocate},   {"cancel", OpType::kCancel},
      {"call_next", OpType::kCallNext},  {"complete", OpType::kComplete},
      {"no_show", OpType::kNoShow},      {"set_capacity", OpType::kSetCapacity},
      {"open_day", OpType::kOpenDay}};
  CHECK(ops.size() == static_cast<std::size_t>(kOpTypeCount));
  for (const auto& [name, op] : ops) {
    INFO(name);
    CHECK(to_string(op) == name);
    CHECK(parse_op_type(name) == op);
  }
  CHECK_FALSE(parse_op_type("ALLOCATE").has_value());
  CHECK_FALSE(parse_op_type("callnext").has_value());
  CHECK_FALSE(parse_op_type("").has_value());
}

TEST_CASE("status names", "[names]") {
  CHECK(to_string(Status::kAllocated) == "ALLOCATED");
  CHECK(to_string(Status::kReallocated) == "REALLOCATED");
  CHECK(to_string(Status::kRejected) == "REJECTED");
  CHECK(to_string(Status::kCancelled) == "CANCELLED");
  CHECK(to_string(Status::kCalled) == "CALLED");
  CHECK(to_string(Status::kCompleted) == "COMPLETED");
  CHECK(to_string(Status::kNoShow) == "NO_SHOW");
}

TEST_CASE("rejection code names", "[names]") {
  CHECK(to_string(Code::kBadRequest) == "BAD_REQUEST");
  CHECK(to_string(Code::kUnknownSlot) == "UNKNOWN_SLOT");
  CHECK(to_string(Code::kUnknownToken) == "UNKNOWN_TOKEN");
  CHECK(to_string(Code::kSlotDoctorMismatch) == "SLOT_DOCTOR_MISMATCH");
  CHECK(to_string(Code::kCapacityMismatch) == "CAPACITY_MISMATCH");
  CHECK(to_string(Code::kLowerPriority) == "LOWER_PRIORITY");
  CHECK(to_string(Code::kNoSlotAvailable) == "NO_SLOT_AVAILABLE");
  CHECK(to_string(Code::kQueueEmpty) == "QUEUE_EMPTY");
  CHECK(to_string(Code::kInvalidState) == "INVALID_STATE");
  // Every code has a distinct name.
  std::vector<std::string> names;
  for (int c = 0; c < kCodeCount; ++c) names.emplace_back(to_string(static_cast<Code>(c)));
  std::sort(names.begin(), names.end());
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
}

TEST_CASE("board event names", "[names]") {
  CHECK(to_string(EventKind::kAllocated) == "ALLOCATED");
  CHECK(to_string(EventKind::kMoved) == "MOVED");
  CHECK(to_string(EventKind::kWaitlisted) == "WAITLISTED");
  CHECK(to_string(EventKind::kCancelled) == "CANCELLED");
  CHECK(to_string(EventKind::kCalled) == "CALLED");
  CHECK(to_string(EventKind::kCompleted) == "COMPLETED");
  CHECK(to_string(EventKind::kNoShow) == "NO_SHOW");
  CHECK(to_string(EventKind::kSlotUpdated) == "SLOT_UPDATED");
}

TEST_CASE("token state names", "[names]") {
  CHECK(to_string(TokenState::kWaiting) == "WAITING");
  CHECK(to_string(TokenState::kWaitlisted) == "WAITLISTED");
  CHECK(to_string(TokenState::kCalled) == "CALLED");
  CHECK(to_string(TokenState::kCompleted) == "COMPLETED");
  CHECK(to_string(TokenState::kNoShow) == "NO_SHOW");
  CHECK(to_string(TokenState::kCancelled) == "CANCELLED");
}

TEST_CASE("preemption policy names", "[names]") {
  CHECK(to_string(PreemptionPolicy::kAnyHigher) == "any_higher");
  CHECK(to_string(PreemptionPolicy::kEmergencyOnly) == "emergency_only");
  CHECK(parse_preemption_policy("any_higher") == PreemptionPolicy::kAnyHigher);
  CHECK(parse_preemption_policy("emergency_only") == PreemptionPolicy::kEmergencyOnly);
  CHECK_FALSE(parse_preemption_policy("none").has_value());
  CHECK(EngineConfig{}.preemption == PreemptionPolicy::kAnyHigher);
  CHECK(EngineConfig{}.auto_create_slots);
}

}  // namespace
}  // namespace opd
