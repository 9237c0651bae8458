// Private: what the allocation paths ask of one doctor's day, in slot
// order, in one small array: the earliest slot with a free seat (at
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

#include <algorithm>
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
    words_ = (slots + 31) / 32;
    // Counts padded to whole blocks, so waiting_before() reads no bounds.
    data_.assign(2 * std::size_t{words_} + (std::size_t{slots} + kBlock - 1) / kBlock * kBlock, 0);
    slots_ = slots;
  }

  // REQUIRES: position < slots. Branch-free: it runs on every seat change.
  void set(std::uint32_t position, bool has_free_seat, std::uint32_t waiting) noexcept {
    const std::size_t word = position / 32;
    const std::uint32_t bit = std::uint32_t{1} << (position % 32);
    auto& free = data_[word];
    auto& waits = data_[words_ + word];
    free = (free & ~bit) | (bit * has_free_seat);
    waits = (waits & ~bit) | (bit * (waiting != 0));
    counts()[position] = waiting;
  }

  [[nodiscard]] std::uint32_t slots() const noexcept { return slots_; }
  // The first position >= from with a free seat / a WAITING token; kNone
  // when there is none.
  [[nodiscard]] std::uint32_t first_free(std::uint32_t from) const noexcept { return first_set(0, from); }
  [[nodiscard]] std::uint32_t first_waiting(std::uint32_t from) const noexcept { return first_set(words_, from); }
  [[nodiscard]] bool has_free_seat(std::uint32_t position) const noexcept {
    return (data_[position / 32] >> (position % 32)) & 1U;
  }
  [[nodiscard]] std::uint32_t waiting(std::uint32_t position) const noexcept { return counts()[position]; }

  // WAITING tokens in the positions before `end`. REQUIRES: end <= slots.
  // Whole blocks of kBlock counts, masked: the block loop runs once for a
  // day of up to kBlock slots, whatever `end` is.
  [[nodiscard]] std::uint32_t waiting_before(std::uint32_t end) const noexcept {
    const std::uint32_t* count = counts();
    // Lane sums, added up once at the end: per-lane work the compiler
    // turns into a few vector operations per block.
    std::uint32_t lanes[kBlock] = {};
    for (std::uint32_t base = 0; base < end; base += kBlock) {
      // The first min(end - base, kBlock) lanes set.
      const std::uint32_t* mask = kLanes + (kBlock - std::min(end - base, kBlock));
      const std::uint32_t* block = count + base;
      for (std::size_t i = 0; i < kBlock; ++i) lanes[i] += block[i] & mask[i];
    }
    std::uint32_t sum = 0;
    for (const std::uint32_t lane : lanes) sum += lane;
    return sum;
  }

  friend bool operator==(const SlotSummary&, const SlotSummary&) = default;

 private:
  static constexpr std::uint32_t kBlock = 8;
  // kBlock lanes set, then kBlock clear: masks for the first 0..kBlock lanes.
  static constexpr std::uint32_t kLanes[2 * kBlock] = {~0U, ~0U, ~0U, ~0U, ~0U, ~0U, ~0U, ~0U,
                                                       0,   0,   0,   0,   0,   0,   0,   0};

  [[nodiscard]] std::uint32_t* counts() noexcept { return data_.data() + 2 * std::size_t{words_}; }
  [[nodiscard]] const std::uint32_t* counts() const noexcept { return data_.data() + 2 * std::size_t{words_}; }

  // The first set bit at or after `from` in the bit set starting at
  // data_[first_word].
  [[nodiscard]] std::uint32_t first_set(std::uint32_t first_word, std::uint32_t from) const noexcept {
    std::uint32_t word = from / 32;
    if (word >= words_) return kNone;
    std::uint32_t bits = data_[first_word + word] & (~std::uint32_t{0} << (from % 32));
    while (bits == 0) {
      if (++word == words_) return kNone;
      bits = data_[first_word + word];
    }
    return word * 32 + static_cast<std::uint32_t>(std::countr_zero(bits));
  }

  // One allocation, so that a doctor's summary is one or two cache lines:
  // [0, words_) bit p: the slot at position p has a free seat (so is open);
  // [words_, 2 words_) bit p: ... has a WAITING token;
  // then WAITING tokens per position, zero padded to whole blocks.
  std::vector<std::uint32_t> data_;
  std::uint32_t words_ = 0;
  std::uint32_t slots_ = 0;
};

}  // namespace opd
