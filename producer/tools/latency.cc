#include "producer/tools/latency.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace opd::tools {

// Values below kSub have a bucket each; above, each power of two [2^k,
// 2^(k+1)) is split into kSub equal buckets.
int LatencyHistogram::index_of(std::uint64_t value) noexcept {
  if (value < kSub) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBits;
  const auto sub = static_cast<int>((value >> shift) & (kSub - 1));
  return (shift + 1) * kSub + sub;
}

std::uint64_t LatencyHistogram::upper_edge(int index) noexcept {
  if (index < kSub) return static_cast<std::uint64_t>(index);
  const int shift = index / kSub - 1;
  const auto sub = static_cast<std::uint64_t>(index % kSub);
  return ((std::uint64_t{kSub} + sub + 1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t nanos) noexcept {
  const auto value = static_cast<std::uint64_t>(std::max<std::int64_t>(nanos, 0));
  ++buckets_[static_cast<std::size_t>(index_of(value))];
  ++count_;
  max_ = std::max(max_, static_cast<std::int64_t>(value));
  sum_ += static_cast<long double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::int64_t LatencyHistogram::percentile(double fraction) const noexcept {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank)
      return std::min(static_cast<std::int64_t>(upper_edge(static_cast<int>(i))), max_);
  }
  return max_;
}

}  // namespace opd::tools
