// Private: a bounds-checked MessagePack reader over one received body that
// builds nothing and allocates nothing.
//
// It accepts and refuses exactly what msgpack-c's unpack() did with the
// limits the worker used to give it, failing at the same byte for the same
// reason, so clients keep getting the reasons docs/protocol.md promises:
// - a container may not declare more elements than the body has bytes (an
//   array), or more entries than half of them (a map): five bytes announcing
//   4 billion elements are refused before anything is read;
// - at most kMaxNestingDepth containers may be open at once;
// - a string, binary or extension must have all its bytes present;
// - 0xc1 is the one byte that is never valid.
// Strings are views into the body, never copies.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "opd/worker/protocol.h"

namespace opd::worker::wire {

enum class Kind : std::uint8_t {
  kNil, kBoolean, kPositive, kNegative, kFloat, kString, kBinary, kArray, kMap, kExtension
};

// One value's header. Scalars are complete; for a container only the count
// has been read, and its elements follow in the body. Trivially
// constructible, members uninitialised (a decoder sets up a table of them
// per frame): header() sets `kind` and the members that kind uses, and
// nothing else is read.
struct Value {
  Kind kind;
  std::uint32_t count;    // kString: bytes; kArray: elements; kMap: key-value pairs
  const char* bytes;      // kString: into the body
  std::uint64_t number;   // kPositive: the value; kNegative: an int64 < 0; kFloat: a double's bits

  [[nodiscard]] std::string_view text() const noexcept { return {bytes, count}; }
  [[nodiscard]] std::uint64_t u64() const noexcept { return number; }
  [[nodiscard]] std::int64_t i64() const noexcept { return static_cast<std::int64_t>(number); }
  [[nodiscard]] double f64() const noexcept { return std::bit_cast<double>(number); }
};

// Why reading stopped; the first failure wins, as msgpack-c threw at it.
enum class Failure : std::uint8_t { kNone, kInvalid, kTruncated, kTooLong, kTooDeep };

class Reader {
 public:
  Reader(const char* data, std::size_t size) noexcept
      : begin_(reinterpret_cast<const unsigned char*>(data)), at_(begin_), end_(begin_ + size), size_(size) {}

  [[nodiscard]] Failure failure() const noexcept { return failure_; }
  [[nodiscard]] std::size_t offset() const noexcept { return static_cast<std::size_t>(at_ - begin_); }

  // The common case, kept inline: a short string (fixstr) wholly present.
  // False, consuming nothing, for anything else: header() then reads it.
  [[nodiscard]] bool short_string(Value& v) noexcept {
    if (at_ == end_ || (*at_ & 0xe0u) != 0xa0u) return false;
    const unsigned length = *at_ & 0x1fu;
    if (static_cast<std::size_t>(end_ - at_) - 1 < length) return false;
    v.kind = Kind::kString;
    v.count = length;
    v.bytes = reinterpret_cast<const char*>(at_ + 1);
    at_ += 1 + length;
    return true;
  }

  // Reads one value's header, `depth` being the containers already open
  // around it. False (with failure() set) when the value is refused.
  [[nodiscard]] bool header(Value& v, std::size_t depth) noexcept {
    if (at_ == end_) return fail(Failure::kTruncated);
    const unsigned char tag = *at_++;
    if (tag >= 0xa0 && tag <= 0xbf) return string(v, tag & 0x1fu);  // fixstr: the common case
    if (tag <= 0x7f) return positive(v, tag);
    if (tag >= 0xe0) return negative(v, static_cast<std::int8_t>(tag));
    if (tag <= 0x8f) return container(v, Kind::kMap, tag & 0x0fu, depth);
    if (tag <= 0x9f) return container(v, Kind::kArray, tag & 0x0fu, depth);
    std::uint64_t n = 0;
    switch (tag) {
      case 0xc0: v.kind = Kind::kNil; return true;
      case 0xc2:
      case 0xc3: v.kind = Kind::kBoolean; return true;
      case 0xc4: return big_endian(1, n) && opaque(v, Kind::kBinary, n);
      case 0xc5: return big_endian(2, n) && opaque(v, Kind::kBinary, n);
      case 0xc6: return big_endian(4, n) && opaque(v, Kind::kBinary, n);
      // Extensions: a type byte, then the data.
      case 0xc7: return big_endian(1, n) && opaque(v, Kind::kExtension, n + 1);
      case 0xc8: return big_endian(2, n) && opaque(v, Kind::kExtension, n + 1);
      case 0xc9: return big_endian(4, n) && opaque(v, Kind::kExtension, n + 1);
      // float32 is widened to double, as msgpack-c did.
      case 0xca:
        if (!big_endian(4, n)) return false;
        return floating(v, std::bit_cast<float>(static_cast<std::uint32_t>(n)));
      case 0xcb:
        if (!big_endian(8, n)) return false;
        return floating(v, std::bit_cast<double>(n));
      case 0xcc: return big_endian(1, n) && positive(v, n);
      case 0xcd: return big_endian(2, n) && positive(v, n);
      case 0xce: return big_endian(4, n) && positive(v, n);
      case 0xcf: return big_endian(8, n) && positive(v, n);
      // Signed integers: msgpack-c files a non-negative one as positive.
      case 0xd0: return big_endian(1, n) && negative(v, static_cast<std::int8_t>(n));
      case 0xd1: return big_endian(2, n) && negative(v, static_cast<std::int16_t>(n));
      case 0xd2: return big_endian(4, n) && negative(v, static_cast<std::int32_t>(n));
      case 0xd3: return big_endian(8, n) && negative(v, static_cast<std::int64_t>(n));
      case 0xd4: return opaque(v, Kind::kExtension, 1 + 1);
      case 0xd5: return opaque(v, Kind::kExtension, 2 + 1);
      case 0xd6: return opaque(v, Kind::kExtension, 4 + 1);
      case 0xd7: return opaque(v, Kind::kExtension, 8 + 1);
      case 0xd8: return opaque(v, Kind::kExtension, 16 + 1);
      case 0xd9: return big_endian(1, n) && string(v, n);
      case 0xda: return big_endian(2, n) && string(v, n);
      case 0xdb: return big_endian(4, n) && string(v, n);
      case 0xdc: return big_endian(2, n) && container(v, Kind::kArray, n, depth);
      case 0xdd: return big_endian(4, n) && container(v, Kind::kArray, n, depth);
      case 0xde: return big_endian(2, n) && container(v, Kind::kMap, n, depth);
      case 0xdf: return big_endian(4, n) && container(v, Kind::kMap, n, depth);
      default: return fail(Failure::kInvalid);  // 0xc1
    }
  }

  // Reads one whole value: its header and, for a container, every element
  // inside it (checked, then dropped).
  [[nodiscard]] bool value(Value& v, std::size_t depth) noexcept {
    return header(v, depth) && contents(v, depth + 1);
  }

  // Reads (checks, then drops) the elements of a value whose header was just
  // read; nothing for a scalar. Recursion is bounded by the depth limit.
  [[nodiscard]] bool contents(const Value& v, std::size_t depth) noexcept {
    if (v.kind != Kind::kArray && v.kind != Kind::kMap) return true;
    const std::uint64_t elements = v.kind == Kind::kMap ? 2 * std::uint64_t{v.count} : v.count;
    Value inner;
    for (std::uint64_t i = 0; i < elements; ++i)
      if (!value(inner, depth)) return false;
    return true;
  }

 private:
  bool fail(Failure why) noexcept {
    failure_ = why;
    return false;
  }
  bool big_endian(std::size_t width, std::uint64_t& n) noexcept {
    if (static_cast<std::size_t>(end_ - at_) < width) return fail(Failure::kTruncated);
    n = 0;
    for (std::size_t i = 0; i < width; ++i) n = (n << 8) | at_[i];
    at_ += width;
    return true;
  }
  static bool positive(Value& v, std::uint64_t n) noexcept {
    v.kind = Kind::kPositive;
    v.number = n;
    return true;
  }
  static bool negative(Value& v, std::int64_t n) noexcept {
    if (n >= 0) return positive(v, static_cast<std::uint64_t>(n));
    v.kind = Kind::kNegative;
    v.number = static_cast<std::uint64_t>(n);
    return true;
  }
  static bool floating(Value& v, double d) noexcept {
    v.kind = Kind::kFloat;
    v.number = std::bit_cast<std::uint64_t>(d);
    return true;
  }
  bool string(Value& v, std::uint64_t length) noexcept {
    if (static_cast<std::uint64_t>(end_ - at_) < length) return fail(Failure::kTruncated);
    v.kind = Kind::kString;
    v.count = static_cast<std::uint32_t>(length);
    v.bytes = reinterpret_cast<const char*>(at_);
    at_ += length;
    return true;
  }
  // Binary and extension bytes: checked present, skipped.
  bool opaque(Value& v, Kind kind, std::uint64_t length) noexcept {
    if (static_cast<std::uint64_t>(end_ - at_) < length) return fail(Failure::kTruncated);
    v.kind = kind;
    at_ += length;
    return true;
  }
  bool container(Value& v, Kind kind, std::uint64_t count, std::size_t depth) noexcept {
    const std::uint64_t limit = kind == Kind::kMap ? size_ / 2 : size_;
    if (count > limit) return fail(Failure::kTooLong);
    if (depth >= kMaxNestingDepth) return fail(Failure::kTooDeep);
    v.kind = kind;
    v.count = static_cast<std::uint32_t>(count);
    return true;
  }

  const unsigned char* begin_;
  const unsigned char* at_;
  const unsigned char* end_;
  std::size_t size_;
  Failure failure_ = Failure::kNone;
};

}  // namespace opd::worker::wire
