// Just enough MessagePack for the load generator's hot path, without
// allocating per message: a writer for flat request maps and a scanner that
// picks a few fields out of a result map. Everything else (printing,
// simulate, the display) goes through nlohmann::json, which is simpler and
// fast enough there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace opd::tools::mp {

// Appends to a caller-owned string (cleared and reused per message).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void map(std::uint32_t entries);
  void str(std::string_view text);
  void uint(std::uint64_t value);
  void field(std::string_view key, std::string_view value) {
    str(key);
    str(value);
  }
  void field(std::string_view key, std::uint64_t value) {
    str(key);
    uint(value);
  }

 private:
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void big_endian(std::uint64_t value, int bytes);
  std::string& out_;
};

// The fields of a result (or of a relayed request) the load generator
// reads. Views point into the scanned buffer.
struct ResultFields {
  std::string_view request_id;
  std::string_view status;    // empty when absent (a relayed request)
  std::string_view code;
  std::string_view token_id;
  std::uint64_t seq = 0;
  bool has_seq = false;
  bool duplicate = false;
};

// False when the bytes are not one well-formed map (nested values are
// skipped, to a bounded depth).
[[nodiscard]] bool scan_result(const void* data, std::size_t size, ResultFields& out);

}  // namespace opd::tools::mp
