// The open-loop load generator behind `opd-producer load`.
//
// Open loop: request i is due at t0 + i/rate whatever happened to earlier
// ones, and its latency is measured from that scheduled time, not from when
// the sender got round to it. A stalled worker therefore shows up in the
// percentiles as the queue it really causes (no coordinated omission).
//
// Three threads per phase: the sender (schedule, encode, PUSH), the
// receiver (SUB, match by request_id, histogram) and the caller's, which
// prints progress. They share only atomics and two single-producer rings
// that carry token ids from results back to the sender (for cancel and
// complete).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "producer/tools/cli.h"
#include "producer/tools/latency.h"

namespace opd::tools {

enum class LoadOp : std::uint8_t { kAllocate, kCancel, kCallNext, kComplete, kNoShow, kSetCapacity };
inline constexpr int kLoadOpCount = 6;
[[nodiscard]] std::string_view load_op_name(LoadOp op) noexcept;

// Relative weights per operation; "allocate=60,cancel=15,call_next=15,complete=10".
struct Mix {
  std::array<std::uint32_t, kLoadOpCount> weight{60, 15, 15, 10, 0, 0};
};
// nullopt and *error set when the text is not such a list.
[[nodiscard]] std::optional<Mix> parse_mix(std::string_view text, std::string* error);
[[nodiscard]] std::string mix_text(const Mix& mix);

struct LoadPlan {
  double rate = 1000;  // requests per second over all clients; 0 = as fast as PUSH takes them
  std::optional<double> duration_s;    // one of duration_s / count is set
  std::optional<std::uint64_t> count;
  int clients = 1;
  Mix mix;
  int doctors = 20;
  int slots = 8;
  std::uint32_t capacity = 100;
  std::string doctor_prefix = "LOAD";
  std::uint64_t seed = 1;
  std::chrono::milliseconds drain{5000};
  ConnectOptions connect;
};

// Where a phase sends and listens.
struct PhaseTarget {
  std::string name;          // "worker" or "relay"
  std::string requests;      // PUSH connects here
  std::string events;        // SUB connects here
  bool relay = false;        // results are the relayed requests under "relay/"
  CurveClient curve;         // the worker's keys; the relay is plaintext
};

struct PhaseReport {
  std::string name;
  bool reached = false;  // false: no answer to the setup requests (worker unreachable)
  std::string setup_error;
  bool stalled = false;  // gave up: requests outstanding and no result for a long time
  // Setup frames sent, resends included: the probe is resent until its
  // result arrives (a new SUB misses what is published before it joins),
  // and the worker counts every copy it receives.
  std::uint64_t setup_sent = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;    // distinct requests answered
  std::uint64_t lost = 0;        // sent - received after the drain
  std::uint64_t duplicates = 0;  // extra results for an already answered request
  std::uint64_t flagged_duplicate = 0;  // results the worker marked duplicate
  std::uint64_t unmatched = 0;   // results for request ids we never sent
  double send_seconds = 0;       // first scheduled send to last actual send
  double elapsed_seconds = 0;    // first scheduled send to last result
  LatencyHistogram latency;      // scheduled send -> result received
  LatencyHistogram send_lag;     // scheduled send -> actual send (the generator's own lateness)
  std::array<std::uint64_t, kLoadOpCount> sent_by_op{};
  std::map<std::string, std::uint64_t> by_status;  // "ALLOCATED" ... ; relay: "RELAYED"
  std::map<std::string, std::uint64_t> rejected_by_code;

  [[nodiscard]] double throughput() const noexcept {
    return elapsed_seconds > 0 ? static_cast<double>(received) / elapsed_seconds : 0.0;
  }
};

// Progress while a phase runs: called about every `interval` with the
// phase name, seconds since start, sent and received so far.
struct Progress {
  std::chrono::milliseconds interval{1000};
  std::function<void(const std::string&, double, std::uint64_t, std::uint64_t)> report;
  std::function<void()> done;  // after the last report of a phase
};

[[nodiscard]] PhaseReport run_phase(const PhaseTarget& target, const LoadPlan& plan, const Progress& progress);

}  // namespace opd::tools
