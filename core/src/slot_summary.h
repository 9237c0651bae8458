// Private: what the allocation paths ask of one doctor's day, in slot
// order, in a few contiguous words: the earliest slot with a free seat (at
// or after a position), the earliest with a WAITING token, and how many
// tokens wait in the slots before a position. Derived from the slots and
// never saved; the engine keeps it in step (Engine::State::sync_summary)
// and check_invariants() compares it with the slots.
//
// Answering from the slot records instead read one cache line per slot and
// ended a loop at whichever slot matched: the exit branch went either way
// at random, a misprediction per answer. Here the first two are a
// find-first-set and the third a sum of fixed-width masked blocks.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

namespace opd {

class SlotSummary {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // For `slots` positions, all without free seats or waiting tokens.
  void reset(std::uint32_t slots) {
    const std::size_t words = (std::size_t{slots} + 63) / 64;
    free_.assign(words, 0);
    waiting_.assign(words, 0);
    // Padded to whole blocks, so waiting_before() reads no bounds.
    counts_.assign((std::size_t{slots} + kBlock - 1) / kBlock * kBlock, 0);
    slots_ = slots;
  }

  // REQUIRES: position < slots. Branch-free: it runs on every seat change.
  void set(std::uint32_t position, bool has_free_seat, std::uint32_t waiting) noexcept {
    const std::size_t word = position / 64;
    const std::uint64_t bit = std::uint64_t{1} << (position % 64);
    free_[word] = (free_[word] & ~bit) | (bit * has_free_seat);
    waiting_[word] = (waiting_[word] & ~bit) | (bit * (waiting != 0));
    counts_[position] = waiting;
  }

  [[nodiscard]] std::uint32_t slots() const noexcept { return slots_; }
  // The first position >= from with a free seat / a WAITING token; kNone
  // when there is none.
  [[nodiscard]] std::uint32_t first_free(std::uint32_t from) const noexcept { return first_set(free_, from); }
  [[nodiscard]] std::uint32_t first_waiting(std::uint32_t from) const noexcept {
    return first_set(waiting_, from);
  }
  [[nodiscard]] bool has_free_seat(std::uint32_t position) const noexcept {
    return (free_[position / 64] >> (position % 64)) & 1U;
  }
  [[nodiscard]] std::uint32_t waiting(std::uint32_t position) const noexcept { return counts_[position]; }

  // WAITING tokens in the positions before `end`. REQUIRES: end <= slots.
  // Whole blocks of kBlock counts, masked: the block loop runs once for a
  // day of up to kBlock slots, whatever `end` is.
  [[nodiscard]] std::uint32_t waiting_before(std::uint32_t end) const noexcept {
    std::uint32_t sum = 0;
    for (std::uint32_t base = 0; base < end; base += kBlock)
      for (std::uint32_t i = 0; i < kBlock; ++i) sum += counts_[base + i] & (0U - (base + i < end));
    return sum;
  }

  friend bool operator==(const SlotSummary&, const SlotSummary&) = default;

 private:
  static constexpr std::uint32_t kBlock = 8;

  [[nodiscard]] static std::uint32_t first_set(const std::vector<std::uint64_t>& words,
                                               std::uint32_t from) noexcept {
    std::size_t word = from / 64;
    if (word >= words.size()) return kNone;
    std::uint64_t bits = words[word] & (~std::uint64_t{0} << (from % 64));
    while (bits == 0) {
      if (++word == words.size()) return kNone;
      bits = words[word];
    }
    return static_cast<std::uint32_t>(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
  }

  std::vector<std::uint64_t> free_;     // bit p: the slot at position p has a free seat (so is open)
  std::vector<std::uint64_t> waiting_;  // bit p: ... has a WAITING token
  std::vector<std::uint32_t> counts_;   // WAITING tokens per position; zero padding after slots_
  std::uint32_t slots_ = 0;
};

}  // namespace opd
