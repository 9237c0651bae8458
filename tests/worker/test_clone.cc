// The late-joiner recipe (ZeroMQ guide's Clone pattern) against a random
// day: a display that subscribes, snapshots, and applies board events by
// version ends with exactly the board the worker and an in-process core
// reference hold. Along the way: every result on the wire equals the
// reference core's, and per-doctor versions are contiguous.
#include <algorithm>
#include <map>
#include <random>

#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/core/engine.h"

namespace opd::worker::test {
namespace {

// ---- A display's model of one doctor's board --------------------------------

struct Token {
  std::string id;
  std::uint64_t number = 0;
  std::uint64_t priority = 0;
  std::string source;
  std::string state;
  friend bool operator==(const Token&, const Token&) = default;
};

struct Slot {
  std::string id;
  std::string start;
  std::string end;
  std::uint64_t capacity = 0;
  std::vector<Token> tokens;
  friend bool operator==(const Slot&, const Slot&) = default;
};

struct Model {
  std::uint64_t version = 0;
  std::vector<Slot> slots;
  std::vector<Token> waitlist;
  std::optional<Token> now_serving;
  friend bool operator==(const Model&, const Model&) = default;
};

std::ostream& operator<<(std::ostream& os, const Model& m) {
  os << "v" << m.version << " serving=" << (m.now_serving ? m.now_serving->id : "-") << "\n";
  for (const auto& s : m.slots) {
    os << "  " << s.id << " " << s.start << "-" << s.end << " cap " << s.capacity << ":";
    for (const auto& t : s.tokens) os << " " << t.id << "#" << t.number << "/" << t.source << "/" << t.state;
    os << "\n";
  }
  os << "  waitlist:";
  for (const auto& t : m.waitlist) os << " " << t.id << "#" << t.number;
  return os;
}

// Service order, as the protocol documents it: priority, then token_number.
void sort_tokens(std::vector<Token>& tokens) {
  std::stable_sort(tokens.begin(), tokens.end(), [](const Token& a, const Token& b) {
    return std::tie(a.priority, a.number) < std::tie(b.priority, b.number);
  });
}

Token token_from(const View& v) {
  return Token{v.str("token_id"), v.u64("token_number"), v.u64("priority"), v.str("source"), v.str("state")};
}

Model model_from_snapshot(const View& v) {
  Model m;
  m.version = v.u64("version");
  for (std::size_t i = 0; i < v["slots"].size(); ++i) {
    const View s = v["slots"].at(i);
    Slot slot{s.str("slot_id"), s["start"].is_nil() ? "" : s.str("start"), s["end"].is_nil() ? "" : s.str("end"),
              s.u64("capacity"), {}};
    for (std::size_t k = 0; k < s["tokens"].size(); ++k) slot.tokens.push_back(token_from(s["tokens"].at(k)));
    m.slots.push_back(std::move(slot));
  }
  for (std::size_t k = 0; k < v["waitlist"].size(); ++k) m.waitlist.push_back(token_from(v["waitlist"].at(k)));
  if (!v["now_serving"].is_nil()) m.now_serving = token_from(v["now_serving"]);
  return m;
}

Token token_from(const TokenInfo& t) {
  return Token{t.token_id.str(), t.token_number, static_cast<std::uint64_t>(priority_of(t.source)),
               std::string(to_string(t.source)), std::string(to_string(t.state))};
}

Model model_from_board(const Board& b) {
  Model m;
  m.version = b.version;
  for (const auto& s : b.slots) {
    Slot slot{s.slot_id.str(), s.start ? s.start->str() : "", s.end ? s.end->str() : "", s.capacity, {}};
    for (const auto& t : s.tokens) slot.tokens.push_back(token_from(t));
    m.slots.push_back(std::move(slot));
  }
  for (const auto& t : b.waitlist) m.waitlist.push_back(token_from(t));
  if (b.now_serving) m.now_serving = token_from(*b.now_serving);
  return m;
}

// A waiting-room display following protocol.md's recipe.
class Display {
 public:
  Display(RunningWorker& worker, std::vector<std::string> doctors)
      : sub_(worker.context(), worker.endpoints().events, topics(doctors)),
        query_(worker.context(), worker.endpoints().queries) {
    // Subscribed (and live) first, snapshot second: nothing can fall between.
    for (const auto& d : doctors) snapshot(d);
  }

  // Applies events until every doctor's model has reached `versions`.
  void follow_until(const std::map<std::string, std::uint64_t>& versions) {
    auto behind = [&] {
      for (const auto& [doctor, version] : versions)
        if (models_[doctor].version < version) return true;
      return false;
    };
    while (behind()) {
      auto p = sub_.next();
      if (!p) throw std::runtime_error("display: no event within the timeout");
      apply(p->body);
    }
  }

  const Model& model(const std::string& doctor) { return models_[doctor]; }
  // Events applied to a doctor's model since its last snapshot: above 0,
  // the model is the display's own work, not a copy of the worker's board.
  int events_since_snapshot(const std::string& doctor) { return events_since_snapshot_[doctor]; }
  int snapshots = 0;

 private:
  static std::vector<std::string> topics(const std::vector<std::string>& doctors) {
    std::vector<std::string> out;
    for (const auto& d : doctors) out.push_back("doctor/" + d + "/");
    return out;
  }

  void snapshot(const std::string& doctor) {
    ++snapshots;
    events_since_snapshot_[doctor] = 0;
    models_[doctor] = model_from_snapshot(query_.ask(Body().set("type", "snapshot").set("doctor_id", doctor)));
  }

  Slot* find_slot(Model& m, const std::string& id) {
    for (auto& s : m.slots)
      if (s.id == id) return &s;
    return nullptr;
  }

  static std::optional<Token> take(std::vector<Token>& tokens, const std::string& id) {
    const auto it = std::find_if(tokens.begin(), tokens.end(), [&](const Token& t) { return t.id == id; });
    if (it == tokens.end()) return std::nullopt;
    Token t = *it;
    tokens.erase(it);
    return t;
  }

  void apply(const View& e) {
    const std::string doctor = e.str("doctor_id");
    Model& m = models_[doctor];
    const std::uint64_t version = e.u64("version");
    if (version <= m.version) return;  // already in the snapshot
    if (version != m.version + 1) {    // a gap: we lost events
      snapshot(doctor);
      return;
    }
    const std::string kind = e.str("event");
    bool resnapshot = false;
    auto event_token = [&e](const char* state) {
      return Token{e.str("token_id"), e.u64("token_number"), e.u64("priority"), e.str("source"), state};
    };
    auto token_in = [&](const std::string& slot_id) -> Token* {
      Slot* s = find_slot(m, slot_id);
      if (!s) return nullptr;
      for (auto& t : s->tokens)
        if (t.id == e.str("token_id")) return &t;
      return nullptr;
    };
    if (kind == "ALLOCATED") {
      Slot* s = find_slot(m, e.str("slot_id"));
      if (!s) throw std::runtime_error("ALLOCATED into an unknown slot");
      s->tokens.push_back(event_token("WAITING"));
      sort_tokens(s->tokens);
    } else if (kind == "MOVED" || kind == "WAITLISTED") {
      const std::string from = e.str("from_slot");
      const std::string to = e.str("to_slot");
      if (from == "WAITLIST") (void)take(m.waitlist, e.str("token_id"));
      else (void)take(find_slot(m, from)->tokens, e.str("token_id"));
      if (to == "WAITLIST") {
        m.waitlist.push_back(event_token("WAITLISTED"));
        sort_tokens(m.waitlist);
      } else {
        Slot* s = find_slot(m, to);
        s->tokens.push_back(event_token("WAITING"));
        sort_tokens(s->tokens);
      }
    } else if (kind == "CANCELLED") {
      if (e.has("slot_id")) (void)take(find_slot(m, e.str("slot_id"))->tokens, e.str("token_id"));
      else (void)take(m.waitlist, e.str("token_id"));
    } else if (kind == "CALLED" || kind == "COMPLETED" || kind == "NO_SHOW") {
      Token* t = token_in(e.str("slot_id"));
      if (!t) throw std::runtime_error(kind + " of a token not on the board");
      t->state = kind;
      if (kind == "CALLED") m.now_serving = *t;
      else if (m.now_serving && m.now_serving->id == t->id) m.now_serving.reset();
    } else if (kind == "SLOT_UPDATED") {
      Slot* s = find_slot(m, e.str("slot_id"));
      if (s) s->capacity = e.u64("capacity");
      else resnapshot = true;  // a new slot: its place in the order comes with a snapshot
    } else if (kind == "DAY_OPENED") {
      resnapshot = true;
    } else {
      throw std::runtime_error("unknown event " + kind);
    }
    m.version = version;
    if (resnapshot) snapshot(doctor);
    else ++events_since_snapshot_[doctor];
  }

  Subscriber sub_;
  Querier query_;
  std::map<std::string, Model> models_;
  std::map<std::string, int> events_since_snapshot_;
};

// ---- A random day -------------------------------------------------------------

Body to_body(const Request& r) {
  Body b;
  b.set("type", std::string(to_string(r.type))).set("request_id", r.request_id.str()).set("client_id", "sim");
  if (r.doctor_id) b.set("doctor_id", r.doctor_id->str());
  if (r.slot_id) b.set("slot_id", r.slot_id->str());
  if (r.source) b.set("source", std::string(to_string(*r.source)));
  if (r.capacity) b.set("capacity", std::int64_t{*r.capacity});
  if (r.token_id) b.set("token_id", r.token_id->str());
  if (r.start) b.set("start", r.start->str());
  if (r.end) b.set("end", r.end->str());
  if (r.date) b.set("date", r.date->str());
  return b;
}

class Day {
 public:
  explicit Day(const Schedule& schedule) : reference(schedule) {
    for (const auto& d : schedule.doctors) {
      doctors.push_back(d.doctor_id.str());
      for (const auto& s : d.slots) slots[d.doctor_id.str()].push_back(s.slot_id.str());
    }
  }

  // The next request, applied to the reference core too.
  Request next() {
    Request r;
    const int pick = roll(100);
    const std::string doctor = doctors[static_cast<std::size_t>(roll(static_cast<int>(doctors.size())))];
    r.request_id = RequestId::from_trusted("r" + std::to_string(++count_));
    if (pick < 3 && count_ > 20) {
      r.request_id = RequestId::from_trusted("r" + std::to_string(1 + roll(static_cast<int>(count_) - 1)));  // retry
      r.type = OpType::kAllocate;
      r.doctor_id = DoctorId::from_trusted(doctor);
      r.source = Source::kWalkIn;
    } else if (pick < 55) {
      r.type = OpType::kAllocate;
      r.doctor_id = DoctorId::from_trusted(doctor);
      r.source = static_cast<Source>(roll(kSourceCount));
      if (roll(2) == 0) r.slot_id = SlotId::from_trusted(random_slot(doctor));
    } else if (pick < 68 && !issued.empty()) {
      r.type = OpType::kCancel;
      r.token_id = TokenId::from_trusted(issued[static_cast<std::size_t>(roll(static_cast<int>(issued.size())))]);
    } else if (pick < 80) {
      r.type = OpType::kCallNext;
      r.doctor_id = DoctorId::from_trusted(doctor);
    } else if (pick < 90 && !called.empty()) {
      r.type = roll(4) == 0 ? OpType::kNoShow : OpType::kComplete;
      r.token_id = TokenId::from_trusted(called[static_cast<std::size_t>(roll(static_cast<int>(called.size())))]);
    } else if (pick < 97) {
      r.type = OpType::kSetCapacity;
      r.doctor_id = DoctorId::from_trusted(doctor);
      if (roll(5) == 0) {
        // A new slot at a random hour: displays learn its place by snapshot.
        const std::string id = doctor + "-x" + std::to_string(count_);
        slots[doctor].push_back(id);
        r.slot_id = SlotId::from_trusted(id);
        r.start = ClockTime::from_minutes(8 * 60 + 30 * roll(16));
      } else {
        r.slot_id = SlotId::from_trusted(random_slot(doctor));
      }
      r.capacity = static_cast<std::uint32_t>(roll(5));
    } else if (pick < 98) {
      r.type = OpType::kOpenDay;
      ++day_;
      r.date = ServiceDate::parse("2025-04-" + std::string(day_ < 10 ? "0" : "") + std::to_string(day_));
    } else {
      r.type = OpType::kAllocate;
      r.doctor_id = DoctorId::from_trusted(doctor);
      r.source = Source::kEmergency;
    }
    const Outcome outcome = reference.apply(r);
    results.push_back(outcome.result);
    if (outcome.result.token_id && !outcome.result.duplicate) {
      if (outcome.result.status == Status::kAllocated || outcome.result.status == Status::kReallocated)
        issued.push_back(outcome.result.token_id->str());
      if (outcome.result.status == Status::kCalled) called.push_back(outcome.result.token_id->str());
    }
    if (r.type == OpType::kOpenDay && outcome.result.ok()) {
      issued.clear();
      called.clear();
      for (auto& [d, list] : slots) list.resize(std::min<std::size_t>(list.size(), 3));
    }
    return r;
  }

  Engine reference;
  std::vector<Result> results;
  std::vector<std::string> doctors;

 private:
  int roll(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string random_slot(const std::string& doctor) {
    const auto& list = slots[doctor];
    return list[static_cast<std::size_t>(roll(static_cast<int>(list.size())))];
  }

  std::mt19937 rng_{20250301};
  std::uint64_t count_ = 0;
  int day_ = 0;
  std::map<std::string, std::vector<std::string>> slots;
  std::vector<std::string> issued;
  std::vector<std::string> called;
};

Schedule clinic() {
  return make_schedule({{"A", {{"A1", 2, "09:00", "10:00"}, {"A2", 2, "10:00", "11:00"}, {"A3", 1, "11:00", "12:00"}}},
                        {"B", {{"B1", 3, "09:00", "10:00"}, {"B2", 1, "10:00", "11:00"}, {"B3", 2, "", ""}}},
                        {"C", {{"C1", 1, "14:00", "15:00"}, {"C2", 2, "15:00", "16:00"}, {"C3", 2, "16:00", "17:00"}}}});
}

void check_result(const View& wire, const Result& core) {
  CHECK(wire.str("request_id") == core.request_id.str());
  CHECK(wire.str("type") == to_string(core.type));
  CHECK(wire.str("status") == to_string(core.status));
  CHECK(wire.boolean("duplicate") == core.duplicate);
  if (core.status == Status::kRejected) CHECK(wire.str("code") == to_string(core.code));
  CHECK(wire.has("token_id") == core.token_id.has_value());
  if (core.token_id) {
    CHECK(wire.str("token_id") == core.token_id->str());
    CHECK(wire.u64("token_number") == core.token_number);
  }
  if (core.slot_id) CHECK(wire.str("slot_id") == core.slot_id->str());
  if (core.removed_token) CHECK(wire.str("removed_token") == core.removed_token->str());
  if (core.moved_to) CHECK(wire.str("moved_to") == (core.moved_to->slot ? core.moved_to->slot->str() : "WAITLIST"));
  if (core.ahead) CHECK(wire.u64("ahead") == *core.ahead);
  if (!core.reason.empty()) CHECK(wire.str("reason") == core.reason);
}

TEST_CASE("Clone recipe: a late-joining display converges to the worker's and the core's boards",
          "[worker][clone]") {
  constexpr int kRequests = 2000;
  const Schedule schedule = clinic();
  RunningWorker worker(schedule);
  Subscriber results(worker.context(), worker.endpoints().events, {"result/sim/"}, 1'000'000);
  Subscriber all_events(worker.context(), worker.endpoints().events, {"doctor/"}, 1'000'000);
  Pusher push(worker.context(), worker.endpoints().requests);
  Querier query(worker.context(), worker.endpoints().queries);
  Day day(schedule);

  // The boards' versions now, from the worker.
  const auto current_versions = [&] {
    std::map<std::string, std::uint64_t> versions;
    for (const auto& doctor : day.doctors)
      versions[doctor] = query.ask(Body().set("type", "snapshot").set("doctor_id", doctor)).u64("version");
    return versions;
  };
  // Half the day, then a display joins while the worker is still busy.
  // It follows the rest in steps: a display that re-snapshots (a new day,
  // a new slot) gets the board as it is then, so one that only caught up
  // at the end would compare the worker's board with itself.
  for (int i = 0; i < kRequests / 2; ++i) push.send(to_body(day.next()));
  Display display(worker, day.doctors);
  constexpr int kStep = 50;
  for (int i = kRequests / 2; i < kRequests; i += kStep) {
    for (int j = i; j < i + kStep && j < kRequests; ++j) push.send(to_body(day.next()));
    display.follow_until(current_versions());
  }

  // Every result, in order, equals the reference core's.
  for (int i = 0; i < kRequests; ++i) {
    INFO("request " << i + 1);
    const Published p = results.expect("result/sim/");
    REQUIRE(p.body.u64("seq") == static_cast<std::uint64_t>(i + 1));
    check_result(p.body, day.results[static_cast<std::size_t>(i)]);
  }

  for (const auto& doctor : day.doctors)
    CHECK(query.ask(Body().set("type", "snapshot").set("doctor_id", doctor)).u64("seq") == kRequests);
  const auto versions = current_versions();
  display.follow_until(versions);
  for (const auto& doctor : day.doctors) {
    INFO("doctor " << doctor);
    const Model worker_board =
        model_from_snapshot(query.ask(Body().set("type", "snapshot").set("doctor_id", doctor)));
    const Model core_board = model_from_board(*day.reference.board(DoctorId::from_trusted(doctor)));
    INFO("display:\n" << display.model(doctor) << "\nworker:\n" << worker_board << "\ncore:\n" << core_board);
    CHECK(display.model(doctor) == worker_board);
    CHECK(worker_board == core_board);
    INFO("snapshots taken: " << display.snapshots);
    CHECK(display.events_since_snapshot(doctor) > 0);
  }

  // A subscriber present from the start saw every doctor's versions as
  // 1, 2, 3, ... with no gap, in seq order.
  std::map<std::string, std::uint64_t> last_version;
  std::uint64_t last_seq = 0;
  std::size_t events = 0;
  while (true) {
    bool done = true;
    for (const auto& [doctor, version] : versions)
      if (last_version[doctor] < version) done = false;
    if (done) break;
    const Published p = all_events.expect("doctor/");
    ++events;
    const std::string doctor = p.body.str("doctor_id");
    CHECK(p.topic == "doctor/" + doctor + "/");
    CHECK(p.body.u64("version") == last_version[doctor] + 1);
    CHECK(p.body.u64("seq") >= last_seq);
    last_version[doctor] = p.body.u64("version");
    last_seq = p.body.u64("seq");
  }
  CHECK(events > static_cast<std::size_t>(kRequests) / 2);
  CHECK(all_events.drain(100ms).empty());
}

}  // namespace
}  // namespace opd::worker::test
