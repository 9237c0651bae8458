// Shared helpers for the core unit tests: id and time literals, schedule
// builders, a Harness that applies requests with fresh request ids and checks
// the engine's invariants and version contiguity after every operation, and
// Catch2 printers so a failed CHECK shows names instead of numbers.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "opd/core/domain.h"
#include "opd/core/engine.h"
#include "opd/core/ids.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"
#include "opd/core/schedule.h"

namespace opd::test {

inline DoctorId doc(std::string_view text) { return DoctorId::from_trusted(text); }
inline SlotId slot(std::string_view text) { return SlotId::from_trusted(text); }
inline TokenId tok(std::string_view text) { return TokenId::from_trusted(text); }
inline RequestId rid(std::string_view text) { return RequestId::from_trusted(text); }

inline ClockTime at(std::string_view hh_mm) {
  auto time = ClockTime::parse(hh_mm);
  if (!time) throw std::logic_error("bad time literal in test: " + std::string(hh_mm));
  return *time;
}

inline ServiceDate day(std::string_view text) {
  auto date = ServiceDate::parse(text);
  if (!date) throw std::logic_error("bad date literal in test: " + std::string(text));
  return *date;
}

// A slot of the schedule: start "" means untimed; a timed slot lasts an hour.
inline ScheduleSlot sched_slot(std::string_view id, std::string_view start, std::uint32_t capacity) {
  ScheduleSlot s{.slot_id = slot(id), .capacity = capacity};
  if (!start.empty()) {
    s.start = at(start);
    s.end = ClockTime::from_minutes(s.start->minutes() + 60);
  }
  return s;
}

inline ScheduleDoctor sched_doctor(std::string_view id, std::vector<ScheduleSlot> slots) {
  return ScheduleDoctor{.doctor_id = doc(id), .slots = std::move(slots)};
}

// D1 has three hourly slots S1 (09:00), S2 (10:00), S3 (11:00) with the given
// capacities; D2 has one slot T1 (09:00) of capacity 1.
inline Schedule three_slot_schedule(std::uint32_t c1, std::uint32_t c2, std::uint32_t c3) {
  Schedule schedule;
  schedule.doctors.push_back(sched_doctor(
      "D1", {sched_slot("S1", "09:00", c1), sched_slot("S2", "10:00", c2), sched_slot("S3", "11:00", c3)}));
  schedule.doctors.push_back(sched_doctor("D2", {sched_slot("T1", "09:00", 1)}));
  return schedule;
}

inline std::vector<std::string> ids_of(const std::vector<TokenInfo>& tokens) {
  std::vector<std::string> ids;
  for (const auto& t : tokens) ids.push_back(t.token_id.str());
  return ids;
}

inline std::vector<std::string> ids_of(const std::vector<TokenId>& tokens) {
  std::vector<std::string> ids;
  for (const auto& t : tokens) ids.push_back(t.str());
  return ids;
}

inline std::vector<EventKind> kinds_of(const std::vector<BoardEvent>& events) {
  std::vector<EventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  return kinds;
}

// Applies requests through one Engine, each under a fresh request id unless
// the caller asks otherwise (apply_as_is). After every operation it requires that the
// engine reports no broken invariant and that every event's version is the
// previous version of its doctor plus one.
class Harness {
 public:
  explicit Harness(Schedule schedule, EngineConfig config = {})
      : engine(std::move(schedule), config) {}

  Engine engine;

  // Applies `request` under a fresh request id.
  Outcome apply(Request request) {
    request.request_id = RequestId::from_trusted("req-" + std::to_string(++next_request_));
    return apply_as_is(request);
  }

  // Applies `request` with the request id the caller put in it.
  Outcome apply_as_is(const Request& request) {
    Outcome out = engine.apply(request);
    const auto problems = engine.check_invariants();
    INFO("after request " << request.request_id.str() << " (" << to_string(request.type) << ")");
    for (const auto& p : problems) FAIL_CHECK("invariant: " << p);
    CHECK(problems.empty());
    for (const auto& e : out.events) {
      auto& last = versions_[e.doctor_id.str()];
      INFO("event " << to_string(e.kind) << " of " << e.doctor_id.str());
      CHECK(e.version == last + 1);
      last = e.version;
    }
    if (!out.result.ok()) CHECK(out.events.empty());
    return out;
  }

  Outcome allocate(std::string_view doctor, std::optional<std::string_view> slot_id, Source source,
                   std::optional<std::uint32_t> capacity = std::nullopt,
                   std::optional<std::string> patient_ref = std::nullopt) {
    Request r{.type = OpType::kAllocate};
    r.doctor_id = doc(doctor);
    if (slot_id) r.slot_id = slot(*slot_id);
    r.source = source;
    r.capacity = capacity;
    r.patient_ref = std::move(patient_ref);
    return apply(std::move(r));
  }

  // Allocates and requires a seat; returns the new token's id.
  TokenId seat(std::string_view doctor, std::optional<std::string_view> slot_id, Source source) {
    auto out = allocate(doctor, slot_id, source);
    INFO("allocate " << doctor << " " << slot_id.value_or("(any)") << " " << to_string(source)
                     << " -> " << to_string(out.result.status) << " " << to_string(out.result.code)
                     << " " << out.result.reason);
    REQUIRE(out.result.ok());
    REQUIRE(out.result.token_id.has_value());
    return *out.result.token_id;
  }

  Outcome cancel(const TokenId& token) {
    Request r{.type = OpType::kCancel};
    r.token_id = token;
    return apply(std::move(r));
  }

  Outcome call_next(std::string_view doctor, std::optional<std::string_view> slot_id = std::nullopt) {
    Request r{.type = OpType::kCallNext};
    r.doctor_id = doc(doctor);
    if (slot_id) r.slot_id = slot(*slot_id);
    return apply(std::move(r));
  }

  // Calls the next token and requires one; returns its id.
  TokenId call(std::string_view doctor, std::optional<std::string_view> slot_id = std::nullopt) {
    auto out = call_next(doctor, slot_id);
    INFO("call_next " << doctor << " -> " << to_string(out.result.code) << " " << out.result.reason);
    REQUIRE(out.result.status == Status::kCalled);
    REQUIRE(out.result.token_id.has_value());
    return *out.result.token_id;
  }

  Outcome complete(const TokenId& token) {
    Request r{.type = OpType::kComplete};
    r.token_id = token;
    return apply(std::move(r));
  }

  Outcome no_show(const TokenId& token) {
    Request r{.type = OpType::kNoShow};
    r.token_id = token;
    return apply(std::move(r));
  }

  Outcome set_capacity(std::string_view doctor, std::string_view slot_id, std::uint32_t capacity,
                       std::optional<std::string_view> start = std::nullopt,
                       std::optional<std::string_view> end = std::nullopt) {
    Request r{.type = OpType::kSetCapacity};
    r.doctor_id = doc(doctor);
    r.slot_id = slot(slot_id);
    r.capacity = capacity;
    if (start) r.start = at(*start);
    if (end) r.end = at(*end);
    return apply(std::move(r));
  }

  Outcome open_day(std::string_view date) {
    Request r{.type = OpType::kOpenDay};
    r.date = day(date);
    return apply(std::move(r));
  }

  Board board(std::string_view doctor) const {
    auto b = engine.board(doc(doctor));
    REQUIRE(b.has_value());
    return *b;
  }

  TokenStatus status(const TokenId& token) const {
    auto s = engine.token(token);
    REQUIRE(s.has_value());
    return *s;
  }

  TokenState state(const TokenId& token) const { return status(token).token.state; }

  // Token ids placed in one slot of the doctor's board, in service order.
  std::vector<std::string> in_slot(std::string_view doctor, std::string_view slot_id) const {
    for (const auto& s : board(doctor).slots)
      if (s.slot_id.view() == slot_id) return ids_of(s.tokens);
    FAIL("slot " << slot_id << " not on the board of " << doctor);
    return {};
  }

  std::vector<std::string> waitlist(std::string_view doctor) const {
    return ids_of(board(doctor).waitlist);
  }

  std::vector<std::string> slot_order(std::string_view doctor) const {
    std::vector<std::string> order;
    for (const auto& s : board(doctor).slots) order.push_back(s.slot_id.str());
    return order;
  }

  std::uint32_t capacity_of(std::string_view doctor, std::string_view slot_id) const {
    for (const auto& s : board(doctor).slots)
      if (s.slot_id.view() == slot_id) return s.capacity;
    FAIL("slot " << slot_id << " not on the board of " << doctor);
    return 0;
  }

 private:
  int next_request_ = 0;
  std::map<std::string, std::uint64_t> versions_;
};

inline void render_tally(std::ostream& os, const Tally& t, bool with_rejected = true) {
  os << "alloc=" << t.allocated << " displaced=" << t.displaced << " moved_in=" << t.moved_in
     << " waitlisted=" << t.waitlisted << " cancelled=" << t.cancelled << " served=" << t.served
     << " no_shows=" << t.no_shows;
  if (!with_rejected) return;
  for (int c = 0; c < kCodeCount; ++c)
    if (t.rejected[static_cast<std::size_t>(c)] != 0)
      os << " rej." << to_string(static_cast<Code>(c)) << "=" << t.rejected[static_cast<std::size_t>(c)];
}

inline void render_token(std::ostream& os, const TokenInfo& t) {
  os << t.token_id.str() << "#" << t.token_number << ":" << to_string(t.source) << ":"
     << to_string(t.state);
}

// Everything the public queries show about the engine, except the day's
// rejection counters (which a rejected request is allowed to change).
inline std::string observable_state(const Engine& engine) {
  std::ostringstream os;
  os << "date=" << (engine.current_date() ? engine.current_date()->str() : "-") << "\n";
  for (const auto& d : engine.doctors()) {
    const auto board = engine.board(d);
    if (!board) {
      os << "doctor " << d.str() << " has no board\n";
      continue;
    }
    os << "doctor " << d.str() << " v" << board->version << " serving=";
    if (board->now_serving) render_token(os, *board->now_serving);
    os << "\n";
    for (const auto& s : board->slots) {
      os << "  slot " << s.slot_id.str() << " " << (s.start ? s.start->str() : "-") << "-"
         << (s.end ? s.end->str() : "-") << " cap=" << s.capacity << ":";
      for (const auto& t : s.tokens) {
        os << " ";
        render_token(os, t);
      }
      os << "\n";
    }
    os << "  waitlist:";
    for (const auto& t : board->waitlist) {
      os << " ";
      render_token(os, t);
    }
    os << "\n";
  }
  const auto totals = engine.totals();
  for (const auto& d : totals.doctors) {
    os << "totals " << d.doctor_id.str() << " waitlisted_at_close=" << d.waitlisted_at_close << "\n";
    for (const auto& s : d.slots) {
      os << "  " << s.slot_id.str() << " cap=" << s.capacity << " ";
      render_tally(os, s.tally, false);
      os << "\n";
    }
  }
  return os.str();
}

// Requires that `out` is a rejection with `code` and no events.
inline void require_rejected(const Outcome& out, Code code) {
  INFO("reason: " << out.result.reason);
  CHECK(out.result.status == Status::kRejected);
  CHECK(out.result.code == code);
  CHECK_FALSE(out.result.token_id.has_value());
  CHECK(out.events.empty());
}

}  // namespace opd::test

namespace Catch {

template <class Tag>
struct StringMaker<opd::Id<Tag>> {
  static std::string convert(const opd::Id<Tag>& id) { return "'" + id.str() + "'"; }
};

#define OPD_ENUM_STRINGMAKER(Type)                                      \
  template <>                                                           \
  struct StringMaker<Type> {                                            \
    static std::string convert(Type v) { return std::string(opd::to_string(v)); } \
  };
OPD_ENUM_STRINGMAKER(opd::Status)
OPD_ENUM_STRINGMAKER(opd::EventKind)
OPD_ENUM_STRINGMAKER(opd::TokenState)
OPD_ENUM_STRINGMAKER(opd::Source)
OPD_ENUM_STRINGMAKER(opd::OpType)
OPD_ENUM_STRINGMAKER(opd::PreemptionPolicy)
#undef OPD_ENUM_STRINGMAKER

template <>
struct StringMaker<opd::Code> {
  static std::string convert(opd::Code c) {
    return c == opd::Code::kNone ? std::string("(none)") : std::string(opd::to_string(c));
  }
};

template <>
struct StringMaker<opd::Destination> {
  static std::string convert(const opd::Destination& d) {
    return d.slot ? "slot " + d.slot->str() : std::string("WAITLIST");
  }
};

template <>
struct StringMaker<opd::Tally> {
  static std::string convert(const opd::Tally& t) {
    std::ostringstream os;
    os << "{";
    opd::test::render_tally(os, t);
    os << "}";
    return os.str();
  }
};

template <>
struct StringMaker<opd::Result> {
  static std::string convert(const opd::Result& r) {
    std::ostringstream os;
    os << "{" << opd::to_string(r.type) << " " << r.request_id.str() << " " << opd::to_string(r.status);
    if (r.code != opd::Code::kNone) os << " " << opd::to_string(r.code) << " '" << r.reason << "'";
    if (r.token_id) os << " token=" << r.token_id->str() << "#" << r.token_number;
    if (r.doctor_id) os << " doctor=" << r.doctor_id->str();
    if (r.slot_id) os << " slot=" << r.slot_id->str();
    if (r.removed_token) os << " removed=" << r.removed_token->str();
    if (r.moved_to) os << " moved_to=" << (r.moved_to->slot ? r.moved_to->slot->str() : "WAITLIST");
    if (r.alternative_slot) os << " alternative=" << r.alternative_slot->str();
    if (r.ahead) os << " ahead=" << *r.ahead;
    if (r.capacity) os << " capacity=" << *r.capacity;
    if (r.date) os << " date=" << r.date->str();
    if (r.duplicate) os << " duplicate";
    os << "}";
    return os.str();
  }
};

template <>
struct StringMaker<opd::BoardEvent> {
  static std::string convert(const opd::BoardEvent& e) {
    std::ostringstream os;
    os << "{" << opd::to_string(e.kind) << " " << e.doctor_id.str() << " v" << e.version;
    if (e.token_id) os << " token=" << e.token_id->str() << "#" << e.token_number;
    if (e.slot_id) os << " slot=" << e.slot_id->str();
    if (e.from_slot) os << " from=" << e.from_slot->str();
    if (e.to_slot) os << " to=" << e.to_slot->str();
    if (e.capacity) os << " capacity=" << *e.capacity;
    if (e.date) os << " date=" << e.date->str();
    os << "}";
    return os.str();
  }
};

}  // namespace Catch
