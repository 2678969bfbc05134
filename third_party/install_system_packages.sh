#!/usr/bin/env bash
# Installs the Debian 12 packages Shoal builds and tests with (Bazel 4.2.3, clang 14 and its
# sanitizer/libFuzzer runtimes, lld, protobuf, GoogleTest; AFL++ and header-only parsers for
# the benchmarks; matplotlib for tools/shoal-report and Chromium for its rendering test).
# Idempotent and instant when everything is present. Needs root or sudo.
set -euo pipefail

packages=(bazel-bootstrap clang libclang-rt-14-dev lld protobuf-compiler libprotobuf-dev
          libgtest-dev binutils python3 afl++ nlohmann-json3-dev rapidjson-dev libstb-dev
          python3-matplotlib chromium)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install_system_packages: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
