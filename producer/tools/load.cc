#include "producer/tools/load.h"

#include <sys/prctl.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "opd/core/outcome.h"
#include "producer/tools/client.h"
#include "producer/tools/msgpack_lite.h"
#include "producer/tools/relay.h"

namespace opd::tools {
namespace {

using Nanos = std::int64_t;

constexpr std::array<std::string_view, kLoadOpCount> kOpNames{"allocate", "cancel",  "call_next",
                                                                "complete", "no_show", "set_capacity"};
constexpr std::array<std::string_view, 5> kSources{"EMERGENCY", "PAID", "FOLLOW_UP", "ONLINE", "WALK_IN"};
// Arrivals by source, per mille: mostly walk-ins and online bookings.
constexpr std::array<int, 5> kSourceShare{30, 100, 170, 300, 400};

// The wire names of statuses and rejection codes, from the core itself.
const std::array<std::string_view, 9> kStatusNames = [] {
  std::array<std::string_view, 9> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = to_string(static_cast<Status>(i));
  return names;
}();
const std::array<std::string_view, kCodeCount - 1> kCodeNames = [] {
  std::array<std::string_view, kCodeCount - 1> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = to_string(static_cast<Code>(i + 1));
  return names;
}();

// The position of `name` in `names`, or names.size() for anything else.
template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  std::size_t i = 0;
  while (i < N && names[i] != name) ++i;
  return i;
}

Nanos now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// When each request was due. Written by the sender before the request's
// index is published through `sent` (release), read by the receiver only
// for indices below `sent` (acquire). Chunks never move once allocated.
class SendLog {
 public:
  static constexpr int kChunkBits = 16;
  static constexpr std::uint64_t kChunk = 1ULL << kChunkBits;
  static constexpr std::uint64_t kMaxRequests = kChunk * 16384;  // about a billion

  SendLog() : chunks_(kMaxRequests / kChunk) {}
  void record(std::uint64_t n, Nanos due) {
    auto& chunk = chunks_[n >> kChunkBits];
    if (!chunk) chunk = std::make_unique<Nanos[]>(kChunk);
    chunk[n & (kChunk - 1)] = due;
  }
  [[nodiscard]] Nanos at(std::uint64_t n) const { return chunks_[n >> kChunkBits][n & (kChunk - 1)]; }

 private:
  std::vector<std::unique_ptr<Nanos[]>> chunks_;
};

// Single producer (the receiver), single consumer (the sender). Full: the
// id is dropped, which only shifts the mix towards the fallback operation.
class TokenRing {
 public:
  TokenRing() : slots_(kSize) {}
  void push(std::string_view id) {
    const auto tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_.load(std::memory_order_acquire) >= kSize || id.size() > 64) return;
    auto& slot = slots_[tail & (kSize - 1)];
    slot.size = static_cast<std::uint8_t>(id.size());
    id.copy(slot.text.data(), id.size());
    tail_.store(tail + 1, std::memory_order_release);
  }
  bool pop(std::string& out) {
    const auto head = head_.load(std::memory_order_relaxed);
    if (head == tail_.load(std::memory_order_acquire)) return false;
    const auto& slot = slots_[head & (kSize - 1)];
    out.assign(slot.text.data(), slot.size);
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

 private:
  static constexpr std::uint64_t kSize = 1 << 16;
  struct Slot {
    std::uint8_t size = 0;
    std::array<char, 64> text{};
  };
  std::vector<Slot> slots_;
  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint64_t> tail_{0};
};

struct Shared {
  std::string run_id;  // request ids are "<run_id>-<n>", setup ones "<run_id>-s<n>"
  SendLog log;
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> received{0};
  std::atomic<Nanos> last_result{0};
  std::atomic<bool> sending_done{false};
  std::atomic<bool> stop_receiver{false};
  std::atomic<bool> abort{false};
  TokenRing allocated;  // tokens to cancel
  TokenRing called;     // tokens to complete / mark no-show
};

struct Ids {
  std::vector<std::string> doctors;
  std::vector<std::vector<std::string>> slots;  // per doctor
};

std::string padded(int value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width) text.insert(0, static_cast<std::size_t>(width) - text.size(), '0');
  return text;
}

Ids make_ids(const LoadPlan& plan) {
  Ids ids;
  const int width = static_cast<int>(std::to_string(plan.doctors).size());
  for (int d = 0; d < plan.doctors; ++d) {
    ids.doctors.push_back(plan.doctor_prefix + "-D" + padded(d + 1, width));
    auto& slots = ids.slots.emplace_back();
    for (int s = 0; s < plan.slots; ++s) slots.push_back(ids.doctors.back() + "-S" + std::to_string(s + 1));
  }
  return ids;
}

std::string client_id(const std::string& run_id, int client) { return run_id + "-c" + std::to_string(client); }

// Reads the index out of "<run_id>-<n>"; nullopt for anything else.
std::optional<std::uint64_t> measured_index(std::string_view request_id, std::string_view run_id) {
  if (request_id.size() <= run_id.size() + 1 || !request_id.starts_with(run_id) || request_id[run_id.size()] != '-')
    return std::nullopt;
  return parse_unsigned(request_id.substr(run_id.size() + 1));
}

// What one SUB message carries, for the setup and the receiver alike.
struct Received {
  zmq::message_t topic;
  zmq::message_t body;
};

bool receive_one(zmq::socket_t& sub, Received& into) {
  if (!sub.recv(into.topic, zmq::recv_flags::dontwait)) return false;
  bool more = into.topic.more();
  bool have_body = false;
  zmq::message_t extra;
  while (more) {
    zmq::message_t& part = have_body ? extra : into.body;
    if (!sub.recv(part, zmq::recv_flags::dontwait)) break;
    have_body = true;
    more = part.more();
  }
  if (!have_body) into.body.rebuild(std::size_t{0});
  return true;
}

class Phase {
 public:
  Phase(const PhaseTarget& target, const LoadPlan& plan)
      : target_(target), plan_(plan), ids_(make_ids(plan)), context_(1) {
    shared_.run_id = "L" + random_hex(8);
    sub_ = zmq::socket_t(context_, zmq::socket_type::sub);
    sub_.set(zmq::sockopt::rcvhwm, 0);  // never drop on our side: losses are the worker's
    sub_.set(zmq::sockopt::linger, 0);
    sub_.set(zmq::sockopt::subscribe,
             target.relay ? std::string(kRelayTopic) : "result/" + shared_.run_id + "-c");
    connect_endpoint(sub_, target.events);
    for (int c = 0; c < plan.clients; ++c) {
      auto& push = pushes_.emplace_back(context_, zmq::socket_type::push);
      push.set(zmq::sockopt::sndhwm, 100'000);
      push.set(zmq::sockopt::linger, 0);
      connect_secured(push, target.requests, target.curve);
    }
    report_.name = target.name;
  }

  PhaseReport run(const Progress& progress) {
    if (!setup()) return report_;
    report_.reached = true;
    std::thread receiver([this] { receive_loop(); });
    std::thread sender([this] { send_loop(); });
    const Nanos started = now_ns();
    Nanos drain_deadline = 0;
    // A worker that dies mid-run must not hang us: give up when requests
    // are outstanding and no result has come for this long.
    const Nanos stall_ns =
        std::max<Nanos>(10'000'000'000, 3 * std::chrono::nanoseconds(plan_.connect.timeout).count());
    std::uint64_t last_received = 0;
    Nanos last_change = started;
    while (true) {
      std::this_thread::sleep_for(std::min(progress.interval, std::chrono::milliseconds(50)));
      const Nanos now = now_ns();
      const std::uint64_t received_now = shared_.received.load();
      if (received_now != last_received) {
        last_received = received_now;
        last_change = now;
      } else if (shared_.sent.load() > received_now && now - last_change > stall_ns) {
        report_.stalled = true;
        shared_.abort.store(true);
        break;
      }
      if (now - last_progress_ >= std::chrono::nanoseconds(progress.interval).count()) {
        last_progress_ = now;
        if (progress.report)
          progress.report(target_.name, static_cast<double>(now - started) / 1e9, shared_.sent.load(),
                          shared_.received.load());
      }
      if (!shared_.sending_done.load()) continue;
      if (drain_deadline == 0) drain_deadline = now + std::chrono::nanoseconds(plan_.drain).count();
      if (shared_.received.load() >= shared_.sent.load() || now >= drain_deadline) break;
    }
    shared_.stop_receiver.store(true);
    sender.join();
    receiver.join();
    if (progress.report)
      progress.report(target_.name, static_cast<double>(now_ns() - started) / 1e9, shared_.sent.load(),
                      shared_.received.load());
    if (progress.done) progress.done();

    report_.sent = shared_.sent.load();
    report_.received = shared_.received.load();
    report_.lost = report_.sent - report_.received;
    report_.send_seconds = static_cast<double>(last_send_ - t0_) / 1e9;
    const Nanos last = shared_.last_result.load();
    report_.elapsed_seconds = last > t0_ ? static_cast<double>(last - t0_) / 1e9 : 0.0;
    return report_;
  }

 private:
  // Creates the doctors and slots the load runs on, and proves the path
  // end to end before the clock starts: the first setup request is resent
  // every 100 ms until its result comes back (set_capacity is idempotent,
  // and a resend with the same request_id is a duplicate anyway).
  bool setup() {
    std::vector<std::string> messages;
    std::vector<std::string> request_ids;
    std::string bytes;
    for (std::size_t d = 0; d < ids_.doctors.size(); ++d) {
      for (const auto& slot : ids_.slots[d]) {
        request_ids.push_back(shared_.run_id + "-s" + std::to_string(request_ids.size()));
        bytes.clear();
        mp::Writer w(bytes);
        w.map(6);
        w.field("type", "set_capacity");
        w.field("request_id", request_ids.back());
        w.field("client_id", client_id(shared_.run_id, 0));
        w.field("doctor_id", ids_.doctors[d]);
        w.field("slot_id", slot);
        w.field("capacity", plan_.capacity);
        messages.push_back(bytes);
      }
    }
    std::vector<bool> answered(messages.size(), false);
    std::size_t remaining = messages.size();
    const auto total = plan_.connect.timeout * (plan_.connect.retries + 1);
    const Nanos give_up = now_ns() + std::chrono::nanoseconds(total).count();

    const auto collect = [&](Nanos until) {
      Received r;
      while (remaining > 0) {
        std::array<zmq::pollitem_t, 1> items{{{sub_.handle(), 0, ZMQ_POLLIN, 0}}};
        const auto wait = std::max<Nanos>(0, until - now_ns()) / 1'000'000;
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
        bool any = false;
        while (receive_one(sub_, r)) {
          any = true;
          mp::ResultFields f;
          if (!mp::scan_result(r.body.data(), r.body.size(), f)) continue;
          const std::string_view prefix = shared_.run_id;
          if (!f.request_id.starts_with(prefix) || f.request_id.size() < prefix.size() + 3 ||
              f.request_id.substr(prefix.size(), 2) != "-s")
            continue;
          const auto n = parse_unsigned(f.request_id.substr(prefix.size() + 2));
          if (!n || *n >= answered.size() || answered[*n]) continue;
          answered[*n] = true;
          --remaining;
          // Lowering a slot that already served more than the base
          // capacity (an earlier run today) is refused; the slot exists.
          if (f.status == "REJECTED" && f.code != "CAPACITY_BELOW_SERVED" && report_.setup_error.empty())
            report_.setup_error = "set_capacity " + request_ids[*n] + " was rejected: " + std::string(f.code);
        }
        if (!any && now_ns() >= until) return;
      }
    };

    // 1. the probe
    while (!answered[0]) {
      if (pushes_[0].send(zmq::buffer(messages[0]), zmq::send_flags::dontwait)) ++report_.setup_sent;
      collect(std::min(give_up, now_ns() + 100'000'000));
      if (!answered[0] && now_ns() >= give_up) {
        report_.setup_error = "no answer from " + target_.requests + " / " + target_.events;
        return false;
      }
    }
    // 2. the rest, resending what is missing after each timeout
    for (int attempt = 0; remaining > 0 && attempt <= plan_.connect.retries; ++attempt) {
      for (std::size_t i = 0; i < messages.size(); ++i)
        if (!answered[i] && pushes_[i % pushes_.size()].send(zmq::buffer(messages[i]), zmq::send_flags::none))
          ++report_.setup_sent;
      collect(now_ns() + std::chrono::nanoseconds(plan_.connect.timeout).count());
    }
    if (remaining > 0) {
      report_.setup_error = std::to_string(remaining) + " setup requests got no result";
      return false;
    }
    if (!report_.setup_error.empty()) return false;
    // The other clients' PUSH connections: give them the time the probe took.
    return true;
  }

  void send_loop() {
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // sleep_until as precise as the kernel allows
    std::mt19937_64 rng(plan_.seed);
    std::uint32_t weight_total = 0;
    for (const auto w : plan_.mix.weight) weight_total += w;
    std::vector<bool> raised(ids_.doctors.size() * static_cast<std::size_t>(plan_.slots), false);
    std::string bytes;
    std::string token;
    std::string request_id;
    const double period_ns = plan_.rate > 0 ? 1e9 / plan_.rate : 0.0;
    const Nanos duration_ns = plan_.duration_s ? static_cast<Nanos>(*plan_.duration_s * 1e9) : 0;
    const std::uint64_t limit = plan_.count ? *plan_.count : SendLog::kMaxRequests;
    t0_ = now_ns();
    for (std::uint64_t i = 0; i < limit && !shared_.abort.load(std::memory_order_relaxed); ++i) {
      Nanos due;
      if (period_ns > 0) {
        due = t0_ + static_cast<Nanos>(static_cast<double>(i) * period_ns);
        if (plan_.duration_s && due - t0_ >= duration_ns) break;
        const Nanos now = now_ns();
        if (due > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
      } else {
        due = now_ns();
        if (plan_.duration_s && due - t0_ >= duration_ns) break;
      }

      // Pick and encode the operation.
      auto pick = static_cast<std::uint32_t>(rng() % weight_total);
      int op = 0;
      while (pick >= plan_.mix.weight[static_cast<std::size_t>(op)]) pick -= plan_.mix.weight[static_cast<std::size_t>(op++)];
      auto kind = static_cast<LoadOp>(op);
      if (kind == LoadOp::kCancel && !shared_.allocated.pop(token)) kind = LoadOp::kAllocate;
      if ((kind == LoadOp::kComplete || kind == LoadOp::kNoShow) && !shared_.called.pop(token)) kind = LoadOp::kCallNext;
      const auto doctor = static_cast<std::size_t>(rng() % ids_.doctors.size());
      const auto slot = static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(plan_.slots));
      const int roll = static_cast<int>(rng() % 1000);
      std::size_t source = 0;
      for (int acc = kSourceShare[0]; roll >= acc && source + 1 < kSources.size(); acc += kSourceShare[++source]) {}
      const int client = static_cast<int>(i % static_cast<std::uint64_t>(plan_.clients));

      request_id = shared_.run_id;
      request_id += '-';
      request_id += std::to_string(i);
      bytes.clear();
      mp::Writer w(bytes);
      const std::string cid = client_id(shared_.run_id, client);
      switch (kind) {
        case LoadOp::kAllocate:
          w.map(6);
          w.field("type", "allocate");
          w.field("request_id", request_id);
          w.field("client_id", cid);
          w.field("doctor_id", ids_.doctors[doctor]);
          w.field("slot_id", ids_.slots[doctor][slot]);
          w.field("source", kSources[source]);
          break;
        case LoadOp::kCallNext:
          w.map(4);
          w.field("type", "call_next");
          w.field("request_id", request_id);
          w.field("client_id", cid);
          w.field("doctor_id", ids_.doctors[doctor]);
          break;
        case LoadOp::kCancel:
        case LoadOp::kComplete:
        case LoadOp::kNoShow:
          w.map(4);
          w.field("type", kOpNames[static_cast<std::size_t>(kind)]);
          w.field("request_id", request_id);
          w.field("client_id", cid);
          w.field("token_id", token);
          break;
        case LoadOp::kSetCapacity: {
          // Toggle between the base capacity and one more, so each change
          // is real (a SLOT_UPDATED event, moves when lowered).
          const std::size_t at = doctor * static_cast<std::size_t>(plan_.slots) + slot;
          raised[at] = !raised[at];
          w.map(6);
          w.field("type", "set_capacity");
          w.field("request_id", request_id);
          w.field("client_id", cid);
          w.field("doctor_id", ids_.doctors[doctor]);
          w.field("slot_id", ids_.slots[doctor][slot]);
          w.field("capacity", plan_.capacity + (raised[at] ? 1U : 0U));
          break;
        }
      }
      ++report_.sent_by_op[static_cast<std::size_t>(kind)];
      shared_.log.record(i, due);
      shared_.sent.store(i + 1, std::memory_order_release);
      // Blocks while the worker is behind (PUSH back-pressure): that time
      // is in the latency, as it would be for a real client.
      auto& push = pushes_[static_cast<std::size_t>(client)];
      while (!push.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
        if (shared_.stop_receiver.load() || shared_.abort.load()) break;
        std::array<zmq::pollitem_t, 1> items{{{push.handle(), 0, ZMQ_POLLOUT, 0}}};
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
      }
      const Nanos sent_at = now_ns();
      report_.send_lag.record(sent_at - due);
      last_send_ = sent_at;
    }
    shared_.sending_done.store(true);
  }

  void receive_loop() {
    // Counted by index, not by string: no allocation per result.
    std::array<std::uint64_t, 9 + 1> statuses{};
    std::array<std::uint64_t, kCodeCount> codes{};
    std::uint64_t relayed = 0;
    std::vector<std::uint8_t> seen;
    Received r;
    mp::ResultFields f;
    std::uint64_t received = 0;
    while (!shared_.stop_receiver.load(std::memory_order_relaxed)) {
      std::array<zmq::pollitem_t, 1> items{{{sub_.handle(), 0, ZMQ_POLLIN, 0}}};
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(20));
      while (receive_one(sub_, r)) {
        const Nanos now = now_ns();
        if (!mp::scan_result(r.body.data(), r.body.size(), f)) {
          ++report_.unmatched;
          continue;
        }
        const auto n = measured_index(f.request_id, shared_.run_id);
        if (!n) continue;  // a late setup result
        if (*n >= shared_.sent.load(std::memory_order_acquire)) {
          ++report_.unmatched;
          continue;
        }
        if (*n >= seen.size()) seen.resize(std::max<std::size_t>(static_cast<std::size_t>(*n) + 1, seen.size() * 2), 0);
        if (seen[*n]) {
          ++report_.duplicates;
          continue;
        }
        seen[*n] = 1;
        ++received;
        report_.latency.record(now - shared_.log.at(*n));
        if (f.duplicate) ++report_.flagged_duplicate;
        if (target_.relay) {
          ++relayed;
        } else {
          ++statuses[index_of(kStatusNames, f.status)];
          if (f.status == "REJECTED") ++codes[index_of(kCodeNames, f.code)];
          if ((f.status == "ALLOCATED" || f.status == "REALLOCATED") && !f.token_id.empty())
            shared_.allocated.push(f.token_id);
          else if (f.status == "CALLED" && !f.token_id.empty())
            shared_.called.push(f.token_id);
        }
        shared_.received.store(received, std::memory_order_relaxed);
        shared_.last_result.store(now, std::memory_order_relaxed);
      }
    }
    if (relayed != 0) report_.by_status["RELAYED"] = relayed;
    for (std::size_t i = 0; i < statuses.size(); ++i)
      if (statuses[i] != 0) report_.by_status[i < kStatusNames.size() ? std::string(kStatusNames[i]) : "other"] = statuses[i];
    for (std::size_t i = 0; i < codes.size(); ++i)
      if (codes[i] != 0) report_.rejected_by_code[i < kCodeNames.size() ? std::string(kCodeNames[i]) : "other"] = codes[i];
  }

  const PhaseTarget& target_;
  const LoadPlan& plan_;
  Ids ids_;
  zmq::context_t context_;
  zmq::socket_t sub_;
  std::vector<zmq::socket_t> pushes_;
  Shared shared_;
  PhaseReport report_;
  Nanos t0_ = 0;         // written by the sender before it starts, read after join
  Nanos last_send_ = 0;
  Nanos last_progress_ = 0;
};

}  // namespace

std::string_view load_op_name(LoadOp op) noexcept { return kOpNames[static_cast<std::size_t>(op)]; }

std::optional<Mix> parse_mix(std::string_view text, std::string* error) {
  Mix mix;
  mix.weight.fill(0);
  std::uint64_t total = 0;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    std::size_t op = 0;
    while (op < kOpNames.size() && kOpNames[op] != name) ++op;
    const auto weight = eq == std::string_view::npos ? std::nullopt : parse_unsigned(item.substr(eq + 1));
    if (op == kOpNames.size() || !weight || *weight > 1'000'000) {
      if (error)
        *error = "'" + std::string(item) +
                 "' is not OP=WEIGHT with OP one of allocate, cancel, call_next, complete, no_show, set_capacity";
      return std::nullopt;
    }
    mix.weight[op] = static_cast<std::uint32_t>(*weight);
    total += *weight;
  }
  if (total == 0) {
    if (error) *error = "the weights add up to zero";
    return std::nullopt;
  }
  return mix;
}

std::string mix_text(const Mix& mix) {
  std::string text;
  for (std::size_t i = 0; i < mix.weight.size(); ++i) {
    if (mix.weight[i] == 0) continue;
    if (!text.empty()) text += ',';
    text += std::string(kOpNames[i]) + "=" + std::to_string(mix.weight[i]);
  }
  return text;
}

PhaseReport run_phase(const PhaseTarget& target, const LoadPlan& plan, const Progress& progress) {
  Phase phase(target, plan);
  return phase.run(progress);
}

}  // namespace opd::tools
