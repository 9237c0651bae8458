#include "opd/core/domain.h"

#include <array>
#include <cctype>

namespace opd {
namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr int digits_value(std::string_view text) noexcept {
  int value = 0;
  for (const char c : text) value = value * 10 + (c - '0');
  return value;
}

constexpr bool all_digits(std::string_view text) noexcept {
  for (const char c : text)
    if (!is_digit(c)) return false;
  return !text.empty();
}

constexpr bool is_leap(int year) noexcept {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

}  // namespace

std::optional<ClockTime> ClockTime::parse(std::string_view hh_mm) noexcept {
  if (hh_mm.size() != 5 || hh_mm[2] != ':') return std::nullopt;
  const auto hours = hh_mm.substr(0, 2);
  const auto minutes = hh_mm.substr(3, 2);
  if (!all_digits(hours) || !all_digits(minutes)) return std::nullopt;
  const int h = digits_value(hours);
  const int m = digits_value(minutes);
  if (h > 23 || m > 59) return std::nullopt;
  return ClockTime(h * 60 + m);
}

std::optional<ClockTime> ClockTime::from_minutes(int minutes) noexcept {
  if (minutes < 0 || minutes >= 24 * 60) return std::nullopt;
  return ClockTime(minutes);
}

std::string ClockTime::str() const {
  std::string text = "00:00";
  text[0] = static_cast<char>('0' + minutes_ / 600);
  text[1] = static_cast<char>('0' + (minutes_ / 60) % 10);
  text[3] = static_cast<char>('0' + (minutes_ % 60) / 10);
  text[4] = static_cast<char>('0' + minutes_ % 10);
  return text;
}

std::optional<ServiceDate> ServiceDate::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  const int year = digits_value(y), month = digits_value(m), day = digits_value(d);
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month_days = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day > month_days) return std::nullopt;
  return ServiceDate(std::string(text));
}

}  // namespace opd
