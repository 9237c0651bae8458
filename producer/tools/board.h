// A doctor's waiting-room board as a display keeps it: a snapshot from the
// query socket, then the doctor's board events applied in version order
// (the Clone pattern of the ZeroMQ guide). Same shape as the snapshot
// answer, so "the display shows what the worker has" is a plain equality.
//
// The rules replayed here are the engine's: tokens of a slot and of the
// waitlist are in service order (priority, then arrival, and within one
// doctor arrival order is token_number order); a CALLED token is now
// serving until it is completed or marked no-show.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "producer/tools/wire.h"

namespace opd::tools {

struct TokenView {
  std::string token_id;
  std::uint32_t number = 0;
  std::string source;
  std::uint32_t priority = 0;
  std::string state;  // WAITING, WAITLISTED, CALLED, COMPLETED, NO_SHOW
  friend bool operator==(const TokenView&, const TokenView&) = default;
};

struct SlotView {
  std::string slot_id;
  std::optional<std::string> start;  // "HH:MM"
  std::optional<std::string> end;
  std::uint32_t capacity = 0;
  std::vector<TokenView> tokens;  // seat holders in service order
  friend bool operator==(const SlotView&, const SlotView&) = default;
};

struct BoardView {
  std::string doctor_id;
  std::uint64_t version = 0;
  std::uint64_t seq = 0;  // the last request reflected (snapshot seq, or a later event's)
  std::vector<SlotView> slots;
  std::vector<TokenView> waitlist;
  std::optional<TokenView> now_serving;
  // For the screen only (not in the snapshot): the latest moves, newest
  // last, e.g. {"#12", "D1-1000"} or {"#13", "WAITLIST"}.
  std::deque<std::pair<std::string, std::string>> recent_moves;
};

// nullopt (and *error) when the answer is not a snapshot (e.g. an error code).
[[nodiscard]] std::optional<BoardView> board_from_snapshot(const json& answer, std::string* error);
// The snapshot shape: doctor_id, version, seq, slots, waitlist, now_serving.
[[nodiscard]] json board_to_json(const BoardView& board);

enum class ApplyResult {
  kApplied,
  kStale,   // version <= the board's: already in the snapshot
  kGap,     // version > the board's + 1: events were lost, take a new snapshot
  kResync,  // the event cannot be applied locally (a new day, an unknown slot
            // or token): take a new snapshot
};

// Applies one board event (a doctor/<id>/ map). *why explains kGap and kResync.
[[nodiscard]] ApplyResult apply_event(BoardView& board, const json& event, std::string* why);

}  // namespace opd::tools
