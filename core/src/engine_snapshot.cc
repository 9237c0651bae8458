// Engine::save / Engine::load: the state as a flat little-endian byte
// string. Derived data (lookup maps, per-slot counters) is not stored but
// rebuilt, so a snapshot cannot carry an inconsistent copy of it; the
// loaded state must then pass check_invariants().
#include <cstring>
#include <stdexcept>

#include "engine_state.h"

namespace opd {
namespace {

constexpr std::string_view kMagic = "OPDSNAP";
constexpr std::uint32_t kFormatVersion = 1;

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void str(std::string_view v) {
    u32(static_cast<std::uint32_t>(v.size()));
    out_.append(v);
  }
  template <class Tag>
  void id(const Id<Tag>& v) { str(v.view()); }
  void clock(const std::optional<ClockTime>& v) { u32(v ? static_cast<std::uint32_t>(v->minutes()) : kNoIndex); }
  void date(const std::optional<ServiceDate>& v) { str(v ? std::string_view(v->str()) : std::string_view()); }
  void tally(const Tally& t) {
    for (const auto v : {t.allocated, t.displaced, t.moved_in, t.waitlisted, t.cancelled, t.served, t.no_shows}) u32(v);
    for (const auto v : t.rejected) u32(v);
  }
  template <class Indices>  // a std::vector or a slot's InlineArray
  void indices(const Indices& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto i : v) u32(i);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Every read is bounds-checked; the first failure sticks and later reads
// return zeros, so parsing code stays linear and checks ok() once.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  void fail(std::string why) {
    if (error_.empty()) error_ = std::move(why) + " (at byte " + std::to_string(pos_) + ")";
  }
  [[nodiscard]] bool at_end() const { return pos_ == in_.size(); }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{u8()} << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{u8()} << (8 * i);
    return v;
  }
  std::string str() {
    const auto size = u32();
    if (!need(size)) return {};
    std::string v(in_.substr(pos_, size));
    pos_ += size;
    return v;
  }
  template <class IdType>
  IdType id(const char* what) {
    auto parsed = IdType::parse(str());
    if (!parsed) {
      fail(std::string("invalid ") + what);
      return IdType::placeholder();
    }
    return std::move(*parsed);
  }
  std::optional<ClockTime> clock() {
    const auto v = u32();
    if (v == kNoIndex) return std::nullopt;
    auto parsed = ClockTime::from_minutes(static_cast<int>(v > 100000 ? 100000 : v));
    if (!parsed) fail("invalid clock time");
    return parsed;
  }
  std::optional<ServiceDate> date() {
    const auto text = str();
    if (text.empty()) return std::nullopt;
    auto parsed = ServiceDate::parse(text);
    if (!parsed) fail("invalid date");
    return parsed;
  }
  template <class Enum>
  Enum enumerated(int count, const char* what) {
    const auto v = u8();
    if (v >= count) fail(std::string("invalid ") + what);
    return static_cast<Enum>(v < count ? v : 0);
  }
  Tally tally() {
    Tally t;
    for (auto* v : {&t.allocated, &t.displaced, &t.moved_in, &t.waitlisted, &t.cancelled, &t.served, &t.no_shows}) *v = u32();
    for (auto& v : t.rejected) v = u32();
    return t;
  }
  // A count of elements still to come, each at least `min_bytes` long:
  // bounds allocation by the input size, whatever the count field claims.
  std::uint32_t count(std::size_t min_bytes) {
    const auto n = u32();
    if (!need(std::size_t{n} * min_bytes)) return 0;
    return n;
  }
  Index index(std::size_t limit, const char* what) {
    const auto v = u32();
    if (v != kNoIndex && v >= limit) fail(std::string("index out of range: ") + what);
    return v < limit ? v : kNoIndex;
  }
  std::vector<Index> indices(std::size_t limit, const char* what) {
    std::vector<Index> v(count(4));
    for (auto& i : v) {
      i = index(limit, what);
      if (i == kNoIndex) fail(std::string("missing index: ") + what);
    }
    return v;
  }

 private:
  bool need(std::size_t n) {
    if (!ok()) return false;
    if (in_.size() - pos_ < n) {
      fail("truncated");
      return false;
    }
    return true;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

constexpr int kTokenStateCount = 6;
constexpr int kStatusCount = 9;

void write_report(Writer& w, const DayReport& report) {
  w.date(report.date);
  w.tally(report.unattributed);
  w.u32(static_cast<std::uint32_t>(report.doctors.size()));
  for (const auto& d : report.doctors) {
    w.id(d.doctor_id);
    w.tally(d.unplaced);
    w.tally(d.total);
    w.u32(d.waitlisted_at_close);
    w.u32(static_cast<std::uint32_t>(d.slots.size()));
    for (const auto& s : d.slots) {
      w.id(s.slot_id);
      w.u32(s.capacity);
      w.tally(s.tally);
    }
  }
}

DayReport read_report(Reader& r) {
  DayReport report;
  report.date = r.date();
  report.unattributed = r.tally();
  for (auto n = r.count(8); n > 0 && r.ok(); --n) {
    DoctorReport d{.doctor_id = r.id<DoctorId>("doctor id")};
    d.unplaced = r.tally();
    d.total = r.tally();
    d.waitlisted_at_close = r.u32();
    for (auto m = r.count(8); m > 0 && r.ok(); --m) {
      SlotReport s{.slot_id = r.id<SlotId>("slot id")};
      s.capacity = r.u32();
      s.tally = r.tally();
      d.slots.push_back(std::move(s));
    }
    report.doctors.push_back(std::move(d));
  }
  return report;
}

}  // namespace

std::string Engine::save() const {
  const auto& s = *state_;
  Writer w;
  w.str(kMagic);
  w.u32(kFormatVersion);
  w.u8(static_cast<std::uint8_t>(s.config.preemption));
  w.u8(s.config.auto_create_slots ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(s.schedule.doctors.size()));
  for (const auto& d : s.schedule.doctors) {
    w.id(d.doctor_id);
    w.u32(static_cast<std::uint32_t>(d.slots.size()));
    for (const auto& slot : d.slots) {
      w.id(slot.slot_id);
      w.clock(slot.start);
      w.clock(slot.end);
      w.u32(slot.capacity);
    }
  }
  w.date(s.date);
  w.u64(s.first_serial);
  w.u64(s.next_arrival);
  w.u32(s.next_slot_creation);
  w.tally(s.unattributed);

  w.u32(static_cast<std::uint32_t>(s.doctors.size()));
  for (const auto& d : s.doctors) {
    w.id(d.id);
    w.u32(d.next_number);
    w.u64(d.version);
    w.u32(d.now_serving);
    w.tally(d.unplaced);
  }
  w.u32(static_cast<std::uint32_t>(s.slots.size()));
  for (const auto& slot : s.slots) {
    w.id(slot.id);
    w.u32(slot.doctor);
    w.clock(slot.start);
    w.clock(slot.end);
    w.u32(slot.capacity);
    w.u32(static_cast<std::uint32_t>(slot.key.start));
    w.u32(slot.key.creation);
    w.indices(slot.tokens);
    w.tally(slot.tally);
  }
  w.u32(static_cast<std::uint32_t>(s.tokens.size()));
  for (const auto& t : s.tokens) {
    w.u32(t.doctor);
    w.u32(t.slot);
    w.u32(t.anchor);
    w.u64(t.arrival);
    w.u32(t.number);
    w.u8(static_cast<std::uint8_t>(t.source));
    w.u8(static_cast<std::uint8_t>(t.state));
    w.u8(t.displaced ? 1 : 0);
  }
  // Waitlists after tokens: their order is part of the state.
  for (const auto& d : s.doctors) w.indices(d.waitlist);

  std::vector<std::pair<Index, const std::string*>> refs;
  for (const auto& [token, ref] : s.patient_refs) refs.emplace_back(token, &ref);
  std::sort(refs.begin(), refs.end());
  w.u32(static_cast<std::uint32_t>(refs.size()));
  for (const auto& [token, ref] : refs) {
    w.u32(token);
    w.str(*ref);
  }
  w.u32(static_cast<std::uint32_t>(s.reasons.size()));
  for (const auto reason : s.reasons) w.str(reason);
  w.u8(s.day_opened ? 1 : 0);
  if (s.day_opened) {
    w.date(s.day_opened->date);
    write_report(w, *s.day_opened->report);
  }
  w.u32(static_cast<std::uint32_t>(s.seen.size()));
  s.seen.for_each([&w](std::string_view id, const StoredResult& r) {
    w.str(id);
    w.u8(static_cast<std::uint8_t>(r.type));
    w.u8(static_cast<std::uint8_t>(r.status));
    w.u8(static_cast<std::uint8_t>(r.code));
    for (const auto v : {r.token, r.slot, r.removed(), r.moved_to(), r.alternative(), r.ahead, r.capacity(), r.reason()})
      w.u32(v);
  });
  return w.take();
}

std::optional<Engine> Engine::load(std::string_view bytes, std::string* error) {
  Reader r(bytes);
  auto s = std::make_unique<State>();
  auto give_up = [&]() -> std::optional<Engine> {
    if (error) *error = r.error();
    return std::nullopt;
  };
  if (r.str() != kMagic) r.fail("not an engine snapshot");
  if (const auto version = r.u32(); r.ok() && version != kFormatVersion)
    r.fail("snapshot format version " + std::to_string(version) + ", this build reads " +
           std::to_string(kFormatVersion));
  s->config.preemption = r.enumerated<PreemptionPolicy>(2, "preemption policy");
  s->config.auto_create_slots = r.u8() != 0;
  for (auto n = r.count(8); n > 0 && r.ok(); --n) {
    ScheduleDoctor d{.doctor_id = r.id<DoctorId>("doctor id")};
    for (auto m = r.count(16); m > 0 && r.ok(); --m) {
      ScheduleSlot slot{.slot_id = r.id<SlotId>("slot id")};
      slot.start = r.clock();
      slot.end = r.clock();
      slot.capacity = r.u32();
      d.slots.push_back(std::move(slot));
    }
    s->schedule.doctors.push_back(std::move(d));
  }
  if (r.ok()) {
    if (auto problem = s->schedule.validate(); !problem.empty()) r.fail("schedule: " + problem);
  }
  s->date = r.date();
  s->first_serial = r.u64();
  // Serials start at 1 ("T0" would not parse back: find_token), and ids
  // stay within find_token's 19 digits for any number of tokens.
  if (s->first_serial == 0 || s->first_serial > kSerialLimit) r.fail("first_serial out of range");
  s->next_arrival = r.u64();
  if (s->next_arrival > kArrivalLimit) r.fail("next_arrival out of range");
  s->next_slot_creation = r.u32();
  s->unattributed = r.tally();

  const auto doctor_count = r.count(16);
  std::vector<Index> now_serving;
  for (std::uint32_t i = 0; i < doctor_count && r.ok(); ++i) {
    auto& d = s->doctors.emplace_back(r.id<DoctorId>("doctor id"));
    d.next_number = r.u32();
    d.version = r.u64();
    now_serving.push_back(r.u32());
    d.unplaced = r.tally();
    if (s->find_doctor(d.id) != kNoIndex) r.fail("duplicate doctor id");
    else s->doctor_by_id.insert(d.id.view(), i, s->doctor_id_of());
  }
  const auto slot_count = r.count(16);
  std::vector<std::vector<Index>> seated(slot_count);
  for (std::uint32_t i = 0; i < slot_count && r.ok(); ++i) {
    auto& slot = s->slots.emplace_back(r.id<SlotId>("slot id"));
    slot.doctor = r.index(s->doctors.size(), "slot doctor");
    slot.start = r.clock();
    slot.end = r.clock();
    slot.capacity = r.u32();
    slot.key.start = static_cast<int>(r.u32());
    slot.key.creation = r.u32();
    seated[i] = r.indices(kNoIndex - 1, "slot token");
    slot.tally = r.tally();
    if (slot.doctor == kNoIndex) r.fail("slot without doctor");
    if (s->find_slot(slot.id) != kNoIndex) r.fail("duplicate slot id");
    else s->slot_by_id.insert(slot.id.view(), i, s->slot_id_of());
    if (r.ok()) s->doctors[slot.doctor].slots.push_back(i);
  }
  const auto token_count = r.count(24);
  for (std::uint32_t i = 0; i < token_count && r.ok(); ++i) {
    auto& t = s->tokens.emplace_back();
    t.doctor = r.index(s->doctors.size(), "token doctor");
    t.slot = r.index(s->slots.size(), "token slot");
    t.anchor = r.index(s->slots.size(), "token anchor");
    t.arrival = r.u64();
    t.number = r.u32();
    t.source = r.enumerated<Source>(kSourceCount, "source");
    t.state = r.enumerated<TokenState>(kTokenStateCount, "token state");
    t.displaced = r.u8() != 0;
    if (t.doctor == kNoIndex) r.fail("token without doctor");
    if (t.arrival >= s->next_arrival) r.fail("token arrival not before next_arrival");
    if (t.state == TokenState::kWaitlisted && t.anchor == kNoIndex) r.fail("waitlisted token without anchor");
  }
  for (auto& d : s->doctors) {
    if (!r.ok()) break;
    d.waitlist = r.indices(s->tokens.size(), "waitlist token");
  }
  for (std::uint32_t i = 0; i < s->doctors.size() && r.ok(); ++i) {
    const Index serving = now_serving[i];
    if (serving != kNoIndex && serving >= s->tokens.size()) r.fail("now_serving out of range");
    s->doctors[i].now_serving = serving;
  }
  // Seats: rebuild the per-slot counters from the tokens themselves.
  for (std::uint32_t i = 0; i < slot_count && r.ok(); ++i) {
    auto& slot = s->slots[i];
    for (const Index token : seated[i]) {
      if (token >= s->tokens.size() || s->tokens[token].slot != i) {
        r.fail("slot lists a token that is not in it");
        break;
      }
      auto& t = s->tokens[token];
      t.seat = static_cast<std::uint32_t>(slot.tokens.size());
      slot.tokens.push_back(token);
      slot.keys.push_back(SeatKey::of(t));
      if (t.state == TokenState::kWaiting) {
        ++slot.waiting;
        ++slot.waiting_by_source[static_cast<std::size_t>(t.source)];
      } else {
        ++slot.called_or_done;
      }
    }
  }
  for (auto n = r.count(8); n > 0 && r.ok(); --n) {
    const Index token = r.index(s->tokens.size(), "patient_ref token");
    auto ref = r.str();
    if (token != kNoIndex) s->patient_refs.emplace(token, std::move(ref));
  }
  for (auto n = r.count(4); n > 0 && r.ok(); --n) {
    // A text may repeat (reject_quoting keeps each occurrence); the index
    // keeps the first, as reject() would have found it.
    const auto text = r.str();
    s->reasons.push_back(s->reason_text.store({text}));
    s->reason_index.try_emplace(s->reasons.back(), static_cast<Index>(s->reasons.size() - 1));
  }
  if (r.u8() != 0 && r.ok()) {
    auto& opened = s->day_opened.emplace();
    opened.type = OpType::kOpenDay;
    opened.status = Status::kDayOpened;
    opened.date = r.date();
    opened.report = read_report(r);
  }
  for (auto n = r.count(39); n > 0 && r.ok(); --n) {
    const auto id = r.str();
    StoredResult rec;
    rec.type = r.enumerated<OpType>(kOpTypeCount, "op type");
    rec.status = r.enumerated<Status>(kStatusCount, "status");
    rec.code = r.enumerated<Code>(kCodeCount, "code");
    rec.token = r.index(s->tokens.size(), "result token");
    rec.slot = r.index(s->slots.size(), "result slot");
    const Index removed = r.index(s->tokens.size(), "result removed token");
    const Index moved_to = r.u32();
    if (moved_to != kNoIndex && moved_to != kWaitlistIndex && moved_to >= s->slots.size())
      r.fail("result moved_to out of range");
    const Index alternative = r.index(s->slots.size(), "result alternative slot");
    rec.ahead = r.u32();
    const std::uint32_t capacity = r.u32();
    const Index reason = r.index(s->reasons.size(), "result reason");
    // The record keeps only the fields its status carries (StoredResult).
    if (rec.status == Status::kReallocated) rec.set_displaced(removed, moved_to);
    if (rec.status == Status::kRejected) {
      rec.set_reason(reason);
      rec.set_alternative(alternative);
    }
    if (rec.status == Status::kUpdated) rec.set_capacity(capacity);
    if (rec.removed() != removed || rec.moved_to() != moved_to || rec.alternative() != alternative ||
        rec.capacity() != capacity || rec.reason() != reason)
      r.fail("result fields that its status does not carry");
    // Rendering takes any DAY_OPENED answer for open_day's (Engine::State::render).
    if (rec.status == Status::kDayOpened && rec.type != OpType::kOpenDay)
      r.fail("DAY_OPENED result of another operation");
    if (rec.status == Status::kDayOpened && !s->day_opened) r.fail("open_day result without its report");
    if (r.ok() && s->seen.find(id) != nullptr) r.fail("duplicate request id");
    if (r.ok()) s->seen.insert(id, rec);
  }
  if (r.ok() && !r.at_end()) r.fail("trailing bytes");
  if (!r.ok()) return give_up();

  // Slot order is derived from the keys, not trusted from the bytes.
  for (Index d = 0; d < s->doctors.size(); ++d) {
    auto& order = s->doctors[d].slots;
    std::sort(order.begin(), order.end(), [&s](Index a, Index b) { return s->slots[a].key < s->slots[b].key; });
    s->rebuild_summary(d);
  }
  Engine engine(std::move(s));
  if (const auto problems = engine.check_invariants(); !problems.empty()) {
    if (error) *error = "unsound state: " + problems.front();
    return std::nullopt;
  }
  return engine;
}

}  // namespace opd
