// The allocator: a deterministic state machine over one service day.
//
// apply() validates a request completely, then mutates, then reports the
// Result and the board events as values. A rejected request changes nothing
// (except the day's rejection counters). The same sequence of requests on
// the same schedule and config always yields byte-identical results, events
// and state: there is no clock and no randomness inside.
//
// Thread-safety: none. One thread owns an Engine (the worker's loop); const
// queries may run concurrently only with other const queries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opd/core/domain.h"
#include "opd/core/ids.h"
#include "opd/core/outcome.h"
#include "opd/core/outcome_ref.h"
#include "opd/core/request.h"
#include "opd/core/schedule.h"

namespace opd {

enum class PreemptionPolicy : std::uint8_t {
  kAnyHigher,      // any strictly higher priority displaces
  kEmergencyOnly,  // only EMERGENCY displaces
};
[[nodiscard]] std::optional<PreemptionPolicy> parse_preemption_policy(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(PreemptionPolicy p) noexcept;

struct EngineConfig {
  PreemptionPolicy preemption = PreemptionPolicy::kAnyHigher;
  // allocate naming an unknown slot with a capacity creates it, and its
  // doctor if needed (how the original REST engine behaved). false:
  // UNKNOWN_SLOT instead. set_capacity, the administrator's operation,
  // always creates unknown slots.
  bool auto_create_slots = true;
};

struct TokenInfo {
  TokenId token_id;
  std::uint32_t token_number = 0;
  Source source = Source::kWalkIn;
  TokenState state = TokenState::kWaiting;
  friend bool operator==(const TokenInfo&, const TokenInfo&) = default;
};

struct SlotBoard {
  SlotId slot_id;
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  std::uint32_t capacity = 0;
  std::vector<TokenInfo> tokens;  // placed here (not cancelled), in service order
  friend bool operator==(const SlotBoard&, const SlotBoard&) = default;
};

// A doctor's whole board: what a waiting-room display shows.
struct Board {
  DoctorId doctor_id;
  std::uint64_t version = 0;
  std::vector<SlotBoard> slots;     // in the doctor's slot order
  std::vector<TokenInfo> waitlist;  // in drain order
  std::optional<TokenInfo> now_serving;
  friend bool operator==(const Board&, const Board&) = default;
};

struct TokenStatus {
  TokenInfo token;
  DoctorId doctor_id;
  std::optional<SlotId> slot_id;      // nullopt when waitlisted
  std::optional<std::uint32_t> ahead; // nullopt in a terminal state
  std::optional<std::string> patient_ref;
};

class Engine {
 public:
  // REQUIRES: schedule.validate().empty(); throws std::invalid_argument
  // otherwise (a programming error: callers validate first).
  explicit Engine(Schedule schedule, EngineConfig config = {});
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one request. Never throws for bad input: such input is a
  // REJECTED result naming the problem. A request_id seen earlier in the
  // current service day returns the original result with duplicate=true and
  // changes nothing.
  [[nodiscard]] Outcome apply(const Request& request);
  // The same, writing into `out` (overwritten) so a caller that applies
  // many requests (the worker's loop, replay) reuses its buffers and the
  // engine stops allocating after warm-up.
  void apply(const Request& request, Outcome& out);
  // The same as apply(), answered as views of the engine's own records
  // (outcome_ref.h) rather than values: what the worker encodes from. The
  // answer is valid until the engine's next non-const call, and its
  // request_id while `request` is.
  [[nodiscard]] const OutcomeRef& apply_in_place(const Request& request);
  // The same state change as apply(), with no Result or events rendered:
  // for journal replay at start-up, which rebuilds state and has nobody
  // to answer. A later duplicate of this request_id is answered exactly as
  // if apply() had run.
  void apply_quietly(const Request& request);

  // Queries. nullopt when the doctor / token is unknown (tokens of closed
  // days are unknown).
  [[nodiscard]] std::optional<Board> board(const DoctorId& doctor) const;
  [[nodiscard]] std::optional<TokenStatus> token(const TokenId& token) const;
  // The running day's totals, shaped as the report open_day would return now.
  [[nodiscard]] DayReport totals() const;
  [[nodiscard]] std::vector<DoctorId> doctors() const;  // creation order
  [[nodiscard]] std::optional<ServiceDate> current_date() const;
  [[nodiscard]] const EngineConfig& config() const noexcept;

  // The whole state as bytes, for the worker's snapshots: load(save())
  // yields an engine whose dump() and future results equal this one's.
  // The format is versioned and portable (little-endian, fixed widths).
  [[nodiscard]] std::string save() const;
  // Rebuilds an engine from save()'s bytes. nullopt (and `error` says why)
  // when the bytes are truncated, from another format version, or describe
  // an unsound state; never undefined behaviour on corrupt input.
  [[nodiscard]] static std::optional<Engine> load(std::string_view bytes, std::string* error);

  // A canonical text rendering of the entire state (for determinism and
  // replay checks): equal strings mean equal states.
  [[nodiscard]] std::string dump() const;
  // Every violated invariant, one message each; empty when the state is sound.
  [[nodiscard]] std::vector<std::string> check_invariants() const;

 private:
  struct State;
  explicit Engine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace opd
