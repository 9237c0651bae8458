#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and tests with, and
# only those that are missing: quick and silent when everything is there.
# Runs apt-get as root, through sudo when run by another user.
# OPD_SKIP_DEPS=1 skips it (for a machine that is not Debian but has the
# dependencies some other way).
set -euo pipefail

packages=(
  build-essential     # g++ 12, make
  cmake               # 3.25
  ninja-build
  pkg-config
  libzmq3-dev         # libzmq
  cppzmq-dev          # zmq.hpp, CMake target cppzmq
  libmsgpack-cxx-dev  # msgpack-cxx (header-only)
  libspdlog-dev
  nlohmann-json3-dev
  catch2              # 2.13: catch2/catch.hpp, Catch2::Catch2WithMain
  systemd             # systemd-analyze: tests/security verifies deploy/'s unit
)

if [[ "${OPD_SKIP_DEPS:-0}" == "1" ]]; then
  echo "deps: skipped (OPD_SKIP_DEPS=1)"
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: this is not a Debian system; install the equivalents of: ${packages[*]}" >&2
  echo "deps: then run again with OPD_SKIP_DEPS=1" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)"
  [[ "$status" == ii* ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
