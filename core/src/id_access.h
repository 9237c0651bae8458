// Private: construction of ids the core itself formats ("T<serial>"), which
// are valid by construction and sit on the hot path of every result.
#pragma once

#include <string_view>

#include "opd/core/ids.h"

namespace opd::detail {

struct IdAccess {
  // REQUIRES: is_valid_id(text).
  template <class IdType>
  [[nodiscard]] static IdType unchecked(std::string_view text) noexcept {
    return IdType(text);
  }
};

}  // namespace opd::detail
