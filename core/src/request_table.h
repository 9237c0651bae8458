// Private: the idempotency table, request_id -> what the engine answered.
// Open addressing with linear probing over a power-of-two index; entries
// live in one vector in insertion order. Every request of a day lands here,
// so it is built for cheap inserts and a small footprint rather than for
// erasure (the whole table is cleared at open_day).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace opd {

template <class Value>
class RequestTable {
 public:
  [[nodiscard]] const Value* find(std::string_view id) const {
    if (index_.empty()) return nullptr;
    const std::uint64_t hash = hash_of(id);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Bucket& b = index_[i];
      if (b.entry == 0) return nullptr;
      const Entry& e = entries_[b.entry - 1];
      if (b.tag == tag_of(hash) && e.id == id) return &e.value;
    }
  }

  // REQUIRES: find(id) == nullptr.
  void insert(std::string_view id, Value value) {
    if ((entries_.size() + 1) * 2 > index_.size()) grow();
    entries_.push_back(Entry{std::string(id), std::move(value)});
    place(hash_of(id), static_cast<std::uint32_t>(entries_.size()));
  }

  void clear() {
    entries_.clear();
    index_.assign(index_.size(), Bucket{});
  }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& e : entries_) visit(std::string_view(e.id), e.value);
  }

 private:
  struct Entry {
    std::string id;
    Value value;
  };
  struct Bucket {
    std::uint32_t tag = 0;    // upper hash bits: most mismatches skip the string compare
    std::uint32_t entry = 0;  // 1-based index into entries_; 0 = empty
  };

  static std::uint64_t hash_of(std::string_view id) noexcept {
    return std::hash<std::string_view>{}(id);
  }
  static std::uint32_t tag_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint32_t>(hash >> 32);
  }

  void place(std::uint64_t hash, std::uint32_t entry) {
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (index_[i].entry == 0) {
        index_[i] = Bucket{tag_of(hash), entry};
        return;
      }
    }
  }

  void grow() {
    const std::size_t size = index_.empty() ? 1024 : index_.size() * 2;
    index_.assign(size, Bucket{});
    mask_ = size - 1;
    for (std::size_t i = 0; i < entries_.size(); ++i)
      place(hash_of(entries_[i].id), static_cast<std::uint32_t>(i + 1));
  }

  std::vector<Entry> entries_;
  std::vector<Bucket> index_;
  std::size_t mask_ = 0;
};

}  // namespace opd
