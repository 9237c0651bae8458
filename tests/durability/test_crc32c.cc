#include <catch2/catch.hpp>

#include "opd/durability/crc32c.h"

using opd::durability::crc32c;

TEST_CASE("crc32c matches the published check values", "[crc32c]") {
  // RFC 3720 B.4 and the common "123456789" check value of CRC-32C.
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
  CHECK(crc32c("") == 0u);
}

TEST_CASE("crc32c over pieces equals crc32c over the whole", "[crc32c]") {
  const std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const auto first = crc32c(std::string_view(text).substr(0, cut));
    CHECK(crc32c(std::string_view(text).substr(cut), first) == crc32c(text));
  }
}
