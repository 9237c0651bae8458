#include "producer/narrate.h"

#include <string>

namespace opd::producer {
namespace {

std::string two_digits(int value) {
  return std::string(1, static_cast<char>('0' + (value / 10) % 10)) + static_cast<char>('0' + value % 10);
}

std::string token_text(const std::optional<TokenId>& id, std::uint32_t number) {
  std::string text = id ? id->str() : std::string("?");
  if (number > 0) text += " #" + std::to_string(number);
  return text;
}

std::string asked(const Request& r) {
  std::string text(to_string(r.type));
  if (r.source) text += " " + std::string(to_string(*r.source));
  if (r.doctor_id) text += " " + r.doctor_id->str();
  if (r.slot_id) text += " @" + r.slot_id->str();
  if (r.token_id) text += " " + r.token_id->str();
  if (r.capacity) text += " capacity " + std::to_string(*r.capacity);
  if (r.start) text += " " + r.start->str() + (r.end ? "-" + r.end->str() : std::string());
  if (r.date) text += " " + r.date->str();
  return text;
}

std::string answered(const Result& r) {
  std::string text(to_string(r.status));
  if (!r.ok()) {
    text += " " + std::string(to_string(r.code)) + " (" + r.reason + ")";
    if (r.alternative_slot) text += ", try " + r.alternative_slot->str();
    return text;
  }
  if (r.token_id) text += " " + token_text(r.token_id, r.token_number);
  if (r.slot_id) text += " " + r.slot_id->str();
  if (r.ahead && (r.status == Status::kAllocated || r.status == Status::kReallocated))
    text += ", " + std::to_string(*r.ahead) + " ahead";
  if (r.removed_token) text += ", displaced " + r.removed_token->str();
  if (r.duplicate) text += " (duplicate)";
  return text;
}

}  // namespace

std::string clock_text(int minute) {
  if (minute < 0) minute = 0;
  return two_digits(minute / 60) + ":" + two_digits(minute % 60);
}

std::string narrate(int minute, const Request& request, const Outcome& outcome) {
  std::string text = clock_text(minute) + "  " + asked(request) + "  ->  " + answered(outcome.result) + "\n";
  for (const auto& e : outcome.events) {
    std::string line;
    const std::string who = token_text(e.token_id, e.token_number) +
                            (e.source ? " " + std::string(to_string(*e.source)) : std::string());
    switch (e.kind) {
      case EventKind::kMoved:
        line = who + " moved " + (e.from_slot ? e.from_slot->str() : std::string(kWaitlistName)) + " -> " +
               (e.to_slot ? e.to_slot->str() : std::string("?"));
        break;
      case EventKind::kWaitlisted:
        line = who + " waitlisted from " + (e.from_slot ? e.from_slot->str() : std::string("?"));
        break;
      case EventKind::kSlotUpdated:
        line = "slot " + (e.slot_id ? e.slot_id->str() : std::string("?")) + " capacity " +
               (e.capacity ? std::to_string(*e.capacity) : std::string("?"));
        break;
      default:
        break;  // the result line already says it
    }
    if (!line.empty()) text += "       . " + line + "\n";
  }
  return text;
}

}  // namespace opd::producer
