#include "wire_map.h"

namespace opd::worker::wire {

std::string Fields::problem() const {
  if (!has_problem) return {};
  return (problem_is_duplicate ? "duplicate field " : "unknown field ") + quote(problem_key);
}

bool refuse_size(std::size_t size, std::string& error) {
  if (size == 0)
    error = "empty message: expected a MessagePack map";
  else
    error = "message of " + std::to_string(size) + " bytes exceeds the limit of " +
            std::to_string(kMaxRequestBytes) + " bytes";
  return false;
}

bool refuse_unreadable(Failure failure, std::string& error) {
  switch (failure) {
    case Failure::kTooDeep:
      error = "not a valid request: nested deeper than " + std::to_string(kMaxNestingDepth) + " levels";
      return false;
    case Failure::kTooLong:
      error = "not MessagePack: declares an array, map or string longer than the message";
      return false;
    case Failure::kTruncated:
      error = "not MessagePack: the data ends inside a value";
      return false;
    case Failure::kInvalid:
    case Failure::kNone: break;
  }
  error = "not MessagePack: invalid data";
  return false;
}

bool refuse_root(Reader& reader, const Value& root, std::string& error) {
  if (!reader.contents(root, 1)) return refuse_unreadable(reader.failure(), error);
  error = "body must be a MessagePack map, got " + std::string(type_name(root.kind));
  return false;
}

bool refuse_trailing(std::size_t size, std::size_t used, std::string& error) {
  error = "trailing bytes after the map (" + std::to_string(size - used) + " of " + std::to_string(size) +
          " bytes)";
  return false;
}

bool refuse_key(std::uint32_t position, Kind kind, std::string& error) {
  error = "map key #" + std::to_string(position) + " must be a string, got " + std::string(type_name(kind));
  return false;
}

std::string_view type_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::kNil: return "nil";
    case Kind::kBoolean: return "boolean";
    case Kind::kPositive:
    case Kind::kNegative: return "integer";
    case Kind::kFloat: return "float";
    case Kind::kString: return "string";
    case Kind::kBinary: return "binary";
    case Kind::kArray: return "array";
    case Kind::kMap: return "map";
    case Kind::kExtension: return "extension";
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

}  // namespace opd::worker::wire
