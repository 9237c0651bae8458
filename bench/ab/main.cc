// scripts/core_ab.sh's driver: runs the two cores (A, B) on the same
// workload in one process, alternately, and prints each pair and the
// medians. One process and alternation put both under the same load of a
// shared machine, where separate runs minutes apart differ by 10-25%.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

extern "C" double opd_ab_run_a(int mode, std::size_t total);
extern "C" double opd_ab_run_b(int mode, std::size_t total);

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
}  // namespace

int main(int argc, char** argv) {
  // 0 rendered (apply), 1 quiet (apply_quietly), 2 in place (apply_in_place)
  const int mode = argc > 1 ? std::atoi(argv[1]) : 0;
  const int pairs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 12;
  const std::size_t total = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
  // Record both workloads and warm up before timing anything.
  if (opd_ab_run_a(mode, total) < 0 || opd_ab_run_b(mode, total) < 0) {
    std::fprintf(stderr, "an engine broke an invariant or diverged from its recording\n");
    return 1;
  }
  std::vector<double> a, b, ratio;
  int b_faster = 0;
  for (int i = 0; i < pairs; ++i) {
    double x, y;
    if (i % 2 == 0) {
      x = opd_ab_run_a(mode, total);
      y = opd_ab_run_b(mode, total);
    } else {
      y = opd_ab_run_b(mode, total);
      x = opd_ab_run_a(mode, total);
    }
    if (x < 0 || y < 0) {
      std::fprintf(stderr, "an engine broke an invariant or diverged from its recording\n");
      return 1;
    }
    a.push_back(x);
    b.push_back(y);
    ratio.push_back(x / y);
    b_faster += x > y;
    std::printf("pair %2d: A %6.1f ns  B %6.1f ns  A/B %.3f\n", i + 1, x, y, x / y);
  }
  std::printf("%s, %zu requests, %d pairs: median A %.1f ns, B %.1f ns per request; median A/B %.3f "
              "(above 1: B faster); B faster in %d of %d\n",
              mode == 0 ? "rendered (apply)" : mode == 1 ? "quiet (apply_quietly)" : "in place (apply_in_place)", total, pairs, median(a), median(b),
              median(ratio), b_faster, pairs);
  return 0;
}
