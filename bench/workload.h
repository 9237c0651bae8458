// The core benches' workload: a realistic OPD mix over the bench day
// (allocations with preemption and moves, cancels, call_next,
// complete/no_show, a new day every kRequestsPerDay), recorded whole by a
// reference engine so that the generator can pick real token ids from its
// results. One definition, so the timed bench and the instruction counts
// measure the same requests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "bench_schedule.h"
#include "opd/core/engine.h"

namespace opd::bench {

// Deterministic integer in [0, n): std distributions differ between
// standard libraries, the raw engine does not.
inline std::uint64_t below(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  opd::Request next(std::uint64_t serial) {
    opd::Request r;
    r.request_id = opd::RequestId::from_trusted("r" + std::to_string(serial));
    if (serial % kRequestsPerDay == kRequestsPerDay - 1) {
      r.type = opd::OpType::kOpenDay;
      r.date = opd::ServiceDate::parse(date_for(++day_));
      return r;
    }
    const auto doctor = below(rng_, kDoctors);
    const auto roll = below(rng_, 100);
    if (roll < 60) {
      r.type = opd::OpType::kAllocate;
      r.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(doctor));
      const auto s = below(rng_, 100);
      r.source = s < 3 ? opd::Source::kEmergency
                 : s < 13 ? opd::Source::kPaid
                 : s < 31 ? opd::Source::kFollowUp
                 : s < 65 ? opd::Source::kOnline
                          : opd::Source::kWalkIn;
      if (below(rng_, 2) == 0)
        r.slot_id = opd::SlotId::from_trusted("D" + std::to_string(doctor) + "-S" +
                                              std::to_string(below(rng_, kSlotsPerDoctor)));
    } else if (roll < 70 && !live_.empty()) {
      r.type = opd::OpType::kCancel;
      const auto pick = below(rng_, live_.size());
      r.token_id = live_[pick];
      live_[pick] = live_.back();
      live_.pop_back();
    } else if (roll < 88) {
      r.type = opd::OpType::kCallNext;
      r.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(doctor));
    } else if (!called_.empty()) {
      r.type = below(rng_, 10) == 0 ? opd::OpType::kNoShow : opd::OpType::kComplete;
      r.token_id = called_.back();
      called_.pop_back();
    } else {
      r.type = opd::OpType::kCallNext;
      r.doctor_id = opd::DoctorId::from_trusted("D" + std::to_string(doctor));
    }
    return r;
  }

  void observe(const opd::Outcome& outcome) {
    const auto& result = outcome.result;
    if (result.type == opd::OpType::kOpenDay) {
      live_.clear();
      called_.clear();
    } else if (result.status == opd::Status::kAllocated || result.status == opd::Status::kReallocated) {
      live_.push_back(*result.token_id);
    } else if (result.status == opd::Status::kCalled) {
      called_.push_back(*result.token_id);
    }
  }

 private:
  static std::string date_for(int day) {
    char text[16];
    std::snprintf(text, sizeof text, "2026-%02d-%02d", 1 + (day / 28) % 12, 1 + day % 28);
    return text;
  }

  std::mt19937_64 rng_;
  int day_ = 0;
  std::vector<opd::TokenId> live_;
  std::vector<opd::TokenId> called_;
};

// `total` requests of the mix (seed 42), and the dump of the engine that
// applied them, for checking that another engine ends in the same state.
struct Recording {
  std::vector<opd::Request> requests;
  std::string final_dump;
};
[[nodiscard]] inline Recording record_workload(std::size_t total) {
  Recording recording;
  recording.requests.reserve(total);
  opd::Engine reference(make_schedule());
  Generator generator(42);
  for (std::uint64_t serial = 0; serial < total; ++serial) {
    recording.requests.push_back(generator.next(serial));
    generator.observe(reference.apply(recording.requests.back()));
  }
  recording.final_dump = reference.dump();
  return recording;
}

// What a consumer of answers in place reads at the least, as the worker's
// encoder does: every id's length and its first and last characters, and
// the numbers. The views' bytes are the engine's, so reading them is part
// of the core's cost.
[[nodiscard]] inline std::uint64_t touch(const opd::OutcomeRef& outcome) noexcept {
  const auto text = [](auto ref) -> std::uint64_t {
    const std::string_view id = [&] {
      if constexpr (std::is_same_v<decltype(ref), std::string_view>) return ref;
      else return ref.view();
    }();
    return id.empty() ? 0 : id.size() + static_cast<unsigned char>(id.front()) + static_cast<unsigned char>(id.back());
  };
  const auto& r = outcome.result;
  std::uint64_t sum = static_cast<std::uint64_t>(r.status) + r.token_number + text(r.request_id) + text(r.reason) +
                      text(r.token_id) + text(r.doctor_id) + text(r.slot_id) + text(r.removed_token) +
                      text(r.moved_to) + text(r.alternative_slot) + r.ahead.value_or(0);
  for (const auto& e : outcome.events)
    sum += e.version + text(e.doctor_id) + text(e.token_id) + text(e.slot_id) + text(e.from_slot) + text(e.to_slot);
  return sum;
}

}  // namespace opd::bench
