// The allocation rules: seat choice, preemption, victim choice, and where a
// displaced token goes.
#include <string>

#include "engine_state.h"

namespace opd {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace

// Among the slot's WAITING tokens: the lowest priority; among those one
// never displaced before (a patient is not bumped twice while another can
// be); then the latest arrival. Called or served tokens are never victims.
Index Engine::State::choose_victim(Index slot) const {
  const auto& keys = slots[slot].keys;
  std::size_t victim = 0;
  std::uint64_t highest = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::uint64_t rank = keys[i].victim_rank();
    victim = rank > highest ? i : victim;
    highest = rank > highest ? rank : highest;
  }
  return highest >= SeatKey::kWaiting ? slots[slot].tokens[victim] : kNoIndex;
}

bool Engine::State::may_displace(Source newcomer, Source victim) const {
  if (config.preemption == PreemptionPolicy::kEmergencyOnly && newcomer != Source::kEmergency)
    return false;
  return newcomer < victim;
}

bool Engine::State::may_displace_in(Source newcomer, Index slot) const {
  const auto& counts = slots[slot].waiting_by_source;
  // The would-be victim's source is the lowest priority with a waiting token.
  for (int source = kSourceCount - 1; source >= 0; --source)
    if (counts[static_cast<std::size_t>(source)] != 0) return may_displace(newcomer, static_cast<Source>(source));
  return false;
}

Index Engine::State::later_free_slot(Index slot) const {
  const auto& from = slots[slot];
  const auto& doctor = doctors[from.doctor];
  const std::uint32_t position = doctor.summary.first_free(from.position + 1);
  return position == SlotSummary::kNone ? kNoIndex : doctor.slots[position];
}

void Engine::State::relocate(Index token, Index from) {
  auto& t = tokens[token];
  t.displaced = true;
  ++slots[from].tally.displaced;
  const Index to = later_free_slot(from);
  if (to != kNoIndex) {
    seat(token, to);
    ++slots[to].tally.moved_in;
    auto& event = emit_token(token, EventKind::kMoved);
    event.from_slot = from;
    event.to_slot = to;
  } else {
    waitlist_insert(token, from);
    ++slots[from].tally.waitlisted;
    auto& event = emit_token(token, EventKind::kWaitlisted);
    event.from_slot = from;
  }
}

void Engine::State::fill_from_waitlist(Index slot) {
  auto& s = slots[slot];
  auto& waitlist = doctors[s.doctor].waitlist;
  for (auto it = waitlist.begin(); it != waitlist.end() && s.open() && s.has_free_seat();) {
    const Index token = *it;
    // Never into a slot before the one it was displaced from: without a
    // clock, an earlier slot may already be over.
    if (slots[tokens[token].anchor].key <= s.key) {
      it = waitlist.erase(it);
      seat(token, slot);
      ++s.tally.moved_in;
      auto& event = emit_token(token, EventKind::kMoved);
      event.to_slot = slot;
    } else {
      ++it;
    }
  }
}

std::uint32_t Engine::State::ahead_of(Index token) const {
  const auto& t = tokens[token];
  const auto& doctor = doctors[t.doctor];
  std::uint32_t ahead = 0;
  if (t.state == TokenState::kWaiting) {
    const auto& slot = slots[t.slot];
    if (t.arrival + 1 == next_arrival) return ahead_of_latest(slot, t.source);
    ahead += doctor.summary.waiting_before(slot.position);
    const auto rank = SeatKey::of(t).serve_rank();
    for (const auto& other : slot.keys) ahead += other.serve_rank() < rank ? 1U : 0U;
  } else if (t.state == TokenState::kWaitlisted) {
    ahead += doctor.summary.waiting_before(doctor.summary.slots());
    for (const Index other : doctor.waitlist) {
      if (other == token) break;
      ++ahead;
    }
  }
  return ahead;
}

void Engine::State::allocate(const Request& r, StoredResult& rec) {
  // Validate everything first; the first mutation comes after the last
  // possible rejection.
  if (!r.doctor_id) return reject(rec, Code::kBadRequest, "missing field 'doctor_id'");
  if (!r.source) return reject(rec, Code::kBadRequest, "missing field 'source'");
  // A Source made by a cast rather than parsed would index the per-source
  // counters out of bounds.
  if (static_cast<std::size_t>(*r.source) >= kSourceCount)
    return reject(rec, Code::kBadRequest, "field 'source' is not a source");
  if (r.capacity && *r.capacity > kMaxSlotCapacity)
    return reject(rec, Code::kBadRequest,
                  "field 'capacity' exceeds the maximum " + std::to_string(kMaxSlotCapacity));
  if (r.patient_ref && r.patient_ref->size() > kMaxPatientRefLength)
    return reject(rec, Code::kBadRequest,
                  "field 'patient_ref' longer than " + std::to_string(kMaxPatientRefLength));
  const Source source = *r.source;
  Index doctor = find_doctor(*r.doctor_id);
  Index slot = kNoIndex;
  bool create_slot = false;

  if (r.slot_id) {
    slot = find_slot(*r.slot_id);
    if (slot != kNoIndex) {
      const auto& s = slots[slot];
      if (s.doctor != doctor)
        return reject(rec, Code::kSlotDoctorMismatch,
                      "slot " + quoted(s.id.view()) + " belongs to doctor " +
                          quoted(doctors[s.doctor].id.view()),
                      doctor);
      if (r.capacity && *r.capacity != s.capacity)
        return reject(rec, Code::kCapacityMismatch,
                      "slot " + quoted(s.id.view()) + " has capacity " + std::to_string(s.capacity) +
                          ", not " + std::to_string(*r.capacity) + " (use set_capacity to change it)",
                      doctor, slot);
      if (!s.open())
        return reject_cached(
            rec, Code::kSlotClosed, slot, kNoIndex,
            [&] { return "slot " + quoted(s.id.view()) + " is closed"; }, doctor, slot);
    } else {
      if (r.slot_id->view() == kWaitlistName)
        return reject(rec, Code::kBadRequest, "field 'slot_id': 'WAITLIST' is reserved", doctor);
      if (!r.capacity || !config.auto_create_slots)
        return reject_quoting(rec, Code::kUnknownSlot,
                              {"unknown slot '", r.slot_id->view(), "'",
                               config.auto_create_slots ? " (give a capacity to create it)"
                                                        : " (slot creation by allocate is disabled)"},
                              doctor);
      if (*r.capacity == 0)
        return reject(rec, Code::kSlotClosed,
                      "slot " + quoted(r.slot_id->view()) + " would be created closed (capacity 0)",
                      doctor);
      create_slot = true;
    }
  } else if (doctor == kNoIndex) {
    return reject_quoting(rec, Code::kUnknownDoctor, {"unknown doctor '", r.doctor_id->view(), "'"});
  } else {
    // Earliest open slot with a free seat; else the earliest where this
    // newcomer may displace someone.
    const std::uint32_t position = doctors[doctor].summary.first_free(0);
    if (position != SlotSummary::kNone) {
      slot = doctors[doctor].slots[position];
    } else {
      for (const Index candidate : doctors[doctor].slots) {
        if (slots[candidate].open() && may_displace_in(source, candidate)) {
          slot = candidate;
          break;
        }
      }
    }
    if (slot == kNoIndex)
      return reject_cached(
          rec, Code::kNoSlotAvailable, doctor, static_cast<Index>(source),
          [&] {
            return "no slot of doctor " + quoted(r.doctor_id->view()) + " has a seat for " +
                   std::string(to_string(source));
          },
          doctor);
  }

  Index victim = kNoIndex;
  if (!create_slot && !slots[slot].has_free_seat()) {
    // The per-source counters answer whether choose_victim would yield a
    // token this newcomer outranks; the seat scan runs only to displace.
    if (!may_displace_in(source, slot)) {
      rec.set_alternative(later_free_slot(slot));
      // A waiting token the newcomer may not displace, by priority or by
      // the emergency_only policy: the original API's "Lower priority".
      if (slots[slot].waiting > 0)
        return reject_cached(
            rec, Code::kLowerPriority, kNoIndex, kNoIndex, [] { return std::string("Lower priority"); },
            doctor, slot);
      return reject_cached(
          rec, Code::kSlotFull, slot, kNoIndex,
          [&] {
            return "slot " + quoted(slots[slot].id.view()) +
                   " is full and no waiting token can be displaced";
          },
          doctor, slot);
    }
    victim = choose_victim(slot);
  }

  // --- mutation starts here
  if (create_slot) {
    if (doctor == kNoIndex) doctor = add_doctor(*r.doctor_id);
    slot = add_slot(doctor, *r.slot_id, std::nullopt, std::nullopt, *r.capacity);
    auto& event = emit(doctor, EventKind::kSlotUpdated);
    event.slot = slot;
    event.capacity = slots[slot].capacity;
  }
  if (victim != kNoIndex) {
    unseat(victim);
    relocate(victim, slot);
    rec.set_displaced(victim, tokens[victim].slot != kNoIndex ? tokens[victim].slot : kWaitlistIndex);
  }
  const Index token = new_token(doctor, source);
  if (r.patient_ref) patient_refs.emplace(token, *r.patient_ref);
  seat(token, slot);
  ++slots[slot].tally.allocated;
  emit_token(token, EventKind::kAllocated);
  // The requester created the slot, so it takes the first seat; waitlisted
  // patients of the doctor fill the rest.
  if (create_slot) fill_from_waitlist(slot);

  rec.status = victim != kNoIndex ? Status::kReallocated : Status::kAllocated;
  rec.token = token;
  rec.slot = tokens[token].slot;
  rec.ahead = ahead_of_latest(slots[slot], source);  // == ahead_of(token), without reading it back
}

}  // namespace opd
