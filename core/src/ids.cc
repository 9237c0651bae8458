#include "opd/core/ids.h"

#include <stdexcept>
#include <string>

namespace opd {

bool is_valid_id(std::string_view text) noexcept {
  if (text.empty() || text.size() > kMaxIdLength) return false;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

void throw_invalid_id(std::string_view text) {
  throw std::invalid_argument("invalid id '" + std::string(text) +
                              "': ids are 1-64 characters of [A-Za-z0-9._:-]");
}

}  // namespace opd
