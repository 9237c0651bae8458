#!/usr/bin/env bash
# README command 2 (and what CI runs): installs missing packages, then
# configures, builds and runs every ctest test in the release preset and in
# the asan preset (Debug + AddressSanitizer + UndefinedBehaviorSanitizer).
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh

jobs="$(nproc)"
# Sanitizer findings must fail the run, with a stack to act on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for preset in release asan; do
  echo "== ${preset}: configure"
  cmake --preset "${preset}"
  echo "== ${preset}: build"
  cmake --build --preset "${preset}" -j "${jobs}"
  echo "== ${preset}: test"
  ctest --preset "${preset}"
done
echo "== all tests passed in the release and asan builds"
