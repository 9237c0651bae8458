#include "producer/day_report.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace opd::producer {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// The engine's slot order: timed slots by start, untimed after them, ties
// by creation.
struct OrderKey {
  int start = std::numeric_limits<int>::max();
  std::uint64_t creation = 0;
  friend auto operator<=>(const OrderKey&, const OrderKey&) = default;
};

struct SlotRow {
  SlotSummary summary;
  std::size_t doctor = kNone;
  OrderKey key;
};

struct DoctorRow {
  DoctorId id;
  std::vector<std::size_t> slots;  // by key
  Tally unplaced;
  std::uint32_t issued = 0;
  std::uint64_t calls = 0;  // tokens called so far today
};

struct TokenRow {
  std::size_t doctor = kNone;
  std::size_t slot = kNone;    // holding a seat there
  std::size_t anchor = kNone;  // waitlisted: the slot it was displaced from
  TokenState state = TokenState::kWaiting;
  std::uint64_t calls_at_issue = 0;
};

std::string percent(double fraction) {
  return std::to_string(static_cast<long long>(fraction * 100.0 + 0.5)) + "%";
}

std::string pad_left(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string rejections(const Tally& tally) {
  std::string text;
  for (std::size_t code = 1; code < tally.rejected.size(); ++code) {
    if (tally.rejected[code] == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::string(to_string(static_cast<Code>(code))) + " " + std::to_string(tally.rejected[code]);
  }
  return text.empty() ? "-" : text;
}

std::string counters(const Tally& t) {
  std::string line;
  for (const std::uint32_t value :
       {t.allocated, t.displaced, t.moved_in, t.waitlisted, t.cancelled, t.served, t.no_shows})
    line += pad_left(std::to_string(value), 7);
  return line;
}

}  // namespace

std::optional<double> SlotSummary::utilisation() const noexcept {
  if (capacity == 0) return std::nullopt;
  return static_cast<double>(seated_at_close) / static_cast<double>(capacity);
}

struct DaySummaryBuilder::State {
  Schedule schedule;
  std::vector<DoctorRow> doctors;
  std::unordered_map<std::string, std::size_t> doctor_by_id;
  std::vector<SlotRow> slots;
  std::unordered_map<std::string, std::size_t> slot_by_id;
  std::unordered_map<std::string, TokenRow> tokens;
  std::uint64_t next_creation = 0;
  Tally unattributed;
  DaySummary totals;  // only date, requests, rejected, duplicates

  explicit State(Schedule s) : schedule(std::move(s)) { start_day(); }

  // Mirrors the engine: doctors persist across days, everything else
  // restarts from the schedule.
  void start_day() {
    for (auto& doctor : doctors) doctor = DoctorRow{.id = doctor.id};
    slots.clear();
    slot_by_id.clear();
    tokens.clear();
    unattributed = Tally{};
    for (const auto& scheduled : schedule.doctors) {
      const std::size_t doctor = find_or_add_doctor(scheduled.doctor_id);
      for (const auto& slot : scheduled.slots)
        add_slot(doctor, slot.slot_id, slot.start, slot.end, slot.capacity);
    }
  }

  [[nodiscard]] std::size_t find_doctor(const DoctorId& id) const {
    const auto it = doctor_by_id.find(id.str());
    return it == doctor_by_id.end() ? kNone : it->second;
  }
  [[nodiscard]] std::size_t find_slot(const SlotId& id) const {
    const auto it = slot_by_id.find(id.str());
    return it == slot_by_id.end() ? kNone : it->second;
  }

  std::size_t find_or_add_doctor(const DoctorId& id) {
    if (const std::size_t found = find_doctor(id); found != kNone) return found;
    doctors.push_back(DoctorRow{.id = id});
    doctor_by_id.emplace(id.str(), doctors.size() - 1);
    return doctors.size() - 1;
  }

  void add_slot(std::size_t doctor, const SlotId& id, std::optional<ClockTime> start,
                std::optional<ClockTime> end, std::uint32_t capacity) {
    SlotRow row{.summary = SlotSummary{.slot_id = id, .start = start, .end = end, .capacity = capacity},
                .doctor = doctor,
                .key = OrderKey{start ? start->minutes() : std::numeric_limits<int>::max(),
                                next_creation++}};
    const std::size_t index = slots.size();
    slots.push_back(std::move(row));
    slot_by_id.emplace(id.str(), index);
    auto& order = doctors[doctor].slots;
    const auto pos = std::upper_bound(order.begin(), order.end(), index, [this](std::size_t a, std::size_t b) {
      return slots[a].key < slots[b].key;
    });
    order.insert(pos, index);
  }

  Tally& slot_tally(std::size_t slot) { return slots[slot].summary.tally; }

  void on_slot_updated(const Request& request, const BoardEvent& event) {
    if (!event.slot_id || !event.capacity) return;
    if (const std::size_t slot = find_slot(*event.slot_id); slot != kNone) {
      slots[slot].summary.capacity = *event.capacity;
      return;
    }
    // A slot created by set_capacity (with the request's times) or by
    // allocate (untimed).
    const bool same = request.slot_id && *request.slot_id == *event.slot_id;
    add_slot(find_or_add_doctor(event.doctor_id), *event.slot_id, same ? request.start : std::nullopt,
             same ? request.end : std::nullopt, *event.capacity);
  }

  void seat(TokenRow& token, std::size_t slot) {
    token.slot = slot;
    token.anchor = kNone;
    token.state = TokenState::kWaiting;
    ++slots[slot].summary.seated_at_close;
  }
  void unseat(TokenRow& token) {
    if (token.slot == kNone) return;
    --slots[token.slot].summary.seated_at_close;
    token.slot = kNone;
  }

  void on_event(const Request& request, const BoardEvent& event) {
    if (event.kind == EventKind::kSlotUpdated) return on_slot_updated(request, event);
    if (event.kind == EventKind::kDayOpened || !event.token_id) return;
    const std::string& id = event.token_id->str();
    if (event.kind == EventKind::kAllocated) {
      const std::size_t slot = event.slot_id ? find_slot(*event.slot_id) : kNone;
      if (slot == kNone) return;
      const std::size_t doctor = slots[slot].doctor;
      auto& token = tokens[id];
      token = TokenRow{.doctor = doctor, .calls_at_issue = doctors[doctor].calls};
      seat(token, slot);
      ++slot_tally(slot).allocated;
      ++doctors[doctor].issued;
      return;
    }
    const auto it = tokens.find(id);
    if (it == tokens.end()) return;  // a token of a day this builder did not see
    TokenRow& token = it->second;
    switch (event.kind) {
      case EventKind::kMoved: {
        const std::size_t to = event.to_slot ? find_slot(*event.to_slot) : kNone;
        if (event.from_slot) {
          const std::size_t from = find_slot(*event.from_slot);
          if (from != kNone) ++slot_tally(from).displaced;
        }
        unseat(token);
        if (to == kNone) return;
        seat(token, to);
        ++slot_tally(to).moved_in;
        return;
      }
      case EventKind::kWaitlisted: {
        const std::size_t from = event.from_slot ? find_slot(*event.from_slot) : token.slot;
        unseat(token);
        token.state = TokenState::kWaitlisted;
        token.anchor = from;
        if (from == kNone) return;
        ++slot_tally(from).displaced;
        ++slot_tally(from).waitlisted;
        return;
      }
      case EventKind::kCancelled: {
        const std::size_t where = token.slot != kNone ? token.slot : token.anchor;
        if (where != kNone) ++slot_tally(where).cancelled;
        unseat(token);
        token.anchor = kNone;
        token.state = TokenState::kCancelled;
        return;
      }
      case EventKind::kCalled: {
        auto& doctor = doctors[token.doctor];
        const auto wait = static_cast<std::uint32_t>(doctor.calls - token.calls_at_issue);
        ++doctor.calls;
        token.state = TokenState::kCalled;
        if (token.slot != kNone) {
          auto& longest = slots[token.slot].summary.longest_wait;
          longest = std::max(longest, wait);
        }
        return;
      }
      case EventKind::kCompleted:
      case EventKind::kNoShow:
        token.state = event.kind == EventKind::kCompleted ? TokenState::kCompleted : TokenState::kNoShow;
        if (token.slot != kNone)
          ++(event.kind == EventKind::kCompleted ? slot_tally(token.slot).served
                                                 : slot_tally(token.slot).no_shows);
        return;
      default:
        return;
    }
  }

  // Where the engine counts a rejection: see the header.
  void on_rejection(const Request& request, Code code) {
    const std::size_t doctor = request.doctor_id ? find_doctor(*request.doctor_id) : kNone;
    std::size_t slot = request.slot_id ? find_slot(*request.slot_id) : kNone;
    if (slot != kNone && slots[slot].doctor != doctor) slot = kNone;
    std::size_t to_slot = kNone;
    std::size_t to_doctor = kNone;
    switch (code) {
      case Code::kCapacityMismatch:
      case Code::kCapacityBelowServed:
      case Code::kSlotTimeMismatch:
      case Code::kSlotClosed:
      case Code::kSlotFull:
      case Code::kLowerPriority:
      case Code::kQueueEmpty:
        to_slot = slot;
        to_doctor = doctor;
        break;
      case Code::kUnknownSlot:
      case Code::kSlotDoctorMismatch:
      case Code::kNoSlotAvailable:
        to_doctor = doctor;
        break;
      case Code::kInvalidState:
        if (request.token_id) {
          if (const auto it = tokens.find(request.token_id->str()); it != tokens.end()) {
            to_slot = it->second.slot;
            to_doctor = it->second.doctor;
          }
        }
        break;
      default:
        break;  // BAD_REQUEST, UNKNOWN_DOCTOR, UNKNOWN_TOKEN, STALE_DATE, FORBIDDEN
    }
    const auto counter = static_cast<std::size_t>(code);
    if (to_slot != kNone) {
      ++slot_tally(to_slot).rejected[counter];
    } else if (to_doctor != kNone) {
      ++doctors[to_doctor].unplaced.rejected[counter];
    } else {
      ++unattributed.rejected[counter];
    }
  }

  void add(const Request& request, const Outcome& outcome) {
    const Result& result = outcome.result;
    ++totals.requests;
    if (result.duplicate) {
      ++totals.duplicates;
      return;  // a replay changed nothing
    }
    if (!result.ok()) {
      ++totals.rejected;
      on_rejection(request, result.code);
      return;
    }
    if (result.status == Status::kDayOpened) {
      start_day();
      totals.date = result.date;
    }
    for (const auto& event : outcome.events) on_event(request, event);
  }

  [[nodiscard]] DaySummary summary() const {
    DaySummary day = totals;
    day.unattributed = unattributed;
    for (std::size_t d = 0; d < doctors.size(); ++d) {
      const auto& row = doctors[d];
      DoctorSummary doctor{.doctor_id = row.id, .unplaced = row.unplaced, .total = row.unplaced,
                           .tokens_issued = row.issued};
      for (const std::size_t slot : row.slots) {
        const SlotSummary& s = slots[slot].summary;
        doctor.slots.push_back(s);
        doctor.total += s.tally;
        doctor.capacity += s.capacity;
        doctor.seated_at_close += s.seated_at_close;
        doctor.longest_wait = std::max(doctor.longest_wait, s.longest_wait);
      }
      for (const auto& [id, token] : tokens)
        if (token.doctor == d && token.state == TokenState::kWaitlisted) ++doctor.waitlisted_at_close;
      day.doctors.push_back(std::move(doctor));
    }
    return day;
  }
};

DaySummaryBuilder::DaySummaryBuilder(Schedule schedule)
    : state_(std::make_unique<State>(std::move(schedule))) {}
DaySummaryBuilder::~DaySummaryBuilder() = default;
DaySummaryBuilder::DaySummaryBuilder(DaySummaryBuilder&&) noexcept = default;
DaySummaryBuilder& DaySummaryBuilder::operator=(DaySummaryBuilder&&) noexcept = default;

void DaySummaryBuilder::add(const Request& request, const Outcome& outcome) { state_->add(request, outcome); }
DaySummary DaySummaryBuilder::summary() const { return state_->summary(); }

std::string format_summary(const DaySummary& day) {
  std::string out = "OPD day " + (day.date ? day.date->str() : std::string("(first day)")) + ": " +
                    std::to_string(day.requests) + " requests, " + std::to_string(day.rejected) +
                    " rejected, " + std::to_string(day.duplicates) + " duplicates\n";
  const std::string header = "  " + pad_right("slot", 16) + pad_right("time", 12) + pad_left("cap", 4) +
                             pad_left("alloc", 7) + pad_left("displ", 7) + pad_left("moved", 7) +
                             pad_left("waitl", 7) + pad_left("cancel", 7) + pad_left("served", 7) +
                             pad_left("noshow", 7) + pad_left("util", 8) + pad_left("wait", 6) +
                             "  rejected\n";
  for (const auto& doctor : day.doctors) {
    out += "\nDoctor " + doctor.doctor_id.str() + ": " + std::to_string(doctor.tokens_issued) +
           " tokens issued, " + std::to_string(doctor.total.served) + " served, " +
           std::to_string(doctor.total.no_shows) + " no-shows, " +
           std::to_string(doctor.waitlisted_at_close) + " waitlisted at close, longest wait " +
           std::to_string(doctor.longest_wait) + " tokens\n";
    out += header;
    for (const auto& slot : doctor.slots) {
      std::string time = slot.start ? slot.start->str() : std::string("--:--");
      time += slot.end ? "-" + slot.end->str() : std::string();
      const auto util = slot.utilisation();
      out += "  " + pad_right(slot.slot_id.str(), 16) + pad_right(time, 12) +
             pad_left(std::to_string(slot.capacity), 4) + counters(slot.tally) +
             pad_left(util ? percent(*util) : std::string("closed"), 8) +
             pad_left(std::to_string(slot.longest_wait), 6) + "  " + rejections(slot.tally) + "\n";
    }
    if (doctor.unplaced.rejected_total() > 0)
      out += "  " + pad_right("(no slot)", 16) + std::string(12 + 4 + 7 * 7 + 8 + 6, ' ') + "  " +
             rejections(doctor.unplaced) + "\n";
    const std::string util = doctor.capacity == 0
                                 ? std::string("-")
                                 : percent(static_cast<double>(doctor.seated_at_close) /
                                           static_cast<double>(doctor.capacity));
    out += "  " + pad_right("total", 16) + pad_right("", 12) + pad_left(std::to_string(doctor.capacity), 4) +
           counters(doctor.total) + pad_left(util, 8) + pad_left(std::to_string(doctor.longest_wait), 6) +
           "  " + rejections(doctor.total) + "\n";
  }
  if (day.unattributed.rejected_total() > 0)
    out += "\nRejected with no known doctor: " + rejections(day.unattributed) + "\n";
  out +=
      "\ncolumns: alloc = newcomers seated, displ = pushed out (preemption or capacity cut), moved = arrived "
      "by a move\nor from the waitlist, waitl = sent to the waitlist, util = seats held at close / capacity, "
      "wait = most\nother patients called between a token's issue and its own call\n";
  return out;
}

}  // namespace opd::producer
