// The core's private building blocks, tested directly: the token id
// formatter, the seat ranks, the reason arena, the reason memo, the id
// table's and the record index's key comparisons and the per-doctor slot
// summary. Each is on the hot path and hand-rolled, so each gets its
// edge cases here (and the ASan build checks their memory accesses).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine_state.h"
#include "id_access.h"
#include "id_table.h"
#include "inline_array.h"
#include "key_memo.h"
#include "opd/core/ids.h"
#include "record_index.h"
#include "slot_summary.h"
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

TEST_CASE("a numbered text steps to the next number, or says it needs one more digit", "[internals]") {
  std::vector<std::uint64_t> starts{0, 1, 8, 9, 10, 98, 99, 100, 1'000'000, 1'099'999};
  for (std::uint64_t p = 10; p <= std::numeric_limits<std::uint64_t>::max() / 10; p *= 10) {
    starts.push_back(p - 2);
    starts.push_back(p - 1);
    starts.push_back(p + 9);
  }
  for (const auto n : starts) {
    INFO(n);
    detail::NumberedText text('T', n);
    const bool stepped = text.increment();
    // Only a run of nines carries into a new digit; then nothing changed.
    CHECK(stepped == (std::to_string(n + 1).size() == std::to_string(n).size()));
    CHECK(text.view() == "T" + std::to_string(stepped ? n + 1 : n));
  }
  detail::NumberedText walking('T', 0);
  for (std::uint64_t n = 1; n <= 100'000; ++n) {
    if (!walking.increment()) walking = detail::NumberedText('T', n);
    REQUIRE(walking.view() == "T" + std::to_string(n));
  }
}

TEST_CASE("a short numbered text takes serials of up to 14 digits, and steps like the full one", "[internals]") {
  using Short = detail::ShortNumberedText;
  static_assert(sizeof(Short) == 16);
  CHECK(Short::fits(0));
  CHECK(Short::fits(99'999'999'999'999));
  CHECK_FALSE(Short::fits(100'000'000'000'000));
  CHECK_FALSE(Short::fits(std::numeric_limits<std::uint64_t>::max()));
  CHECK(Short('T', 99'999'999'999'999).view() == "T99999999999999");
  // The largest fits, and stepping past it asks for a full format.
  Short last('T', 99'999'999'999'999);
  CHECK_FALSE(last.increment());
  CHECK(last.view() == "T99999999999999");
  Short walking('T', 99'999'999'990'000);
  for (std::uint64_t n = 99'999'999'990'001; n <= 99'999'999'999'999; ++n) {
    REQUIRE(walking.increment());
    REQUIRE(walking.view() == "T" + std::to_string(n));
  }
  // An empty text (a serial too long to cache) never steps.
  Short empty;
  CHECK_FALSE(empty.increment());
  CHECK(empty.size == 0);
}

TEST_CASE("seat ranks order service and victims exactly as the rules say, for every pair", "[internals]") {
  std::vector<TokenRec> tokens;
  for (int source = 0; source < kSourceCount; ++source)
    for (const std::uint64_t arrival : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7}, kArrivalLimit - 1})
      for (const bool displaced : {false, true})
        tokens.push_back(TokenRec{.arrival = arrival, .source = static_cast<Source>(source), .displaced = displaced});
  // The rules, spelled out field by field: service by priority then
  // arrival; victim by lowest priority, then never displaced, then latest.
  const auto serves_before = [](const TokenRec& a, const TokenRec& b) {
    if (a.source != b.source) return a.source < b.source;
    return a.arrival < b.arrival;
  };
  const auto displaced_before = [](const TokenRec& a, const TokenRec& b) {
    if (a.source != b.source) return a.source > b.source;
    if (a.displaced != b.displaced) return !a.displaced;
    return a.arrival > b.arrival;
  };
  for (const auto& a : tokens) {
    for (const auto& b : tokens) {
      INFO("a: source " << int(a.source) << " arrival " << a.arrival << " displaced " << a.displaced);
      INFO("b: source " << int(b.source) << " arrival " << b.arrival << " displaced " << b.displaced);
      CHECK((SeatKey::of(a).serve_rank() < SeatKey::of(b).serve_rank()) == serves_before(a, b));
      CHECK((SeatKey::of(a).victim_rank() > SeatKey::of(b).victim_rank()) == displaced_before(a, b));
    }
    CHECK(SeatKey::of(a).source() == a.source);
  }
  // A seat that is not waiting is never served next nor displaced: it ranks
  // after every waiting seat in service order and below them as a victim.
  for (const auto& waiting : tokens) {
    for (auto other : tokens) {
      other.state = TokenState::kCalled;
      CHECK(SeatKey::of(waiting).serve_rank() < SeatKey::of(other).serve_rank());
      CHECK(SeatKey::of(waiting).victim_rank() > SeatKey::of(other).victim_rank());
      CHECK(SeatKey::of(other).victim_rank() < SeatKey::kWaiting);
    }
  }
  TokenRec called{.source = Source::kPaid, .state = TokenState::kCalled};
  CHECK_FALSE(SeatKey::of(called).waiting());
  CHECK(SeatKey::of(TokenRec{}).waiting());
  auto key = SeatKey::of(TokenRec{});
  key.mark_called();
  CHECK(key == SeatKey::of(TokenRec{.state = TokenState::kCalled}));
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

TEST_CASE("the slot summary answers as a scan of the slots would, across words and blocks", "[internals]") {
  // Sizes around the 32-position words and the 8-count blocks, and empty.
  for (const std::uint32_t size : {0U, 1U, 7U, 8U, 9U, 31U, 32U, 33U, 63U, 64U, 65U, 130U}) {
    SlotSummary summary;
    summary.reset(size);
    std::vector<bool> free(size, false);
    std::vector<std::uint32_t> waiting(size, 0);
    // A deterministic pattern, then each position changed once more, so
    // set() must both raise and clear bits.
    for (std::uint32_t round = 0; round < 2; ++round) {
      for (std::uint32_t p = 0; p < size; ++p) {
        free[p] = (p * 7 + round) % 5 == 0;
        waiting[p] = (p * 3 + round) % 4 == 0 ? 0 : p % 6 + round;
        summary.set(p, free[p], waiting[p]);
      }
      for (std::uint32_t from = 0; from <= size + 1; ++from) {
        std::uint32_t first_free = SlotSummary::kNone, first_waiting = SlotSummary::kNone;
        for (std::uint32_t p = from; p < size; ++p) {
          if (free[p] && first_free == SlotSummary::kNone) first_free = p;
          if (waiting[p] != 0 && first_waiting == SlotSummary::kNone) first_waiting = p;
        }
        INFO("size " << size << " from " << from);
        CHECK(summary.first_free(from) == first_free);
        CHECK(summary.first_waiting(from) == first_waiting);
      }
      std::uint32_t before = 0;
      for (std::uint32_t end = 0; end <= size; ++end) {
        INFO("size " << size << " end " << end);
        CHECK(summary.waiting_before(end) == before);
        if (end < size) {
          CHECK(summary.has_free_seat(end) == free[end]);
          CHECK(summary.waiting(end) == waiting[end]);
          before += waiting[end];
        }
      }
    }
  }
}

// Ids of lengths 1-64 and, for each, the ids that differ from it in any one
// byte: they cover the 1-3 byte compare, the 4-byte and the 8-byte word
// comparisons, and their overlapping last words.
std::vector<std::string> near_miss_ids() {
  std::vector<std::string> ids;
  for (std::size_t length = 1; length <= kMaxIdLength; ++length) {
    const std::string base(length, 'a');
    ids.push_back(base);
    for (std::size_t at = 0; at < length; ++at) {
      std::string other = base;
      other[at] = 'b';
      ids.push_back(other);
    }
  }
  return ids;
}

TEST_CASE("the id table tells apart keys that differ in any one byte, at every length", "[internals]") {
  IdTable<std::uint32_t> table;
  const auto keys = near_miss_ids();
  for (std::size_t i = 0; i < keys.size(); ++i) table.insert(keys[i], static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto* found = table.find(keys[i]);
    REQUIRE(found != nullptr);
    CHECK(*found == i);
  }
  CHECK(table.find(std::string(65, 'a')) == nullptr);
  CHECK(table.find("c") == nullptr);
  CHECK(table.find(std::string(9, 'a') + "c") == nullptr);
  // The keys as kept, byte for byte (copied without memcpy), in insertion order.
  std::size_t visited = 0;
  table.for_each([&](std::string_view key, std::uint32_t value) {
    REQUIRE(visited < keys.size());
    CHECK(key == keys[visited]);
    CHECK(value == visited);
    ++visited;
  });
  CHECK(visited == keys.size());
}

TEST_CASE("the id table's find_or_insert inserts a key once and then finds it, across growth", "[internals]") {
  IdTable<std::uint32_t> table;
  const auto keys = near_miss_ids();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto first = table.find_or_insert(keys[i], hash_id_text(keys[i]));
    REQUIRE(first.inserted);
    CHECK(*first.value == 0);  // a default value, for the caller to fill
    *first.value = static_cast<std::uint32_t>(i) + 1;
    const auto again = table.find_or_insert(keys[i], hash_id_text(keys[i]));
    CHECK_FALSE(again.inserted);
    CHECK(again.value == first.value);
  }
  CHECK(table.size() == keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto found = table.find_or_insert(keys[i], hash_id_text(keys[i]));
    CHECK_FALSE(found.inserted);
    CHECK(*found.value == i + 1);
  }
  CHECK(table.size() == keys.size());
}

TEST_CASE("the record index finds each record by its own id, across growth and after a clear", "[internals]") {
  // The records own their ids; the index keeps none.
  const auto records = near_miss_ids();
  const auto id_of = [&records](std::uint32_t i) { return std::string_view(records[i]); };
  RecordIndex index;
  CHECK(index.find("a", id_of) == RecordIndex::kNotFound);
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    REQUIRE(index.find(records[i], id_of) == RecordIndex::kNotFound);
    index.insert(records[i], i, id_of);
  }
  CHECK(index.size() == records.size());
  for (std::uint32_t i = 0; i < records.size(); ++i) CHECK(index.find(records[i], id_of) == i);
  CHECK(index.find(std::string(65, 'a'), id_of) == RecordIndex::kNotFound);
  CHECK(index.find("c", id_of) == RecordIndex::kNotFound);
  CHECK(index.find(std::string(9, 'a') + "c", id_of) == RecordIndex::kNotFound);
  index.clear();
  CHECK(index.size() == 0);
  CHECK(index.find(records[0], id_of) == RecordIndex::kNotFound);
  index.insert(records[5], 5, id_of);
  CHECK(index.find(records[5], id_of) == 5);
  CHECK(index.find(records[4], id_of) == RecordIndex::kNotFound);
}

}  // namespace
}  // namespace opd

namespace opd {
namespace {

TEST_CASE("an inline array keeps its elements across growth past its inline room, copies and moves", "[internals]") {
  using Small = InlineArray<std::uint32_t, 4>;
  Small a;
  CHECK(a.empty());
  for (std::uint32_t i = 0; i < 50; ++i) {
    a.push_back(i * 7);
    REQUIRE(a.size() == i + 1);
    for (std::uint32_t k = 0; k <= i; ++k) REQUIRE(a[k] == k * 7);  // growth kept every element
  }
  CHECK(a.back() == 49 * 7);
  a.pop_back();
  CHECK(a.size() == 49);

  const Small copy = a;  // from the heap
  Small moved = Small(copy);
  CHECK(std::equal(copy.begin(), copy.end(), a.begin(), a.end()));
  CHECK(std::equal(moved.begin(), moved.end(), a.begin(), a.end()));

  Small inline_only;
  inline_only.push_back(1);
  inline_only.push_back(2);
  Small moved_inline = std::move(inline_only);  // from inside the object
  CHECK(moved_inline.size() == 2);
  CHECK(moved_inline[0] == 1);
  CHECK(moved_inline[1] == 2);
  moved = moved_inline;  // a heap-backed array takes an inline one's contents
  CHECK(moved.size() == 2);
  CHECK(moved[1] == 2);
  const Small& same = moved;
  moved = same;  // self-assignment changes nothing
  CHECK(moved.size() == 2);

  Small reserved;
  reserved.reserve(100);
  for (std::uint32_t i = 0; i < 100; ++i) reserved.push_back(i);
  CHECK(reserved[99] == 99);
  reserved.clear();
  CHECK(reserved.empty());
}

}  // namespace
}  // namespace opd
