// Wire names of every enum. These strings are protocol v1: never rename.
#include <array>
#include <cctype>
#include <string>

#include "opd/core/domain.h"
#include "opd/core/engine.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"

namespace opd {
namespace {

template <class Enum, std::size_t N>
std::string_view name_of(Enum value, const std::array<std::string_view, N>& names) noexcept {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? names[index] : std::string_view("?");
}

template <class Enum, std::size_t N>
std::optional<Enum> find_name(std::string_view text, const std::array<std::string_view, N>& names) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

constexpr std::array<std::string_view, kSourceCount> kSourceNames{
    "EMERGENCY", "PAID", "FOLLOW_UP", "ONLINE", "WALK_IN"};
constexpr std::array<std::string_view, 6> kTokenStateNames{
    "WAITING", "WAITLISTED", "CALLED", "COMPLETED", "NO_SHOW", "CANCELLED"};
constexpr std::array<std::string_view, kOpTypeCount> kOpTypeNames{
    "allocate", "cancel", "call_next", "complete", "no_show", "set_capacity", "open_day"};
constexpr std::array<std::string_view, 9> kStatusNames{
    "ALLOCATED", "REALLOCATED", "REJECTED", "CANCELLED", "CALLED",
    "COMPLETED", "NO_SHOW",     "UPDATED",  "DAY_OPENED"};
constexpr std::array<std::string_view, kCodeCount> kCodeNames{
    "",
    "BAD_REQUEST",
    "UNKNOWN_DOCTOR",
    "UNKNOWN_SLOT",
    "UNKNOWN_TOKEN",
    "SLOT_DOCTOR_MISMATCH",
    "CAPACITY_MISMATCH",
    "CAPACITY_BELOW_SERVED",
    "SLOT_TIME_MISMATCH",
    "SLOT_CLOSED",
    "SLOT_FULL",
    "LOWER_PRIORITY",
    "NO_SLOT_AVAILABLE",
    "QUEUE_EMPTY",
    "INVALID_STATE",
    "STALE_DATE",
    "FORBIDDEN"};
constexpr std::array<std::string_view, 9> kEventNames{
    "ALLOCATED", "MOVED",   "WAITLISTED",   "CANCELLED", "CALLED",
    "COMPLETED", "NO_SHOW", "SLOT_UPDATED", "DAY_OPENED"};
constexpr std::array<std::string_view, 2> kPolicyNames{"any_higher", "emergency_only"};

}  // namespace

// Case-insensitive: kiosks send "walk_in", "WALK_IN" and "WalkIn" alike.
std::optional<Source> parse_source(std::string_view text) noexcept {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::array<char, 16> upper{};
  for (std::size_t i = 0; i < text.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  const std::string_view canonical(upper.data(), text.size());
  if (canonical == "FOLLOWUP") return Source::kFollowUp;
  if (canonical == "WALKIN") return Source::kWalkIn;
  return find_name<Source>(canonical, kSourceNames);
}

std::string_view to_string(Source s) noexcept { return name_of(s, kSourceNames); }
std::string_view to_string(TokenState s) noexcept { return name_of(s, kTokenStateNames); }
std::string_view to_string(OpType t) noexcept { return name_of(t, kOpTypeNames); }
std::optional<OpType> parse_op_type(std::string_view text) noexcept {
  return find_name<OpType>(text, kOpTypeNames);
}
std::string_view to_string(Status s) noexcept { return name_of(s, kStatusNames); }
std::string_view to_string(Code c) noexcept { return name_of(c, kCodeNames); }
std::string_view to_string(EventKind k) noexcept { return name_of(k, kEventNames); }
std::string_view to_string(PreemptionPolicy p) noexcept { return name_of(p, kPolicyNames); }
std::optional<PreemptionPolicy> parse_preemption_policy(std::string_view text) noexcept {
  return find_name<PreemptionPolicy>(text, kPolicyNames);
}

}  // namespace opd
