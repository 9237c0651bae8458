#include "opd/worker/security/roles.h"

namespace opd::worker::security {

std::optional<Role> role_from_byte(std::uint8_t byte) noexcept {
  if (byte > role_to_byte(Role::kDisplay)) return std::nullopt;
  return static_cast<Role>(byte);
}

std::string_view to_string(Role role) noexcept {
  switch (role) {
    case Role::kOpen: return "open";
    case Role::kKiosk: return "kiosk";
    case Role::kDesk: return "desk";
    case Role::kAdmin: return "admin";
    case Role::kNone: return "none";
    case Role::kDisplay: return "display";
  }
  return "none";
}

std::optional<Role> parse_key_role(std::string_view text) noexcept {
  if (text == "kiosk") return Role::kKiosk;
  if (text == "desk") return Role::kDesk;
  if (text == "admin") return Role::kAdmin;
  if (text == "display") return Role::kDisplay;
  return std::nullopt;
}

bool permits(Role role, OpType type) noexcept {
  switch (role) {
    case Role::kOpen:
    case Role::kAdmin:
      return true;
    case Role::kDesk:
      if (type == OpType::kCallNext || type == OpType::kComplete || type == OpType::kNoShow) return true;
      [[fallthrough]];
    case Role::kKiosk:
      return type == OpType::kAllocate || type == OpType::kCancel;
    case Role::kNone:
    case Role::kDisplay:
      return false;
  }
  return false;
}

Result forbidden_result(Role role, const Request& request) {
  Result result;
  result.type = request.type;
  result.request_id = request.request_id;
  result.status = Status::kRejected;
  result.code = Code::kForbidden;
  result.reason = role == Role::kNone
                      ? "the sender's key is not authorised (unlisted, or removed by a reload)"
                      : "role '" + std::string(to_string(role)) + "' may not " + std::string(to_string(request.type));
  return result;
}

}  // namespace opd::worker::security
