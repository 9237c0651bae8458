// Private: a map from an id to the index of the record that holds it, for
// the doctor and slot lookups. The records keep their own ids, so the
// table keeps only (check, index) buckets and compares the id against the
// record's: a lookup reads one bucket and the record's id, which the
// caller goes on to use (IdTable, which keeps copies of its keys, read a
// control byte, an entry number, the entry and the key: four cache lines,
// on nearly every request). Open addressing, linear probing, at most half
// full; only ever cleared whole.
//
// Every call takes `id_of`: Index -> std::string_view, the id of record
// i. REQUIRES: it answers for every index inserted since the last clear.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "id_table.h"

namespace opd {

class RecordIndex {
 public:
  static constexpr std::uint32_t kNotFound = std::numeric_limits<std::uint32_t>::max();

  template <class IdOf>
  [[nodiscard]] std::uint32_t find(std::string_view id, const IdOf& id_of) const noexcept {
    if (buckets_.empty()) return kNotFound;
    const std::uint64_t hash = hash_id_text(id);
    const std::uint32_t check = check_of(hash);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Bucket b = buckets_[i];
      if (b.check == kEmpty) return kNotFound;
      if (b.check == check && same_id_text(id_of(b.index), id)) return b.index;
    }
  }

  // REQUIRES: find(id, id_of) == kNotFound, and id_of(index) == id.
  template <class IdOf>
  void insert(std::string_view id, std::uint32_t index, const IdOf& id_of) {
    if ((size_ + 1) * 2 > buckets_.size()) grow(id_of);
    place(hash_id_text(id), index);
    ++size_;
  }

  // Keeps the allocated buckets: a new service day refills them.
  void clear() noexcept {
    buckets_.assign(buckets_.size(), Bucket{});
    size_ = 0;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  struct Bucket {
    std::uint32_t check = 0;  // kEmpty, or 32 bits of the id's hash (never kEmpty)
    std::uint32_t index = 0;
  };
  static constexpr std::uint32_t kEmpty = 0;
  // The hash's high half: the low bits pick the bucket, so the check adds
  // independent bits, and a record's id is compared on a real match only
  // (but for one id pair in 2^31).
  static std::uint32_t check_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint32_t>(hash >> 32) | 1U;
  }
  static bool same_id_text(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && same_text(a.data(), b.data(), a.size());
  }

  void place(std::uint64_t hash, std::uint32_t index) noexcept {
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      if (buckets_[i].check == kEmpty) {
        buckets_[i] = Bucket{check_of(hash), index};
        return;
      }
    }
  }

  template <class IdOf>
  void grow(const IdOf& id_of) {
    const std::vector<Bucket> old = std::move(buckets_);
    buckets_.assign(old.empty() ? 16 : old.size() * 2, Bucket{});
    mask_ = buckets_.size() - 1;
    for (const Bucket& b : old)
      if (b.check != kEmpty) place(hash_id_text(id_of(b.index)), b.index);
  }

  std::vector<Bucket> buckets_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace opd
