#!/usr/bin/env bash
# Quick start, part 1: installs what Shoal needs, builds the drop-in archive, links the example
# TLV parser (examples/tlv/) against it exactly as a libFuzzer user would, and fuzzes it until
# the planted stack-buffer-overflow is found. Extra arguments go to the fuzzer (e.g. -seed=1).
set -euo pipefail
cd "$(dirname "$0")/.."

third_party/install_system_packages.sh
bazel build //:libshoal >&2

work=$(mktemp -d /tmp/shoal-example.XXXXXX)
clang++ -g -O1 -fsanitize=fuzzer-no-link,address examples/tlv/tlv_parser.cc bazel-bin/libshoal.a \
  -o "$work/tlv_parser"
cp -r examples/tlv/corpus "$work/corpus"
echo "Fuzzing $work/tlv_parser (corpus and artifacts in $work)" >&2
cd "$work"
status=0
./tlv_parser -max_total_time=300 -print_final_stats=1 "$@" corpus || status=$?
if ls crash-* >/dev/null 2>&1; then
  echo "Found the planted bug: $work/$(ls crash-* | head -n 1) (exit code $status)" >&2
  exit 0
fi
echo "The planted bug was not found within the time budget (exit code $status)" >&2
exit 1
