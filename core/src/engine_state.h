// Private: the engine's state and the operations on it. Only core/src sees
// this header. Entities refer to each other by 32-bit index into the day's
// vectors (never by pointer), so the vectors may grow and the whole state
// stays trivially comparable and dumpable.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "opd/core/engine.h"
#include "id_access.h"
#include "id_table.h"
#include "inline_array.h"
#include "key_memo.h"
#include "record_index.h"
#include "slot_summary.h"
#include "text_arena.h"

namespace opd {

using Index = std::uint32_t;
inline constexpr Index kNoIndex = std::numeric_limits<Index>::max();
// In a stored result's moved_to: the waitlist rather than a slot.
inline constexpr Index kWaitlistIndex = kNoIndex - 1;

// Orders a doctor's slots: by start time when given, untimed slots after
// all timed ones; ties and untimed slots by creation.
struct SlotOrderKey {
  int start = std::numeric_limits<int>::max();
  std::uint32_t creation = 0;
  friend auto operator<=>(const SlotOrderKey&, const SlotOrderKey&) = default;
};

struct TokenRec {
  Index doctor = kNoIndex;
  Index slot = kNoIndex;    // where it sits; kNoIndex when waitlisted or cancelled
  Index anchor = kNoIndex;  // waitlisted: the slot it was displaced from
  // Seated: its index in slots[slot].tokens (and .keys), so leaving the
  // seat needs no search (whose exit was a misprediction at random).
  std::uint32_t seat = kNoIndex;
  std::uint64_t arrival = 0;  // original arrival order; kept across moves
  std::uint32_t number = 0;   // per-doctor human number
  Source source = Source::kWalkIn;
  TokenState state = TokenState::kWaiting;
  bool displaced = false;  // has been displaced at least once
};

// Arrivals are numbered from 0 and must fit below the rank bits (load
// rejects a state that breaks this): 2^59 arrivals is beyond any service.
inline constexpr std::uint64_t kArrivalLimit = std::uint64_t{1} << 59;
// Token serials below this leave room for 2^32 more tokens within the 19
// digits find_token reads.
inline constexpr std::uint64_t kSerialLimit = 1'000'000'000'000'000'000ULL;

// A seat holder's fields that slot scans compare, packed into one word so
// that each scan is a branch-free min or max over 8-byte keys: "waiting"
// (bit 63), source (bits 60-62), "never displaced" (bit 59), arrival (bits
// 0-58). Source, arrival and `displaced` never change while a token is
// seated (a token is displaced only after leaving its seat); "waiting" is
// cleared when it is called. With "waiting" in the key, a scan needs no
// test per seat: which seat wins depends on random data, and a test per
// seat cost a branch misprediction per call_next.
struct SeatKey {
  static constexpr std::uint64_t kWaiting = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kNeverDisplaced = std::uint64_t{1} << 59;

  // REQUIRES: t.arrival < kArrivalLimit.
  [[nodiscard]] static SeatKey of(const TokenRec& t) noexcept {
    return SeatKey{(t.state == TokenState::kWaiting ? kWaiting : 0) |
                   (std::uint64_t{static_cast<std::uint8_t>(t.source)} << 60) |
                   (t.displaced ? 0 : kNeverDisplaced) | t.arrival};
  }
  [[nodiscard]] bool waiting() const noexcept { return (bits & kWaiting) != 0; }
  [[nodiscard]] Source source() const noexcept { return static_cast<Source>((bits >> 60) & 7); }
  void mark_called() noexcept { bits &= ~kWaiting; }
  // Service order (priority, then arrival): the lowest serves first, and
  // every waiting seat ranks below every seat that is not waiting.
  [[nodiscard]] std::uint64_t serve_rank() const noexcept { return (bits & ~kNeverDisplaced) ^ kWaiting; }
  // Victim order (lowest priority, then never displaced, then latest
  // arrival): the highest is displaced first, and every waiting seat ranks
  // above every seat that is not waiting (>= kWaiting).
  [[nodiscard]] std::uint64_t victim_rank() const noexcept { return bits; }

  std::uint64_t bits = 0;
  friend bool operator==(const SeatKey&, const SeatKey&) = default;
};

// Seats kept inside a slot's record (keys and list): a usual OPD slot holds 10-30.
inline constexpr std::size_t kInlineSeats = 24;

// Aligned to a cache line, whose first one holds what a request naming the
// slot reads first: the lookup compares the id (ids of up to 23 characters
// end inside that line) and the allocation reads the counts. The seat
// arrays follow, inside the record up to kInlineSeats seats (a vector's
// header, then its heap array, was a chain of two loads per scan); the
// times and the day's counters, read by rendering and reports, come last.
struct alignas(64) SlotRec {
  explicit SlotRec(SlotId slot_id) : id(std::move(slot_id)) {}
  std::uint32_t capacity = 0;
  Index doctor = kNoIndex;
  std::uint32_t waiting = 0;  // how many of `tokens` are WAITING
  // WAITING tokens per source: who could be displaced, without a scan.
  std::array<std::uint16_t, kSourceCount> waiting_by_source{};
  std::uint32_t called_or_done = 0;
  std::uint32_t position = 0;  // in its doctor's slot order (DoctorRec::slots)
  SlotOrderKey key;
  SlotId id;
  // Beside `tokens`, same order: what the slot scans (victim choice,
  // call_next, ahead) compare, kept here so a scan reads one contiguous
  // array instead of a token record per seat; inline for the first
  // kInlineSeats, right after the id. Derived, never saved.
  InlineArray<SeatKey, kInlineSeats> keys;
  InlineArray<Index, kInlineSeats> tokens;  // placed here and not cancelled (seat holders), in no order
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  Tally tally;

  [[nodiscard]] bool open() const noexcept { return capacity > 0; }
  [[nodiscard]] bool has_free_seat() const noexcept { return tokens.size() < capacity; }
};

// Laid out as SlotRec: the first cache line holds the fields every request
// for the doctor reads, and its id (up to 47 characters).
struct alignas(64) DoctorRec {
  explicit DoctorRec(DoctorId doctor_id) : id(std::move(doctor_id)) {}
  std::uint32_t next_number = 1;
  Index now_serving = kNoIndex;
  std::uint64_t version = 0;    // survives open_day: displays never see it go back
  DoctorId id;
  std::vector<Index> slots;     // in slot order
  SlotSummary summary;          // of `slots`, by position; derived, never saved
  std::vector<Index> waitlist;  // in drain order: priority, then arrival
  Tally unplaced;
};

// What the engine answered, with indices in place of strings: ops write
// it, Result is rendered from it (rebuild), and the idempotency table keeps
// it, so a duplicate is rendered by the very same code as the original.
// Doctor, source and token number derive from the token or slot.
//
// The idempotency table keeps one per request of the day, so fields that
// never occur together share a word, and the status says which one it
// holds: REALLOCATED's removed token and where it went, REJECTED's reason
// and alternative slot, UPDATED's capacity. A reader asking for a field its
// status does not carry gets kNoIndex, as for any field left unset. (24
// bytes instead of 36: a day's table entries shrink by a quarter.)
struct StoredResult {
  OpType type = OpType::kAllocate;
  Status status = Status::kRejected;
  Code code = Code::kNone;
  Index token = kNoIndex;
  Index slot = kNoIndex;
  std::uint32_t ahead = kNoIndex;

  [[nodiscard]] Index removed() const noexcept { return status == Status::kReallocated ? first_ : kNoIndex; }
  // kWaitlistIndex: the waitlist.
  [[nodiscard]] Index moved_to() const noexcept { return status == Status::kReallocated ? second_ : kNoIndex; }
  [[nodiscard]] Index alternative() const noexcept { return status == Status::kRejected ? second_ : kNoIndex; }
  [[nodiscard]] std::uint32_t capacity() const noexcept { return status == Status::kUpdated ? first_ : kNoIndex; }
  // Rejected: an index into State::reasons.
  [[nodiscard]] Index reason() const noexcept { return status == Status::kRejected ? first_ : kNoIndex; }

  // Each REQUIRES that the status the op ends with carries the field (set
  // before or after the status, as the op goes).
  void set_displaced(Index removed, Index moved_to) noexcept {
    first_ = removed;
    second_ = moved_to;
  }
  void set_alternative(Index alternative) noexcept { second_ = alternative; }
  void set_capacity(std::uint32_t capacity) noexcept { first_ = capacity; }
  void set_reason(Index reason) noexcept { first_ = reason; }

 private:
  std::uint32_t first_ = kNoIndex;   // removed, capacity or reason
  std::uint32_t second_ = kNoIndex;  // moved_to or alternative
};

// One board event as an operation records it, with indices in place of
// strings; rendered into a BoardEvent at the end of apply().
struct EventRec {
  EventKind kind = EventKind::kAllocated;
  Index doctor = kNoIndex;
  std::uint64_t version = 0;
  Index token = kNoIndex;
  Index slot = kNoIndex;       // the token's slot at the event, or the updated slot
  Index from_slot = kNoIndex;  // MOVED/WAITLISTED
  Index to_slot = kNoIndex;    // MOVED
  std::uint32_t capacity = kNoIndex;  // SLOT_UPDATED
};

struct Engine::State {
  Schedule schedule;
  EngineConfig config;

  std::vector<DoctorRec> doctors;
  RecordIndex doctor_by_id;  // keyed by doctors[i].id (see doctor_id_of)
  std::vector<SlotRec> slots;
  RecordIndex slot_by_id;    // keyed by slots[i].id (see slot_id_of)
  std::vector<TokenRec> tokens;
  // token_texts[i] is token i's id text: formatted when the token is
  // issued while render_ids is set, else by the next apply(). Derived,
  // never saved; cleared with `tokens`. 16 bytes each, half the cache
  // footprint of full-width texts (rendering ~5% faster, same-process
  // A/B): serials of up to 14 digits. A longer one, beyond any real
  // service, is kept empty here and in full in long_token_texts.
  std::vector<detail::ShortNumberedText> token_texts;
  // The texts token_texts keeps empty, so that every token has a text to
  // view (token_ref) or copy (assign_token_id). Derived like token_texts.
  std::unordered_map<Index, detail::NumberedText> long_token_texts;
  // Set by apply(), cleared by apply_quietly(): journal replay renders
  // nothing, so it leaves the formatting to whichever apply() comes next.
  // Formatting at issue rather than testing per apply() whether this
  // request issued a token: that test went either way at random
  // (callgrind's branch model: 0.47 mispredictions per request; timed
  // with the slot summary, the two gave ~3%).
  bool render_ids = false;
  std::unordered_map<Index, std::string> patient_refs;
  IdTable<StoredResult> seen;  // this day's request ids
  // This day's rejection reasons, by index. Texts built from the engine's
  // own words are kept once (reason_index); texts that quote an id from the
  // request (reject_quoting) rarely repeat and are appended unindexed. No
  // text is ever both, so which texts are indexed follows from the texts,
  // and a state restored from a snapshot indexes exactly the same ones.
  TextArena reason_text;
  std::vector<std::string_view> reasons;
  std::unordered_map<std::string_view, Index> reason_index;
  // reject_cached's memo: reason_key -> index into reasons. Derived (not
  // saved in snapshots): rebuilding a text finds the same interned index.
  KeyMemo<Index> reason_by_key;
  std::optional<Result> day_opened;  // this day's open_day answer
  std::vector<EventRec> events;      // the current operation's; reused
  std::vector<EventRef> event_refs;  // apply_in_place()'s views of `events` (a prefix); reused
  OutcomeRef answer_ref;             // apply_in_place()'s answer; reused

  std::optional<ServiceDate> date;
  std::uint64_t first_serial = 1;  // token serial of tokens[0]; ids never repeat
  std::uint64_t next_arrival = 0;
  std::uint32_t next_slot_creation = 0;
  Tally unattributed;

  State() = default;  // empty; filled by Engine::load
  State(Schedule s, EngineConfig c);
  void load_day_from_schedule();

  // The record indexes' keys.
  [[nodiscard]] auto doctor_id_of() const noexcept {
    return [this](Index doctor) { return doctors[doctor].id.view(); };
  }
  [[nodiscard]] auto slot_id_of() const noexcept {
    return [this](Index slot) { return slots[slot].id.view(); };
  }

  // --- lookups (kNoIndex when absent)
  [[nodiscard]] Index find_doctor(const DoctorId& id) const;
  [[nodiscard]] Index find_slot(const SlotId& id) const;
  [[nodiscard]] Index find_token(const TokenId& id) const;
  [[nodiscard]] TokenId token_id(Index token) const;
  // token_id() written into `out` in place, from token_texts (render's hot
  // path: a result and its events name the same few tokens, so each is
  // formatted once and then copied; callgrind: -3% of apply()).
  // REQUIRES: token < token_texts.size() (see render_ids).
  void assign_token_id(std::optional<TokenId>& out, Index token) {
    const auto& text = token_texts[token];
    if (text.size != 0) [[likely]] detail::IdAccess::assign(out, text);
    else detail::IdAccess::assign(out, long_token_texts.find(token)->second);
  }
  // Token `token`'s id text, valid until token_texts changes.
  // REQUIRES: token < token_texts.size() (see render_ids).
  [[nodiscard]] IdRef token_ref(Index token) const {
    const auto& text = token_texts[token];
    if (text.size != 0) [[likely]] return text.ref();
    return long_token_texts.find(token)->second.ref();
  }
  // Formats the id of token token_texts.size(), the next one unformatted:
  // a decimal step from the previous id, a full format only when the step
  // adds a digit.
  void format_next_token_text() {
    // Copied first, then stepped in place: stepping a local copy and then
    // copying it read its bytes back while their stores were still in
    // flight (a store-forwarding stall).
    if (!token_texts.empty()) {
      token_texts.push_back(token_texts.back());
      if (token_texts.back().increment()) return;
      token_texts.pop_back();
    }
    format_token_text_afresh();
  }
  [[gnu::noinline]] void format_token_text_afresh();
  // Formats every token id not yet formatted (after apply_quietly() or
  // load, many).
  [[gnu::noinline]] void format_token_texts();

  // --- structural changes
  Index add_doctor(const DoctorId& id);
  Index add_slot(Index doctor, const SlotId& id, std::optional<ClockTime> start,
                 std::optional<ClockTime> end, std::uint32_t capacity);
  Index new_token(Index doctor, Source source);
  void seat(Index token, Index slot);
  // REQUIRES: the token is WAITING in a slot (called and served tokens
  // keep their seats: they count against the capacity).
  void unseat(Index token);
  void waitlist_insert(Index token, Index anchor);
  void waitlist_remove(Index token);

  // --- allocation rules
  [[nodiscard]] Index choose_victim(Index slot) const;
  // The preemption rule: strictly higher priority, and the policy allows it.
  [[nodiscard]] bool may_displace(Source newcomer, Source victim) const;
  // Whether choose_victim(slot) would yield a token this newcomer outranks.
  [[nodiscard]] bool may_displace_in(Source newcomer, Index slot) const;
  void set_waiting(SlotRec& slot, Source source, bool waiting);
  // Brings the doctor's summary in step with `slot`: after any change to
  // its capacity, seats or waiting count.
  void sync_summary(const SlotRec& slot);
  // Renumbers the doctor's slot positions and rebuilds its summary: after
  // its slot order changed (a slot added, a day loaded).
  void rebuild_summary(Index doctor);
  [[nodiscard]] Index later_free_slot(Index slot) const;
  // Moves a token just taken out of `from` to the earliest later free slot,
  // or to the waitlist. Never displaces anyone (no cascades).
  void relocate(Index token, Index from);
  // Seats the best eligible waitlisted tokens while `slot` has free seats.
  void fill_from_waitlist(Index slot);
  [[nodiscard]] std::uint32_t ahead_of(Index token) const;
  // ahead_of() for the latest arrival, WAITING in `slot` with `source`.
  [[nodiscard]] std::uint32_t ahead_of_latest(const SlotRec& slot, Source source) const;
  [[nodiscard]] bool serves_before(Index a, Index b) const;

  // --- events and results
  // Records a board event (rendered into a BoardEvent only for callers
  // that want the outcome; replay does not). Captures what may change
  // later in the same operation: the version and the token's slot.
  EventRec& emit(Index doctor, EventKind kind);
  EventRec& emit_token(Index token, EventKind kind);
  // Counts the rejection against the slot, else the doctor, else the day.
  void reject(StoredResult& rec, Code code, std::string_view reason, Index doctor = kNoIndex,
              Index slot = kNoIndex);
  // The same for a reason that quotes an id from the request ("unknown
  // token 'T9'"): a hostile or confused kiosk can make each one different,
  // so it is stored without being looked up. REQUIRES: no reject() text
  // ever equals such a text (see reasons).
  void reject_quoting(StoredResult& rec, Code code, std::initializer_list<std::string_view> parts,
                      Index doctor = kNoIndex, Index slot = kNoIndex);
  // The same for a reason fully determined by (code, a, b), e.g. "no slot
  // of doctor X has a seat for PAID": a busy day repeats such rejections
  // thousands of times, so the text is built only the first time.
  template <class MakeReason>
  void reject_cached(StoredResult& rec, Code code, Index a, Index b, MakeReason&& make_reason,
                     Index doctor = kNoIndex, Index slot = kNoIndex) {
    const auto key = reason_key(code, a, b);
    if (key) {
      if (const Index* memo = reason_by_key.find(*key)) {
        count_rejection(rec, code, *memo, doctor, slot);
        return;
      }
    }
    reject(rec, code, make_reason(), doctor, slot);
    if (key) reason_by_key.insert(*key, rec.reason());
  }
  void count_rejection(StoredResult& rec, Code code, Index reason, Index doctor, Index slot);
  // code (8 bits) | a (28) | b (28), kNoIndex as all ones; nullopt (no
  // memo) for indices too large to pack, which no real day reaches.
  [[nodiscard]] static std::optional<std::uint64_t> reason_key(Code code, Index a, Index b) noexcept {
    constexpr std::uint64_t kField = (std::uint64_t{1} << 28) - 1;
    const auto pack = [](Index x) -> std::optional<std::uint64_t> {
      if (x == kNoIndex) return kField;
      if (x >= kField) return std::nullopt;
      return x;
    };
    const auto pa = pack(a), pb = pack(b);
    if (!pa || !pb) return std::nullopt;
    return (std::uint64_t{static_cast<std::uint8_t>(code)} << 56) | (*pa << 28) | *pb;
  }

  // --- operations; each validates fully before its first mutation, writes
  // its answer to `rec` and its board events to `out.events`
  void allocate(const Request& r, StoredResult& rec);
  void cancel(const Request& r, StoredResult& rec);
  void call_next(const Request& r, StoredResult& rec);
  void finish(const Request& r, StoredResult& rec, TokenState to);
  void set_capacity(const Request& r, StoredResult& rec);
  void open_day(const Request& r, StoredResult& rec);

  // The decision on one request: its answer as the idempotency table keeps
  // it (valid until the next decide), its events in `events`; or, for a
  // duplicate, the stored answer of the earlier request with the same id
  // (nothing changed, no events).
  struct Decision {
    const StoredResult* answer;
    bool duplicate;
  };
  // Defined in engine.cc, whose apply(), apply_quietly() and
  // apply_in_place() are its only callers, and inlined there (its call's
  // register saves and restores were ~17 instructions a request; in place
  // 1.014x, 1.014x and 1.012x over 16, 24 and 24 pairs).
  [[nodiscard, gnu::always_inline]] inline Decision decide(const Request& request);

  // Not const: they fill token_texts. Defined in engine.cc, whose apply()
  // is their only caller, and inlined there (callgrind: -40 instructions
  // per apply, the calls' spills and reloads).
  [[gnu::always_inline]] inline void render(const StoredResult& rec, Result& result);
  [[gnu::always_inline]] inline void render(const EventRec& rec, BoardEvent& event);
  // The same answers as views of this state (apply_in_place).
  // REQUIRES: type == rec.type.
  [[gnu::always_inline]] inline void view(const StoredResult& rec, OpType type, ResultRef& result) const;
  [[gnu::always_inline]] inline void view(const EventRec& rec, EventRef& event) const;

  // --- queries
  [[nodiscard]] TokenInfo token_info(Index token) const;
  [[nodiscard]] DayReport report() const;
};

// Hot and tiny: defined here so every operation's file can inline them.
static_assert(RecordIndex::kNotFound == kNoIndex);
inline Index Engine::State::find_doctor(const DoctorId& id) const {
  return doctor_by_id.find(id.view(), doctor_id_of());
}

inline Index Engine::State::find_slot(const SlotId& id) const {
  return slot_by_id.find(id.view(), slot_id_of());
}

// Service order among tokens of one slot (or the waitlist): priority, then
// original arrival.
inline bool Engine::State::serves_before(Index a, Index b) const {
  const auto& x = tokens[a];
  const auto& y = tokens[b];
  if (x.source != y.source) return x.source < y.source;
  return x.arrival < y.arrival;
}

inline void Engine::State::set_waiting(SlotRec& slot, Source source, bool waiting) {
  auto& count = slot.waiting_by_source[static_cast<std::size_t>(source)];
  if (waiting) {
    ++slot.waiting;
    ++count;
  } else {
    --slot.waiting;
    --count;
  }
  sync_summary(slot);
}

inline void Engine::State::sync_summary(const SlotRec& slot) {
  doctors[slot.doctor].summary.set(slot.position, slot.has_free_seat(), slot.waiting);
}

// Every waiting token of the latest arrival's priority or higher came
// earlier, so the per-source counters give the answer without a scan. All
// five are summed, masked, rather than stopping at its source: where a loop
// stops at random costs a branch misprediction per call.
inline std::uint32_t Engine::State::ahead_of_latest(const SlotRec& slot, Source source) const {
  std::uint32_t ahead = doctors[slot.doctor].summary.waiting_before(slot.position);
  for (std::size_t s = 0; s < kSourceCount; ++s)
    ahead += slot.waiting_by_source[s] * static_cast<std::uint32_t>(s <= static_cast<std::size_t>(source));
  return ahead - 1;  // itself
}

// Called once or more by every operation, from every operation's file.
inline Index Engine::State::new_token(Index doctor, Source source) {
  const auto index = static_cast<Index>(tokens.size());
  tokens.push_back(TokenRec{.doctor = doctor,
                            .arrival = next_arrival++,
                            .number = doctors[doctor].next_number++,
                            .source = source,
                            .state = TokenState::kWaiting});
  if (render_ids) format_next_token_text();
  return index;
}

inline void Engine::State::seat(Index token, Index slot) {
  auto& t = tokens[token];
  t.slot = slot;
  t.anchor = kNoIndex;
  t.state = TokenState::kWaiting;
  t.seat = static_cast<std::uint32_t>(slots[slot].tokens.size());
  slots[slot].tokens.push_back(token);
  slots[slot].keys.push_back(SeatKey::of(t));
  set_waiting(slots[slot], t.source, true);
}

inline EventRec& Engine::State::emit(Index doctor, EventKind kind) {
  auto& event = events.emplace_back();
  event.kind = kind;
  event.doctor = doctor;
  event.version = ++doctors[doctor].version;
  return event;
}

inline EventRec& Engine::State::emit_token(Index token, EventKind kind) {
  auto& event = emit(tokens[token].doctor, kind);
  event.token = token;
  event.slot = tokens[token].slot;
  return event;
}

}  // namespace opd
