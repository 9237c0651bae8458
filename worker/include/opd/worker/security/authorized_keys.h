// The authorised-keys file: which client keys may connect, and with which
// role. One client per line:
//
//   # kiosks at the main entrance
//   rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7  kiosk  entrance kiosk 1
//   Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID  desk   GEN-1 desk
//   JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6  admin  # OPD office
//
// Fields are separated by blanks: the client's public key (40 Z85
// characters), its role (kiosk, desk, admin or display; see roles.h), then
// an optional comment
// (the rest of the line; a leading '#' is allowed). A line starting with
// '#' is a comment (no key starts with '#': see curve_key.cc); blank lines
// are ignored.
// Public keys are not secret, but the file decides who may do what: keep it
// writable by root only (a world-writable file is refused).
//
// Parsing is strict, like the schedule's: a bad key, an unknown role or a
// key listed twice is an error naming the file and the line, and the whole
// file is refused (a reload keeps the previous list).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "opd/worker/security/curve_key.h"
#include "opd/worker/security/roles.h"

namespace opd::worker::security {

struct AuthorizedKey {
  Role role = Role::kNone;  // kiosk, desk, admin or display
  std::string comment;
  std::size_t line = 0;     // where it was listed
};

class AuthorizedKeys {
 public:
  // The entry for `key`, or nullptr when it is not listed.
  [[nodiscard]] const AuthorizedKey* find(const CurveKey& key) const;
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
  [[nodiscard]] const std::map<CurveKey, AuthorizedKey>& entries() const noexcept { return keys_; }

  // Adds `key`; false (and nothing changes) when it is already listed.
  bool add(const CurveKey& key, AuthorizedKey entry);

 private:
  std::map<CurveKey, AuthorizedKey> keys_;
};

struct AuthorizedKeysLoad {
  std::optional<AuthorizedKeys> keys;
  std::string error;  // "FILE:LINE: what is wrong"; empty on success
};

// `origin` names the text in error messages (usually the file name).
[[nodiscard]] AuthorizedKeysLoad parse_authorized_keys(std::string_view text, std::string_view origin);
[[nodiscard]] AuthorizedKeysLoad load_authorized_keys(const std::filesystem::path& path);

}  // namespace opd::worker::security
