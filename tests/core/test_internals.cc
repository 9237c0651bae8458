// The core's private building blocks, tested directly: the token id
// formatter, the reason arena, the reason memo and the id table's key
// comparison. Each is on the hot path and hand-rolled, so each gets its
// edge cases here (and the ASan build checks their memory accesses).
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "id_access.h"
#include "id_table.h"
#include "key_memo.h"
#include "opd/core/ids.h"
#include "text_arena.h"

namespace opd {
namespace {

TEST_CASE("numbered ids are the prefix and the decimal number, at every length", "[internals]") {
  std::vector<std::uint64_t> numbers{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999999};
  for (std::uint64_t p = 1; p != 0 && p <= std::numeric_limits<std::uint64_t>::max() / 10; p *= 10) {
    numbers.push_back(p);
    numbers.push_back(p - 1);
    numbers.push_back(p * 10 - 1);
  }
  numbers.push_back(std::numeric_limits<std::uint64_t>::max());  // 20 digits
  for (const auto n : numbers) {
    const auto id = detail::IdAccess::numbered<TokenId>('T', n);
    INFO(n);
    CHECK(id.view() == "T" + std::to_string(n));
    CHECK(id == TokenId::from_trusted("T" + std::to_string(n)));
  }
}

TEST_CASE("the text arena keeps every text intact, short or longer than a block", "[internals]") {
  TextArena arena;
  std::vector<std::pair<std::string, std::string_view>> kept;
  for (int i = 0; i < 5'000; ++i) {
    // Mostly short texts, now and then one longer than a 64 KiB block.
    const std::string text = "reason " + (i % 997 == 0 ? std::string(70'000 + static_cast<std::size_t>(i), 'x')
                                                       : std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), '.'));
    kept.emplace_back(text, arena.store({"reason ", std::string_view(text).substr(7)}));
  }
  kept.emplace_back(std::string(), arena.store({}));
  for (const auto& [text, view] : kept) CHECK(view == text);
  arena.clear();
  CHECK(arena.store({"after", " clear"}) == "after clear");
}

TEST_CASE("the reason memo finds what it was given and nothing else, across growth", "[internals]") {
  KeyMemo<std::uint32_t> memo;
  CHECK(memo.find(42) == nullptr);
  for (std::uint64_t k = 1; k <= 10'000; ++k) memo.insert(k * 0x10001, static_cast<std::uint32_t>(k));
  CHECK(memo.size() == 10'000);
  for (std::uint64_t k = 1; k <= 10'000; ++k) {
    const auto* found = memo.find(k * 0x10001);
    REQUIRE(found != nullptr);
    CHECK(*found == k);
    CHECK(memo.find(k * 0x10001 + 1) == nullptr);
  }
  memo.clear();
  CHECK(memo.find(0x10001) == nullptr);
}

TEST_CASE("the id table tells apart keys that differ in any one byte, at every length", "[internals]") {
  // Lengths 1-64 cover the byte loop, the 4-byte and the 8-byte word
  // comparisons, and their overlapping last words.
  IdTable<std::uint32_t> table;
  std::vector<std::string> keys;
  for (std::size_t length = 1; length <= kMaxIdLength; ++length) {
    const std::string base(length, 'a');
    keys.push_back(base);
    for (std::size_t at = 0; at < length; ++at) {
      std::string other = base;
      other[at] = 'b';
      keys.push_back(other);
    }
  }
  for (std::size_t i = 0; i < keys.size(); ++i) table.insert(keys[i], static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto* found = table.find(keys[i]);
    REQUIRE(found != nullptr);
    CHECK(*found == i);
  }
  CHECK(table.find(std::string(65, 'a')) == nullptr);
  CHECK(table.find("c") == nullptr);
  CHECK(table.find(std::string(9, 'a') + "c") == nullptr);
}

}  // namespace
}  // namespace opd
