// CRC-32C (Castagnoli), the checksum of every journal record and snapshot.
#pragma once

#include <cstdint>
#include <string_view>

namespace opd::durability {

[[nodiscard]] std::uint32_t crc32c(std::string_view bytes, std::uint32_t seed = 0) noexcept;

}  // namespace opd::durability
