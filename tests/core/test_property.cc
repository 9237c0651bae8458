// Randomized property test: hundreds of thousands of seeded random requests
// over a dozen doctors. After EVERY operation:
//  - engine.check_invariants() is empty;
//  - every event's version is its doctor's previous version + 1;
//  - the result agrees with an independent oracle of the allocation rules,
//    computed from the board before the operation and a model of the tokens
//    that the test maintains from the board events alone;
//  - on the boards the operation touched: no slot holds more tokens than
//    its capacity, the boards agree with the model, and no waitlisted token
//    could have taken a free seat at or after its original slot.
// Every few hundred operations (and at the end) every doctor's board is
// checked and every token issued that day is looked up: each is in exactly
// one place (a slot, the waitlist) or cancelled, and tokens of closed days
// are unknown.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "random_requests.h"
#include "support.h"

#define PFAIL(message)                        \
  do {                                        \
    std::ostringstream pfail_stream_;         \
    pfail_stream_ << message;                 \
    fail(pfail_stream_.str());                \
  } while (false)

namespace opd {
namespace {

std::string describe(const Request& r) {
  std::ostringstream os;
  os << to_string(r.type) << " id=" << r.request_id.str();
  if (r.doctor_id) os << " doctor=" << r.doctor_id->str();
  if (r.slot_id) os << " slot=" << r.slot_id->str();
  if (r.source) os << " source=" << to_string(*r.source);
  if (r.capacity) os << " capacity=" << *r.capacity;
  if (r.token_id) os << " token=" << r.token_id->str();
  if (r.start) os << " start=" << r.start->str();
  if (r.end) os << " end=" << r.end->str();
  if (r.date) os << " date=" << r.date->str();
  if (r.patient_ref) os << " ref(" << r.patient_ref->size() << ")";
  return os.str();
}

struct ModelToken {
  std::string doctor;
  Source source = Source::kWalkIn;
  std::uint32_t number = 0;
  std::uint64_t arrival = 0;
  TokenState state = TokenState::kWaiting;
  std::string slot;    // where it sits; empty when waitlisted or cancelled
  std::string anchor;  // waitlisted: the slot it was displaced from
  std::string left_waitlist_from;  // the anchor it had when last taken off the waitlist
  bool displaced = false;
};

// What the oracle expects an operation to answer. Fields left unset are
// not checked (the rules leave them open or another check covers them).
struct Expected {
  Status status = Status::kRejected;
  std::optional<Code> code;  // for rejections; nullopt: any rejection
  bool any_outcome = false;  // the rules allow more than one answer
  std::optional<std::string> slot;
  std::optional<std::string> token;          // call_next: who is called
  std::optional<std::string> removed;        // REALLOCATED
  std::optional<std::string> moved_to;       // "" = waitlist
  bool check_alternative = false;
  std::optional<std::string> alternative;    // "" = none
  std::optional<std::set<std::string>> leavers;  // set_capacity cut
};

class Checker {
 public:
  Checker(Engine& engine, const Schedule& schedule, EngineConfig config)
      : engine_(engine), schedule_(schedule), config_(config) {
    reset_slot_owners();
  }

  std::uint64_t ops = 0;
  std::uint64_t full_checks = 0;
  std::map<std::tuple<bool, Status, Code>, std::uint64_t> status_counts;

  std::string mix() const {
    std::ostringstream os;
    for (const auto& [key, n] : status_counts) {
      const auto& [duplicate, status, code] = key;
      os << "  " << (duplicate ? "duplicate " : "") << to_string(status);
      if (code != Code::kNone) os << "/" << to_string(code);
      os << ": " << n << "\n";
    }
    return os.str();
  }
  int full_check_every = 500;

  // Applies `r`, checks everything, and returns what the engine answered.
  Outcome step(const Request& r) {
    ++ops;
    current_request_ = &r;
    current_result_.reset();

    const auto expected = predict(r);
    Outcome out = engine_.apply(r);
    current_result_ = out.result;

    const auto problems = engine_.check_invariants();
    if (!problems.empty()) PFAIL("check_invariants: " << problems.front() << " (+" << problems.size() - 1 << " more)");

    ++status_counts[{out.result.duplicate, out.result.status, out.result.code}];

    // Idempotency: a request id seen this day returns the original answer.
    if (const auto it = seen_.find(r.request_id.str()); it != seen_.end()) {
      if (!out.result.duplicate) PFAIL("a repeated request_id was not reported as duplicate");
      if (!out.events.empty()) PFAIL("a duplicate emitted events");
      auto original = it->second;
      original.duplicate = true;
      if (!(out.result == original))
        PFAIL("duplicate differs from the original " << Catch::StringMaker<Result>::convert(original));
      return out;
    }
    if (out.result.duplicate) PFAIL("a new request_id was reported as duplicate");
    if (out.result.request_id != r.request_id) PFAIL("result carries another request_id");
    if (!out.result.ok() && !out.events.empty()) PFAIL("a rejection emitted events");

    check_against(expected, r, out);
    apply_events(r, out);
    if (out.result.status == Status::kDayOpened) start_day();
    seen_.emplace(r.request_id.str(), out.result);

    // The boards this operation touched.
    std::map<std::string, Board> touched;
    for (const auto& e : out.events)
      if (!touched.count(e.doctor_id.str())) touched.emplace(e.doctor_id.str(), check_board(e.doctor_id.str(), out));
    if (out.result.status == Status::kAllocated || out.result.status == Status::kReallocated)
      check_new_token(out, touched.at(out.result.doctor_id->str()));
    if (ops % static_cast<std::uint64_t>(full_check_every) == 0) full_check();
    return out;
  }

  // Every doctor's board and every token issued this day.
  void full_check() {
    ++full_checks;
    std::unordered_map<std::string, int> places;
    for (const auto& d : engine_.doctors()) {
      const auto board = engine_.board(d);
      if (!board) PFAIL("doctors() lists " << d.str() << " but board() does not know it");
      if (board->version != versions_[d.str()]) PFAIL("board version of " << d.str() << " disagrees with its events");
      for (const auto& s : board->slots) {
        if (s.tokens.size() > s.capacity) PFAIL("slot " << s.slot_id.str() << " over capacity");
        for (const auto& t : s.tokens) ++places[t.token_id.str()];
      }
      for (const auto& t : board->waitlist) ++places[t.token_id.str()];
    }
    for (const auto& id : issued_) {
      const auto& m = tokens_.at(id);
      const auto status = engine_.token(TokenId::from_trusted(id));
      if (!status) PFAIL("issued token " << id << " is unknown to token()");
      if (status->token.state != m.state)
        PFAIL("token " << id << " is " << to_string(status->token.state) << ", the events say " << to_string(m.state));
      if (status->doctor_id.str() != m.doctor) PFAIL("token " << id << " changed doctor");
      if (status->token.token_number != m.number) PFAIL("token " << id << " changed number");
      const int expected_places = m.state == TokenState::kCancelled ? 0 : 1;
      if (places[id] != expected_places)
        PFAIL("token " << id << " (" << to_string(m.state) << ") is in " << places[id] << " places on the boards");
      const std::string where = status->slot_id ? status->slot_id->str() : std::string();
      if (where != m.slot) PFAIL("token " << id << " is in slot '" << where << "', the events say '" << m.slot << "'");
    }
    std::size_t on_boards = 0;
    for (const auto& [id, n] : places) on_boards += static_cast<std::size_t>(n);
    if (on_boards != live_) PFAIL("the boards hold " << on_boards << " tokens, the events " << live_);
    for (const auto& id : old_ids_)
      if (engine_.token(TokenId::from_trusted(id))) PFAIL("token " << id << " of a closed day is still known");
  }

 private:
  // Fails the test with the operation that broke a rule and its answer.
  void fail(const std::string& message) const {
    std::ostringstream os;
    os << "op #" << ops;
    if (current_request_) os << ": " << describe(*current_request_);
    if (current_result_) os << "\n  -> " << Catch::StringMaker<Result>::convert(*current_result_);
    FAIL(os.str() << "\n  " << message);
  }

  // ---- the model

  void reset_slot_owners() {
    slot_owner_.clear();
    for (const auto& d : schedule_.doctors)
      for (const auto& s : d.slots) slot_owner_[s.slot_id.str()] = d.doctor_id.str();
  }

  void start_day() {
    for (std::size_t i = 0; i < issued_.size(); i += 97) old_ids_.push_back(issued_[i]);
    if (old_ids_.size() > 400) old_ids_.erase(old_ids_.begin(), old_ids_.begin() + 200);
    issued_.clear();
    tokens_.clear();
    numbers_.clear();
    live_ = 0;
    live_by_doctor_.clear();
    seen_.clear();
    reset_slot_owners();
  }

  ModelToken& model(const std::optional<TokenId>& id) {
    if (!id) PFAIL("event without token_id");
    const auto it = tokens_.find(id->str());
    if (it == tokens_.end()) PFAIL("event names token " << id->str() << " that was never allocated today");
    return it->second;
  }

  void apply_events(const Request& r, const Outcome& out) {
    for (const auto& e : out.events) {
      auto& version = versions_[e.doctor_id.str()];
      if (e.version != version + 1)
        PFAIL("event " << to_string(e.kind) << " of " << e.doctor_id.str() << " has version " << e.version
                      << " after " << version);
      version = e.version;
      switch (e.kind) {
        case EventKind::kAllocated: {
          if (!e.token_id || !e.slot_id || !e.source) PFAIL("ALLOCATED without token, slot or source");
          const auto id = e.token_id->str();
          if (tokens_.count(id)) PFAIL("token id " << id << " issued twice");
          const auto number = ++numbers_[e.doctor_id.str()];
          if (e.token_number != number)
            PFAIL("token number " << e.token_number << " where the doctor's next is " << number);
          tokens_.emplace(id, ModelToken{.doctor = e.doctor_id.str(),
                                         .source = *e.source,
                                         .number = e.token_number,
                                         .arrival = arrivals_++,
                                         .slot = e.slot_id->str()});
          issued_.push_back(id);
          ++live_;
          ++live_by_doctor_[e.doctor_id.str()];
          break;
        }
        case EventKind::kMoved: {
          auto& t = model(e.token_id);
          if (!e.to_slot || e.slot_id != e.to_slot) PFAIL("MOVED without a matching to_slot/slot_id");
          if (e.from_slot) {
            if (t.state != TokenState::kWaiting || t.slot != e.from_slot->str())
              PFAIL("MOVED from " << e.from_slot->str() << " a token that was not waiting there");
            t.displaced = true;
          } else if (t.state != TokenState::kWaitlisted) {
            PFAIL("MOVED from the waitlist a token that was not waitlisted");
          } else {
            t.left_waitlist_from = t.anchor;
          }
          t.state = TokenState::kWaiting;
          t.slot = e.to_slot->str();
          t.anchor.clear();
          break;
        }
        case EventKind::kWaitlisted: {
          auto& t = model(e.token_id);
          if (!e.from_slot || t.state != TokenState::kWaiting || t.slot != e.from_slot->str())
            PFAIL("WAITLISTED a token that was not waiting in from_slot");
          if (e.slot_id || e.to_slot) PFAIL("WAITLISTED with a slot");
          t.state = TokenState::kWaitlisted;
          t.anchor = t.slot;
          t.slot.clear();
          t.displaced = true;
          break;
        }
        case EventKind::kCancelled: {
          auto& t = model(e.token_id);
          if (t.state != TokenState::kWaiting && t.state != TokenState::kWaitlisted)
            PFAIL("CANCELLED a token in state " << to_string(t.state));
          t.state = TokenState::kCancelled;
          t.slot.clear();
          t.anchor.clear();
          --live_;
          --live_by_doctor_[t.doctor];
          break;
        }
        case EventKind::kCalled: {
          auto& t = model(e.token_id);
          if (t.state != TokenState::kWaiting) PFAIL("CALLED a token in state " << to_string(t.state));
          t.state = TokenState::kCalled;
          break;
        }
        case EventKind::kCompleted:
        case EventKind::kNoShow: {
          auto& t = model(e.token_id);
          if (t.state != TokenState::kCalled) PFAIL("finished a token in state " << to_string(t.state));
          t.state = e.kind == EventKind::kCompleted ? TokenState::kCompleted : TokenState::kNoShow;
          break;
        }
        case EventKind::kSlotUpdated:
          if (!e.slot_id || !e.capacity) PFAIL("SLOT_UPDATED without slot or capacity");
          slot_owner_[e.slot_id->str()] = e.doctor_id.str();
          break;
        case EventKind::kDayOpened:
          if (r.type != OpType::kOpenDay) PFAIL("DAY_OPENED from " << to_string(r.type));
          break;
      }
    }
  }

  // ---- the oracle

  // Service order: priority, then original arrival.
  bool serves_before(const ModelToken& a, const ModelToken& b) const {
    if (a.source != b.source) return priority_of(a.source) < priority_of(b.source);
    return a.arrival < b.arrival;
  }

  // Victim order: lowest priority, then never displaced, then latest arrival.
  bool victim_before(const ModelToken& a, const ModelToken& b) const {
    if (a.source != b.source) return priority_of(a.source) > priority_of(b.source);
    if (a.displaced != b.displaced) return !a.displaced;
    return a.arrival > b.arrival;
  }

  const ModelToken& known(const TokenInfo& t) const {
    const auto it = tokens_.find(t.token_id.str());
    if (it == tokens_.end()) PFAIL("board shows token " << t.token_id.str() << " the events never allocated");
    return it->second;
  }

  std::optional<std::string> victim_in(const SlotBoard& s) const {
    const TokenInfo* best = nullptr;
    for (const auto& t : s.tokens) {
      if (t.state != TokenState::kWaiting) continue;
      if (!best || victim_before(known(t), known(*best))) best = &t;
    }
    if (!best) return std::nullopt;
    return best->token_id.str();
  }

  bool policy_allows(Source newcomer) const {
    return config_.preemption == PreemptionPolicy::kAnyHigher || newcomer == Source::kEmergency;
  }

  bool may_displace(Source newcomer, const SlotBoard& s) const {
    const auto v = victim_in(s);
    return v && policy_allows(newcomer) && priority_of(newcomer) < priority_of(tokens_.at(*v).source);
  }

  static bool has_free_seat(const SlotBoard& s) { return s.capacity > 0 && s.tokens.size() < s.capacity; }

  static std::string later_free(const Board& b, std::size_t index) {
    for (std::size_t i = index + 1; i < b.slots.size(); ++i)
      if (has_free_seat(b.slots[i])) return b.slots[i].slot_id.str();
    return {};
  }

  static std::optional<std::size_t> index_of(const Board& b, std::string_view slot) {
    for (std::size_t i = 0; i < b.slots.size(); ++i)
      if (b.slots[i].slot_id.view() == slot) return i;
    return std::nullopt;
  }

  // A newcomer aimed at slot `index` of board `b`.
  Expected seat_in(const Board& b, std::size_t index, Source source) const {
    Expected x;
    const auto& s = b.slots[index];
    x.slot = s.slot_id.str();
    if (s.tokens.size() < s.capacity) {
      x.status = Status::kAllocated;
      return x;
    }
    const auto victim = victim_in(s);
    if (victim && policy_allows(source) && priority_of(source) < priority_of(tokens_.at(*victim).source)) {
      x.status = Status::kReallocated;
      x.removed = *victim;
      x.moved_to = later_free(b, index);
      return x;
    }
    x.status = Status::kRejected;
    x.slot.reset();
    x.check_alternative = true;
    x.alternative = later_free(b, index);
    // LOWER_PRIORITY when there is a would-be victim the newcomer may not
    // displace (by priority or by policy); SLOT_FULL when nobody waits.
    x.code = victim ? Code::kLowerPriority : Code::kSlotFull;
    return x;
  }

  std::optional<Board> board_of(const std::optional<DoctorId>& d) const {
    if (!d) return std::nullopt;
    return engine_.board(*d);
  }

  Expected bad_request() const {
    Expected x;
    x.code = Code::kBadRequest;
    return x;
  }

  Expected predict(const Request& r) const {
    if (seen_.count(r.request_id.str())) return Expected{.any_outcome = true};  // checked as a duplicate
    switch (r.type) {
      case OpType::kAllocate: return predict_allocate(r);
      case OpType::kCancel: return predict_token_op(r, {TokenState::kWaiting, TokenState::kWaitlisted}, Status::kCancelled);
      case OpType::kComplete: return predict_token_op(r, {TokenState::kCalled}, Status::kCompleted);
      case OpType::kNoShow: return predict_token_op(r, {TokenState::kCalled}, Status::kNoShow);
      case OpType::kCallNext: return predict_call_next(r);
      case OpType::kSetCapacity: return predict_set_capacity(r);
      case OpType::kOpenDay: {
        if (!r.date) return bad_request();
        const auto current = engine_.current_date();
        if (current && !(*current < *r.date)) return Expected{.code = Code::kStaleDate};
        return Expected{.status = Status::kDayOpened};
      }
    }
    return bad_request();
  }

  Expected predict_allocate(const Request& r) const {
    if (!r.doctor_id || !r.source) return bad_request();
    if (r.capacity && *r.capacity > kMaxSlotCapacity) return bad_request();
    if (r.patient_ref && r.patient_ref->size() > kMaxPatientRefLength) return bad_request();
    const Source source = *r.source;
    const auto board = board_of(r.doctor_id);
    if (!r.slot_id) {
      if (!board) return Expected{.code = Code::kUnknownDoctor};
      for (std::size_t i = 0; i < board->slots.size(); ++i)
        if (has_free_seat(board->slots[i])) return seat_in(*board, i, source);
      for (std::size_t i = 0; i < board->slots.size(); ++i)
        if (board->slots[i].capacity > 0 && may_displace(source, board->slots[i])) return seat_in(*board, i, source);
      return Expected{.code = Code::kNoSlotAvailable};
    }
    const auto owner = slot_owner_.find(r.slot_id->str());
    if (owner == slot_owner_.end()) {
      if (!r.capacity || !config_.auto_create_slots) return Expected{.code = Code::kUnknownSlot};
      if (*r.capacity == 0) return Expected{};  // a closed slot is not created; any rejection
      return Expected{.status = Status::kAllocated, .slot = r.slot_id->str()};
    }
    if (owner->second != r.doctor_id->str()) return Expected{.code = Code::kSlotDoctorMismatch};
    if (!board) PFAIL("the owner of slot " << r.slot_id->str() << " has no board");
    const auto index = index_of(*board, r.slot_id->view());
    if (!index) PFAIL("slot " << r.slot_id->str() << " missing from its doctor's board");
    const auto& s = board->slots[*index];
    if (r.capacity && *r.capacity != s.capacity) return Expected{.code = Code::kCapacityMismatch};
    if (s.capacity == 0) return Expected{.code = Code::kSlotClosed};
    return seat_in(*board, *index, source);
  }

  Expected predict_token_op(const Request& r, std::initializer_list<TokenState> allowed, Status ok) const {
    if (!r.token_id) return bad_request();
    const auto it = tokens_.find(r.token_id->str());
    if (it == tokens_.end()) return Expected{.code = Code::kUnknownToken};
    for (const auto s : allowed)
      if (it->second.state == s) return Expected{.status = ok, .token = r.token_id->str()};
    return Expected{.code = Code::kInvalidState};
  }

  Expected predict_call_next(const Request& r) const {
    if (!r.doctor_id) return bad_request();
    const auto board = board_of(r.doctor_id);
    if (!board) return Expected{.code = Code::kUnknownDoctor};
    if (r.slot_id) {
      const auto owner = slot_owner_.find(r.slot_id->str());
      if (owner == slot_owner_.end()) return Expected{.code = Code::kUnknownSlot};
      if (owner->second != r.doctor_id->str()) return Expected{.code = Code::kSlotDoctorMismatch};
    }
    for (const auto& s : board->slots) {
      if (r.slot_id && s.slot_id != *r.slot_id) continue;
      const ModelToken* best = nullptr;
      std::string best_id;
      for (const auto& t : s.tokens) {
        if (t.state != TokenState::kWaiting) continue;
        const auto& m = known(t);
        if (!best || serves_before(m, *best)) {
          best = &m;
          best_id = t.token_id.str();
        }
      }
      if (best) return Expected{.status = Status::kCalled, .slot = s.slot_id.str(), .token = best_id};
    }
    return Expected{.code = Code::kQueueEmpty};
  }

  Expected predict_set_capacity(const Request& r) const {
    if (!r.doctor_id || !r.slot_id || !r.capacity) return bad_request();
    if (*r.capacity > kMaxSlotCapacity) return bad_request();
    if (r.end && !r.start) return bad_request();
    if (r.start && r.end && !(*r.start < *r.end)) return bad_request();
    const auto owner = slot_owner_.find(r.slot_id->str());
    if (owner == slot_owner_.end()) {
      if (!config_.auto_create_slots) return Expected{.any_outcome = true};  // see the report: open point
      return Expected{.status = Status::kUpdated, .slot = r.slot_id->str()};
    }
    if (owner->second != r.doctor_id->str()) return Expected{.code = Code::kSlotDoctorMismatch};
    const auto board = board_of(r.doctor_id);
    if (!board) PFAIL("the owner of slot " << r.slot_id->str() << " has no board");
    const auto& s = board->slots.at(*index_of(*board, r.slot_id->view()));
    if ((r.start && r.start != s.start) || (r.end && r.end != s.end)) return Expected{.code = Code::kSlotTimeMismatch};
    std::vector<const TokenInfo*> waiting;
    std::size_t served = 0;
    for (const auto& t : s.tokens) {
      if (t.state == TokenState::kWaiting) waiting.push_back(&t);
      else ++served;
    }
    if (*r.capacity < served) return Expected{.code = Code::kCapacityBelowServed};
    Expected x{.status = Status::kUpdated, .slot = r.slot_id->str()};
    std::set<std::string> leavers;
    if (s.tokens.size() > *r.capacity) {
      std::sort(waiting.begin(), waiting.end(),
                [this](const TokenInfo* a, const TokenInfo* b) { return victim_before(known(*a), known(*b)); });
      for (std::size_t i = 0; i < s.tokens.size() - *r.capacity; ++i) leavers.insert(waiting[i]->token_id.str());
    }
    x.leavers = leavers;
    return x;
  }

  void check_against(const Expected& x, const Request& r, const Outcome& out) {
    const auto& res = out.result;
    if (x.any_outcome) return;
    if (x.status == Status::kRejected) {
      if (res.ok()) PFAIL("expected a rejection" << (x.code ? " " + std::string(to_string(*x.code)) : std::string()));
      if (x.code && res.code != *x.code)
        PFAIL("expected " << to_string(*x.code) << ", got " << to_string(res.code));
      if (res.reason.empty()) PFAIL("a rejection without a reason");
      if (res.code == Code::kLowerPriority && res.reason != "Lower priority") PFAIL("LOWER_PRIORITY reason text");
      if (x.check_alternative) {
        const std::string alt = res.alternative_slot ? res.alternative_slot->str() : std::string();
        if (alt != *x.alternative) PFAIL("alternative_slot '" << alt << "', expected '" << *x.alternative << "'");
      }
      return;
    }
    if (res.status != x.status)
      PFAIL("expected " << to_string(x.status) << ", got " << to_string(res.status) << " "
                       << to_string(res.code) << " '" << res.reason << "'");
    if (x.slot && (!res.slot_id || res.slot_id->str() != *x.slot))
      PFAIL("expected slot " << *x.slot);
    if (x.token && (!res.token_id || res.token_id->str() != *x.token)) PFAIL("expected token " << *x.token);

    if (r.type == OpType::kAllocate) check_allocation(x, r, out);
    if (x.leavers) {
      std::set<std::string> left;
      for (const auto& e : out.events)
        if ((e.kind == EventKind::kMoved || e.kind == EventKind::kWaitlisted) && e.from_slot) {
          if (e.from_slot->str() != *x.slot) PFAIL("set_capacity moved a token out of another slot");
          left.insert(e.token_id->str());
        }
      if (left != *x.leavers) PFAIL("set_capacity moved out other tokens than the victim order gives");
      const auto cap = res.capacity;
      if (!cap || *cap != *r.capacity) PFAIL("UPDATED without the new capacity");
    }
  }

  void check_allocation(const Expected& x, const Request& r, const Outcome& out) {
    const auto& res = out.result;
    if (!res.token_id) PFAIL("a seat without a token_id");
    if (res.source != r.source) PFAIL("result source differs from the request");
    std::size_t allocated_at = out.events.size();
    int displacements = 0;
    for (std::size_t i = 0; i < out.events.size(); ++i) {
      const auto& e = out.events[i];
      if (e.kind == EventKind::kAllocated) {
        if (allocated_at != out.events.size()) PFAIL("two ALLOCATED events");
        allocated_at = i;
        if (e.token_id != res.token_id) PFAIL("ALLOCATED event for another token");
      }
      if ((e.kind == EventKind::kMoved && e.from_slot) || e.kind == EventKind::kWaitlisted) {
        ++displacements;
        if (allocated_at < i) PFAIL("a victim's event after the newcomer's ALLOCATED");
        if (!res.removed_token || e.token_id != res.removed_token) PFAIL("displacement of a token other than removed_token");
      }
    }
    if (allocated_at == out.events.size()) PFAIL("no ALLOCATED event");
    if (x.status == Status::kAllocated) {
      if (displacements != 0 || res.removed_token) PFAIL("ALLOCATED displaced someone");
      return;
    }
    // REALLOCATED: exactly one victim (no cascades), the one the rules pick,
    // strictly lower in priority, moved where the rules say.
    if (displacements != 1) PFAIL("REALLOCATED with " << displacements << " displacements");
    if (!res.removed_token || res.removed_token->str() != *x.removed)
      PFAIL("removed " << (res.removed_token ? res.removed_token->str() : "nothing") << ", expected " << *x.removed);
    const auto& victim = tokens_.at(*x.removed);
    if (!(priority_of(*r.source) < priority_of(victim.source))) PFAIL("displaced by a priority that is not strictly higher");
    const std::string to = res.moved_to && res.moved_to->slot ? res.moved_to->slot->str() : std::string();
    if (!res.moved_to || to != *x.moved_to) PFAIL("victim moved to '" << to << "', expected '" << *x.moved_to << "'");
  }

  // ---- board checks

  // Checks one doctor's board after an operation and returns it.
  Board check_board(const std::string& doctor, const Outcome& out) {
    const auto board = engine_.board(DoctorId::from_trusted(doctor));
    if (!board) PFAIL("no board for " << doctor << " after its events");
    if (board->version != versions_[doctor]) PFAIL("board version " << board->version << " of " << doctor);
    std::size_t shown = 0;
    for (std::size_t i = 0; i < board->slots.size(); ++i) {
      const auto& s = board->slots[i];
      if (s.tokens.size() > s.capacity)
        PFAIL("slot " << s.slot_id.str() << " holds " << s.tokens.size() << " > capacity " << s.capacity);
      for (std::size_t k = 0; k < s.tokens.size(); ++k) {
        const auto& t = s.tokens[k];
        const auto& m = known(t);
        if (m.doctor != doctor || m.slot != s.slot_id.str() || m.state != t.state)
          PFAIL("board shows " << t.token_id.str() << " in " << s.slot_id.str() << " as " << to_string(t.state)
                              << "; the events say " << m.slot << " " << to_string(m.state));
        if (m.number != t.token_number || m.source != t.source) PFAIL("token " << t.token_id.str() << " changed");
        if (k > 0 && !serves_before(known(s.tokens[k - 1]), m)) PFAIL("slot " << s.slot_id.str() << " not in service order");
      }
      shown += s.tokens.size();
    }
    for (std::size_t k = 0; k < board->waitlist.size(); ++k) {
      const auto& t = board->waitlist[k];
      const auto& m = known(t);
      if (m.state != TokenState::kWaitlisted || m.doctor != doctor) PFAIL("waitlist shows " << t.token_id.str() << " in state " << to_string(m.state));
      if (k > 0 && !serves_before(known(board->waitlist[k - 1]), m)) PFAIL("waitlist not in drain order");
      // Never waitlisted while a seat is free at or after its original slot.
      const auto anchor = index_of(*board, m.anchor);
      if (!anchor) PFAIL("waitlisted token's original slot " << m.anchor << " is not on the board");
      for (std::size_t i = *anchor; i < board->slots.size(); ++i)
        if (has_free_seat(board->slots[i]))
          PFAIL("token " << t.token_id.str() << " waitlisted while " << board->slots[i].slot_id.str() << " has a free seat");
      // A token taken from the waitlist in this operation was the best one
      // eligible for its seat.
      for (const auto& e : out.events) {
        if (e.kind != EventKind::kMoved || e.from_slot || e.doctor_id.str() != doctor) continue;
        const auto into = index_of(*board, e.to_slot->str());
        if (*anchor <= *into && serves_before(m, tokens_.at(e.token_id->str())))
          PFAIL("waitlisted " << t.token_id.str() << " was better placed than " << e.token_id->str());
      }
      ++shown;
    }
    for (const auto& e : out.events)
      if (e.kind == EventKind::kMoved && e.doctor_id.str() == doctor) {
        const auto into = index_of(*board, e.to_slot->str());
        if (!into) PFAIL("moved into a slot not on the board");
        if (e.from_slot && !(*index_of(*board, e.from_slot->str()) < *into)) PFAIL("moved to a slot that is not later");
        if (!e.from_slot) {
          // Off the waitlist: only into its original slot or a later one.
          const auto& m = tokens_.at(e.token_id->str());
          const auto anchor = index_of(*board, m.left_waitlist_from);
          if (!anchor || *into < *anchor)
            PFAIL("token " << e.token_id->str() << " left the waitlist for " << e.to_slot->str()
                           << ", before its original slot " << m.left_waitlist_from);
        }
      }
    const std::size_t live = live_by_doctor_[doctor];
    if (shown != live) PFAIL("board of " << doctor << " shows " << shown << " tokens, the events " << live);
    if (board->now_serving && board->now_serving->state != TokenState::kCalled) PFAIL("now_serving is not CALLED");
    return *board;
  }

  // The seated newcomer's `ahead`: waiting tokens the queue calls first.
  void check_new_token(const Outcome& out, const Board& board) {
    const auto& res = out.result;
    const auto& me = tokens_.at(res.token_id->str());
    std::uint32_t ahead = 0;
    for (const auto& s : board.slots) {
      const bool mine = s.slot_id.str() == me.slot;
      for (const auto& t : s.tokens)
        if (t.state == TokenState::kWaiting && (!mine || serves_before(known(t), me))) ++ahead;
      if (mine) break;
    }
    if (res.ahead != ahead) PFAIL("ahead " << (res.ahead ? std::to_string(*res.ahead) : "none") << ", expected " << ahead);
    const auto status = engine_.token(*res.token_id);
    if (!status || status->ahead != ahead || status->slot_id != res.slot_id) PFAIL("token() disagrees with the result");
  }

  Engine& engine_;
  const Schedule& schedule_;
  EngineConfig config_;
  std::unordered_map<std::string, ModelToken> tokens_;
  std::vector<std::string> issued_;
  std::vector<std::string> old_ids_;
  std::size_t live_ = 0;
  std::map<std::string, std::size_t> live_by_doctor_;
  const Request* current_request_ = nullptr;
  std::optional<Result> current_result_;
  std::map<std::string, std::uint64_t> versions_;
  std::map<std::string, std::uint32_t> numbers_;
  std::map<std::string, std::string> slot_owner_;
  std::unordered_map<std::string, Result> seen_;
  std::uint64_t arrivals_ = 0;
};

void run(std::uint64_t seed, int doctors, int slots, std::uint64_t operations, EngineConfig config) {
  test::RandomRequests gen(seed, doctors, slots);
  const Schedule schedule = gen.schedule();
  REQUIRE(schedule.validate().empty());
  Engine engine(schedule, config);
  Checker checker(engine, schedule, config);
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < operations; ++i) {
    const Request r = gen.next();
    // The generator learns token ids from what the engine answered.
    gen.observe(r, checker.step(r));
  }
  checker.full_check();
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("seed " << seed << ": " << checker.ops << " operations over " << engine.doctors().size()
               << " doctors in " << seconds << " s, " << checker.full_checks << " full checks\n"
               << checker.mix());
  // The run reached every kind of answer the invariants were checked
  // against, not only the easy ones.
  const auto answered = [&checker](Status status, bool duplicate) {
    std::uint64_t n = 0;
    for (const auto& [key, count] : checker.status_counts)
      if (std::get<0>(key) == duplicate && std::get<1>(key) == status) n += count;
    return n;
  };
  for (const Status status : {Status::kAllocated, Status::kReallocated, Status::kCancelled, Status::kCalled,
                              Status::kCompleted, Status::kNoShow, Status::kUpdated, Status::kDayOpened,
                              Status::kRejected}) {
    INFO("status " << to_string(status));
    CHECK(answered(status, false) > 0);
  }
  CHECK(answered(Status::kAllocated, true) + answered(Status::kRejected, true) > 0);
  CHECK(checker.full_checks > 0);
}

TEST_CASE("property: 200000 random operations keep every invariant (any_higher)", "[property]") {
  run(0x0BD5EED, 12, 5, 200'000, EngineConfig{});
}

TEST_CASE("property: random operations under emergency_only without slot creation", "[property]") {
  run(20240611, 10, 4, 25'000,
      EngineConfig{.preemption = PreemptionPolicy::kEmergencyOnly, .auto_create_slots = false});
}

}  // namespace
}  // namespace opd
