// Read-only views: boards, token status, day reports, the canonical dump
// and the invariant checker.
#include <algorithm>
#include <map>
#include <sstream>

#include "engine_state.h"

namespace opd {

TokenInfo Engine::State::token_info(Index token) const {
  const auto& t = tokens[token];
  return TokenInfo{token_id(token), t.number, t.source, t.state};
}

DayReport Engine::State::report() const {
  DayReport day;
  day.date = date;
  day.unattributed = unattributed;
  for (const auto& doctor : doctors) {
    DoctorReport d{.doctor_id = doctor.id};
    d.unplaced = doctor.unplaced;
    d.total = doctor.unplaced;
    for (const Index slot : doctor.slots) {
      const auto& s = slots[slot];
      d.slots.push_back(SlotReport{s.id, s.capacity, s.tally});
      d.total += s.tally;
    }
    d.waitlisted_at_close = static_cast<std::uint32_t>(doctor.waitlist.size());
    day.doctors.push_back(std::move(d));
  }
  return day;
}

std::optional<Board> Engine::board(const DoctorId& doctor_id) const {
  const auto& s = *state_;
  const Index doctor = s.find_doctor(doctor_id);
  if (doctor == kNoIndex) return std::nullopt;
  const auto& d = s.doctors[doctor];
  Board board{.doctor_id = d.id, .version = d.version};
  for (const Index slot : d.slots) {
    const auto& rec = s.slots[slot];
    SlotBoard sb{.slot_id = rec.id, .start = rec.start, .end = rec.end, .capacity = rec.capacity};
    std::vector<Index> order(rec.tokens.begin(), rec.tokens.end());
    std::sort(order.begin(), order.end(), [&s](Index a, Index b) { return s.serves_before(a, b); });
    for (const Index token : order) sb.tokens.push_back(s.token_info(token));
    board.slots.push_back(std::move(sb));
  }
  for (const Index token : d.waitlist) board.waitlist.push_back(s.token_info(token));
  if (d.now_serving != kNoIndex) board.now_serving = s.token_info(d.now_serving);
  return board;
}

std::optional<TokenStatus> Engine::token(const TokenId& token_id) const {
  const auto& s = *state_;
  const Index token = s.find_token(token_id);
  if (token == kNoIndex) return std::nullopt;
  const auto& t = s.tokens[token];
  TokenStatus status{.token = s.token_info(token), .doctor_id = s.doctors[t.doctor].id};
  if (t.slot != kNoIndex) status.slot_id = s.slots[t.slot].id;
  if (t.state == TokenState::kWaiting || t.state == TokenState::kWaitlisted ||
      t.state == TokenState::kCalled)
    status.ahead = s.ahead_of(token);
  if (const auto it = s.patient_refs.find(token); it != s.patient_refs.end())
    status.patient_ref = it->second;
  return status;
}

DayReport Engine::totals() const { return state_->report(); }

std::vector<DoctorId> Engine::doctors() const {
  std::vector<DoctorId> ids;
  for (const auto& d : state_->doctors) ids.push_back(d.id);
  return ids;
}

std::optional<ServiceDate> Engine::current_date() const { return state_->date; }

namespace {

std::int64_t signed_index(Index index) { return index == kNoIndex ? -1 : std::int64_t{index}; }

void dump_tally(std::ostream& os, const Tally& t) {
  os << " alloc=" << t.allocated << " displ=" << t.displaced << " in=" << t.moved_in
     << " wl=" << t.waitlisted << " canc=" << t.cancelled << " served=" << t.served
     << " noshow=" << t.no_shows << " rej=";
  for (const auto r : t.rejected) os << r << ',';
}

}  // namespace

std::string Engine::dump() const {
  const auto& s = *state_;
  std::ostringstream os;
  os << "date=" << (s.date ? s.date->str() : "-") << " first_serial=" << s.first_serial
     << " next_arrival=" << s.next_arrival << " next_slot_creation=" << s.next_slot_creation
     << " policy=" << to_string(s.config.preemption) << " auto_create=" << s.config.auto_create_slots
     << '\n';
  os << "unattributed";
  dump_tally(os, s.unattributed);
  os << '\n';
  for (const auto& d : s.doctors) {
    os << "doctor " << d.id.str() << " v=" << d.version << " next=" << d.next_number
       << " serving=" << signed_index(d.now_serving)
       << " slots=";
    for (const Index slot : d.slots) os << slot << ',';
    os << " waitlist=";
    for (const Index token : d.waitlist) os << token << ',';
    dump_tally(os, d.unplaced);
    os << '\n';
  }
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const auto& slot = s.slots[i];
    os << "slot " << i << ' ' << slot.id.str() << " doctor=" << slot.doctor
       << " start=" << (slot.start ? slot.start->str() : "-")
       << " end=" << (slot.end ? slot.end->str() : "-") << " cap=" << slot.capacity
       << " key=" << slot.key.start << '/' << slot.key.creation << " waiting=" << slot.waiting
       << " done=" << slot.called_or_done << " tokens=";
    for (const Index token : slot.tokens) os << token << ',';
    dump_tally(os, slot.tally);
    os << '\n';
  }
  for (std::size_t i = 0; i < s.tokens.size(); ++i) {
    const auto& t = s.tokens[i];
    os << "token " << i << " doctor=" << t.doctor << " slot=" << signed_index(t.slot)
       << " anchor=" << signed_index(t.anchor)
       << " arrival=" << t.arrival << " number=" << t.number << " source=" << to_string(t.source)
       << " state=" << to_string(t.state) << " displaced=" << t.displaced << '\n';
  }
  const std::map<Index, std::string> refs(s.patient_refs.begin(), s.patient_refs.end());
  for (const auto& [token, ref] : refs) os << "ref " << token << ' ' << ref << '\n';
  std::map<std::string_view, const StoredResult*> seen;
  s.seen.for_each([&seen](std::string_view id, const StoredResult& r) { seen.emplace(id, &r); });
  for (const auto& [id, r] : seen) {
    os << "seen " << id << ' ' << to_string(r->type) << ' ' << to_string(r->status) << ' '
       << to_string(r->code) << ' ' << r->token << ' ' << r->slot << ' ' << r->removed() << ' '
       << r->moved_to() << ' ' << r->alternative() << ' ' << r->ahead << ' ' << r->capacity() << ' '
       << (r->reason() == kNoIndex ? std::string_view() : s.reasons[r->reason()]) << '\n';
  }
  return os.str();
}

std::vector<std::string> Engine::check_invariants() const {
  const auto& s = *state_;
  std::vector<std::string> problems;
  auto fail = [&problems](std::string message) { problems.push_back(std::move(message)); };
  std::vector<int> placements(s.tokens.size(), 0);

  for (Index i = 0; i < s.slots.size(); ++i) {
    const auto& slot = s.slots[i];
    if (slot.tokens.size() > slot.capacity)
      fail("slot " + slot.id.str() + " holds " + std::to_string(slot.tokens.size()) +
           " tokens over capacity " + std::to_string(slot.capacity));
    std::uint32_t waiting = 0, done = 0;
    std::array<std::uint16_t, kSourceCount> by_source{};
    for (const Index token : slot.tokens) {
      ++placements[token];
      const auto& t = s.tokens[token];
      if (t.slot != i) fail("token " + s.token_id(token).str() + " listed in a slot it is not in");
      if (t.doctor != slot.doctor)
        fail("token " + s.token_id(token).str() + " sits in a slot of another doctor");
      if (t.state == TokenState::kWaiting) {
        ++waiting;
        ++by_source[static_cast<std::size_t>(t.source)];
      }
      else if (t.state == TokenState::kWaitlisted || t.state == TokenState::kCancelled)
        fail("token " + s.token_id(token).str() + " in state " + std::string(to_string(t.state)) +
             " holds a seat");
      else ++done;
    }
    if (waiting != slot.waiting || done != slot.called_or_done || by_source != slot.waiting_by_source)
      fail("slot " + slot.id.str() + " counters disagree with its tokens");
    bool keys_agree = slot.keys.size() == slot.tokens.size();
    for (std::size_t k = 0; keys_agree && k < slot.keys.size(); ++k) {
      keys_agree = slot.keys[k] == SeatKey::of(s.tokens[slot.tokens[k]]) && s.tokens[slot.tokens[k]].seat == k;
    }
    if (!keys_agree) fail("slot " + slot.id.str() + " seat keys or seat indices disagree with its tokens");
  }
  for (Index d = 0; d < s.doctors.size(); ++d) {
    const auto& doctor = s.doctors[d];
    if (!std::is_sorted(doctor.slots.begin(), doctor.slots.end(),
                        [&s](Index a, Index b) { return s.slots[a].key < s.slots[b].key; }))
      fail("doctor " + doctor.id.str() + " slots out of order");
    SlotSummary expected;
    expected.reset(static_cast<std::uint32_t>(doctor.slots.size()));
    for (std::uint32_t position = 0; position < doctor.slots.size(); ++position) {
      const auto& slot = s.slots[doctor.slots[position]];
      if (slot.position != position) fail("slot " + slot.id.str() + " does not know its position");
      expected.set(position, slot.has_free_seat(), slot.waiting);
    }
    if (!(expected == doctor.summary)) fail("doctor " + doctor.id.str() + " summary disagrees with its slots");
    if (!std::is_sorted(doctor.waitlist.begin(), doctor.waitlist.end(),
                        [&s](Index a, Index b) { return s.serves_before(a, b); }))
      fail("doctor " + doctor.id.str() + " waitlist out of order");
    for (const Index token : doctor.waitlist) {
      ++placements[token];
      const auto& t = s.tokens[token];
      if (t.state != TokenState::kWaitlisted || t.doctor != d || t.slot != kNoIndex ||
          t.anchor == kNoIndex) {
        fail("token " + s.token_id(token).str() + " on a waitlist in the wrong state");
        continue;
      }
      for (const Index slot : doctor.slots) {
        const auto& candidate = s.slots[slot];
        if (s.slots[t.anchor].key <= candidate.key && candidate.open() && candidate.has_free_seat())
          fail("token " + s.token_id(token).str() + " waitlisted while slot " + candidate.id.str() +
               " has a free seat");
      }
    }
    if (doctor.now_serving != kNoIndex && (s.tokens[doctor.now_serving].state != TokenState::kCalled ||
                                           s.tokens[doctor.now_serving].doctor != d))
      fail("doctor " + doctor.id.str() + " now serving a token that is not CALLED");
  }
  // Numbers run 1, 2, 3, ... per doctor and day, and every token issued
  // stays (cancelled ones too), so the next number is one past the count.
  // Checked before the numbers are marked: a snapshot's next_number near
  // 2^32 sized the marks at 512 MB per doctor.
  std::vector<std::uint32_t> issued(s.doctors.size());
  for (const auto& t : s.tokens) ++issued[t.doctor];
  std::vector<std::vector<bool>> numbers(s.doctors.size());
  for (Index d = 0; d < s.doctors.size(); ++d) {
    if (s.doctors[d].next_number != std::uint64_t{issued[d]} + 1)
      fail("doctor " + s.doctors[d].id.str() + " has issued " + std::to_string(issued[d]) +
           " tokens, but its next number is " + std::to_string(s.doctors[d].next_number));
    numbers[d].resize(std::uint64_t{issued[d]} + 1);
  }
  for (Index i = 0; i < s.tokens.size(); ++i) {
    const auto& t = s.tokens[i];
    const int expected = t.state == TokenState::kCancelled ? 0 : 1;
    if (placements[i] != expected)
      fail("token " + s.token_id(i).str() + " (" + std::string(to_string(t.state)) + ") is in " +
           std::to_string(placements[i]) + " places");
    if (t.number == 0 || t.number >= numbers[t.doctor].size()) {
      fail("token number " + std::to_string(t.number) + " not yet issued by its doctor");
    } else if (numbers[t.doctor][t.number]) {
      fail("token number " + std::to_string(t.number) + " issued twice");
    } else {
      numbers[t.doctor][t.number] = true;
    }
  }
  if (s.token_texts.size() > s.tokens.size()) fail("formatted ids for tokens that do not exist");
  for (Index i = 0; i < s.token_texts.size() && i < s.tokens.size(); ++i) {
    // Empty exactly when the serial is too long to cache (see token_texts),
    // and then kept aside for token_ref().
    if (detail::ShortNumberedText::fits(s.first_serial + i)
            ? s.token_texts[i].view() != s.token_id(i).view()
            : s.token_texts[i].size != 0) {
      fail("token " + s.token_id(i).str() + " rendered as " + std::string(s.token_texts[i].view()));
    } else if (s.token_texts[i].size == 0) {
      const auto kept = s.long_token_texts.find(i);
      if (kept == s.long_token_texts.end() || kept->second.view() != s.token_id(i).view())
        fail("token " + s.token_id(i).str() + " has no long id text kept");
    }
  }
  if (s.long_token_texts.size() > s.token_texts.size()) fail("long ids kept for tokens that do not exist");
  return problems;
}

}  // namespace opd
