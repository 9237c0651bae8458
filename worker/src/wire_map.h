// Private: the hardened first step of decoding any body (request or query):
// bytes -> one MessagePack map with string keys, its values filed by the
// caller's known keys, or a reason why not.
//
// Nothing is allocated or copied: values are read in place (wire_reader.h),
// and every declared count is checked against the bytes actually received
// before it is trusted. The parse is a template so that each caller's key
// lookup (a switch of constant compares) is inlined into the loop; the
// refusals, rare and wordy, are built out of line in wire_map.cc.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "opd/worker/protocol.h"
#include "wire_reader.h"

namespace opd::worker::wire {

// The values of one map, by their key's index in the caller's key table.
struct Fields {
  static constexpr std::size_t kMaxKeys = 16;

  std::array<Value, kMaxKeys> values;  // values[k] is set iff bit k of present
  std::uint32_t present = 0;           // bit k: key k was given (nil included)
  // The first key that was unknown or given twice; the caller decides when
  // that matters (a request names its request_id first).
  std::string_view problem_key;
  bool problem_is_duplicate = false;
  bool has_problem = false;
  // After a refusal: whether `values` may still be read. True when the
  // body was a map and the refusal came while or after its entries were
  // read (a non-string key, trailing bytes, a value nested too deep): every
  // key marked present was read whole, so a client_id and request_id
  // given there can still address the rejection to its client.
  bool readable_after_refusal = false;

  // Nil counts as absent, so clients whose MessagePack library writes null
  // for unset optionals just work.
  [[nodiscard]] const Value* get(std::size_t k) const noexcept {
    if ((present >> k & 1u) == 0 || values[k].kind == Kind::kNil) return nullptr;
    return &values[k];
  }
  // "unknown field 'x'" or "duplicate field 'x'"; empty without a problem.
  [[nodiscard]] std::string problem() const;
  // Only the first problem is named: one reason per refusal.
  void note_problem(std::string_view key, bool duplicate) noexcept {
    if (has_problem) return;
    has_problem = true;
    problem_key = key;
    problem_is_duplicate = duplicate;
  }
};

// A caller's key lookup returns the key's index (< Fields::kMaxKeys), or
// kUnknownKey.
inline constexpr std::size_t kUnknownKey = Fields::kMaxKeys;

// The refusals of parse_map; each sets `error` and returns false.
[[nodiscard]] bool refuse_size(std::size_t size, std::string& error);
[[nodiscard]] bool refuse_unreadable(Failure failure, std::string& error);
// A root that is not a map: read to its end first (a broken one is refused
// as such, as msgpack-c did), then named.
[[nodiscard]] bool refuse_root(Reader& reader, const Value& root, std::string& error);
[[nodiscard]] bool refuse_trailing(std::size_t size, std::size_t used, std::string& error);
[[nodiscard]] bool refuse_key(std::uint32_t position, Kind kind, std::string& error);

// Parses `data` as exactly one map with string keys, filing the value of
// each key `index_of` knows into `out`. On failure returns false and sets
// `error` to a reason for a client. The values point into `data`.
template <class KeyIndex>
[[nodiscard]] bool parse_map(const char* data, std::size_t size, KeyIndex index_of, Fields& out,
                             std::string& error) {
  out.present = 0;
  out.has_problem = false;
  out.readable_after_refusal = false;
  if (size > kMaxRequestBytes || size == 0) [[unlikely]]
    return refuse_size(size, error);
  Reader reader(data, size);
  Value root;
  if (!reader.header(root, 0)) return refuse_unreadable(reader.failure(), error);
  if (root.kind != Kind::kMap) return refuse_root(reader, root, error);

  std::uint32_t first_bad_key = 0;  // 1-based position of the first non-string key
  Kind bad_key_kind = Kind::kNil;
  Value key;
  Value ignored;
  for (std::uint32_t i = 0; i < root.count; ++i) {
    // Keys and values are nearly always short strings: read those inline.
    if (!reader.short_string(key) && !reader.value(key, 1)) {
      out.readable_after_refusal = true;
      return refuse_unreadable(reader.failure(), error);
    }
    Value* target = &ignored;
    std::uint32_t filed = 0;  // the present bit this value sets
    if (key.kind != Kind::kString) {
      if (first_bad_key == 0) {
        first_bad_key = i + 1;
        bad_key_kind = key.kind;
      }
    } else if (const std::size_t k = index_of(key.text()); k >= kUnknownKey) {
      out.note_problem(key.text(), /*duplicate=*/false);
    } else if ((out.present >> k & 1u) != 0) {
      out.note_problem(key.text(), /*duplicate=*/true);
    } else {
      filed = 1u << k;
      out.present |= filed;
      target = &out.values[k];
    }
    if (!reader.short_string(*target) && !reader.value(*target, 1)) {
      out.present &= ~filed;  // read in part: not a value
      out.readable_after_refusal = true;
      return refuse_unreadable(reader.failure(), error);
    }
  }
  out.readable_after_refusal = true;
  if (reader.offset() != size) return refuse_trailing(size, reader.offset(), error);
  if (first_bad_key != 0) return refuse_key(first_bad_key, bad_key_kind, error);
  return true;
}

// "string", "integer", "map", ... for error messages.
[[nodiscard]] std::string_view type_name(Kind kind) noexcept;

// A client's text made safe to quote in a reason: printable ASCII only,
// at most a few dozen characters.
[[nodiscard]] std::string quote(std::string_view text);

}  // namespace opd::worker::wire
