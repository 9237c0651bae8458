// Engine plumbing: construction, lookups, seats, events, and the apply()
// entry point with its idempotency table. The allocation rules live in
// engine_allocate.cc, the other operations in engine_ops.cc.
#include <algorithm>
#include <stdexcept>

#include "engine_state.h"

namespace opd {

Engine::State::State(Schedule s, EngineConfig c) : schedule(std::move(s)), config(c) {
  load_day_from_schedule();
}

void Engine::State::load_day_from_schedule() {
  for (auto& doctor : doctors) {
    doctor.slots.clear();
    doctor.waitlist.clear();
    doctor.next_number = 1;
    doctor.summary.reset(0);
    doctor.now_serving = kNoIndex;
    doctor.unplaced = Tally{};
  }
  slots.clear();
  slot_by_id.clear();
  first_serial += tokens.size();
  tokens.clear();
  token_texts.clear();
  long_token_texts.clear();
  patient_refs.clear();
  seen.clear();
  reasons.clear();
  reason_index.clear();
  reason_text.clear();
  reason_by_key.clear();
  day_opened.reset();
  unattributed = Tally{};
  for (const auto& scheduled : schedule.doctors) {
    Index doctor = find_doctor(scheduled.doctor_id);
    if (doctor == kNoIndex) doctor = add_doctor(scheduled.doctor_id);
    for (const auto& slot : scheduled.slots)
      add_slot(doctor, slot.slot_id, slot.start, slot.end, slot.capacity);
  }
}

// Token ids are "T<serial>" with a serial that never restarts, so an id
// from a closed day can never name a token of the current one.
Index Engine::State::find_token(const TokenId& id) const {
  const std::string_view text = id.view();
  // At most 19 digits, so the serial cannot overflow: no token has a
  // longer one (serials count tokens, from 1).
  if (text.size() < 2 || text.size() > 20 || text[0] != 'T' || text[1] == '0') return kNoIndex;
  std::uint64_t serial = 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const auto digit = static_cast<unsigned>(text[i] - '0');
    if (digit > 9) return kNoIndex;
    serial = serial * 10 + digit;
  }
  if (serial < first_serial || serial - first_serial >= tokens.size()) return kNoIndex;
  return static_cast<Index>(serial - first_serial);
}

TokenId Engine::State::token_id(Index token) const {
  return detail::IdAccess::numbered<TokenId>('T', first_serial + token);
}

void Engine::State::format_token_text_afresh() {
  const std::uint64_t serial = first_serial + token_texts.size();
  if (detail::ShortNumberedText::fits(serial)) {
    token_texts.emplace_back('T', serial);
  } else {
    // Empty there, kept in full here (token_ref, assign_token_id).
    long_token_texts.insert_or_assign(static_cast<Index>(token_texts.size()), detail::NumberedText('T', serial));
    token_texts.emplace_back();
  }
}

void Engine::State::format_token_texts() {
  while (token_texts.size() < tokens.size()) format_next_token_text();
}

Index Engine::State::add_doctor(const DoctorId& id) {
  const auto index = static_cast<Index>(doctors.size());
  doctors.emplace_back(id);
  doctor_by_id.insert(id.view(), index, doctor_id_of());
  return index;
}

Index Engine::State::add_slot(Index doctor, const SlotId& id, std::optional<ClockTime> start,
                              std::optional<ClockTime> end, std::uint32_t capacity) {
  const auto index = static_cast<Index>(slots.size());
  SlotRec slot(id);
  slot.doctor = doctor;
  slot.start = start;
  slot.end = end;
  slot.capacity = capacity;
  // Seats never outnumber the capacity (until set_capacity raises it): one
  // allocation per array and day, not one per doubling.
  slot.tokens.reserve(capacity);
  slot.keys.reserve(capacity);
  slot.key = SlotOrderKey{start ? start->minutes() : std::numeric_limits<int>::max(),
                          next_slot_creation++};
  slots.push_back(std::move(slot));
  slot_by_id.insert(id.view(), index, slot_id_of());
  auto& order = doctors[doctor].slots;
  const auto pos = std::upper_bound(order.begin(), order.end(), index, [this](Index a, Index b) {
    return slots[a].key < slots[b].key;
  });
  order.insert(pos, index);
  rebuild_summary(doctor);
  return index;
}

void Engine::State::rebuild_summary(Index doctor) {
  auto& d = doctors[doctor];
  d.summary.reset(static_cast<std::uint32_t>(d.slots.size()));
  for (std::uint32_t position = 0; position < d.slots.size(); ++position) {
    auto& slot = slots[d.slots[position]];
    slot.position = position;
    sync_summary(slot);
  }
}

void Engine::State::unseat(Index token) {
  auto& t = tokens[token];
  auto& slot = slots[t.slot];
  // Seat order carries no meaning (scans take a min or max over unique
  // keys; boards sort), so the last seat fills the hole: no shifting.
  const std::uint32_t at = t.seat;
  const Index last = slot.tokens.back();
  slot.tokens[at] = last;
  tokens[last].seat = at;
  slot.tokens.pop_back();
  slot.keys[at] = slot.keys.back();
  slot.keys.pop_back();
  t.seat = kNoIndex;
  set_waiting(slot, t.source, false);  // and syncs the summary
  t.slot = kNoIndex;
}

void Engine::State::waitlist_insert(Index token, Index anchor) {
  auto& t = tokens[token];
  t.state = TokenState::kWaitlisted;
  t.slot = kNoIndex;
  t.anchor = anchor;
  auto& list = doctors[t.doctor].waitlist;
  const auto pos = std::upper_bound(list.begin(), list.end(), token,
                                    [this](Index a, Index b) { return serves_before(a, b); });
  list.insert(pos, token);
}

void Engine::State::waitlist_remove(Index token) {
  auto& list = doctors[tokens[token].doctor].waitlist;
  list.erase(std::find(list.begin(), list.end(), token));
}

void Engine::State::reject(StoredResult& rec, Code code, std::string_view reason, Index doctor,
                           Index slot) {
  // Reasons repeat (the same malformed request all morning): keep each once.
  Index index;
  if (const auto it = reason_index.find(reason); it != reason_index.end()) {
    index = it->second;
  } else {
    index = static_cast<Index>(reasons.size());
    reasons.push_back(reason_text.store({reason}));
    reason_index.emplace(reasons.back(), index);
  }
  count_rejection(rec, code, index, doctor, slot);
}

void Engine::State::reject_quoting(StoredResult& rec, Code code,
                                   std::initializer_list<std::string_view> parts, Index doctor,
                                   Index slot) {
  reasons.push_back(reason_text.store(parts));
  count_rejection(rec, code, static_cast<Index>(reasons.size() - 1), doctor, slot);
}

void Engine::State::count_rejection(StoredResult& rec, Code code, Index reason, Index doctor,
                                    Index slot) {
  rec.status = Status::kRejected;
  rec.code = code;
  rec.set_reason(reason);
  const auto counter = static_cast<std::size_t>(code);
  if (slot != kNoIndex) {
    ++slots[slot].tally.rejected[counter];
  } else if (doctor != kNoIndex) {
    ++doctors[doctor].unplaced.rejected[counter];
  } else {
    ++unattributed.rejected[counter];
  }
}

// Both renders write every member of their output, so a reused Result or
// BoardEvent needs no reset first: assigning a fresh one costs hundreds of
// instructions of optional<> bookkeeping and drops the reason's buffer.
void Engine::State::render(const StoredResult& rec, Result& r) {
  // Only open_day answers DAY_OPENED. (Testing the type too let the
  // compiler read type and status as one word, written as two bytes a
  // moment before: a store-forwarding stall.)
  if (rec.status == Status::kDayOpened) {
    r = *day_opened;
    return;
  }
  r.type = rec.type;
  r.status = rec.status;
  r.code = rec.code;
  if (rec.reason() != kNoIndex) r.reason = reasons[rec.reason()];
  else r.reason.clear();
  Index doctor = kNoIndex;
  if (rec.token != kNoIndex) {
    const auto& t = tokens[rec.token];
    assign_token_id(r.token_id, rec.token);
    r.token_number = t.number;
    r.source = t.source;
    doctor = t.doctor;
  } else {
    r.token_id.reset();
    r.token_number = 0;
    r.source.reset();
  }
  if (rec.slot != kNoIndex) {
    r.slot_id = slots[rec.slot].id;
    if (doctor == kNoIndex) doctor = slots[rec.slot].doctor;
  } else {
    r.slot_id.reset();
  }
  if (doctor != kNoIndex) r.doctor_id = doctors[doctor].id;
  else r.doctor_id.reset();
  if (rec.removed() != kNoIndex) assign_token_id(r.removed_token, rec.removed());
  else r.removed_token.reset();
  if (rec.moved_to() == kWaitlistIndex) r.moved_to = Destination{};
  else if (rec.moved_to() != kNoIndex) r.moved_to = Destination{slots[rec.moved_to()].id};
  else r.moved_to.reset();
  if (rec.alternative() != kNoIndex) r.alternative_slot = slots[rec.alternative()].id;
  else r.alternative_slot.reset();
  if (rec.ahead != kNoIndex) r.ahead = rec.ahead;
  else r.ahead.reset();
  if (rec.capacity() != kNoIndex) r.capacity = rec.capacity();
  else r.capacity.reset();
  r.date.reset();
  r.report.reset();
}

void Engine::State::render(const EventRec& rec, BoardEvent& event) {
  event.kind = rec.kind;
  event.doctor_id = doctors[rec.doctor].id;
  event.version = rec.version;
  if (rec.token != kNoIndex) {
    const auto& t = tokens[rec.token];
    assign_token_id(event.token_id, rec.token);
    event.token_number = t.number;
    event.source = t.source;
  } else {
    event.token_id.reset();
    event.token_number = 0;
    event.source.reset();
  }
  const auto slot_or_none = [this](Index slot, std::optional<SlotId>& out) {
    if (slot != kNoIndex) out = slots[slot].id;
    else out.reset();
  };
  slot_or_none(rec.slot, event.slot_id);
  slot_or_none(rec.from_slot, event.from_slot);
  slot_or_none(rec.to_slot, event.to_slot);
  if (rec.capacity != kNoIndex) event.capacity = rec.capacity;
  else event.capacity.reset();
  if (rec.kind == EventKind::kDayOpened) event.date = date;
  else event.date.reset();
}

// render()'s answers as views: the same branches, with every id a view of
// the record that holds it instead of a copy. Both write every member.
void Engine::State::view(const StoredResult& rec, OpType type, ResultRef& r) const {
  if (rec.status == Status::kDayOpened) {
    r = ref_of(*day_opened);
    return;
  }
  r.type = type;
  r.status = rec.status;
  r.code = rec.code;
  r.reason = rec.reason() != kNoIndex ? reasons[rec.reason()] : std::string_view();
  Index doctor = kNoIndex;
  if (rec.token != kNoIndex) {
    const auto& t = tokens[rec.token];
    r.token_id = token_ref(rec.token);
    r.token_number = t.number;
    r.source = t.source;
    doctor = t.doctor;
  } else {
    r.token_id = {};
    r.token_number = 0;
    r.source.reset();
  }
  if (rec.slot != kNoIndex) {
    r.slot_id = slots[rec.slot].id.ref();
    if (doctor == kNoIndex) doctor = slots[rec.slot].doctor;
  } else {
    r.slot_id = {};
  }
  r.doctor_id = doctor != kNoIndex ? doctors[doctor].id.ref() : IdRef();
  r.removed_token = rec.removed() != kNoIndex ? token_ref(rec.removed()) : IdRef();
  if (rec.moved_to() == kWaitlistIndex) r.moved_to = IdRef::waitlist();
  else if (rec.moved_to() != kNoIndex) r.moved_to = slots[rec.moved_to()].id.ref();
  else r.moved_to = {};
  r.alternative_slot = rec.alternative() != kNoIndex ? slots[rec.alternative()].id.ref() : IdRef();
  if (rec.ahead != kNoIndex) r.ahead = rec.ahead;
  else r.ahead.reset();
  if (rec.capacity() != kNoIndex) r.capacity = rec.capacity();
  else r.capacity.reset();
  r.day_opened = nullptr;
}

void Engine::State::view(const EventRec& rec, EventRef& event) const {
  event.kind = rec.kind;
  event.doctor_id = doctors[rec.doctor].id.ref();
  event.version = rec.version;
  if (rec.token != kNoIndex) {
    const auto& t = tokens[rec.token];
    event.token_id = token_ref(rec.token);
    event.token_number = t.number;
    event.source = t.source;
  } else {
    event.token_id = {};
    event.token_number = 0;
    event.source.reset();
  }
  const auto slot_or_none = [this](Index slot) { return slot != kNoIndex ? slots[slot].id.ref() : IdRef(); };
  event.slot_id = slot_or_none(rec.slot);
  event.from_slot = slot_or_none(rec.from_slot);
  event.to_slot = slot_or_none(rec.to_slot);
  if (rec.capacity != kNoIndex) event.capacity = rec.capacity;
  else event.capacity.reset();
  event.date = rec.kind == EventKind::kDayOpened && date ? &*date : nullptr;
}

Engine::Engine(Schedule schedule, EngineConfig config) {
  if (auto problem = schedule.validate(); !problem.empty())
    throw std::invalid_argument("invalid schedule: " + problem);
  state_ = std::make_unique<State>(std::move(schedule), config);
}

Engine::Engine(std::unique_ptr<State> state) : state_(std::move(state)) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const EngineConfig& Engine::config() const noexcept { return state_->config; }

Outcome Engine::apply(const Request& request) {
  Outcome out;
  apply(request, out);
  return out;
}

Engine::State::Decision Engine::State::decide(const Request& request) {
  events.clear();
  const std::string_view id = request.request_id.view();
  const std::uint64_t id_hash = hash_id_text(id);
  if (request.type == OpType::kOpenDay) [[unlikely]] {
    if (const StoredResult* seen_before = seen.find(id, id_hash)) return {seen_before, true};
    // open_day clears the table, so it answers into a local; its own id
    // then goes into the new day's table, so that a retry of it is a
    // duplicate rather than a second day change.
    StoredResult rec;
    rec.type = request.type;
    open_day(request, rec);
    StoredResult& kept = *seen.find_or_insert(id, id_hash).value;
    kept = rec;
    return {&kept, false};
  }
  // Every other operation writes its answer where the table keeps it.
  // Answering into a local and copying it in read the record back while
  // its stores were still in flight, a store-forwarding stall (perf: 29%
  // of decide's samples). Every request is kept, rejected or not, so
  // the entry is never taken back.
  const auto [kept, inserted] = seen.find_or_insert(id, id_hash);
  if (!inserted) return {kept, true};
  StoredResult& rec = *kept;
  rec.type = request.type;
  switch (request.type) {
    case OpType::kAllocate: allocate(request, rec); break;
    case OpType::kCancel: cancel(request, rec); break;
    case OpType::kCallNext: call_next(request, rec); break;
    case OpType::kComplete: finish(request, rec, TokenState::kCompleted); break;
    case OpType::kNoShow: finish(request, rec, TokenState::kNoShow); break;
    case OpType::kSetCapacity: set_capacity(request, rec); break;
    default: reject(rec, Code::kBadRequest, "unknown type"); break;
  }
  return {&rec, false};
}

void Engine::apply(const Request& request, Outcome& out) {
  auto& s = *state_;
  // Tokens issued by apply_quietly() or before a load (rare: replay, then
  // one catch-up) get their ids now; the tokens this request issues get
  // theirs as they are issued.
  if (s.token_texts.size() < s.tokens.size()) s.format_token_texts();
  s.render_ids = true;
  const auto decision = s.decide(request);
  s.render(*decision.answer, out.result);
  out.result.request_id = request.request_id;
  out.result.duplicate = decision.duplicate;
  const std::size_t count = s.events.size();
  out.events.resize(count);
  const EventRec* from = s.events.data();
  BoardEvent* to = out.events.data();
  for (std::size_t i = 0; i < count; ++i) s.render(from[i], to[i]);
}

const OutcomeRef& Engine::apply_in_place(const Request& request) {
  auto& s = *state_;
  if (s.token_texts.size() < s.tokens.size()) s.format_token_texts();  // as in apply()
  s.render_ids = true;
  const auto decision = s.decide(request);
  // Kept in the state, not returned by value: a fresh one was zero-filled
  // first (rep stos, slow to start), and view() writes every member.
  OutcomeRef& out = s.answer_ref;
  // The type from the request unless the answer is an earlier one: read
  // from the record, type and status were loaded as one 16-bit word just
  // after being stored as two bytes, a store-forwarding stall (perf: a
  // fifth of this function's samples).
  s.view(*decision.answer, decision.duplicate ? decision.answer->type : request.type, out.result);
  out.result.request_id = request.request_id.ref();
  out.result.duplicate = decision.duplicate;
  // Grown, never shrunk: resizing to each request's count constructed
  // (zero-filled) the refs again whenever it grew back (perf: 5% of this
  // function's samples).
  const std::size_t count = s.events.size();
  if (s.event_refs.size() < count) s.event_refs.resize(count);
  for (std::size_t i = 0; i < count; ++i) s.view(s.events[i], s.event_refs[i]);
  out.events = std::span<const EventRef>(s.event_refs.data(), count);
  return out;
}

void Engine::apply_quietly(const Request& request) {
  state_->render_ids = false;
  (void)state_->decide(request);
}

}  // namespace opd
