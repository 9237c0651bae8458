// Who may do what. A client's role comes from the CURVE key it
// authenticated with (the ZAP handler admits the key, the authorised-keys
// file names its role), never from anything inside a request: the body is
// the client's to write, the key is not.
//
//   kiosk    allocate, cancel
//   desk     kiosk's, and call_next, complete, no_show
//   admin    everything, including set_capacity and open_day
//   display  no request at all: queries only (a waiting-room display needs
//            snapshots, and the queries socket is under CURVE too)
//
// A request beyond its sender's role is REJECTED with code FORBIDDEN. It
// still takes its seq and its journal record, and the record keeps the
// role byte, so replay reaches the same verdict even if the key has since
// been removed from the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "opd/core/outcome.h"
#include "opd/core/request.h"

namespace opd::worker::security {

// The values are the journal's role byte: never renumber them.
enum class Role : std::uint8_t {
  kOpen = 0,    // the worker runs without CURVE: every request is allowed
  kKiosk = 1,
  kDesk = 2,
  kAdmin = 3,
  // CURVE is on but the sender holds no listed key: a peer that bypassed
  // the handshake (inproc) or whose key was removed by a reload. Nothing
  // is allowed, not even queries.
  kNone = 4,
  kDisplay = 5,
};

[[nodiscard]] constexpr std::uint8_t role_to_byte(Role role) noexcept { return static_cast<std::uint8_t>(role); }
// nullopt for a byte no release wrote (a damaged or newer journal).
[[nodiscard]] std::optional<Role> role_from_byte(std::uint8_t byte) noexcept;

// "kiosk", "desk", "admin", "display" (the authorised-keys file's words),
// "open", "none".
[[nodiscard]] std::string_view to_string(Role role) noexcept;
// Only the roles a key can be given: kiosk, desk, admin, display.
[[nodiscard]] std::optional<Role> parse_key_role(std::string_view text) noexcept;

[[nodiscard]] bool permits(Role role, OpType type) noexcept;

// The REJECTED / FORBIDDEN result for `request` sent with `role`.
// REQUIRES: !permits(role, request.type).
[[nodiscard]] Result forbidden_result(Role role, const Request& request);

}  // namespace opd::worker::security
