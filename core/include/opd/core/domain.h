// Vocabulary of the allocator: sources and their priorities, token states,
// clock times and service dates. All parsing is total: bad text yields
// nullopt, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opd {

// Where a patient's request came from. The numeric value IS the priority:
// lower is served first and may displace higher numbers.
enum class Source : std::uint8_t {
  kEmergency = 0,
  kPaid = 1,
  kFollowUp = 2,
  kOnline = 3,
  kWalkIn = 4,
};
inline constexpr int kSourceCount = 5;

[[nodiscard]] constexpr int priority_of(Source s) noexcept { return static_cast<int>(s); }
// Accepts the canonical upper-case names, their lower-case forms, and the
// spellings FOLLOWUP / WALKIN (any case).
[[nodiscard]] std::optional<Source> parse_source(std::string_view text) noexcept;
// Canonical name: EMERGENCY, PAID, FOLLOW_UP, ONLINE, WALK_IN.
[[nodiscard]] std::string_view to_string(Source s) noexcept;

enum class TokenState : std::uint8_t {
  kWaiting,     // placed in a slot, not yet called
  kWaitlisted,  // displaced with no later free seat; waits for one
  kCalled,
  kCompleted,
  kNoShow,
  kCancelled,
};
[[nodiscard]] std::string_view to_string(TokenState s) noexcept;

// Minutes since midnight, 0..1439, parsed from "HH:MM".
class ClockTime {
 public:
  [[nodiscard]] static std::optional<ClockTime> parse(std::string_view hh_mm) noexcept;
  [[nodiscard]] static std::optional<ClockTime> from_minutes(int minutes) noexcept;
  [[nodiscard]] int minutes() const noexcept { return minutes_; }
  [[nodiscard]] std::string str() const;  // "HH:MM"
  friend auto operator<=>(const ClockTime&, const ClockTime&) = default;

 private:
  explicit ClockTime(int minutes) : minutes_(minutes) {}
  int minutes_ = 0;
};

// A calendar date "YYYY-MM-DD" (proleptic Gregorian, years 2000-2999). Its
// string form orders the same way as the dates, so comparison is textual.
class ServiceDate {
 public:
  [[nodiscard]] static std::optional<ServiceDate> parse(std::string_view text);
  [[nodiscard]] const std::string& str() const noexcept { return text_; }
  friend auto operator<=>(const ServiceDate&, const ServiceDate&) = default;

 private:
  explicit ServiceDate(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace opd
