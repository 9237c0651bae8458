#include <numeric>

#include "opd/core/outcome.h"

namespace opd {

Tally& Tally::operator+=(const Tally& other) noexcept {
  allocated += other.allocated;
  displaced += other.displaced;
  moved_in += other.moved_in;
  waitlisted += other.waitlisted;
  cancelled += other.cancelled;
  served += other.served;
  no_shows += other.no_shows;
  for (std::size_t i = 0; i < rejected.size(); ++i) rejected[i] += other.rejected[i];
  return *this;
}

std::uint32_t Tally::rejected_total() const noexcept {
  return std::accumulate(rejected.begin(), rejected.end(), std::uint32_t{0});
}

}  // namespace opd
