#!/usr/bin/env bash
# Planted bugs that need more than libFuzzer's search: executions and seconds each engine needs
# to find each one, median over the seeds, Shoal vs libFuzzer 14 vs AFL++ with CmpLog
# (afl-clang-fast++ builds, AFL_LLVM_CMPLOG=1 for the -c binary, afl-fuzz -l 2AT, AFL++'s
# libFuzzer driver). Two sets: SET=float (tests/harnesses/float_*.cc: float compares) and
# SET=i2s (tests/harnesses/i2s_*.cc: transformed compares, magic values that must hold at
# once, checksum-protected records). Writes bench/results/<stamp>-<set>.tsv (raw) and
# -<set>.md (table, also printed). See docs/benchmarks.md.
#
# Usage: SET=i2s bench/planted_bugs.sh   (bench/float_bugs.sh is SET=float)
# Knobs (environment): SEEDS (default "1 2 3 4 5"), BUG_TIME (cap per run in s, default 60),
#   BUG_RUNS (-runs cap for Shoal and libFuzzer, default 100000000), ENGINES (default
#   "shoal libfuzzer aflpp"), ONLY (harness names), NICE (default 10), KEEP_WORK=1, WORK,
#   SHOAL_LIB (a libshoal.a with libshoal_runtime.o beside it; default bazel-bin's),
#   SHOAL_FLAGS (extra flags for the Shoal runs, e.g. "-input_to_state=0" for an A/B run).
set -euo pipefail

BENCH_SCRIPT=bench/planted_bugs.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ nice awk sort date timeout grep sed sha256sum; do need "$tool"; done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
SHOAL_A="${SHOAL_LIB:-$ROOT/bazel-bin/libshoal.a}"
SHOAL_O="$(dirname "$SHOAL_A")/libshoal_runtime.o"
[[ -f "$SHOAL_A" && -f "$SHOAL_O" ]] ||
  die "$SHOAL_A or $SHOAL_O missing: run 'cd $ROOT && bazel build //:libshoal' first"
INVOCATION="$(invocation_line SET SEEDS BUG_TIME BUG_RUNS ENGINES ONLY NICE SHOAL_LIB SHOAL_FLAGS)"
SET="${SET:-float}"
read -r -a SHOAL_EXTRA <<<"${SHOAL_FLAGS:-}"
SEEDS="${SEEDS:-1 2 3 4 5}"
BUG_TIME="${BUG_TIME:-60}"
BUG_RUNS="${BUG_RUNS:-100000000}"
read -r -a ENGINE_LIST <<<"${ENGINES:-shoal libfuzzer aflpp}"
NICE="${NICE:-10}"
CXXFLAGS_COMMON=(-O2 -g)

# name -> source in tests/harnesses and extra flags (the same builds as tests/BUILD.bazel).
declare -A SRC EXTRA
case "$SET" in
  float)
    SRC=([float_double_eq]=float_double_eq.cc [float_double_neg_be]=float_double_eq.cc
         [float_float_eq]=float_float_eq.cc [float_range]=float_range.cc
         [float_strtod]=float_strtod.cc)
    EXTRA=([float_double_neg_be]="-DFLOAT_TEST_CONSTANT=-1234.5625 -DFLOAT_TEST_BIG_ENDIAN")
    BUGS=(float_double_eq float_double_neg_be float_float_eq float_range float_strtod) ;;
  i2s)
    BUGS=()
    i2s_bug() { SRC[$1]=$2; EXTRA[$1]=$3; BUGS+=("$1"); }
    i2s_bug i2s_muladd i2s_transform.cc -DI2S_MODE=1
    i2s_bug i2s_xor i2s_transform.cc -DI2S_MODE=2
    i2s_bug i2s_decimal i2s_transform.cc -DI2S_MODE=5
    i2s_bug i2s_affine64 i2s_transform.cc -DI2S_MODE=7
    i2s_bug i2s_even i2s_transform.cc -DI2S_MODE=8
    i2s_bug i2s_pair i2s_combined.cc -DI2S_MODE=1
    i2s_bug i2s_triple i2s_combined.cc -DI2S_MODE=2
    i2s_bug i2s_or_xor i2s_combined.cc -DI2S_MODE=3
    i2s_bug i2s_crc32 i2s_checksum.cc -DI2S_MODE=1
    i2s_bug i2s_adler32 i2s_checksum.cc -DI2S_MODE=2
    i2s_bug i2s_sum16 i2s_checksum.cc -DI2S_MODE=3 ;;
  *) die "SET must be float or i2s, got '$SET'" ;;
esac
if [[ -n "${ONLY:-}" ]]; then
  kept=(); for h in "${BUGS[@]}"; do [[ " $ONLY " == *" $h "* ]] && kept+=("$h"); done
  BUGS=("${kept[@]}")
fi

STAMP="$(date +%Y-%m-%d_%H%M%S)"
mkdir -p "$BENCH/results"
TSV="$BENCH/results/$STAMP-$SET.tsv"
MD="$BENCH/results/$STAMP-$SET.md"
WORK="${WORK:-$(mktemp -d /tmp/shoal-$SET-bench.XXXXXX)}"
mkdir -p "$WORK"/{bin,obj,logs,artifacts,shoal,afl}
[[ "${KEEP_WORK:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT
snapshot_runtime

# ---------------------------------------------------------------- build
AFL_SETUP=ok
build() {
  local h="$1" src="$ROOT/tests/harnesses/${SRC[$1]}" extra
  read -r -a extra <<<"${EXTRA[$1]:-}"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" "${extra[@]}" -fsanitize=fuzzer-no-link -c \
    "$src" -o "$WORK/obj/$h.o" || die "compiling $src failed"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer-no-link "$WORK/obj/$h.o" \
    "$WORK/shoal/libshoal.a" -o "$WORK/bin/$h.shoal" || die "linking $h with Shoal failed"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer "$WORK/obj/$h.o" \
    -o "$WORK/bin/$h.libfuzzer" || die "linking $h with libFuzzer failed"
  if [[ " ${ENGINE_LIST[*]} " == *" aflpp "* ]]; then
    if ! command -v afl-clang-fast++ >/dev/null || ! command -v afl-fuzz >/dev/null; then
      AFL_SETUP="afl-clang-fast++ or afl-fuzz not in PATH"; return
    fi
    AFL_QUIET=1 nice -n "$NICE" afl-clang-fast++ "${CXXFLAGS_COMMON[@]}" "${extra[@]}" \
      -fsanitize=fuzzer "$src" -o "$WORK/bin/$h.aflpp" >"$WORK/logs/build.$h.aflpp" 2>&1 ||
      AFL_SETUP="afl-clang-fast++ failed on $h (see $WORK/logs/build.$h.aflpp)"
    AFL_LLVM_CMPLOG=1 AFL_QUIET=1 nice -n "$NICE" afl-clang-fast++ "${CXXFLAGS_COMMON[@]}" \
      "${extra[@]}" -fsanitize=fuzzer "$src" -o "$WORK/bin/$h.aflpp-cmplog" \
      >"$WORK/logs/build.$h.cmplog" 2>&1 ||
      AFL_SETUP="AFL_LLVM_CMPLOG=1 afl-clang-fast++ failed on $h (see $WORK/logs/build.$h.cmplog)"
  fi
}
log "building ${#BUGS[@]} harnesses in $WORK"
for h in "${BUGS[@]}"; do build "$h"; done
[[ "$AFL_SETUP" == ok ]] || log "WARNING: AFL++ not measured: $AFL_SETUP"

now_ns() { date +%s%N; }
stat_of() {
  local v; v="$(grep -a "^stat::$2:" "$1" | awk '$2 + 0 > m || !n { m = $2 + 0; n = 1 } END { if (n) print m }')"
  echo "${v:-NA}"
}

printf 'harness\tengine\tseed\tstatus\texecs\twall_s\texit_code\n' >"$TSV"

# run HARNESS ENGINE SEED: empty corpus (AFL++: one file "A"), stop at the first crash or at
# the cap; found = the planted abort() was reported.
run() {
  local h="$1" e="$2" s="$3" logf="$WORK/logs/$1.$2.$3.log" t0 t1 rc=0 status execs
  t0=$(now_ns)
  if [[ "$e" == aflpp ]]; then
    local in="$WORK/afl/in" out="$WORK/afl/$h.$s"
    mkdir -p "$in"; printf 'A' >"$in/a"; rm -rf "$out"
    AFL_BENCH_UNTIL_CRASH=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      AFL_NO_AFFINITY=1 AFL_NO_UI=1 nice -n "$NICE" timeout -k 5 $(( BUG_TIME + 60 )) \
      afl-fuzz -i "$in" -o "$out" -s "$s" -V "$BUG_TIME" -c "$WORK/bin/$h.aflpp-cmplog" -l 2AT \
      -- "$WORK/bin/$h.aflpp" >"$logf" 2>&1 || rc=$?
    execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$out/default/fuzzer_stats" 2>/dev/null || true)
    execs=${execs:-NA}
    if compgen -G "$out/default/crashes/id:*" >/dev/null; then status=found
    elif [[ "$execs" != NA ]]; then status=not_found
    else status=engine_error; fi
  else
    local extra=()
    [[ "$e" == shoal ]] && extra=(${SHOAL_EXTRA[@]+"${SHOAL_EXTRA[@]}"})
    nice -n "$NICE" timeout -k 5 $(( BUG_TIME + 60 )) "$WORK/bin/$h.$e" -seed="$s" \
      -runs="$BUG_RUNS" -max_total_time="$BUG_TIME" -print_final_stats=1 \
      -artifact_prefix="$WORK/artifacts/$h.$e.$s." ${extra[@]+"${extra[@]}"} \
      >"$logf" 2>&1 || rc=$?
    execs=$(stat_of "$logf" number_of_executed_units)
    if grep -aq 'ERROR: libFuzzer: deadly signal' "$logf" && [[ $rc -ne 0 ]]; then status=found
    elif [[ $rc -eq 0 ]] && grep -aq '^Done ' "$logf"; then status=not_found
    else status=engine_error; fi
  fi
  t1=$(now_ns)
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/1e9}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$e" "$s" "$status" "$execs" "$wall" "$rc" >>"$TSV"
  log "$h $e seed=$s: $status after $execs execs (${wall}s)"
}

for h in "${BUGS[@]}"; do
  for s in $SEEDS; do
    for e in "${ENGINE_LIST[@]}"; do
      if [[ "$e" == aflpp && "$AFL_SETUP" != ok ]]; then continue; fi
      run "$h" "$e" "$s"
    done
  done
done

# ---------------------------------------------------------------- summary
# Median over the seeds of execs and seconds, counting a miss as "more than the cap" (so the
# median is only a number when at least half the seeds found the bug).
{
  echo "# Planted bugs ($SET): $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`$INVOCATION\`; Shoal $SHOAL_REV (runtime sha256 $SHOAL_SHA);"
  echo "$(clang++ --version | head -1); $(afl-fuzz -h 2>&1 | grep -o 'afl-fuzz++[0-9.a-z]*' | head -1 || true);"
  echo "$(nproc) cores; seeds: $SEEDS; cap per run: ${BUG_TIME}s (Shoal/libFuzzer also -runs=$BUG_RUNS)."
  [[ "$AFL_SETUP" == ok ]] || echo "AFL++ not measured: $AFL_SETUP."
  echo
  echo "| harness | engine | found | median execs | median s |"
  echo "|---|---|---|---|---|"
  awk -F'\t' 'NR > 1 { k = $1 "\t" $2; n[k]++; if ($4 == "found") { f[k]++; e[k] = e[k] " " $5; w[k] = w[k] " " $6 } }
    END { for (k in n) print k "\t" n[k] "\t" (f[k] + 0) "\t" e[k] "\t" w[k] }' "$TSV" | sort |
  while IFS=$'\t' read -r h e total found execs walls; do
    med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk -v t="$total" '{ v[NR] = $1 }
      END { m = int((t + 1) / 2); if (NR >= m && m > 0) print v[m]; else print "-" }'; }
    echo "| $h | $e | $found/$total | $(med "$execs") | $(med "$walls") |"
  done
} >"$MD"
report_written "$TSV" "$MD"
