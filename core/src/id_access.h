// Private: construction of ids the core itself formats ("T<serial>"), which
// are valid by construction and sit on the hot path of every result.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "opd/core/ids.h"

namespace opd::detail {

// "<prefix><decimal number>" (a token id: "T1234") formatted once, kept
// in a fixed-size buffer of kBytes (characters and their count) so that
// copying it into an id is a few moves. Valid id text by construction.
// REQUIRES: prefix is an id character.
template <std::size_t kBytes>
struct BasicNumberedText {
  static_assert(std::has_single_bit(kBytes) && kBytes >= 8 && kBytes <= 32);
  // Digits that fit beside the prefix.
  static constexpr std::size_t kMaxDigits = kBytes - 2;

  // Whether `number` has at most kMaxDigits digits.
  [[nodiscard]] static constexpr bool fits(std::uint64_t number) noexcept {
    if constexpr (kMaxDigits >= 20) {
      return true;
    } else {
      std::uint64_t limit = 1;
      for (std::size_t i = 0; i < kMaxDigits; ++i) limit *= 10;
      return number < limit;
    }
  }

  BasicNumberedText() = default;
  // REQUIRES: fits(number).
  BasicNumberedText(char prefix, std::uint64_t number) noexcept {
    // Two digits per step from a table, back to front from the last digit,
    // whose place the digit count gives: this halves the divisions.
    static constexpr char kPairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    // Digit count from the bit width: log10(2) ~ 1233 / 4096 gives the
    // count or one less, and one comparison settles which.
    static constexpr std::uint64_t kPowers[] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
        100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
        10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
        100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
    const auto estimate = static_cast<std::size_t>((std::bit_width(number | 1) * 1233) >> 12);
    const std::size_t digits = estimate + ((number | 1) >= kPowers[estimate] ? 1 : 0);
    chars[0] = prefix;
    char* out = chars + 1 + digits;
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
    size = static_cast<std::uint8_t>(1 + digits);
  }
  [[nodiscard]] std::string_view view() const noexcept { return {chars, size}; }

  // The text of number + 1, by a decimal carry from the last digit: ids
  // are issued in serial order, so the next one is usually a copy and one
  // digit bump (a tenth of a formatting). Returns false, changing nothing,
  // when the carry would add a digit (99 -> 100): format that one afresh.
  [[nodiscard]] bool increment() noexcept {
    for (std::size_t i = size; i-- > 1;) {
      if (chars[i] != '9') {
        ++chars[i];
        return true;
      }
      chars[i] = '0';
    }
    for (std::size_t i = 1; i < size; ++i) chars[i] = '9';  // undo: all were 9s
    return false;
  }

  // Length first, as Id keeps its text, so that ref() is a pointer to it.
  [[nodiscard]] IdRef ref() const noexcept;

  // A power of two in all, so indexing a vector of them is a shift.
  std::uint8_t size = 0;
  char chars[kBytes - 1] = {};
};
// Any 64-bit number: the prefix and up to 20 digits.
using NumberedText = BasicNumberedText<32>;
// The engine's per-token cache, half the size: serials below 10^14.
using ShortNumberedText = BasicNumberedText<16>;

struct IdAccess {
  // REQUIRES: sized[0] is the size, and that many characters follow.
  [[nodiscard]] static IdRef ref(const char* sized) noexcept { return IdRef(sized); }

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
    const NumberedText text(prefix, number);
    return IdType(IdKey{}, text.chars, text.size);
  }

  // Writes `text` into `out` in place: a result or event reused across
  // operations keeps its ids engaged, so this is one fixed-size copy (no
  // temporary id, no 65-byte copy, no formatting). An empty `out` is
  // constructed in place too: building a temporary id and copying it read
  // back stores still in flight, a store-forwarding stall (perf: 14% of
  // apply's samples).
  template <class IdType, std::size_t kBytes>
  static void assign(std::optional<IdType>& out, const BasicNumberedText<kBytes>& text) noexcept {
    if (out) assign(*out, text);
    else out.emplace(IdKey{}, text.chars, text.size);
  }

 private:
  template <class IdType, std::size_t kBytes>
  static void assign(IdType& id, const BasicNumberedText<kBytes>& text) noexcept {
    static_assert(sizeof text.chars <= kMaxIdLength);
    std::memcpy(id.chars_, text.chars, sizeof text.chars);
    id.size_ = text.size;
  }
};

template <std::size_t kBytes>
IdRef BasicNumberedText<kBytes>::ref() const noexcept {
  static_assert(std::is_standard_layout_v<BasicNumberedText> && offsetof(BasicNumberedText, size) == 0 &&
                offsetof(BasicNumberedText, chars) == 1);
  return IdAccess::ref(reinterpret_cast<const char*>(this));
}

}  // namespace opd::detail
