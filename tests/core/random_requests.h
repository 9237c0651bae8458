// A seeded generator of plausible and implausible requests for the property
// and determinism tests. It learns token ids from the outcomes it is shown,
// so cancels and completions name real tokens most of the time. Only the raw
// std::mt19937_64 output is used (never a std distribution), so a seed gives
// the same sequence with every standard library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "opd/core/engine.h"

namespace opd::test {

class RandomRequests {
 public:
  RandomRequests(std::uint64_t seed, int doctors, int slots_per_doctor)
      : rng_(seed), doctors_(doctors), slots_per_doctor_(slots_per_doctor) {}

  // Doctors D0..Dn-1, each with timed hourly slots Dk-S0.. (the last one
  // untimed) of capacities 1-3, one in seven closed.
  Schedule schedule() {
    Schedule s;
    for (int d = 0; d < doctors_; ++d) {
      ScheduleDoctor doctor{.doctor_id = DoctorId::from_trusted(doctor_name(d))};
      for (int k = 0; k < slots_per_doctor_; ++k) {
        ScheduleSlot slot{.slot_id = SlotId::from_trusted(slot_name(d, k))};
        if (k + 1 < slots_per_doctor_) {
          // Declared in an order that differs from the time order.
          const int hour = 8 + (k * 3) % slots_per_doctor_;
          slot.start = ClockTime::from_minutes(hour * 60);
          slot.end = ClockTime::from_minutes(hour * 60 + 60);
        }
        slot.capacity = below(7) == 0 ? 0 : static_cast<std::uint32_t>(1 + below(3));
        doctor.slots.push_back(slot);
      }
      s.doctors.push_back(std::move(doctor));
    }
    return s;
  }

  Request next() {
    Request r;
    r.request_id = RequestId::from_trusted("q" + std::to_string(++serial_));
    // One request in 200 opens a new day: a day sees a few hundred
    // requests, enough to fill most seats and force preemption, and few
    // enough tokens that checking every invariant after every request stays
    // affordable.
    if (below(200) == 0) {
      r.type = OpType::kOpenDay;
      // Mostly the next day; sometimes a stale one.
      const int day = below(8) == 0 ? day_ : day_ + 1;
      r.date = ServiceDate::parse(date_of(day));
      remember(r);
      return r;
    }
    const auto roll = below(1000);
    if (roll < 3 && !recent_.empty()) {
      // A client retry: the very same request again.
      return recent_[below(recent_.size())];
    }
    if (roll < 420) {
      fill_allocate(r);
    } else if (roll < 540) {
      r.type = OpType::kCancel;
      r.token_id = pick_token(false);
    } else if (roll < 720) {
      r.type = OpType::kCallNext;
      const int d = pick_doctor();
      r.doctor_id = DoctorId::from_trusted(doctor_name(d));
      if (below(4) == 0) r.slot_id = SlotId::from_trusted(any_slot_of(d));
    } else if (roll < 870) {
      r.type = below(3) == 0 ? OpType::kNoShow : OpType::kComplete;
      r.token_id = pick_token(true);
    } else if (roll < 980) {
      fill_set_capacity(r);
    } else {
      // Malformed: a random operation with its fields stripped at random.
      r.type = static_cast<OpType>(below(kOpTypeCount));
      if (below(2)) r.doctor_id = DoctorId::from_trusted(doctor_name(pick_doctor()));
      if (below(2)) r.slot_id = SlotId::from_trusted(slot_name(pick_doctor(), 0));
      if (below(2)) r.source = static_cast<Source>(below(kSourceCount));
      if (below(2)) r.token_id = pick_token(false);
      if (below(4) == 0) r.capacity = static_cast<std::uint32_t>(kMaxSlotCapacity + 1 + below(5));
      if (below(4) == 0) r.patient_ref = std::string(kMaxPatientRefLength + 1, 'x');
    }
    remember(r);
    return r;
  }

  // Learns from what the engine answered to `r`.
  void observe(const Request& r, const Outcome& out) {
    if (out.result.duplicate) return;
    if (r.type == OpType::kOpenDay && out.result.status == Status::kDayOpened) {
      day_ = date_index(r.date->str());
      tokens_.clear();
      called_.clear();
      extra_slots_ = 0;
    }
    for (const auto& e : out.events) {
      if (e.kind == EventKind::kAllocated) tokens_.push_back(*e.token_id);
      if (e.kind == EventKind::kCalled) called_.push_back(*e.token_id);
      if (e.kind == EventKind::kCompleted || e.kind == EventKind::kNoShow)
        called_.erase(std::remove(called_.begin(), called_.end(), *e.token_id), called_.end());
    }
  }

  static std::string doctor_name(int d) { return "D" + std::to_string(d); }
  static std::string slot_name(int d, int k) { return "D" + std::to_string(d) + "-S" + std::to_string(k); }

 private:
  // Uniform enough in [0, n) for a test; raw engine output only.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

  int pick_doctor() { return static_cast<int>(below(static_cast<std::size_t>(doctors_))); }

  std::string any_slot_of(int d) {
    const auto k = below(static_cast<std::size_t>(slots_per_doctor_ + 2));
    if (static_cast<int>(k) < slots_per_doctor_) return slot_name(d, static_cast<int>(k));
    return "D" + std::to_string(d) + "-X" + std::to_string(below(3));  // maybe created, maybe not
  }

  Source pick_source() {
    const auto s = below(100);
    if (s < 8) return Source::kEmergency;
    if (s < 20) return Source::kPaid;
    if (s < 40) return Source::kFollowUp;
    if (s < 65) return Source::kOnline;
    return Source::kWalkIn;
  }

  TokenId pick_token(bool prefer_called) {
    if (prefer_called && !called_.empty() && below(10) < 7) return called_[below(called_.size())];
    if (tokens_.empty() || below(40) == 0)
      return TokenId::from_trusted("bogus-" + std::to_string(below(1000)));
    // Recent tokens are more interesting: they are more often still live.
    const auto window = std::min<std::size_t>(tokens_.size(), 48);
    if (below(4) != 0) return tokens_[tokens_.size() - 1 - below(window)];
    return tokens_[below(tokens_.size())];
  }

  void fill_allocate(Request& r) {
    r.type = OpType::kAllocate;
    const bool stranger = below(40) == 0;
    const int d = pick_doctor();
    r.doctor_id = DoctorId::from_trusted(stranger ? "NEW" + std::to_string(below(3)) : doctor_name(d));
    r.source = pick_source();
    const auto how = below(100);
    if (how < 35) {
      // no slot_id: the engine chooses
    } else if (how < 85) {
      r.slot_id = SlotId::from_trusted(slot_name(d, static_cast<int>(below(static_cast<std::size_t>(slots_per_doctor_)))));
      if (below(10) == 0) r.capacity = static_cast<std::uint32_t>(below(5));  // may mismatch
    } else if (how < 92) {
      // A slot that may not exist yet, with a capacity: created on first use.
      r.slot_id = SlotId::from_trusted("D" + std::to_string(d) + "-X" + std::to_string(below(3)));
      if (below(5) != 0) r.capacity = static_cast<std::uint32_t>(below(4));
    } else if (how < 96) {
      r.slot_id = SlotId::from_trusted(slot_name(pick_doctor(), 0));  // maybe another doctor's
    } else {
      r.slot_id = SlotId::from_trusted("GHOST" + std::to_string(below(4)));
    }
    if (below(4) == 0) r.patient_ref = "ref-" + std::to_string(below(100000));
  }

  void fill_set_capacity(Request& r) {
    r.type = OpType::kSetCapacity;
    const int d = pick_doctor();
    r.doctor_id = DoctorId::from_trusted(doctor_name(d));
    const auto cap = below(12);
    r.capacity = static_cast<std::uint32_t>(cap < 2 ? 0 : cap < 10 ? 1 + below(4) : 5 + below(3));
    if (below(8) == 0 && extra_slots_ < 12) {
      // A new timed slot somewhere in the day.
      r.slot_id = SlotId::from_trusted("D" + std::to_string(d) + "-N" + std::to_string(below(6)));
      const int start = static_cast<int>(7 * 60 + below(11 * 60));
      r.start = ClockTime::from_minutes(start);
      if (below(2)) r.end = ClockTime::from_minutes(start + 30);
      ++extra_slots_;
    } else {
      r.slot_id = SlotId::from_trusted(any_slot_of(d));
      if (below(30) == 0) r.start = ClockTime::from_minutes(static_cast<int>(below(24 * 60)));
    }
  }

  void remember(const Request& r) {
    recent_.push_back(r);
    if (recent_.size() > 64) recent_.pop_front();
  }

  static std::string date_of(int day) {
    // 2030-01-01 plus `day` days, within one 28-day month per step so every
    // generated date is valid and later days sort later.
    const int month = 1 + (day / 28) % 12;
    const int year = 2030 + day / (28 * 12);
    const int dom = 1 + day % 28;
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, dom);
    return text;
  }

  static int date_index(const std::string& text) {
    const int year = std::stoi(text.substr(0, 4));
    const int month = std::stoi(text.substr(5, 2));
    const int dom = std::stoi(text.substr(8, 2));
    return (year - 2030) * 28 * 12 + (month - 1) * 28 + (dom - 1);
  }

  std::mt19937_64 rng_;
  int doctors_;
  int slots_per_doctor_;
  std::uint64_t serial_ = 0;
  int day_ = 0;
  int extra_slots_ = 0;
  std::vector<TokenId> tokens_;
  std::vector<TokenId> called_;
  std::deque<Request> recent_;
};

}  // namespace opd::test
