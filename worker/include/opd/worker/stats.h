// The worker's counters, answered to the "stats" query. Plain integers
// owned by the loop's thread: no atomics, nothing shared.
#pragma once

#include <array>
#include <cstdint>

#include "opd/core/outcome.h"
#include "opd/core/outcome_ref.h"

namespace opd::worker {

struct Stats {
  std::uint64_t received = 0;    // requests taken from PULL (each got a seq)
  std::uint64_t malformed = 0;   // refused by the worker's decoding, never reached the core
  std::uint64_t applied = 0;     // passed to the core (its rejections and duplicates included)
  std::uint64_t duplicates = 0;  // results marked duplicate (retried request_id)
  // REJECTED results by code; malformed requests count under BAD_REQUEST.
  std::array<std::uint64_t, kCodeCount> rejected{};
  std::uint64_t results = 0;     // result messages handed to PUB
  std::uint64_t events = 0;      // board event messages handed to PUB
  std::uint64_t heartbeats = 0;
  std::uint64_t queries = 0;     // query messages received on ROUTER
  std::uint64_t bad_queries = 0; // answered with BAD_REQUEST
  std::uint64_t batches = 0;     // loop turns that applied at least one request
  std::uint64_t largest_batch = 0;

  // Messages handed to PUB. PUB drops for a subscriber past its high-water
  // mark without telling us, so this counts what was offered, not delivered.
  [[nodiscard]] std::uint64_t published() const noexcept { return results + events + heartbeats; }

  void count_applied(const ResultRef& result) noexcept {
    ++applied;
    if (result.duplicate) ++duplicates;
    if (result.status == Status::kRejected) ++rejected[static_cast<std::size_t>(result.code)];
  }
  void count_malformed() noexcept {
    ++malformed;
    ++rejected[static_cast<std::size_t>(Code::kBadRequest)];
  }
};

}  // namespace opd::worker
