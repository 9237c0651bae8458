// A latency histogram with bounded relative error (log-linear buckets, as
// HdrHistogram does): constant memory however many samples, percentiles
// within 1/128 of the true value, the maximum exact.
#pragma once

#include <array>
#include <cstdint>

namespace opd::tools {

class LatencyHistogram {
 public:
  void record(std::int64_t nanos) noexcept;
  void merge(const LatencyHistogram& other) noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::int64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  // The value at or below which `fraction` (0..1) of the samples lie: the
  // upper edge of that sample's bucket, capped at the exact maximum.
  [[nodiscard]] std::int64_t percentile(double fraction) const noexcept;

 private:
  static constexpr int kSubBits = 7;  // 128 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSub;
  [[nodiscard]] static int index_of(std::uint64_t value) noexcept;
  [[nodiscard]] static std::uint64_t upper_edge(int index) noexcept;

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace opd::tools
