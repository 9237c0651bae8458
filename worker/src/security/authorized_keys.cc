#include "opd/worker/security/authorized_keys.h"

#include "guarded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opd::worker::security {
namespace {

constexpr std::string_view kBlanks = " \t\r";
// Thousands of kiosks would be a few hundred KiB; anything far larger is
// the wrong file.
constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;

// Splits the next blank-separated word off `rest`.
std::string_view next_word(std::string_view& rest) {
  const auto start = rest.find_first_not_of(kBlanks);
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const auto end = rest.find_first_of(kBlanks);
  const std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return word;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace

const AuthorizedKey* AuthorizedKeys::find(const CurveKey& key) const {
  const auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

bool AuthorizedKeys::add(const CurveKey& key, AuthorizedKey entry) {
  return keys_.emplace(key, std::move(entry)).second;
}

AuthorizedKeysLoad parse_authorized_keys(std::string_view text, std::string_view origin) {
  AuthorizedKeys keys;
  std::size_t line_number = 0;
  const auto fail = [&](const std::string& what) {
    return AuthorizedKeysLoad{.error = std::string(origin) + ":" + std::to_string(line_number) + ": " + what};
  };
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view rest = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);

    const std::string_view first = next_word(rest);
    if (first.empty()) continue;
    const auto key = CurveKey::from_z85(first);
    if (!key) {
      if (first.front() == '#') continue;
      return fail("'" + std::string(first.substr(0, 48)) + "' is not a public key (" +
                  std::to_string(kCurveKeyZ85Chars) + " Z85 characters)");
    }
    const std::string_view role_word = next_word(rest);
    if (role_word.empty()) return fail("the key has no role (kiosk, desk, admin or display)");
    const auto role = parse_key_role(role_word);
    if (!role) return fail("unknown role '" + std::string(role_word.substr(0, 32)) + "' (kiosk, desk, admin or display)");
    std::string_view comment = trim(rest);
    if (comment.starts_with('#')) comment = trim(comment.substr(1));
    if (const AuthorizedKey* earlier = keys.find(*key))
      return fail("key listed twice (first on line " + std::to_string(earlier->line) + ")");
    keys.add(*key, AuthorizedKey{.role = *role, .comment = std::string(comment), .line = line_number});
  }
  return AuthorizedKeysLoad{.keys = std::move(keys)};
}

AuthorizedKeysLoad load_authorized_keys(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto read = read_guarded_file(name, kMaxFileBytes, [&name](mode_t mode) {
    return (mode & S_IWOTH) != 0 ? "writable by anyone (it decides who may do what); run: chmod o-w " + name
                                 : std::string();
  });
  if (!read.error.empty()) return AuthorizedKeysLoad{.error = std::move(read.error)};
  return parse_authorized_keys(read.text, name);
}

}  // namespace opd::worker::security
