// A deterministic stream of request bodies for durability tests: every
// operation type, malformed bytes, retried request ids and day changes, so
// a recovered worker is checked against every kind of journal record.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "harness.h"

namespace opd::worker::test {

inline Schedule durability_schedule() {
  std::vector<DoctorSpec> doctors;
  for (int d = 0; d < 10; ++d) {
    DoctorSpec doctor{"D" + std::to_string(d), {}};
    for (int s = 0; s < 4; ++s)
      doctor.slots.push_back(SlotSpec{"D" + std::to_string(d) + "-S" + std::to_string(s), 5,
                                      std::to_string(10 + s) + ":00", std::to_string(11 + s) + ":00"});
    doctors.push_back(std::move(doctor));
  }
  return make_schedule(doctors);
}

// The i-th request (as wire bytes) of the workload with `seed`.
class Workload {
 public:
  explicit Workload(std::uint64_t seed) : rng_(seed) {}

  std::string next() {
    const auto i = count_++;
    const std::string id = "w" + std::to_string(i);
    if (i % 997 == 996) return std::string("\xc1 not msgpack");
    if (i % 20011 == 20010) {
      ++day_;
      return Body().set("type", "open_day").set("request_id", id).set("date", "2026-12-" + two_digits(day_)).bytes();
    }
    if (i > 100 && below(50) == 0) {  // a retry of an earlier request id
      return allocate("w" + std::to_string(below(i)), doctor(), "WALK_IN").bytes();
    }
    const auto roll = below(100);
    if (roll < 55) {
      static const char* kSources[] = {"EMERGENCY", "PAID", "FOLLOW_UP", "ONLINE", "WALK_IN"};
      const auto d = doctor();
      return allocate(id, d, kSources[below(5)], below(2) ? d + "-S" + std::to_string(below(4)) : "").bytes();
    }
    if (roll < 65) return Body().set("type", "cancel").set("request_id", id).set("token_id", token()).bytes();
    if (roll < 85) return Body().set("type", "call_next").set("request_id", id).set("doctor_id", doctor()).bytes();
    if (roll < 95)
      return Body().set("type", below(5) ? "complete" : "no_show").set("request_id", id).set("token_id", token()).bytes();
    const auto d = doctor();
    return Body()
        .set("type", "set_capacity")
        .set("request_id", id)
        .set("doctor_id", d)
        .set("slot_id", d + "-S" + std::to_string(below(5)))
        .set("capacity", static_cast<int>(below(8)))
        .bytes();
  }

 private:
  std::uint64_t below(std::uint64_t n) { return rng_() % n; }
  std::string doctor() { return "D" + std::to_string(below(10)); }
  // Token ids are opaque to clients; guessing "T<n>" makes some requests
  // name real tokens and others unknown ones, both of which must replay.
  std::string token() { return "T" + std::to_string(1 + below(count_ / 2 + 1)); }
  static std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

  std::mt19937_64 rng_;
  std::uint64_t count_ = 0;
  int day_ = 0;
};

}  // namespace opd::worker::test
