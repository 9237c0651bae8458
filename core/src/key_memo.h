// Private: a flat map from a non-zero 64-bit key to a small index, for the
// engine's memo of rejection reasons (reject_cached). Linear probing over a
// power-of-two array of (key, value) pairs: a hit costs one multiply and,
// almost always, one cache line, where std::unordered_map walks a node list.
// Only ever cleared whole, like IdTable.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <cstdint>
#include <vector>

namespace opd {

template <class Value>
class KeyMemo {
 public:
  // REQUIRES: key != 0 (0 marks an empty bucket).
  [[nodiscard]] const Value* find(std::uint64_t key) const noexcept {
    if (buckets_.empty()) return nullptr;
    for (std::size_t at = home(key);; at = (at + 1) & mask_) {
      const Bucket& b = buckets_[at];
      if (b.key == key) return &b.value;
      if (b.key == 0) return nullptr;
    }
  }

  // REQUIRES: key != 0 and not present.
  void insert(std::uint64_t key, Value value) {
    if ((size_ + 1) * 4 > buckets_.size() * 3) grow();
    place(key, value);
    ++size_;
  }

  void clear() noexcept {
    buckets_.clear();
    mask_ = 0;
    size_ = 0;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  struct Bucket {
    std::uint64_t key = 0;
    Value value{};
  };

  [[nodiscard]] std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask_;
  }

  void place(std::uint64_t key, Value value) noexcept {
    std::size_t at = home(key);
    while (buckets_[at].key != 0) at = (at + 1) & mask_;
    buckets_[at] = Bucket{key, value};
  }

  void grow() {
    std::vector<Bucket> old = std::move(buckets_);
    buckets_.assign(old.empty() ? 64 : old.size() * 2, Bucket{});
    mask_ = buckets_.size() - 1;
    for (const Bucket& b : old)
      if (b.key != 0) place(b.key, b.value);
  }

  std::vector<Bucket> buckets_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace opd
