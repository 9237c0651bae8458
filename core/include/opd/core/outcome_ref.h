// The answer to one request as views into storage that someone else owns:
// the same fields as Result and BoardEvent (outcome.h), with every id an
// IdRef (ids.h: one pointer) instead of a 65-byte copy.
//
// Engine::apply_in_place() answers this way, viewing the engine's own
// records: the worker encodes straight from them. Engine::apply() copies
// every id into Result and BoardEvent values first, a copy the worker only
// read once and threw away.
//
// An empty IdRef or reason means "absent", where the value types say
// std::nullopt (an id is never empty).
//
// Lifetime: a ref views what it was made from. From apply_in_place(): the
// engine (until its next non-const call: apply*, load, assignment,
// destruction) and the request (its request_id). From ref_of(): the value,
// until it changes. Copy out whatever must outlive that.
//
// Thread-safety: as the storage it views.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "opd/core/domain.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"

namespace opd {

struct ResultRef {
  OpType type = OpType::kAllocate;
  Status status = Status::kRejected;
  Code code = Code::kNone;
  bool duplicate = false;
  IdRef request_id;
  std::string_view reason;  // empty: none
  IdRef token_id;
  std::uint32_t token_number = 0;  // 0 when no token is concerned
  std::optional<Source> source;
  IdRef doctor_id;
  IdRef slot_id;
  IdRef removed_token;  // REALLOCATED: the displaced token
  // REALLOCATED: where the displaced token went: a slot id, or
  // kWaitlistName (IdRef::waitlist()) for the waitlist.
  IdRef moved_to;
  IdRef alternative_slot;  // LOWER_PRIORITY/SLOT_FULL: a later free slot
  std::optional<std::uint32_t> ahead;
  std::optional<std::uint32_t> capacity;
  // DAY_OPENED (and only a value with a date or a report): the whole
  // answer as a value, for its date and the closed day's report (once a
  // day: not worth a view of its own). Its request_id and duplicate are
  // not this answer's: read them here. nullptr otherwise.
  const Result* day_opened = nullptr;

  [[nodiscard]] bool ok() const noexcept { return status != Status::kRejected; }
};

struct EventRef {
  EventKind kind = EventKind::kAllocated;
  IdRef doctor_id;
  std::uint64_t version = 0;
  IdRef token_id;
  std::uint32_t token_number = 0;
  std::optional<Source> source;
  IdRef slot_id;    // where the token is after the event
  IdRef from_slot;  // MOVED/WAITLISTED; empty in a MOVED: from the waitlist
  IdRef to_slot;    // MOVED
  std::optional<std::uint32_t> capacity;  // SLOT_UPDATED
  // DAY_OPENED: the date opened (a view, as the ids are: no string to copy
  // or destroy per event). nullptr otherwise.
  const ServiceDate* date = nullptr;
};

struct OutcomeRef {
  ResultRef result;
  std::span<const EventRef> events;  // in the order they happened
};

// Views of values, for code that holds a Result or BoardEvent (a result
// the worker makes itself, a test's expectation) and wants the one
// encoder that reads refs. The views live as long as the value.
[[nodiscard]] ResultRef ref_of(const Result& result) noexcept;
[[nodiscard]] EventRef ref_of(const BoardEvent& event) noexcept;

}  // namespace opd
