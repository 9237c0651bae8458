// Private: a flat map from id text to a small value, used for the
// idempotency table (every request of a day; the doctor and slot lookups
// use RecordIndex, whose records keep their own ids). Open addressing with linear probing over a power-of-two index;
// the key characters live in one arena buffer and the entries in one vector,
// in insertion order. Built for cheap inserts, cheap probes and a small
// footprint rather than for erasure: a table is only ever cleared whole.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace opd {

// Unaligned word loads, for hashing and comparing ids a word at a time.
[[nodiscard]] inline std::uint64_t load64(const char* at) noexcept {
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}
[[nodiscard]] inline std::uint64_t load32(const char* at) noexcept {
  std::uint32_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// A fast, well-mixed hash for short strings (ids are at most 64 bytes):
// 8-byte words folded with multiply-xorshift, the tail read as one
// overlapping word. Not seeded: a table's layout never shows in any output,
// so this cannot break determinism.
[[nodiscard]] inline std::uint64_t hash_id_text(std::string_view text) noexcept {
  const char* p = text.data();
  std::size_t n = text.size();
  auto mix = [](std::uint64_t h, std::uint64_t word) {
    h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
  };
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
  if (n >= 8) {
    const char* const last = p + n - 8;
    for (; p < last; p += 8) h = mix(h, load64(p));
    h = mix(h, load64(last));  // overlaps the previous word when n % 8 != 0
  } else if (n >= 4) {
    h = mix(h, load32(p) | (load32(p + n - 4) << 32));
  } else if (n > 0) {
    const auto byte = [](char c) { return std::uint64_t{static_cast<unsigned char>(c)}; };
    h = mix(h, byte(p[0]) | (byte(p[n / 2]) << 8) | (byte(p[n - 1]) << 16));
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  return h ^ (h >> 32);
}

// memcmp of ids' few bytes without the library call: 8-byte words, the
// last one overlapping, as in hash_id_text. REQUIRES: n bytes at a and b.
[[nodiscard]] inline bool same_text(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load64(a + i) != load64(b + i)) return false;
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  // 1-3 bytes (doctor ids like "D7"): first, middle and last cover them all.
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

// memcpy of ids' few bytes without the library call (a call per request
// for ~7 bytes): overlapping words, as in same_text. REQUIRES: n bytes at
// `from`, room for n at `to`, no overlap.
inline void copy_text(char* to, const char* from, std::size_t n) noexcept {
  const auto store64 = [](char* at, std::uint64_t word) { std::memcpy(at, &word, sizeof word); };
  const auto store32 = [](char* at, std::uint64_t word) {
    const auto narrow = static_cast<std::uint32_t>(word);
    std::memcpy(at, &narrow, sizeof narrow);
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) store64(to + i, load64(from + i));
    store64(to + n - 8, load64(from + n - 8));
  } else if (n >= 4) {
    const std::uint64_t head = load32(from), tail = load32(from + n - 4);
    store32(to, head);
    store32(to + n - 4, tail);
  } else if (n > 0) {
    const char first = from[0], middle = from[n / 2], last = from[n - 1];
    to[0] = first;
    to[n / 2] = middle;
    to[n - 1] = last;
  }
}

// At most half full: kept 1/4 full it mispredicted the "bucket empty?"
// branch less often but ran slower, its buckets no longer fitting the
// core's cache; kept 3/4 full it missed the cache less (callgrind) but ran
// slower too (0.98x), on longer probes.
template <class Value>
class IdTable {
  static constexpr std::size_t kBucketsPerEntry = 2;

 public:
  [[nodiscard]] const Value* find(std::string_view id) const noexcept {
    return find(id, hash_id_text(id));
  }
  // REQUIRES: hash == hash_id_text(id). For a caller that may insert the
  // same id next (the idempotency check), so the text is hashed once.
  [[nodiscard]] const Value* find(std::string_view id, std::uint64_t hash) const noexcept {
    if (control_.empty()) return nullptr;
    const std::uint8_t tag = tag_of(hash);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const std::uint8_t c = control_[i];
      if (c == kEmpty) return nullptr;
      if (c != tag) continue;
      const Entry& e = entries_[slots_[i]];
      if (e.size == id.size() && same_text(arena_.get() + e.offset, id.data(), id.size())) return &e.value;
    }
  }

  // Returns the stored value, which stays where it is until the next
  // insert or clear. REQUIRES: find(id) == nullptr.
  Value& insert(std::string_view id, const Value& value) {
    Value& kept = *find_or_insert(id, hash_id_text(id)).value;
    kept = value;
    return kept;
  }

  // The value kept for `id` (inserted false), or a default value inserted
  // for it, for the caller to fill in place (inserted true); either stays
  // where it is until the next insert or clear. One probe for both: the
  // idempotency check inserts nearly every id it looks up.
  // REQUIRES: hash == hash_id_text(id).
  struct Found {
    Value* value;
    bool inserted;
  };
  [[nodiscard]] Found find_or_insert(std::string_view id, std::uint64_t hash) {
    if ((entries_.size() + 1) * kBucketsPerEntry > control_.size()) [[unlikely]] grow();
    const std::uint8_t tag = tag_of(hash);
    std::size_t i = hash & mask_;
    for (;; i = (i + 1) & mask_) {
      const std::uint8_t c = control_[i];
      if (c == kEmpty) break;
      if (c != tag) continue;
      Entry& e = entries_[slots_[i]];
      if (e.size == id.size() && same_text(arena_.get() + e.offset, id.data(), id.size()))
        return {&e.value, false};
    }
    // The probe's first empty bucket: where place() would put it.
    control_[i] = tag;
    slots_[i] = static_cast<std::uint32_t>(entries_.size());
    auto& e = entries_.emplace_back(Entry{static_cast<std::uint32_t>(arena_used_),
                                          static_cast<std::uint32_t>(id.size()), Value{}});
    append_key(id);
    return {&e.value, true};
  }

  // Keeps the allocated capacity: a new service day refills it.
  void clear() noexcept {
    entries_.clear();
    arena_used_ = 0;
    std::fill(control_.begin(), control_.end(), kEmpty);
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  // Visits (id, value) in insertion order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& e : entries_) visit(key(e), e.value);
  }

 private:
  struct Entry {
    std::uint32_t offset;  // into arena_
    std::uint32_t size;
    Value value;
  };
  // One control byte per bucket, apart from the entry numbers: the probe of
  // a new id (the common case: every request is new) touches only this
  // array, small enough to stay in cache for a whole day's requests, where
  // wider buckets would cost a memory miss per request.
  static constexpr std::uint8_t kEmpty = 0;
  static std::uint8_t tag_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint8_t>(0x80U | (hash >> 57));  // never kEmpty
  }
  void append_key(std::string_view id) {
    if (arena_used_ + id.size() > arena_capacity_) [[unlikely]] grow_arena(id.size());
    copy_text(arena_.get() + arena_used_, id.data(), id.size());
    arena_used_ += id.size();
  }
  // Uninitialised beyond arena_used_, so reserved pages stay untouched
  // (a vector's resize would zero them and count them in the RSS).
  void grow_arena(std::size_t n) {
    const std::size_t capacity = std::max(arena_capacity_ * 2, arena_used_ + n + 4096);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (arena_used_ > 0) std::memcpy(bigger.get(), arena_.get(), arena_used_);
    arena_ = std::move(bigger);
    arena_capacity_ = capacity;
  }
  [[nodiscard]] std::string_view key(const Entry& e) const noexcept {
    return std::string_view(arena_.get() + e.offset, e.size);
  }

  void place(std::uint64_t hash, std::uint32_t entry) noexcept {
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (control_[i] == kEmpty) {
        control_[i] = tag_of(hash);
        slots_[i] = entry;
        return;
      }
    }
  }

  void grow() {
    const std::size_t size = control_.empty() ? 64 : control_.size() * 2;
    control_.assign(size, kEmpty);
    slots_.assign(size, 0);
    mask_ = size - 1;
    for (std::size_t i = 0; i < entries_.size(); ++i)
      place(hash_id_text(key(entries_[i])), static_cast<std::uint32_t>(i));
  }

  std::unique_ptr<char[]> arena_;  // keys back to back in the first arena_used_ bytes
  std::size_t arena_used_ = 0;
  std::size_t arena_capacity_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::uint8_t> control_;
  std::vector<std::uint32_t> slots_;  // bucket -> index into entries_, where control_ is set
  std::size_t mask_ = 0;
};

}  // namespace opd
