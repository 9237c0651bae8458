// Private: the hardened first step of decoding any body (request or query):
// bytes -> one MessagePack map with string keys, or a reason why not.
//
// msgpack-c trusts the counts an input declares: five bytes announcing a
// 4-billion-element array would make it reserve gigabytes. Every limit is
// therefore capped by the bytes actually received (an element takes at least
// one byte, a map entry two), nesting is bounded, and strings reference the
// input instead of being copied.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

namespace opd::worker::wire {

struct Field {
  std::string_view key;
  const msgpack::object* value = nullptr;
};

class MapParser {
 public:
  // Parses `data` as exactly one map with string keys. On failure returns
  // false and sets `error` to a reason for a client. The fields (and the
  // strings they point into `data`) stay valid until the next parse() and
  // while `data` lives.
  [[nodiscard]] bool parse(const char* data, std::size_t size, std::string& error);
  [[nodiscard]] const std::vector<Field>& fields() const noexcept { return fields_; }

 private:
  msgpack::zone zone_;
  std::vector<Field> fields_;
};

// "string", "integer", "map", ... for error messages.
[[nodiscard]] std::string_view type_name(const msgpack::object& value) noexcept;

// A client's text made safe to quote in a reason: printable ASCII only,
// at most a few dozen characters.
[[nodiscard]] std::string quote(std::string_view text);

}  // namespace opd::worker::wire
