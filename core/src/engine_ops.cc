// cancel, call_next, complete/no_show, set_capacity and open_day.
#include <algorithm>
#include <limits>
#include <string>

#include "engine_state.h"

namespace opd {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

void Engine::State::cancel(const Request& r, StoredResult& rec) {
  if (!r.token_id) return reject(rec, Code::kBadRequest, "missing field 'token_id'");
  const Index token = find_token(*r.token_id);
  if (token == kNoIndex)
    return reject_quoting(rec, Code::kUnknownToken, {"unknown token '", r.token_id->view(), "'"});
  auto& t = tokens[token];
  if (t.state != TokenState::kWaiting && t.state != TokenState::kWaitlisted)
    return reject_quoting(rec, Code::kInvalidState,
                          {"token '", r.token_id->view(), "' is ", to_string(t.state), " and cannot be cancelled"},
                          t.doctor, t.slot);

  rec.token = token;
  rec.slot = tokens[token].slot;
  rec.status = Status::kCancelled;
  const Index freed = t.slot;
  if (t.state == TokenState::kWaiting) {
    ++slots[freed].tally.cancelled;
    emit_token(token, EventKind::kCancelled);
    unseat(token);
  } else {
    ++slots[t.anchor].tally.cancelled;
    emit_token(token, EventKind::kCancelled);
    waitlist_remove(token);
  }
  t.state = TokenState::kCancelled;
  t.anchor = kNoIndex;
  if (freed != kNoIndex) fill_from_waitlist(freed);
}

void Engine::State::call_next(const Request& r, StoredResult& rec) {
  if (!r.doctor_id) return reject(rec, Code::kBadRequest, "missing field 'doctor_id'");
  const Index doctor = find_doctor(*r.doctor_id);
  if (doctor == kNoIndex)
    return reject_quoting(rec, Code::kUnknownDoctor, {"unknown doctor '", r.doctor_id->view(), "'"});
  Index only_slot = kNoIndex;
  if (r.slot_id) {
    only_slot = find_slot(*r.slot_id);
    if (only_slot == kNoIndex)
      return reject_quoting(rec, Code::kUnknownSlot, {"unknown slot '", r.slot_id->view(), "'"}, doctor);
    if (slots[only_slot].doctor != doctor)
      return reject(rec, Code::kSlotDoctorMismatch,
                    "slot " + quoted(r.slot_id->view()) + " belongs to doctor " +
                        quoted(doctors[slots[only_slot].doctor].id.view()),
                    doctor);
  }
  // The earliest slot with a waiting token (or the one named, if any waits).
  Index from = kNoIndex;
  if (only_slot != kNoIndex) {
    if (slots[only_slot].waiting > 0) from = only_slot;
  } else {
    const auto& d = doctors[doctor];
    const std::uint32_t position = d.summary.first_waiting(0);
    if (position != SlotSummary::kNone) from = d.slots[position];
  }
  Index next = kNoIndex;
  std::size_t next_seat = 0;
  if (from != kNoIndex) {
    // from.waiting > 0, so some seat is waiting and beats the start value.
    const auto& keys = slots[from].keys;
    std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::uint64_t rank = keys[i].serve_rank();
      next_seat = rank < lowest ? i : next_seat;
      lowest = rank < lowest ? rank : lowest;
    }
    next = slots[from].tokens[next_seat];
  }
  if (next == kNoIndex)
    return reject_cached(
        rec, Code::kQueueEmpty, doctor, only_slot,
        [&] {
          return "no waiting token for doctor " + quoted(r.doctor_id->view()) +
                 (r.slot_id ? " in slot " + quoted(r.slot_id->view()) : std::string());
        },
        doctor, only_slot);

  // Nothing below reads the token's record, only writes it: it is a
  // random one, likely out of cache, and what is needed is in the slot and
  // its seat key. The miss then overlaps this work instead of stalling it.
  auto& slot = slots[from];
  auto& key = slot.keys[next_seat];
  key.mark_called();
  set_waiting(slot, key.source(), false);
  ++slot.called_or_done;
  tokens[next].state = TokenState::kCalled;
  doctors[doctor].now_serving = next;
  auto& event = emit(doctor, EventKind::kCalled);
  event.token = next;
  event.slot = from;
  rec.status = Status::kCalled;
  rec.token = next;
  rec.slot = from;
  rec.ahead = 0;
}

void Engine::State::finish(const Request& r, StoredResult& rec, TokenState to) {
  if (!r.token_id) return reject(rec, Code::kBadRequest, "missing field 'token_id'");
  const Index token = find_token(*r.token_id);
  if (token == kNoIndex)
    return reject_quoting(rec, Code::kUnknownToken, {"unknown token '", r.token_id->view(), "'"});
  auto& t = tokens[token];
  if (t.state != TokenState::kCalled)
    return reject_quoting(rec, Code::kInvalidState,
                          {"token '", r.token_id->view(), "' is ", to_string(t.state), ", only a CALLED token can be ",
                           to == TokenState::kCompleted ? "completed" : "marked no-show"},
                          t.doctor, t.slot);

  t.state = to;
  auto& doctor = doctors[t.doctor];
  if (doctor.now_serving == token) doctor.now_serving = kNoIndex;
  const bool completed = to == TokenState::kCompleted;
  ++(completed ? slots[t.slot].tally.served : slots[t.slot].tally.no_shows);
  emit_token(token, completed ? EventKind::kCompleted : EventKind::kNoShow);
  rec.status = completed ? Status::kCompleted : Status::kNoShow;
  rec.token = token;
  rec.slot = tokens[token].slot;
}

void Engine::State::set_capacity(const Request& r, StoredResult& rec) {
  if (!r.doctor_id) return reject(rec, Code::kBadRequest, "missing field 'doctor_id'");
  if (!r.slot_id) return reject(rec, Code::kBadRequest, "missing field 'slot_id'");
  if (!r.capacity) return reject(rec, Code::kBadRequest, "missing field 'capacity'");
  const std::uint32_t capacity = *r.capacity;
  if (capacity > kMaxSlotCapacity)
    return reject(rec, Code::kBadRequest,
                  "field 'capacity' exceeds the maximum " + std::to_string(kMaxSlotCapacity));
  if (r.end && !r.start) return reject(rec, Code::kBadRequest, "field 'end' given without 'start'");
  if (r.start && r.end && !(*r.start < *r.end))
    return reject(rec, Code::kBadRequest, "field 'start' must be before 'end'");
  Index doctor = find_doctor(*r.doctor_id);
  Index slot = find_slot(*r.slot_id);

  if (slot == kNoIndex) {
    if (r.slot_id->view() == kWaitlistName)
      return reject(rec, Code::kBadRequest, "field 'slot_id': 'WAITLIST' is reserved", doctor);
    // --- mutation: a new slot (and doctor) for the day
    if (doctor == kNoIndex) doctor = add_doctor(*r.doctor_id);
    slot = add_slot(doctor, *r.slot_id, r.start, r.end, capacity);
    auto& event = emit(doctor, EventKind::kSlotUpdated);
    event.slot = slot;
    event.capacity = capacity;
    fill_from_waitlist(slot);
  } else {
    auto& s = slots[slot];
    if (s.doctor != doctor)
      return reject(rec, Code::kSlotDoctorMismatch,
                    "slot " + quoted(s.id.view()) + " belongs to doctor " +
                        quoted(doctors[s.doctor].id.view()),
                    doctor);
    if ((r.start && r.start != s.start) || (r.end && r.end != s.end))
      return reject(rec, Code::kSlotTimeMismatch,
                    "slot " + quoted(s.id.view()) + " keeps its start and end; only capacity changes",
                    doctor, slot);
    if (capacity < s.called_or_done)
      return reject(rec, Code::kCapacityBelowServed,
                    "slot " + quoted(s.id.view()) + " already has " + std::to_string(s.called_or_done) +
                        " called or served tokens; capacity cannot go below that",
                    doctor, slot);
    // --- mutation
    if (capacity != s.capacity) {
      s.capacity = capacity;
      sync_summary(s);
      auto& event = emit(doctor, EventKind::kSlotUpdated);
      event.slot = slot;
      event.capacity = capacity;
      if (s.tokens.size() > capacity) {
        // Who leaves is decided in victim order; who then gets the first
        // free later seat is decided in service order.
        std::vector<Index> leaving;
        while (s.tokens.size() > capacity) {
          const Index victim = choose_victim(slot);
          unseat(victim);
          leaving.push_back(victim);
        }
        std::sort(leaving.begin(), leaving.end(),
                  [this](Index a, Index b) { return serves_before(a, b); });
        for (const Index token : leaving) relocate(token, slot);
      } else {
        fill_from_waitlist(slot);
      }
    }
  }
  rec.status = Status::kUpdated;
  rec.slot = slot;
  rec.set_capacity(capacity);
}

void Engine::State::open_day(const Request& r, StoredResult& rec) {
  if (!r.date) return reject(rec, Code::kBadRequest, "missing field 'date'");
  if (date && !(*date < *r.date))
    return reject(rec, Code::kStaleDate,
                  "day " + r.date->str() + " is not after the current day " + date->str());
  // --- mutation
  auto closed = report();
  load_day_from_schedule();
  date = r.date;
  for (Index doctor = 0; doctor < doctors.size(); ++doctor) (void)emit(doctor, EventKind::kDayOpened);
  rec.status = Status::kDayOpened;
  day_opened.emplace();
  day_opened->type = OpType::kOpenDay;
  day_opened->status = Status::kDayOpened;
  day_opened->date = r.date;
  day_opened->report = std::move(closed);
}

}  // namespace opd
