#!/usr/bin/env bash
# Same-process A/B timing of the core: the core at REV (A) against the
# working tree's (B), on the core bench's workload, in alternating pairs
# in one process (bench/ab). Timing on this shared VM varies by 10-25%
# between runs minutes apart; within one process, alternating, a change of
# ~3% shows in most pairs.
#
#   scripts/core_ab.sh REV [PAIRS] [MODE]
#     REV    a git revision (the baseline)
#     PAIRS  alternating pairs, default 12
#     MODE   rendered (apply, default), quiet (apply_quietly) or inplace
#            (apply_in_place, which REV must have too)
#
# Builds with g++ -O3 -DNDEBUG, as the release preset does, outside CMake.
# REV needs the engine API its own bench/workload.h reads (any revision
# since 4776dff); each side is built with its own bench/ when it has one.
set -euo pipefail
rev=${1:?usage: scripts/core_ab.sh REV [PAIRS] [rendered|quiet|inplace]}
pairs=${2:-12}
case ${3:-rendered} in
  rendered) mode=0 ;;
  quiet) mode=1 ;;
  inplace) mode=2 ;;
  *) echo "mode: rendered, quiet or inplace" >&2; exit 2 ;;
esac
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
cleanup() {
  git -C "$root" worktree remove --force "$work/a" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$root" worktree add --detach "$work/a" "$rev" >/dev/null 2>&1

# compile SIDE TREE: the tree's core and bench/ab/run_one.cc, with `opd`
# renamed so that both sides link into one binary.
compile() {
  local side=$1 tree=$2 pids=()
  mkdir -p "$work/$side"
  # Each side reads its answers with its own tree's bench/workload.h (the
  # answer API may differ); the workload it generates must not.
  local bench="$root/bench"
  [ -f "$tree/bench/ab/run_one.cc" ] && bench="$tree/bench"
  for source in "$tree"/core/src/*.cc "$bench/ab/run_one.cc"; do
    g++ -std=c++20 -O3 -DNDEBUG -Dopd=opd_ab_$side -DOPD_AB_RUN=opd_ab_run_$side \
      -I"$tree/core/include" -I"$tree/core/src" -I"$bench" \
      -c "$source" -o "$work/$side/$(basename "$source" .cc).o" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
}
compile a "$work/a"
compile b "$root"
g++ -std=c++20 -O3 "$root/bench/ab/main.cc" "$work"/a/*.o "$work"/b/*.o -o "$work/core_ab"
echo "A: $(git -C "$root" rev-parse --short "$rev")  B: working tree ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ', modified'))"
"$work/core_ab" "$mode" "$pairs"
