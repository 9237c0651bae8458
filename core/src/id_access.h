// Private: construction of ids the core itself formats ("T<serial>"), which
// are valid by construction and sit on the hot path of every result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
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
    // Two digits per step from a table, back to front: every result and
    // event formats a token id, and this halves the divisions.
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    // Formatted back to front so that it ends at text + kMostChars, then
    // copied with a fixed size (a variable-size memcpy is a library call):
    // the text starts at or after `text`, so the kMostChars bytes copied
    // from its start end at or before text + 2 * kMostChars, inside the
    // zeroed buffer.
    constexpr std::size_t kMostChars = 21;  // the prefix and at most 20 digits
    char text[2 * kMostChars] = {};
    char* const end = text + kMostChars;
    char* out = end;
    while (number >= 100) {
      const auto pair = static_cast<std::size_t>(number % 100) * 2;
      number /= 100;
      *--out = kPairs[pair + 1];
      *--out = kPairs[pair];
    }
    if (number >= 10) {
      const auto pair = static_cast<std::size_t>(number) * 2;
      *--out = kPairs[pair + 1];
      *--out = kPairs[pair];
    } else {
      *--out = static_cast<char>('0' + number);
    }
    *--out = prefix;
    static_assert(kMostChars <= kMaxIdLength);
    IdType id = IdType::placeholder();  // overwritten below
    std::memcpy(id.chars_, out, kMostChars);
    id.size_ = static_cast<std::uint8_t>(end - out);
    return id;
  }
};

}  // namespace opd::detail
