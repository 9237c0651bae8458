// A day's summary per doctor and per slot, rebuilt from what a client sees:
// each request it sent and the Outcome (result and board events) it got.
//
// It needs no access to the engine, so the same code summarises a day run
// in process and a day run against a worker over the wire. Its counters
// mean exactly what the engine's Tally counters mean, so for the requests a
// Scenario sends they equal Engine::totals() (the core-day test checks it).
// Rejections are attributed as the engine attributes them: to the slot the
// rule concerns, else to the doctor, else to no one; the one exception is a
// BAD_REQUEST naming the reserved slot id WAITLIST, counted unattributed
// here.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opd/core/domain.h"
#include "opd/core/ids.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"
#include "opd/core/schedule.h"

namespace opd::producer {

struct SlotSummary {
  SlotId slot_id;
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  std::uint32_t capacity = 0;  // at close
  Tally tally;
  // Tokens holding a seat at close: waiting, called, completed or no-show
  // (a cancellation frees its seat; a served patient used theirs).
  std::uint32_t seated_at_close = 0;
  // Wait in tokens: how many other patients of the same doctor were called
  // between a token's issue and its own call. The longest among the tokens
  // called from this slot.
  std::uint32_t longest_wait = 0;

  // seated_at_close / capacity; nullopt for a closed slot (capacity 0).
  [[nodiscard]] std::optional<double> utilisation() const noexcept;
};

struct DoctorSummary {
  DoctorId doctor_id;
  std::vector<SlotSummary> slots;  // in the doctor's slot order
  Tally unplaced;                  // rejections that named no slot of this doctor
  Tally total;                     // slots plus unplaced
  std::uint32_t capacity = 0;      // seats over all slots at close
  std::uint32_t seated_at_close = 0;
  std::uint32_t tokens_issued = 0;
  std::uint32_t waitlisted_at_close = 0;
  std::uint32_t longest_wait = 0;
};

struct DaySummary {
  std::optional<ServiceDate> date;    // from the last open_day seen, if any
  std::vector<DoctorSummary> doctors; // in creation order, as the engine lists them
  Tally unattributed;                 // rejections that named no known doctor
  std::uint64_t requests = 0;         // results added, duplicates included
  std::uint64_t rejected = 0;
  std::uint64_t duplicates = 0;       // replays: counted here, nowhere else
};

class DaySummaryBuilder {
 public:
  // The schedule the engine (or worker) runs: it defines the day's slots.
  explicit DaySummaryBuilder(Schedule schedule);
  ~DaySummaryBuilder();
  DaySummaryBuilder(DaySummaryBuilder&&) noexcept;
  DaySummaryBuilder& operator=(DaySummaryBuilder&&) noexcept;
  DaySummaryBuilder(const DaySummaryBuilder&) = delete;
  DaySummaryBuilder& operator=(const DaySummaryBuilder&) = delete;

  // One request and its outcome, in the order the engine applied them. A
  // DAY_OPENED result starts a new day from the schedule.
  void add(const Request& request, const Outcome& outcome);
  [[nodiscard]] DaySummary summary() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The summary as a text table, one block per doctor, for a terminal.
[[nodiscard]] std::string format_summary(const DaySummary& summary);

}  // namespace opd::producer
