#include "wire_map.h"

#include <new>

#include "opd/worker/protocol.h"

namespace opd::worker::wire {
namespace {

// Every string is referenced in place: no per-string allocation, and the
// zone holds only the object tree.
bool reference_everything(msgpack::type::object_type, std::size_t, void*) { return true; }

}  // namespace

std::string_view type_name(const msgpack::object& value) noexcept {
  switch (value.type) {
    case msgpack::type::NIL: return "nil";
    case msgpack::type::BOOLEAN: return "boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return "integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return "float";
    case msgpack::type::STR: return "string";
    case msgpack::type::BIN: return "binary";
    case msgpack::type::ARRAY: return "array";
    case msgpack::type::MAP: return "map";
    case msgpack::type::EXT: return "extension";
  }
  return "unknown";
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    const char c = text[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMaxQuoted) out += "...";
  out += "'";
  return out;
}

bool MapParser::parse(const char* data, std::size_t size, std::string& error) {
  fields_.clear();
  zone_.clear();
  if (size > kMaxRequestBytes) {
    error = "message of " + std::to_string(size) + " bytes exceeds the limit of " +
            std::to_string(kMaxRequestBytes) + " bytes";
    return false;
  }
  if (size == 0) {
    error = "empty message: expected a MessagePack map";
    return false;
  }
  const msgpack::unpack_limit limit(/*array=*/size, /*map=*/size / 2, /*str=*/size, /*bin=*/size,
                                    /*ext=*/size, /*depth=*/kMaxNestingDepth);
  std::size_t offset = 0;
  msgpack::object root;
  try {
    root = msgpack::unpack(zone_, data, size, offset, &reference_everything, nullptr, limit);
  } catch (const msgpack::depth_size_overflow&) {
    error = "not a valid request: nested deeper than " + std::to_string(kMaxNestingDepth) + " levels";
    return false;
  } catch (const msgpack::size_overflow&) {
    error = "not MessagePack: declares an array, map or string longer than the message";
    return false;
  } catch (const msgpack::insufficient_bytes&) {
    error = "not MessagePack: the data ends inside a value";
    return false;
  } catch (const msgpack::unpack_error&) {
    error = "not MessagePack: invalid data";
    return false;
  } catch (const std::bad_alloc&) {
    error = "not a valid request: too large to decode";
    return false;
  }
  if (root.type != msgpack::type::MAP) {
    error = "body must be a MessagePack map, got " + std::string(type_name(root));
    return false;
  }
  if (offset != size) {
    error = "trailing bytes after the map (" + std::to_string(size - offset) + " of " +
            std::to_string(size) + " bytes)";
    return false;
  }
  const auto& map = root.via.map;
  fields_.reserve(map.size);
  for (std::uint32_t i = 0; i < map.size; ++i) {
    const auto& kv = map.ptr[i];
    if (kv.key.type != msgpack::type::STR) {
      error = "map key #" + std::to_string(i + 1) + " must be a string, got " +
              std::string(type_name(kv.key));
      return false;
    }
    fields_.push_back(Field{std::string_view(kv.key.via.str.ptr, kv.key.via.str.size), &kv.val});
  }
  return true;
}

}  // namespace opd::worker::wire
