#!/usr/bin/env bash
# README command 1: installs missing packages, builds the release preset
# and runs the main job: one simulated OPD day (several doctors, every kind
# of patient, a late doctor, cancellations, the desks calling patients)
# against the allocator, printed as it happens and summarised per doctor
# and slot. Extra arguments go to the simulator (e.g. --seed 7, --quiet).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)" --target opd-core-day
exec ./build/release/producer/opd-core-day "$@"
