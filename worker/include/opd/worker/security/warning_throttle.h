// One warning a second, with a count of the ones held back: a refused
// client retries every 100 ms or so, and a line per try would bury the log.
// Used on the service loop's thread only.
#pragma once

#include <chrono>
#include <cstdint>

namespace opd::worker::security {

class WarningThrottle {
 public:
  // Whether to log this occurrence now; `held_back` is then how many were
  // not logged since the last one that was. REQUIRES: called in time order.
  [[nodiscard]] bool due(std::chrono::steady_clock::time_point now, std::uint64_t& held_back) noexcept {
    if (now < next_) {
      ++unlogged_;
      return false;
    }
    next_ = now + std::chrono::seconds(1);
    held_back = unlogged_;
    unlogged_ = 0;
    return true;
  }

 private:
  std::chrono::steady_clock::time_point next_{};
  std::uint64_t unlogged_ = 0;
};

}  // namespace opd::worker::security
