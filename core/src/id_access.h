// Private: construction of ids the core itself formats ("T<serial>"), which
// are valid by construction and sit on the hot path of every result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "opd/core/ids.h"

namespace opd::detail {

struct IdAccess {
  // REQUIRES: is_valid_id(text).
  template <class IdType>
  [[nodiscard]] static IdType unchecked(std::string_view text) noexcept {
    return IdType(text);
  }

  // "<prefix><decimal number>": every result and event carries a token id,
  // so this skips parse()'s character checks.
  // REQUIRES: prefix is an id character.
  template <class IdType>
  [[nodiscard]] static IdType numbered(char prefix, std::uint64_t number) noexcept {
    char text[21];  // the prefix and at most 20 digits
    char* start = text + sizeof text;
    do {
      *--start = static_cast<char>('0' + number % 10);
      number /= 10;
    } while (number != 0);
    *--start = prefix;
    return IdType(std::string_view(start, static_cast<std::size_t>(text + sizeof text - start)));
  }
};

}  // namespace opd::detail
