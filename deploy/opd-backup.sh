#!/usr/bin/env bash
# opd-backup: a consistent copy of an opd-worker data directory, taken while
# the worker runs (or not). See docs/operations.md, "Backups".
#
# Why a plain copy of the directory is not enough: the worker removes
# snapshots and journal segments as newer snapshots cover them, and appends
# to the last segment while it is read. Why this copy is consistent:
# snapshot files never change once renamed into place; segments are only
# appended to; and every record after a snapshot is in the segments from the
# one holding the record after it. So: take the snapshots first, then those
# segments. Records written meanwhile land in the last segment taken (at
# worst cut in the middle: the restoring worker truncates that torn record
# with a warning) or in a later segment that is not taken: the copy is the
# worker's state at some moment during the backup, with every request
# acknowledged before it began.
#
# The files are first pinned with hard links in a directory next to the
# data directory (same filesystem; a few microseconds per file), so the
# worker cannot remove them during the slow copy that follows. If a file
# vanishes between listing and linking, the pinning starts over; if hard
# links are impossible (another filesystem), the files are copied directly,
# starting over when one vanishes.
set -euo pipefail

usage() {
  cat <<'TEXT'
Usage: opd-backup DATA_DIR DEST_DIR
Copies the opd-worker data directory DATA_DIR to DEST_DIR (which must not
exist) so that a worker started on DEST_DIR recovers the state of DATA_DIR at
a moment during the copy, including every request acknowledged before the
copy began. Safe while the worker runs: no need to stop it. Copies the
snapshots, the journal segments after the oldest snapshot, and the closed
days' reports; never the LOCK file. DEST_DIR is created with mode 0700 and
appears only once complete (the copy is built as DEST_DIR.partial-PID).

It first pins the files with hard links in a directory next to DATA_DIR
(removed afterwards); set OPD_BACKUP_NO_LINKS=1 to copy them directly
instead (retried when the worker removes a file under the copy).

Restore: stop the worker, move its data directory aside, put DEST_DIR in its
place (owned by the worker's user), start the worker. It logs the seq it
recovered to; a torn last record is truncated with a warning naming it.

  -h, --help     print this help and exit

Exit status: 0 on success, 1 if the copy failed, 2 for bad arguments.
TEXT
}

die() {
  echo "opd-backup: $*" >&2
  exit 1
}

if [[ $# -eq 1 && ( "$1" == "-h" || "$1" == "--help" ) ]]; then
  usage
  exit 0
fi
if [[ $# -ne 2 ]]; then
  echo "opd-backup: expected DATA_DIR DEST_DIR" >&2
  echo "Try 'opd-backup --help'." >&2
  exit 2
fi
src=${1%/}
dest=${2%/}
[[ -d "$src" ]] || die "$src: not a directory"
[[ -e "$dest" ]] && die "$dest: already exists"

# The seq in a file name: journal-<20 digits>.log, snapshot-<20 digits>.snap.
seq_of() {
  local name=${1##*/}
  name=${name#*-}
  name=${name%.*}
  echo $((10#$name))
}

# One attempt at taking the files into $1 with `$2` (ln or cp); returns
# non-zero when a file vanished or the listing raced with the worker.
take_once() {
  local into=$1 take=$2
  local snapshots=() journals=()
  shopt -s nullglob
  snapshots=("$src"/snapshot-*.snap)  # sorted: the names are zero-padded
  journals=("$src"/journal-*.log)
  shopt -u nullglob

  # Replay needs the records after the oldest snapshot kept (so the copy
  # also restores if the newest snapshot turns out damaged).
  local base=0
  if [[ ${#snapshots[@]} -gt 0 ]]; then
    base=$(seq_of "${snapshots[0]}")
    $take -- "${snapshots[@]}" "$into/" || return 1
  fi
  # The segment holding record base+1 is the last one starting at or
  # before it; every later segment follows.
  local start=-1 i
  for i in "${!journals[@]}"; do
    if (( $(seq_of "${journals[$i]}") <= base + 1 )); then start=$i; fi
  done
  if [[ ${#journals[@]} -gt 0 ]]; then
    # Segments exist but none holds base+1: they changed under the listing.
    (( start >= 0 )) || return 1
    $take -- "${journals[@]:$start}" "$into/" || return 1
  fi
  return 0
}

# Closed days' reports are written once (renamed into place) and never
# removed: a plain copy.
copy_reports() {
  local into=$1
  [[ -d "$src/reports" ]] || return 0
  mkdir -p -- "$into/reports"
  shopt -s nullglob
  local reports=("$src"/reports/*.json)
  shopt -u nullglob
  [[ ${#reports[@]} -eq 0 ]] || cp --preserve=mode,timestamps -- "${reports[@]}" "$into/reports/"
}

umask 077
real_src=$(realpath -- "$src")
stage="$(dirname -- "$real_src")/.$(basename -- "$real_src").opd-backup-$$"
partial="$dest.partial-$$"
trap 'rm -rf -- "$stage" "$partial" "$partial.err"' EXIT
mkdir -p -- "$partial"

taken=""
# Pin with hard links; many tries, each takes well under a millisecond.
# OPD_BACKUP_NO_LINKS=1 skips this (nothing is written next to the data
# directory; the tests use it to exercise the copying path).
tries=50
[[ "${OPD_BACKUP_NO_LINKS:-0}" == "1" ]] && tries=0
for attempt in $(seq 1 $tries); do
  rm -rf -- "$stage"
  mkdir -- "$stage" 2>/dev/null || break  # cannot write next to the data directory
  if take_once "$stage" "ln" 2>"$partial.err"; then
    # Pinned: now the slow copy, with nothing left to race.
    if [[ -n "$(ls -A -- "$stage")" ]]; then
      cp --preserve=mode,timestamps -- "$stage"/* "$partial/" || die "cannot copy into $partial"
    fi
    taken="pinned with hard links, attempt $attempt"
    break
  fi
  # ln across filesystems (EXDEV) is not a race: go straight to copying.
  grep -q "Invalid cross-device link\|Operation not permitted" "$partial.err" && break
done
rm -rf -- "$stage"
if [[ -z "$taken" ]]; then
  for attempt in 1 2 3; do
    rm -rf -- "$partial"
    mkdir -p -- "$partial"
    if take_once "$partial" "cp --preserve=mode,timestamps" 2>"$partial.err"; then
      taken="copied, attempt $attempt"
      break
    fi
    echo "opd-backup: attempt $attempt: the data directory changed under the copy: $(cat -- "$partial.err")" >&2
  done
fi
[[ -n "$taken" ]] || die "the data directory kept changing under the copy; try again, or stop the worker first"
copy_reports "$partial" || die "cannot copy $src/reports"
rm -f -- "$partial.err"
sync -f "$partial" 2>/dev/null || sync
mv -- "$partial" "$dest"
trap - EXIT
echo "opd-backup: copied $src to $dest ($taken)"
