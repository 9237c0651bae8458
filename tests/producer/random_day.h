// A seeded stream of random requests against an in-process Engine, for the
// tests that check the tools' decoding and board replay against the real
// engine and the worker's real encoder. Small capacities so preemption,
// moves, the waitlist and capacity cuts happen often.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "opd/core/engine.h"

namespace opd::tools::test {

inline Schedule small_random_schedule() {
  Schedule s;
  for (int d = 1; d <= 3; ++d) {
    ScheduleDoctor doctor{.doctor_id = DoctorId::from_trusted("D" + std::to_string(d))};
    for (int h = 9; h <= 11; ++h) {
      const std::string id = "D" + std::to_string(d) + "-" + std::to_string(h) + "00";
      doctor.slots.push_back(ScheduleSlot{SlotId::from_trusted(id), ClockTime::from_minutes(h * 60),
                                          ClockTime::from_minutes(h * 60 + 60), static_cast<std::uint32_t>(d)});
    }
    s.doctors.push_back(std::move(doctor));
  }
  return s;
}

class RandomDay {
 public:
  explicit RandomDay(std::uint64_t seed) : rng_(seed) {}

  // The next request; `engine` is read for known slots, tokens are the ids
  // seen in earlier results (feed them with note()).
  Request next(const Engine& engine) {
    Request r;
    r.request_id = RequestId::from_trusted("r" + std::to_string(++count_));
    const int roll = pick(100);
    const auto doctors = engine.doctors();
    const DoctorId doctor = pick(20) == 0 ? DoctorId::from_trusted("D9") : doctors[pick_index(doctors.size())];
    const auto board = engine.board(doctor);
    const auto some_slot = [&]() -> std::optional<SlotId> {
      if (!board || board->slots.empty()) return std::nullopt;
      return board->slots[pick_index(board->slots.size())].slot_id;
    };
    if (roll < 45) {
      r.type = OpType::kAllocate;
      r.doctor_id = doctor;
      r.source = static_cast<Source>(pick(kSourceCount));
      const int where = pick(10);
      if (where < 6) r.slot_id = some_slot();
      else if (where == 6) {
        r.slot_id = SlotId::from_trusted("N" + std::to_string(++new_slots_));
        r.capacity = static_cast<std::uint32_t>(1 + pick(2));
      }
    } else if (roll < 55) {
      r.type = OpType::kCancel;
      r.token_id = some_token();
    } else if (roll < 70) {
      r.type = OpType::kCallNext;
      r.doctor_id = doctor;
    } else if (roll < 80) {
      r.type = pick(3) == 0 ? OpType::kNoShow : OpType::kComplete;
      r.token_id = some_token();
    } else if (roll < 98) {
      r.type = OpType::kSetCapacity;
      r.doctor_id = doctor;
      r.capacity = static_cast<std::uint32_t>(pick(5));
      if (pick(6) == 0) {
        r.slot_id = SlotId::from_trusted("T" + std::to_string(++new_slots_));
        const int hour = 8 + pick(6);
        r.start = ClockTime::from_minutes(hour * 60);
        r.end = ClockTime::from_minutes(hour * 60 + 30);
      } else {
        r.slot_id = some_slot();
      }
    } else {
      r.type = OpType::kOpenDay;
      ++day_;
      r.date = ServiceDate::parse("2025-" + std::string(day_ / 28 < 9 ? "0" : "") + std::to_string(day_ / 28 + 1) +
                                  "-" + std::string(day_ % 28 + 1 < 10 ? "0" : "") + std::to_string(day_ % 28 + 1));
      tokens_.clear();
    }
    return r;
  }

  void note(const Result& result) {
    if (result.token_id) tokens_.push_back(result.token_id->str());
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  std::size_t pick_index(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  std::optional<TokenId> some_token() {
    if (tokens_.empty()) return TokenId::from_trusted("T-none");
    return TokenId::from_trusted(tokens_[pick_index(tokens_.size())]);
  }

  std::mt19937_64 rng_;
  std::uint64_t count_ = 0;
  int new_slots_ = 0;
  int day_ = 0;
  std::vector<std::string> tokens_;
};

}  // namespace opd::tools::test
