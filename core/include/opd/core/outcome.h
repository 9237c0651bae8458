// What the engine reports back: one Result per request and the ordered board
// events it caused. Business rejections are values (Status::kRejected with a
// Code and a reason), never exceptions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "opd/core/domain.h"
#include "opd/core/ids.h"
#include "opd/core/request.h"

namespace opd {

enum class Status : std::uint8_t {
  kAllocated,
  kReallocated,
  kRejected,
  kCancelled,
  kCalled,
  kCompleted,
  kNoShow,
  kUpdated,
  kDayOpened,
};
[[nodiscard]] std::string_view to_string(Status s) noexcept;

// Machine-readable reason of a rejection. kNone on success.
enum class Code : std::uint8_t {
  kNone,
  kBadRequest,          // malformed or missing field; the reason names it
  kUnknownDoctor,
  kUnknownSlot,
  kUnknownToken,
  kSlotDoctorMismatch,  // the slot belongs to another doctor
  kCapacityMismatch,    // allocate named a capacity that differs from the slot's
  kCapacityBelowServed, // set_capacity below the tokens already called or served
  kSlotTimeMismatch,    // set_capacity tried to change an existing slot's times
  kSlotClosed,          // the slot has capacity 0
  kSlotFull,            // full, and every token in it is called or served
  kLowerPriority,       // full, and the newcomer may not displace the would-be victim
                        // (not strictly higher, or the emergency_only policy)
  kNoSlotAvailable,
  kQueueEmpty,
  kInvalidState,        // the token's state does not allow the operation
  kStaleDate,           // open_day with a date not after the current day's
  kForbidden,           // the sender's role does not allow it (decided by the worker)
};
inline constexpr int kCodeCount = 17;
[[nodiscard]] std::string_view to_string(Code c) noexcept;

// Where a displaced token went: a later slot, or the waitlist (slot empty).
struct Destination {
  std::optional<SlotId> slot;
  [[nodiscard]] bool is_waitlist() const noexcept { return !slot.has_value(); }
  friend bool operator==(const Destination&, const Destination&) = default;
};

// Counters for one slot (or a doctor's sum) over one service day.
struct Tally {
  std::uint32_t allocated = 0;   // newcomers seated here (ALLOCATED or REALLOCATED)
  std::uint32_t displaced = 0;   // tokens pushed out by preemption or a capacity cut
  std::uint32_t moved_in = 0;    // tokens that arrived by a move or from the waitlist
  std::uint32_t waitlisted = 0;  // tokens sent from here to the waitlist
  std::uint32_t cancelled = 0;
  std::uint32_t served = 0;      // COMPLETED
  std::uint32_t no_shows = 0;
  std::array<std::uint32_t, kCodeCount> rejected{};  // indexed by Code

  Tally& operator+=(const Tally& other) noexcept;
  [[nodiscard]] std::uint32_t rejected_total() const noexcept;
  friend bool operator==(const Tally&, const Tally&) = default;
};

struct SlotReport {
  SlotId slot_id;
  std::uint32_t capacity = 0;
  Tally tally;
  friend bool operator==(const SlotReport&, const SlotReport&) = default;
};

struct DoctorReport {
  DoctorId doctor_id;
  std::vector<SlotReport> slots;  // in the doctor's slot order
  Tally unplaced;                 // rejections that named no known slot of this doctor
  Tally total;                    // sum of slots and unplaced
  std::uint32_t waitlisted_at_close = 0;
  friend bool operator==(const DoctorReport&, const DoctorReport&) = default;
};

// The totals of one service day. Returned when open_day closes it.
struct DayReport {
  std::optional<ServiceDate> date;  // nullopt for the day the engine started with
  std::vector<DoctorReport> doctors;  // in doctor creation order
  Tally unattributed;  // rejections that named no known doctor
  friend bool operator==(const DayReport&, const DayReport&) = default;
};

struct Result {
  OpType type = OpType::kAllocate;
  RequestId request_id = RequestId::placeholder();
  Status status = Status::kRejected;
  Code code = Code::kNone;
  // Human-readable; for rejections it names the field or rule at fault.
  std::string reason;

  std::optional<TokenId> token_id;
  std::uint32_t token_number = 0;  // 0 when no token is concerned
  std::optional<DoctorId> doctor_id;
  std::optional<SlotId> slot_id;
  std::optional<Source> source;
  std::optional<TokenId> removed_token;      // REALLOCATED: the displaced token
  std::optional<Destination> moved_to;       // REALLOCATED: where it went
  std::optional<SlotId> alternative_slot;    // LOWER_PRIORITY/SLOT_FULL: a later free slot
  std::optional<std::uint32_t> ahead;        // tokens before this one in service order
  std::optional<std::uint32_t> capacity;     // UPDATED: the slot's new capacity
  std::optional<ServiceDate> date;           // DAY_OPENED: the new day
  std::optional<DayReport> report;           // DAY_OPENED: the closed day's totals
  bool duplicate = false;  // a replay of an earlier request_id; nothing changed

  [[nodiscard]] bool ok() const noexcept { return status != Status::kRejected; }
  friend bool operator==(const Result&, const Result&) = default;
};

enum class EventKind : std::uint8_t {
  kAllocated,
  kMoved,        // from_slot (nullopt = from the waitlist) -> to_slot
  kWaitlisted,   // from_slot -> waitlist
  kCancelled,
  kCalled,
  kCompleted,
  kNoShow,
  kSlotUpdated,  // slot created or its capacity changed
  kDayOpened,    // the board was reset to the schedule; displays re-snapshot
};
[[nodiscard]] std::string_view to_string(EventKind k) noexcept;

// One change to one doctor's board, for waiting-room displays. `version` is
// the doctor's board version after this event: +1 per event, contiguous.
struct BoardEvent {
  EventKind kind = EventKind::kAllocated;
  DoctorId doctor_id = DoctorId::placeholder();
  std::uint64_t version = 0;
  std::optional<TokenId> token_id;
  std::uint32_t token_number = 0;
  std::optional<Source> source;
  std::optional<SlotId> slot_id;    // where the token is after the event
  std::optional<SlotId> from_slot;  // MOVED/WAITLISTED
  std::optional<SlotId> to_slot;    // MOVED
  std::optional<std::uint32_t> capacity;  // SLOT_UPDATED
  std::optional<ServiceDate> date;        // DAY_OPENED
  friend bool operator==(const BoardEvent&, const BoardEvent&) = default;
};

struct Outcome {
  Result result;
  std::vector<BoardEvent> events;  // in the order they happened
};

}  // namespace opd
