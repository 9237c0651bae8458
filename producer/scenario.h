// A deterministic, realistic one-day OPD scenario: the requests kiosks, the
// booking site and doctors' desks would send over a day, in time order.
//
// The day is a stream, not a fixed list: which token to cancel, complete or
// mark no-show is only known from earlier results, so the caller feeds each
// request's reply back before asking for the next one:
//
//   Scenario day(schedule, {.seed = 7});
//   while (auto step = day.next()) day.feed(reply_of(engine.apply(step->request).result));
//
// The same schedule, options and replies always give the same requests. All
// randomness comes from one std::mt19937_64 seeded with options.seed (its
// output is fixed by the standard; the std distributions are not, so they
// are not used). Standard library and the core's headers only, so the same
// scenario drives an in-process Engine or a worker over the wire.
//
// What the day contains, per doctor (scaled by its capacity): online
// bookings for chosen slots early in the morning, follow-ups, walk-ins
// through the morning, paid consultations, a few emergencies at random
// times, cancellations, and each doctor's desk calling, completing and
// marking no-shows at a consultation pace. One doctor arrives late: their
// first slot(s) are cut with set_capacity (tokens move on or to the
// waitlist) and an extra slot is opened after their last one. A booking
// rejected with an alternative_slot is retried once in that slot.
//
// Thread-safety: none; one thread drives a Scenario.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "opd/core/domain.h"
#include "opd/core/ids.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"
#include "opd/core/schedule.h"

namespace opd::producer {

struct ScenarioOptions {
  std::uint64_t seed = 1;
  // When set, the day begins with open_day on this date: a running worker
  // must start a fresh day (and forget earlier request ids) first.
  std::optional<ServiceDate> date;
  // Every request_id is "<prefix>-<n>". Against a shared worker, use a
  // prefix unique to the run so ids never collide with another client's.
  // Must satisfy the id rule and be at most 48 characters.
  std::string request_prefix = "sim";
};

// One request and the simulated minute of the day (minutes since midnight,
// may pass 24:00 only for a doctor working past midnight) it is sent at.
struct Step {
  int minute = 0;
  Request request;
};

// What the scenario reads of a result. A wire client fills it from the
// result map (status != REJECTED, token_id, alternative_slot).
struct Reply {
  bool ok = false;
  std::optional<TokenId> token_id;          // the token allocated or called
  std::optional<SlotId> alternative_slot;   // offered with a rejection
};
[[nodiscard]] Reply reply_of(const Result& result);

class Scenario {
 public:
  // REQUIRES: schedule.validate().empty(). Throws std::invalid_argument on an
  // invalid schedule or request_prefix.
  Scenario(const Schedule& schedule, ScenarioOptions options);
  ~Scenario();
  Scenario(Scenario&&) noexcept;
  Scenario& operator=(Scenario&&) noexcept;
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  // The next request in time order, or nullopt when the day is over.
  // REQUIRES: the previous step's reply was fed.
  [[nodiscard]] std::optional<Step> next();
  // The reply to the request the last next() returned.
  // REQUIRES: exactly once per step.
  void feed(const Reply& reply);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opd::producer
