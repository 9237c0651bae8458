#include "producer/tools/board.h"

#include <algorithm>

#include "opd/core/domain.h"

namespace opd::tools {
namespace {

constexpr std::size_t kRecentMoves = 4;

std::optional<TokenView> token_from_json(const json& map) {
  const auto id = string_field(map, "token_id");
  const auto number = unsigned_field(map, "token_number");
  const auto source = string_field(map, "source");
  const auto state = string_field(map, "state");
  if (!id || !number || !source || !state) return std::nullopt;
  const auto priority = unsigned_field(map, "priority");
  const auto parsed = parse_source(*source);
  return TokenView{*id, static_cast<std::uint32_t>(*number), *source,
                   static_cast<std::uint32_t>(priority.value_or(parsed ? static_cast<std::uint64_t>(priority_of(*parsed)) : 9)),
                   *state};
}

json token_to_json(const TokenView& t) {
  return json{{"token_id", t.token_id},
              {"token_number", t.number},
              {"source", t.source},
              {"priority", t.priority},
              {"state", t.state}};
}

void sort_service_order(std::vector<TokenView>& tokens) {
  std::stable_sort(tokens.begin(), tokens.end(), [](const TokenView& a, const TokenView& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.number < b.number;
  });
}

// Where a token sits on the board.
struct Place {
  std::vector<TokenView>* list = nullptr;
  std::size_t index = 0;
};

Place find_token(BoardView& board, const std::string& id) {
  for (auto& slot : board.slots)
    for (std::size_t i = 0; i < slot.tokens.size(); ++i)
      if (slot.tokens[i].token_id == id) return {&slot.tokens, i};
  for (std::size_t i = 0; i < board.waitlist.size(); ++i)
    if (board.waitlist[i].token_id == id) return {&board.waitlist, i};
  return {};
}

SlotView* find_slot(BoardView& board, const std::string& id) {
  for (auto& slot : board.slots)
    if (slot.slot_id == id) return &slot;
  return nullptr;
}

void note_move(BoardView& board, const TokenView& token, const std::string& to) {
  board.recent_moves.emplace_back("#" + std::to_string(token.number), to);
  while (board.recent_moves.size() > kRecentMoves) board.recent_moves.pop_front();
}

ApplyResult resync(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return ApplyResult::kResync;
}

}  // namespace

std::optional<BoardView> board_from_snapshot(const json& answer, std::string* error) {
  const auto fail = [error](std::string message) -> std::optional<BoardView> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (const auto code = string_field(answer, "code"))
    return fail(*code + ": " + string_field(answer, "reason").value_or(""));
  BoardView board;
  const auto doctor = string_field(answer, "doctor_id");
  const auto version = unsigned_field(answer, "version");
  const auto slots = answer.find("slots");
  const auto waitlist = answer.find("waitlist");
  if (!doctor || !version || slots == answer.end() || !slots->is_array() || waitlist == answer.end() ||
      !waitlist->is_array())
    return fail("not a snapshot: " + answer.dump());
  board.doctor_id = *doctor;
  board.version = *version;
  board.seq = unsigned_field(answer, "seq").value_or(0);
  for (const auto& s : *slots) {
    SlotView slot{.slot_id = string_field(s, "slot_id").value_or(""),
                  .start = string_field(s, "start"),
                  .end = string_field(s, "end"),
                  .capacity = static_cast<std::uint32_t>(unsigned_field(s, "capacity").value_or(0))};
    if (const auto tokens = s.find("tokens"); tokens != s.end() && tokens->is_array())
      for (const auto& t : *tokens)
        if (auto token = token_from_json(t)) slot.tokens.push_back(std::move(*token));
    board.slots.push_back(std::move(slot));
  }
  for (const auto& t : *waitlist)
    if (auto token = token_from_json(t)) board.waitlist.push_back(std::move(*token));
  if (const auto serving = answer.find("now_serving"); serving != answer.end() && serving->is_object())
    board.now_serving = token_from_json(*serving);
  return board;
}

json board_to_json(const BoardView& board) {
  json slots = json::array();
  for (const auto& slot : board.slots) {
    json tokens = json::array();
    for (const auto& t : slot.tokens) tokens.push_back(token_to_json(t));
    slots.push_back(json{{"slot_id", slot.slot_id},
                         {"start", slot.start ? json(*slot.start) : json(nullptr)},
                         {"end", slot.end ? json(*slot.end) : json(nullptr)},
                         {"capacity", slot.capacity},
                         {"tokens", std::move(tokens)}});
  }
  json waitlist = json::array();
  for (const auto& t : board.waitlist) waitlist.push_back(token_to_json(t));
  return json{{"doctor_id", board.doctor_id},
              {"version", board.version},
              {"seq", board.seq},
              {"slots", std::move(slots)},
              {"waitlist", std::move(waitlist)},
              {"now_serving", board.now_serving ? token_to_json(*board.now_serving) : json(nullptr)}};
}

ApplyResult apply_event(BoardView& board, const json& event, std::string* why) {
  const auto version = unsigned_field(event, "version");
  const auto kind = string_field(event, "event");
  if (!version || !kind) return resync(why, "an event without version or kind");
  if (*version <= board.version) return ApplyResult::kStale;
  if (*version != board.version + 1) {
    if (why)
      *why = "gap: board at v" + std::to_string(board.version) + ", event v" + std::to_string(*version);
    return ApplyResult::kGap;
  }
  const auto token_id = string_field(event, "token_id");
  const auto seq = unsigned_field(event, "seq").value_or(board.seq);

  // Every case validates before it changes anything, so a kResync leaves
  // the board as it was (it is replaced by the next snapshot anyway).
  if (*kind == "DAY_OPENED") return resync(why, "a new day was opened");
  if (*kind == "SLOT_UPDATED") {
    const auto slot_id = string_field(event, "slot_id");
    const auto capacity = unsigned_field(event, "capacity");
    SlotView* slot = slot_id ? find_slot(board, *slot_id) : nullptr;
    // A new slot's times and place in the day are not in the event.
    if (!slot || !capacity) return resync(why, "slot " + slot_id.value_or("?") + " is new");
    slot->capacity = static_cast<std::uint32_t>(*capacity);
  } else if (*kind == "ALLOCATED") {
    const auto slot_id = string_field(event, "slot_id");
    SlotView* slot = slot_id ? find_slot(board, *slot_id) : nullptr;
    TokenView token{.token_id = token_id.value_or(""),
                    .number = static_cast<std::uint32_t>(unsigned_field(event, "token_number").value_or(0)),
                    .source = string_field(event, "source").value_or(""),
                    .priority = static_cast<std::uint32_t>(unsigned_field(event, "priority").value_or(9)),
                    .state = "WAITING"};
    if (!slot || !token_id) return resync(why, "ALLOCATED into an unknown slot");
    slot->tokens.push_back(std::move(token));
    sort_service_order(slot->tokens);
  } else {
    if (!token_id) return resync(why, *kind + " without a token");
    const Place place = find_token(board, *token_id);
    if (!place.list) return resync(why, *kind + " of token " + *token_id + ", not on the board");
    TokenView& token = (*place.list)[place.index];
    if (*kind == "MOVED") {
      const auto to = string_field(event, "to_slot");
      SlotView* slot = to ? find_slot(board, *to) : nullptr;
      if (!slot) return resync(why, "MOVED to an unknown slot");
      TokenView moved = token;
      moved.state = "WAITING";
      place.list->erase(place.list->begin() + static_cast<std::ptrdiff_t>(place.index));
      note_move(board, moved, slot->slot_id);
      slot->tokens.push_back(std::move(moved));
      sort_service_order(slot->tokens);
    } else if (*kind == "WAITLISTED") {
      TokenView moved = token;
      moved.state = "WAITLISTED";
      place.list->erase(place.list->begin() + static_cast<std::ptrdiff_t>(place.index));
      note_move(board, moved, std::string(kWaitlistWire));
      board.waitlist.push_back(std::move(moved));
      sort_service_order(board.waitlist);
    } else if (*kind == "CANCELLED") {
      place.list->erase(place.list->begin() + static_cast<std::ptrdiff_t>(place.index));
    } else if (*kind == "CALLED") {
      token.state = "CALLED";
      board.now_serving = token;
    } else if (*kind == "COMPLETED" || *kind == "NO_SHOW") {
      token.state = *kind;
      if (board.now_serving && board.now_serving->token_id == *token_id) board.now_serving.reset();
    } else {
      return resync(why, "unknown event " + *kind);
    }
  }
  board.version = *version;
  board.seq = std::max(board.seq, seq);
  return ApplyResult::kApplied;
}

}  // namespace opd::tools
