#include "producer/scenario.h"

#include <algorithm>
#include <cstddef>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace opd::producer {
namespace {

constexpr int kSlotMinutesWhenUntimed = 30;
constexpr int kDayStartWhenUntimed = 9 * 60;
constexpr int kLastMinute = 24 * 60 - 1;
constexpr int kOvertimeMinutes = 30;  // the desk keeps calling this long after the last slot
constexpr std::size_t kMaxPrefixLength = 48;

// Uniform-enough integers straight from the engine's raw output: the std
// distributions may differ between standard libraries, this cannot. The
// modulo bias over ranges of a few hundred is below 1e-16.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // In [lo, hi]; lo when the range is empty.
  int between(int lo, int hi) {
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(engine_() % span);
  }
  std::size_t index(std::size_t size) {
    return size == 0 ? 0 : static_cast<std::size_t>(engine_() % size);
  }
  bool chance(int per_mille) { return between(0, 999) < per_mille; }

 private:
  std::mt19937_64 engine_;
};

int percent_of(int value, int percent) { return (value * percent + 50) / 100; }

struct PlanSlot {
  SlotId id;
  int start = 0;  // effective minutes: the schedule's, or assigned when untimed
  int end = 0;
  std::uint32_t capacity = 0;  // as the scenario knows it, after its own set_capacity
};

struct PlanDoctor {
  DoctorId id;
  std::vector<PlanSlot> slots;  // in the engine's order: timed by start, untimed after
  int duty_start = 0;           // the desk's first call
  int duty_end = 0;             // the desk stops calling
  int consult_minutes = 5;
};

enum class Act : std::uint8_t { kOpenDay, kBook, kCancel, kCallNext, kComplete, kNoShow, kSetCapacity };

// Which slot a booking names.
enum class SlotChoice : std::uint8_t {
  kAny,      // none: the earliest free seat (walk-ins)
  kFixed,    // chosen in advance (online, follow-up, a retry of an alternative)
  kCurrent,  // the open slot running when the patient arrives (paid, emergency)
};

struct Action {
  int minute = 0;
  std::uint64_t seq = 0;  // insertion order breaks ties within a minute
  Act act = Act::kBook;
  std::size_t doctor = 0;
  Source source = Source::kWalkIn;
  SlotChoice choice = SlotChoice::kAny;
  std::optional<SlotId> slot;
  std::optional<TokenId> token;
  std::uint32_t capacity = 0;
  std::optional<ClockTime> start;
  std::optional<ClockTime> end;
  std::uint32_t patient = 0;  // 0 until the booking is sent
  bool retry = false;
};

struct LaterFirst {
  bool operator()(const Action& a, const Action& b) const {
    if (a.minute != b.minute) return a.minute > b.minute;
    return a.seq > b.seq;
  }
};

// Cancellation rates per mille: bookings made hours ahead are dropped most.
int cancel_rate(Source source) {
  switch (source) {
    case Source::kOnline: return 120;
    case Source::kFollowUp: return 80;
    case Source::kWalkIn: return 50;
    case Source::kPaid: return 40;
    case Source::kEmergency: return 0;
  }
  return 0;
}

std::string zero_padded(std::uint64_t value, std::size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

PlanDoctor plan_doctor(const ScheduleDoctor& scheduled) {
  PlanDoctor doctor{.id = scheduled.doctor_id};
  std::vector<const ScheduleSlot*> timed;
  std::vector<const ScheduleSlot*> untimed;
  for (const auto& slot : scheduled.slots) (slot.start ? timed : untimed).push_back(&slot);
  std::stable_sort(timed.begin(), timed.end(), [](const ScheduleSlot* a, const ScheduleSlot* b) {
    return *a->start < *b->start;
  });
  int cursor = kDayStartWhenUntimed;
  for (const ScheduleSlot* slot : timed) {
    const int start = slot->start->minutes();
    const int end = slot->end ? slot->end->minutes() : std::min(start + kSlotMinutesWhenUntimed, kLastMinute);
    doctor.slots.push_back(PlanSlot{slot->slot_id, start, end, slot->capacity});
    cursor = std::max(cursor, end);
  }
  for (const ScheduleSlot* slot : untimed) {
    const int end = std::min(cursor + kSlotMinutesWhenUntimed, kLastMinute);
    doctor.slots.push_back(PlanSlot{slot->slot_id, cursor, end, slot->capacity});
    cursor = end;
  }

  int open_minutes = 0;
  int seats = 0;
  bool any_open = false;
  for (const auto& slot : doctor.slots) {
    if (slot.capacity == 0) continue;
    if (!any_open) doctor.duty_start = slot.start;
    any_open = true;
    doctor.duty_end = slot.end + kOvertimeMinutes;
    open_minutes += std::max(slot.end - slot.start, 1);
    seats += static_cast<int>(slot.capacity);
  }
  if (seats > 0) doctor.consult_minutes = std::max(2, (open_minutes + seats / 2) / seats);
  return doctor;
}

}  // namespace

Reply reply_of(const Result& result) {
  Reply reply;
  reply.ok = result.ok();
  reply.token_id = result.token_id;
  reply.alternative_slot = result.alternative_slot;
  return reply;
}

struct Scenario::Impl {
  ScenarioOptions options;
  Rng rng;
  std::vector<PlanDoctor> doctors;
  std::set<std::string> slot_ids;  // every slot id in use, for naming new slots
  std::priority_queue<Action, std::vector<Action>, LaterFirst> agenda;
  std::uint64_t next_seq = 0;
  std::uint64_t next_request = 1;
  std::uint32_t next_patient = 1;
  std::set<std::string> called;  // tokens the desk has called: no longer cancellable
  std::optional<Action> pending;  // sent, its reply not yet fed

  Impl(const Schedule& schedule, ScenarioOptions opts)
      : options(std::move(opts)), rng(options.seed) {
    if (auto problem = schedule.validate(); !problem.empty())
      throw std::invalid_argument("invalid schedule: " + problem);
    if (!is_valid_id(options.request_prefix) || options.request_prefix.size() > kMaxPrefixLength)
      throw std::invalid_argument("request_prefix must be 1-48 characters of [A-Za-z0-9._:-]");
    for (const auto& doctor : schedule.doctors) {
      doctors.push_back(plan_doctor(doctor));
      for (const auto& slot : doctor.slots) slot_ids.insert(slot.slot_id.str());
    }
    plan_day();
  }

  void at(Action action) {
    action.seq = next_seq++;
    agenda.push(std::move(action));
  }

  [[nodiscard]] std::vector<std::size_t> open_slots(std::size_t d) const {
    std::vector<std::size_t> open;
    for (std::size_t s = 0; s < doctors[d].slots.size(); ++s)
      if (doctors[d].slots[s].capacity > 0) open.push_back(s);
    return open;
  }

  // The patient's slot when they arrive at `minute`: the first open slot
  // not yet over. nullopt after the last one (the engine then picks).
  [[nodiscard]] std::optional<SlotId> current_slot(std::size_t d, int minute) const {
    for (const auto& slot : doctors[d].slots)
      if (slot.capacity > 0 && slot.end > minute) return slot.id;
    return std::nullopt;
  }

  void plan_day() {
    if (options.date) at({.minute = 6 * 60, .act = Act::kOpenDay});
    std::vector<std::size_t> can_be_late;
    for (std::size_t d = 0; d < doctors.size(); ++d)
      if (open_slots(d).size() >= 3) can_be_late.push_back(d);
    const std::optional<std::size_t> late =
        can_be_late.empty() ? std::nullopt
                            : std::optional<std::size_t>(can_be_late[rng.index(can_be_late.size())]);
    for (std::size_t d = 0; d < doctors.size(); ++d) plan_bookings(d);
    plan_emergencies();
    if (late) plan_late_arrival(*late);
    for (std::size_t d = 0; d < doctors.size(); ++d)
      if (!open_slots(d).empty()) at({.minute = doctors[d].duty_start, .act = Act::kCallNext, .doctor = d});
  }

  void plan_bookings(std::size_t d) {
    const auto open = open_slots(d);
    if (open.empty()) return;
    const auto& doctor = doctors[d];
    int seats = 0;
    for (const std::size_t s : open) seats += static_cast<int>(doctor.slots[s].capacity);
    const int first = doctor.slots[open.front()].start;
    const int last_end = doctor.slots[open.back()].end;

    // Online: booked from early morning for a chosen slot; earlier slots
    // are more popular (the minimum of two uniform picks).
    const int online = percent_of(seats, rng.between(35, 45));
    for (int k = 0; k < online; ++k) {
      const int minute = rng.between(7 * 60, std::max(7 * 60, first - 20));
      const std::size_t pick = std::min(rng.index(open.size()), rng.index(open.size()));
      at({.minute = minute, .act = Act::kBook, .doctor = d, .source = Source::kOnline,
          .choice = SlotChoice::kFixed, .slot = doctor.slots[open[pick]].id});
    }
    // Follow-ups: given a slot at the last visit.
    const int follow_ups = percent_of(seats, 12);
    for (int k = 0; k < follow_ups; ++k) {
      const int minute = rng.between(7 * 60 + 30, std::max(7 * 60 + 30, first - 10));
      at({.minute = minute, .act = Act::kBook, .doctor = d, .source = Source::kFollowUp,
          .choice = SlotChoice::kFixed, .slot = doctor.slots[open[rng.index(open.size())]].id});
    }
    // Walk-ins: the kiosk queue through the morning, any slot.
    const int walk_ins = percent_of(seats, rng.between(55, 70));
    const int walk_in_until = std::max(first + 60, std::min(last_end - 30, 12 * 60 + 30));
    for (int k = 0; k < walk_ins; ++k)
      at({.minute = rng.between(first - 40, walk_in_until), .act = Act::kBook, .doctor = d,
          .source = Source::kWalkIn});
    // Paid: half want the slot running when they arrive, half any slot.
    const int paid = percent_of(seats, 8) + 1;
    for (int k = 0; k < paid; ++k)
      at({.minute = rng.between(first - 30, std::max(first, last_end - 45)), .act = Act::kBook,
          .doctor = d, .source = Source::kPaid,
          .choice = rng.chance(500) ? SlotChoice::kCurrent : SlotChoice::kAny});
  }

  void plan_emergencies() {
    std::vector<std::size_t> working;
    for (std::size_t d = 0; d < doctors.size(); ++d)
      if (!open_slots(d).empty()) working.push_back(d);
    if (working.empty()) return;
    const int count = rng.between(2, 4);
    for (int k = 0; k < count; ++k) {
      const std::size_t d = working[rng.index(working.size())];
      const auto open = open_slots(d);
      const int first = doctors[d].slots[open.front()].start;
      const int last_end = doctors[d].slots[open.back()].end;
      at({.minute = rng.between(first, std::max(first, last_end - 20)), .act = Act::kBook, .doctor = d,
          .source = Source::kEmergency, .choice = SlotChoice::kCurrent});
    }
  }

  [[nodiscard]] SlotId extra_slot_id(const PlanDoctor& doctor) const {
    std::string base = doctor.id.str() + "-EXTRA";
    if (base.size() > kMaxIdLength) base = "EXTRA";
    std::string id = base;
    for (int n = 2; slot_ids.contains(id) || id == kWaitlistName; ++n) id = base + "-" + std::to_string(n);
    return SlotId::from_trusted(id);
  }

  // The doctor phones in before their first slot: it is cut (closed when
  // most of it will be missed), the next one halved if the delay reaches
  // into it, and an extra slot after their last one seats the patients
  // who lost theirs.
  void plan_late_arrival(std::size_t d) {
    auto& doctor = doctors[d];
    const auto open = open_slots(d);
    const PlanSlot& first = doctor.slots[open[0]];
    const PlanSlot& second = doctor.slots[open[1]];
    const int delay = rng.between(40, 75);
    const int announce = first.start - 15;
    const int first_length = first.end - first.start;

    const std::uint32_t first_after = delay >= first_length * 2 / 3 ? 0 : first.capacity / 2;
    std::uint32_t seats_lost = first.capacity - first_after;
    at({.minute = announce, .act = Act::kSetCapacity, .doctor = d, .slot = first.id,
        .capacity = first_after});
    if (delay > first_length + (second.end - second.start) / 3) {
      const std::uint32_t second_after = second.capacity / 2;
      seats_lost += second.capacity - second_after;
      at({.minute = announce, .act = Act::kSetCapacity, .doctor = d, .slot = second.id,
          .capacity = second_after});
    }
    const int last_end = doctor.slots[open.back()].end;
    const int extra_end = std::min(last_end + delay, kLastMinute);
    if (extra_end > last_end && seats_lost > 0) {
      const SlotId extra = extra_slot_id(doctor);
      slot_ids.insert(extra.str());
      at({.minute = announce + 1, .act = Act::kSetCapacity, .doctor = d, .slot = extra,
          .capacity = seats_lost, .start = ClockTime::from_minutes(last_end),
          .end = ClockTime::from_minutes(extra_end)});
      doctor.duty_end = extra_end + kOvertimeMinutes;
    }
    doctor.duty_start = first.start + delay;
  }

  // nullopt when the action no longer makes sense (a cancel for a token the
  // desk has already called).
  std::optional<Request> build(Action& a) {
    Request r;
    switch (a.act) {
      case Act::kOpenDay:
        r.type = OpType::kOpenDay;
        r.date = options.date;
        break;
      case Act::kBook:
        r.type = OpType::kAllocate;
        r.doctor_id = doctors[a.doctor].id;
        r.source = a.source;
        if (a.choice == SlotChoice::kCurrent) a.slot = current_slot(a.doctor, a.minute);
        if (a.choice != SlotChoice::kAny) r.slot_id = a.slot;
        if (a.patient == 0) a.patient = next_patient++;
        r.patient_ref = "patient-" + zero_padded(a.patient, 5);
        break;
      case Act::kCancel:
        if (called.contains(a.token->str())) return std::nullopt;
        r.type = OpType::kCancel;
        r.token_id = a.token;
        break;
      case Act::kCallNext:
        r.type = OpType::kCallNext;
        r.doctor_id = doctors[a.doctor].id;
        break;
      case Act::kComplete:
      case Act::kNoShow:
        r.type = a.act == Act::kComplete ? OpType::kComplete : OpType::kNoShow;
        r.token_id = a.token;
        break;
      case Act::kSetCapacity:
        r.type = OpType::kSetCapacity;
        r.doctor_id = doctors[a.doctor].id;
        r.slot_id = a.slot;
        r.capacity = a.capacity;
        r.start = a.start;
        r.end = a.end;
        break;
    }
    r.request_id = RequestId::from_trusted(options.request_prefix + "-" + zero_padded(next_request++, 5));
    return r;
  }

  void after_booking(const Action& a, const Reply& reply) {
    const PlanDoctor& doctor = doctors[a.doctor];
    if (reply.ok && reply.token_id) {
      if (rng.chance(cancel_rate(a.source))) {
        const int until = std::max(a.minute + 2, std::min(a.minute + 150, doctor.duty_end - 1));
        at({.minute = rng.between(a.minute + 1, until), .act = Act::kCancel, .doctor = a.doctor,
            .token = reply.token_id});
      }
      return;
    }
    // Retried once: a patient refused the running slot (its patients
    // already called, or all outranking) asks for any slot, where the
    // engine may displace someone for them; a booking offered another slot
    // takes it. Walk-ins go home.
    if (reply.ok || a.retry || a.source == Source::kWalkIn) return;
    const bool any = a.choice == SlotChoice::kCurrent;
    if (!any && !reply.alternative_slot) return;
    Action retry = a;
    retry.minute = a.minute + rng.between(1, 3);
    retry.choice = any ? SlotChoice::kAny : SlotChoice::kFixed;
    retry.slot = any ? std::nullopt : reply.alternative_slot;
    retry.retry = true;
    at(std::move(retry));
  }

  void after_call(const Action& a, const Reply& reply) {
    const PlanDoctor& doctor = doctors[a.doctor];
    if (reply.ok && reply.token_id) {
      called.insert(reply.token_id->str());
      if (rng.chance(70)) {
        at({.minute = a.minute + rng.between(2, 4), .act = Act::kNoShow, .doctor = a.doctor,
            .token = reply.token_id});
      } else {
        const int pace = doctor.consult_minutes;
        at({.minute = a.minute + rng.between(std::max(1, pace * 6 / 10), pace * 14 / 10 + 1),
            .act = Act::kComplete, .doctor = a.doctor, .token = reply.token_id});
      }
      return;
    }
    // Nobody waiting: the desk looks again in a few minutes.
    const int again = a.minute + rng.between(5, 10);
    if (again <= doctor.duty_end) at({.minute = again, .act = Act::kCallNext, .doctor = a.doctor});
  }

  void after_capacity(const Action& a, const Reply& reply) {
    if (!reply.ok) return;
    auto& slots = doctors[a.doctor].slots;
    for (auto& slot : slots) {
      if (slot.id == *a.slot) {
        slot.capacity = a.capacity;
        return;
      }
    }
    const int start = a.start ? a.start->minutes() : (slots.empty() ? kDayStartWhenUntimed : slots.back().end);
    const int end = a.end ? a.end->minutes() : std::min(start + kSlotMinutesWhenUntimed, kLastMinute);
    PlanSlot added{*a.slot, start, end, a.capacity};
    const auto pos = std::upper_bound(slots.begin(), slots.end(), start,
                                      [](int minute, const PlanSlot& s) { return minute < s.start; });
    slots.insert(pos, std::move(added));
  }

  void feed(const Reply& reply) {
    if (!pending) throw std::logic_error("Scenario::feed() without a pending step");
    const Action a = std::move(*pending);
    pending.reset();
    switch (a.act) {
      case Act::kBook: after_booking(a, reply); break;
      case Act::kCallNext: after_call(a, reply); break;
      case Act::kComplete:
      case Act::kNoShow:
        if (a.minute < doctors[a.doctor].duty_end)
          at({.minute = a.minute, .act = Act::kCallNext, .doctor = a.doctor});
        break;
      case Act::kSetCapacity: after_capacity(a, reply); break;
      case Act::kOpenDay:
      case Act::kCancel: break;
    }
  }

  std::optional<Step> next() {
    if (pending) throw std::logic_error("Scenario::next() before the last step's feed()");
    while (!agenda.empty()) {
      Action a = agenda.top();
      agenda.pop();
      auto request = build(a);
      if (!request) continue;
      const int minute = a.minute;
      pending = std::move(a);
      return Step{minute, std::move(*request)};
    }
    return std::nullopt;
  }
};

Scenario::Scenario(const Schedule& schedule, ScenarioOptions options)
    : impl_(std::make_unique<Impl>(schedule, std::move(options))) {}
Scenario::~Scenario() = default;
Scenario::Scenario(Scenario&&) noexcept = default;
Scenario& Scenario::operator=(Scenario&&) noexcept = default;

std::optional<Step> Scenario::next() { return impl_->next(); }
void Scenario::feed(const Reply& reply) { impl_->feed(reply); }

}  // namespace opd::producer
