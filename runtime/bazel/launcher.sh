#!/usr/bin/env bash
# Runs a Shoal fuzz target for Bazel (see runtime/bazel/defs.bzl), in one of two modes:
#   regression (bazel test):  every seed file once, in reproduce mode; exit non-zero (with
#                             the crash report) if any seed crashes;
#   fuzz (bazel run):         fuzzing, with the seeds, the dictionaries and a writable corpus
#                             in $BUILD_WORKING_DIRECTORY (or $FUZZER_OUTPUT_ROOT).
# Usage: launcher.sh BINARY [SEED_FILE...] [-- FLAGS...]  (bazel run passes extra args after).
# rules_fuzzing's launcher variables take precedence when set: FUZZER_BINARY,
# FUZZER_IS_REGRESSION, FUZZER_SEED_CORPUS_DIR, FUZZER_OUTPUT_ROOT, FUZZER_OUTPUT_CORPUS_DIR,
# FUZZER_TIMEOUT_SECS, FUZZER_DICTIONARY_PATH.
# Worker processes when fuzzing: SHOAL_WORKERS=N or SHOAL_WORKERS=auto (set by the macro's
# `workers` attribute, or in the environment) adds -workers=N before the flags, and the flag
# -workers=auto becomes -workers=<CPU cores this process may run on> (`nproc`); an explicit
# -workers=N among the flags wins, since the last one counts. Any other value is one error
# line and exit code 1 (the binary itself would read it as 0, in-process, as libFuzzer does).
set -euo pipefail

binary="${1:?usage: launcher.sh BINARY [SEED_FILE...] [FLAGS...]}"
shift

# The number of worker processes that `value` ("auto" or a count) asks for; exits on a bad one.
worker_count() {
  local value="$1" what="$2"
  if [[ "$value" == auto ]]; then
    nproc
  elif [[ "$value" =~ ^[0-9]+$ ]]; then
    echo "$((10#$value))"
  else
    echo "shoal: $what=$value: give a number of worker processes or 'auto' (one per CPU core)" >&2
    exit 1
  fi
}

seeds=()
flags=()
if [[ -n "${SHOAL_WORKERS:-}" ]]; then
  flags+=("-workers=$(worker_count "$SHOAL_WORKERS" SHOAL_WORKERS)")
fi
for arg in "$@"; do
  if [[ "$arg" == -workers=* ]]; then
    flags+=("-workers=$(worker_count "${arg#-workers=}" -workers)")
  elif [[ "$arg" == -* ]]; then
    flags+=("$arg")
  else
    seeds+=("$arg")
  fi
done
binary="${FUZZER_BINARY:-$binary}"
mode="${SHOAL_MODE:-fuzz}"
if [[ -n "${FUZZER_IS_REGRESSION:-}" ]]; then
  (( FUZZER_IS_REGRESSION )) && mode=regression || mode=fuzz
fi

if [[ "$mode" == regression ]]; then
  inputs=("${seeds[@]}")
  if [[ -n "${FUZZER_SEED_CORPUS_DIR:-}" ]]; then
    while IFS= read -r -d '' file; do inputs+=("$file"); done \
      < <(find "$FUZZER_SEED_CORPUS_DIR" -type f -print0 | sort -z)
  fi
  if [[ ${#inputs[@]} -eq 0 ]]; then
    echo "shoal: no seed inputs; running the empty input only" >&2
    exec "$binary" -runs=1 "${flags[@]}"
  fi
  # Reproduce mode: each seed once; a crash fails the test with the report.
  exec "$binary" -runs=1 "${flags[@]}" "${inputs[@]}"
fi

output_root="${FUZZER_OUTPUT_ROOT:-${BUILD_WORKING_DIRECTORY:-$PWD}/shoal-$(basename "$binary")}"
corpus_dir="${FUZZER_OUTPUT_CORPUS_DIR:-$output_root/corpus}"
mkdir -p "$corpus_dir" "$output_root/artifacts"
args=("-artifact_prefix=$output_root/artifacts/")
[[ -n "${FUZZER_TIMEOUT_SECS:-}" ]] && args+=("-max_total_time=$FUZZER_TIMEOUT_SECS")
dicts="${FUZZER_DICTIONARY_PATH:-${SHOAL_DICTS:-}}"
for dict in $dicts; do args+=("-dict=$dict"); break; done  # libFuzzer takes one -dict
seed_dir=""
if [[ -n "${FUZZER_SEED_CORPUS_DIR:-}" ]]; then
  seed_dir="$FUZZER_SEED_CORPUS_DIR"
elif [[ ${#seeds[@]} -gt 0 ]]; then
  seed_dir="$output_root/seeds"
  mkdir -p "$seed_dir"
  cp -f "${seeds[@]}" "$seed_dir/"
fi
echo "shoal: corpus in $corpus_dir, artifacts in $output_root/artifacts" >&2
exec "$binary" "${args[@]}" "${flags[@]}" "$corpus_dir" ${seed_dir:+"$seed_dir"}
