// The operations the engine applies. A Request is plain data: the worker
// decodes wire bytes into it, tests build it directly. Which fields an
// operation needs is checked by Engine::apply (a missing one is a REJECTED
// result naming the field), so a Request can be built without ceremony.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "opd/core/domain.h"
#include "opd/core/ids.h"

namespace opd {

enum class OpType : std::uint8_t {
  kAllocate,
  kCancel,
  kCallNext,
  kComplete,
  kNoShow,
  kSetCapacity,
  kOpenDay,
};
inline constexpr int kOpTypeCount = 7;

// Wire names: allocate, cancel, call_next, complete, no_show, set_capacity, open_day.
[[nodiscard]] std::optional<OpType> parse_op_type(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(OpType t) noexcept;

// Largest capacity a slot may have. An OPD slot of an hour seats tens of
// patients; anything near this bound is a typo, and the bound keeps the
// per-slot scans in the engine cheap.
inline constexpr std::uint32_t kMaxSlotCapacity = 1000;
// patient_ref is opaque to the engine (a kiosk's reference); bounded so a
// hostile client cannot make the state grow without limit.
inline constexpr std::size_t kMaxPatientRefLength = 128;

struct Request {
  OpType type = OpType::kAllocate;
  RequestId request_id = RequestId::placeholder();

  std::optional<DoctorId> doctor_id;
  std::optional<SlotId> slot_id;
  std::optional<Source> source;
  std::optional<std::uint32_t> capacity;
  std::optional<std::string> patient_ref;
  std::optional<TokenId> token_id;
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  std::optional<ServiceDate> date;
};

}  // namespace opd
