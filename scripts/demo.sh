#!/usr/bin/env bash
# README command 1: installs missing packages, builds the release preset
# and runs the main job: the worker on its embedded default schedule (the
# example in deploy/), and one simulated OPD day against it over ZeroMQ
# (several doctors, every kind of patient, a doctor who arrives late,
# cancellations, the desks calling patients), printed as it happens and
# summarised per doctor and slot. Extra arguments go to
# `opd-producer simulate` (e.g. --seed 7, --quiet, --json day.json).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)" --target opd-worker opd-producer

# A fresh data dir and private ipc endpoints: every run is the same day
# and nothing else on the machine can collide with it.
run_dir="$(mktemp -d -t opd-demo.XXXXXX)"
worker_pid=""
cleanup() {
  if [[ -n "${worker_pid}" ]] && kill -0 "${worker_pid}" 2>/dev/null; then
    kill -TERM "${worker_pid}" && wait "${worker_pid}" || true
  fi
  rm -rf "${run_dir}"
}
trap cleanup EXIT

endpoints=(--requests "ipc://${run_dir}/requests" --events "ipc://${run_dir}/events"
           --queries "ipc://${run_dir}/queries")
./build/release/worker/opd-worker "${endpoints[@]}" --data-dir "${run_dir}/data" \
  --log-level warn &
worker_pid=$!

# The simulator waits for the worker itself (bounded by --timeout) and
# checks at the end that its summary equals the worker's own report.
./build/release/producer/tools/opd-producer simulate "${endpoints[@]}" "$@"
