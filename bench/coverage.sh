#!/usr/bin/env bash
# Coverage after equal time on the real-parser harnesses, FuzzBench's method (issue 9): each
# engine (Shoal, libFuzzer 14, AFL++ with CmpLog) fuzzes each harness for FUZZ_TIME seconds
# from the same seed corpus, in TRIALS trials (-seed / -s = trial number); each final corpus
# is then replayed by an independent -fprofile-instr-generate -fcoverage-mapping build of the
# harness (bench/coverage_driver.cc, no engine linked), and llvm-cov counts the covered lines
# and branches of the harness and of the library it parses with. Writes
# bench/results/<stamp>-coverage.tsv (raw) and -coverage.md (table, also printed).
#
# Usage: bench/coverage.sh        (3 harnesses x 3 engines x 3 trials x 60 s: ~30 min + builds)
# Knobs (environment): FUZZ_TIME (s per run, default 60), TRIALS (default 3), ENGINES
#   (default "shoal libfuzzer aflpp"), ONLY (harness names), NICE (default 10), KEEP_WORK=1,
#   WORK, SHOAL_LIB (a libshoal.a with libshoal_runtime.o beside it; default bazel-bin's),
#   SHOAL_FLAGS (extra flags for the Shoal runs, e.g. "-input_to_state=0 -cmp_distance=0
#   -checksum_repair=0" for an A/B run against the default), LIBFUZZER_FLAGS (extra flags for
#   the libFuzzer runs). To compare past crashes (both engines keep fuzzing after one, as AFL++
#   does): SHOAL_FLAGS=-keep_going=1 LIBFUZZER_FLAGS="-fork=1 -ignore_crashes=1".
# TSV columns: harness, engine (shoal | libfuzzer | aflpp | seeds = the seed corpus alone),
#   trial, seed, status (ok | stopped_on_crash | ok_with_crashes = kept going after crashes |
#   engine_error), exit_code,
#   execs, fuzz_wall_s, corpus_files (inputs replayed), lines_cov, lines_total, branches_cov,
#   branches_total, regions_cov, regions_total, replay_skipped (inputs that killed the replay).
set -euo pipefail

BENCH_SCRIPT=bench/coverage.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ llvm-profdata-14 llvm-cov-14 nice awk sort date timeout grep sed sha256sum; do
  need "$tool"
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
SHOAL_A="${SHOAL_LIB:-$ROOT/bazel-bin/libshoal.a}"
SHOAL_O="$(dirname "$SHOAL_A")/libshoal_runtime.o"
[[ -f "$SHOAL_A" && -f "$SHOAL_O" ]] ||
  die "$SHOAL_A or $SHOAL_O missing: run 'cd $ROOT && bazel build //:libshoal' first"
INVOCATION="$(invocation_line FUZZ_TIME TRIALS ENGINES ONLY NICE SHOAL_LIB SHOAL_FLAGS LIBFUZZER_FLAGS)"
FUZZ_TIME="${FUZZ_TIME:-60}"
TRIALS="${TRIALS:-3}"
read -r -a ENGINE_LIST <<<"${ENGINES:-shoal libfuzzer aflpp}"
read -r -a SHOAL_EXTRA <<<"${SHOAL_FLAGS:-}"
read -r -a LIBFUZZER_EXTRA <<<"${LIBFUZZER_FLAGS:-}"
NICE="${NICE:-10}"
CXXFLAGS_COMMON=(-O2 -g)
for e in "${ENGINE_LIST[@]}"; do
  case "$e" in shoal|libfuzzer) ;; aflpp) need afl-clang-fast++; need afl-fuzz ;;
    *) die "unknown engine '$e' in ENGINES (shoal, libfuzzer, aflpp)" ;; esac
done

# Harness -> the sources whose lines count: the harness and the library headers it parses with
# (everything else, e.g. libstdc++, is left out of the totals).
HARNESSES=(json_nlohmann json_rapidjson stb_image)
declare -A SCOPE=([json_nlohmann]=/usr/include/nlohmann [json_rapidjson]=/usr/include/rapidjson
                  [stb_image]=/usr/include/stb/stb_image.h)
if [[ -n "${ONLY:-}" ]]; then
  kept=(); for h in "${HARNESSES[@]}"; do [[ " $ONLY " == *" $h "* ]] && kept+=("$h"); done
  HARNESSES=(${kept[@]+"${kept[@]}"})
fi
(( ${#HARNESSES[@]} > 0 )) || die "ONLY='${ONLY:-}' names none of: json_nlohmann json_rapidjson stb_image"
for h in "${HARNESSES[@]}"; do
  [[ -e "${SCOPE[$h]}" ]] || die "${SCOPE[$h]} missing (apt-get install nlohmann-json3-dev rapidjson-dev libstb-dev)"
  [[ -d "$BENCH/seeds/$h" ]] || die "seed corpus $BENCH/seeds/$h missing"
done

STAMP="$(date +%Y-%m-%d_%H%M%S)"
mkdir -p "$BENCH/results"
TSV="$BENCH/results/$STAMP-coverage.tsv"
MD="$BENCH/results/$STAMP-coverage.md"
WORK="${WORK:-$(mktemp -d /tmp/shoal-coverage-bench.XXXXXX)}"
mkdir -p "$WORK"/{bin,obj,logs,artifacts,shoal,seeds,corpus,afl,prof,inc}
[[ "${KEEP_WORK:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT
snapshot_runtime

# ---------------------------------------------------------------- build
# build_harness (lib.sh): <h>.shoal and <h>.libfuzzer from one -fsanitize=fuzzer-no-link object.
# AFL++: plain and CmpLog builds with its libFuzzer driver. Coverage: -O1 profile build plus
# the replay driver (compiled without instrumentation).
# AFL++ 4.04c's passes skip every function whose mangled name contains "__cxx" (its ignore
# list), i.e. every function with a std::string (std::__cxx11::basic_string) in its signature:
# that left 100 of nlohmann's ~2600 edges instrumented. The AFL++ builds therefore use the old
# string ABI (-D_GLIBCXX_USE_CXX11_ABI=0; no effect on the other harnesses), which gives 2592.
AFL_ABI=(-D_GLIBCXX_USE_CXX11_ABI=0)
build() {
  local h="$1" src="$BENCH/harnesses/$1.cc"
  build_harness "$h"
  if [[ " ${ENGINE_LIST[*]} " == *" aflpp "* ]]; then
    AFL_QUIET=1 nice -n "$NICE" afl-clang-fast++ "${CXXFLAGS_COMMON[@]}" "${AFL_ABI[@]}" \
      -fsanitize=fuzzer "$src" -o "$WORK/bin/$h.aflpp" >"$WORK/logs/build.$h.aflpp" 2>&1 ||
      die "afl-clang-fast++ failed on $h (see $WORK/logs/build.$h.aflpp)"
    AFL_LLVM_CMPLOG=1 AFL_QUIET=1 nice -n "$NICE" afl-clang-fast++ "${CXXFLAGS_COMMON[@]}" \
      "${AFL_ABI[@]}" -fsanitize=fuzzer "$src" -o "$WORK/bin/$h.aflpp-cmplog" \
      >"$WORK/logs/build.$h.cmplog" 2>&1 ||
      die "AFL_LLVM_CMPLOG=1 afl-clang-fast++ failed on $h (see $WORK/logs/build.$h.cmplog)"
  fi
  # clang 14 maps no coverage for system headers, so the library directory is reached through
  # $WORK/inc (a symlink, searched first with -I) and counts as user code.
  local lib="${SCOPE[$h]}"; [[ -d "$lib" ]] || lib="$(dirname "$lib")"
  ln -sfn "$lib" "$WORK/inc/$(basename "$lib")"
  nice -n "$NICE" clang++ -O1 -g -fprofile-instr-generate -fcoverage-mapping -I"$WORK/inc" \
    -c "$src" -o "$WORK/obj/$h.cov.o" || die "coverage build of $src failed"
  nice -n "$NICE" clang++ -fprofile-instr-generate "$WORK/obj/$h.cov.o" "$WORK/obj/driver.o" \
    -o "$WORK/bin/$h.cov" || die "linking the coverage build of $h failed"
  cp -r "$BENCH/seeds/$h" "$WORK/seeds/$h"
}
log "building ${#HARNESSES[@]} harnesses (engines: ${ENGINE_LIST[*]}) in $WORK"
nice -n "$NICE" clang++ -O2 -c "$BENCH/coverage_driver.cc" -o "$WORK/obj/driver.o" ||
  die "compiling bench/coverage_driver.cc failed"
for h in "${HARNESSES[@]}"; do build "$h"; done

now_ns() { date +%s%N; }
stat_of() {
  local v; v="$(grep -a "^stat::$2:" "$1" | awk '$2 + 0 > m || !n { m = $2 + 0; n = 1 } END { if (n) print m }')"
  echo "${v:-NA}"
}

# measure HARNESS TAG DIR...: replays the inputs in DIR... with the coverage build and prints
# "lines_cov lines_total branches_cov branches_total regions_cov regions_total files skipped".
measure() {
  local h="$1" tag="$2"; shift 2
  local prof="$WORK/prof/$tag" rlog="$WORK/logs/replay.$tag.log" total
  rm -rf "$prof"; mkdir -p "$prof"
  LLVM_PROFILE_FILE="$prof/cov-%m.profraw" nice -n "$NICE" timeout -k 5 1800 \
    "$WORK/bin/$h.cov" "$@" >"$rlog" 2>&1 || log "WARNING: replay $tag exited $? (log: $rlog)"
  local files skipped
  files=$(sed -n 's/^replayed \([0-9]*\) inputs, \([0-9]*\) skipped$/\1/p' "$rlog"); files=${files:-NA}
  skipped=$(sed -n 's/^replayed \([0-9]*\) inputs, \([0-9]*\) skipped$/\2/p' "$rlog"); skipped=${skipped:-NA}
  if ! compgen -G "$prof/*.profraw" >/dev/null ||
     ! llvm-profdata-14 merge -sparse -o "$prof/merged.profdata" "$prof"/*.profraw 2>>"$rlog"; then
    log "WARNING: no profile for $tag (log: $rlog)"; echo "NA NA NA NA NA NA $files $skipped"; return
  fi
  # llvm-cov 14 TOTAL row: regions, missed, %, functions, missed, %, lines, missed, %,
  # branches, missed, %.
  total="$(llvm-cov-14 report "$WORK/bin/$h.cov" -instr-profile="$prof/merged.profdata" \
    "$BENCH/harnesses/$h.cc" "$WORK/inc/${SCOPE[$h]#/usr/include/}" 2>>"$rlog" |
    awk '$1 == "TOTAL"')"
  rm -f "$prof"/*.profraw
  if [[ -z "$total" ]]; then echo "NA NA NA NA NA NA $files $skipped"; return; fi
  awk -v f="$files" -v s="$skipped" '{ print $8 - $9, $8, $11 - $12, $11, $2 - $3, $2, f, s }' <<<"$total"
}

printf 'harness\tengine\ttrial\tseed\tstatus\texit_code\texecs\tfuzz_wall_s\tcorpus_files\tlines_cov\tlines_total\tbranches_cov\tbranches_total\tregions_cov\tregions_total\treplay_skipped\n' >"$TSV"

# fuzz HARNESS ENGINE TRIAL: FUZZ_TIME seconds from the seed corpus, then replay the final
# corpus (Shoal/libFuzzer: the corpus directory they wrote plus the seeds; AFL++: its queue).
fuzz() {
  local h="$1" e="$2" t="$3" s="$3" tag="$1.$2.$3" logf="$WORK/logs/$1.$2.$3.log"
  local t0 t1 rc=0 status execs dirs=()
  t0=$(now_ns)
  if [[ "$e" == aflpp ]]; then
    local out="$WORK/afl/$tag"; rm -rf "$out"
    AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
      nice -n "$NICE" timeout -k 5 $(( FUZZ_TIME + 120 )) afl-fuzz -i "$WORK/seeds/$h" \
      -o "$out" -s "$s" -V "$FUZZ_TIME" -c "$WORK/bin/$h.aflpp-cmplog" -l 2AT \
      -- "$WORK/bin/$h.aflpp" >"$logf" 2>&1 || rc=$?
    execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$out/default/fuzzer_stats" 2>/dev/null || true)
    execs=${execs:-NA}
    if [[ "$execs" != NA && -d "$out/default/queue" ]]; then
      status=ok
      if compgen -G "$out/default/crashes/id:*" >/dev/null; then status=ok_with_crashes; fi
    else status=engine_error; fi
    dirs=("$out/default/queue")
  else
    local corpus="$WORK/corpus/$tag" extra=(); rm -rf "$corpus"; mkdir -p "$corpus"
    if [[ "$e" == shoal ]]; then extra=(-workers=1 ${SHOAL_EXTRA[@]+"${SHOAL_EXTRA[@]}"})
    else extra=(${LIBFUZZER_EXTRA[@]+"${LIBFUZZER_EXTRA[@]}"}); fi
    nice -n "$NICE" timeout -k 5 $(( FUZZ_TIME + 120 )) "$WORK/bin/$h.$e" -seed="$s" \
      -max_total_time="$FUZZ_TIME" -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$tag." \
      ${extra[@]+"${extra[@]}"} "$corpus" "$WORK/seeds/$h" >"$logf" 2>&1 || rc=$?
    execs=$(stat_of "$logf" number_of_executed_units)
    # libFuzzer's -fork parent prints no stat:: lines of its own (its children's are per
    # child): its last "#N" status line holds the total.
    if grep -aq -- '-fork=[0-9]*: fuzzing in separate process' "$logf"; then
      execs=$(grep -aoE '^#[0-9]+' "$logf" | tail -1 | tr -d '#'); execs=${execs:-NA}
    fi
    local crashed=0
    # A sanitizer's own report (e.g. UBSan's SEGV handler, linked by -fsanitize=fuzzer and by
    # libshoal.a alike) is a crash too.
    if grep -aqE 'ERROR: (libFuzzer|[A-Za-z]+Sanitizer): ' "$logf"; then crashed=1; fi
    # Done (in-process, Shoal) or "INFO: exiting: 0" (libFuzzer -fork) after the whole time.
    if [[ $rc -eq 0 ]] && grep -aqE '^(Done |INFO: exiting: 0 )' "$logf"; then
      status=ok; if (( crashed )); then status=ok_with_crashes; fi
    elif (( crashed )); then status=stopped_on_crash
    else status=engine_error; fi
    dirs=("$corpus" "$WORK/seeds/$h")
  fi
  t1=$(now_ns)
  local wall; wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  [[ "$status" != engine_error ]] || log "WARNING: $tag: engine error, exit $rc (log: $logf)"
  local m; m=($(measure "$h" "$tag" "${dirs[@]}"))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$e" "$t" "$s" \
    "$status" "$rc" "$execs" "$wall" "${m[6]}" "${m[0]}" "${m[1]}" "${m[2]}" "${m[3]}" "${m[4]}" \
    "${m[5]}" "${m[7]}" >>"$TSV"
  log "$h $e trial=$t: $status, $execs execs in ${wall}s, corpus ${m[6]} files -> lines ${m[0]}/${m[1]}, branches ${m[2]}/${m[3]}"
}

for h in "${HARNESSES[@]}"; do
  # The seed corpus alone, for scale.
  m=($(measure "$h" "$h.seeds.0" "$WORK/seeds/$h"))
  printf '%s\tseeds\t0\tNA\tok\t0\t0\t0\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "${m[6]}" "${m[0]}" \
    "${m[1]}" "${m[2]}" "${m[3]}" "${m[4]}" "${m[5]}" "${m[7]}" >>"$TSV"
  log "$h seeds only: lines ${m[0]}/${m[1]}, branches ${m[2]}/${m[3]}"
  for ((t = 1; t <= TRIALS; t++)); do
    # Rotate which engine goes first, so drift in machine load hits all engines alike.
    n=${#ENGINE_LIST[@]}
    for ((i = 0; i < n; i++)); do fuzz "$h" "${ENGINE_LIST[$(( (i + t - 1) % n ))]}" "$t"; done
  done
done

# ---------------------------------------------------------------- summary
{
  echo "# Coverage after equal time (FuzzBench method) — run $STAMP"
  echo
  echo "- command: \`$INVOCATION\` (effective: FUZZ_TIME=$FUZZ_TIME, TRIALS=$TRIALS," \
       "ENGINES=\"${ENGINE_LIST[*]}\"${SHOAL_FLAGS:+, SHOAL_FLAGS=\"$SHOAL_FLAGS\"}${LIBFUZZER_FLAGS:+, LIBFUZZER_FLAGS=\"$LIBFUZZER_FLAGS\"})"
  echo "- Shoal: commit $SHOAL_REV, libshoal_runtime.o sha256 $SHOAL_SHA; Shoal runs: -workers=1 ${SHOAL_FLAGS:-}"
  echo "- libFuzzer runs: ${LIBFUZZER_FLAGS:-no extra flags}"
  echo "- $(clang++ --version | head -1); engine builds ${CXXFLAGS_COMMON[*]};" \
       "$(afl-fuzz -h 2>&1 | grep -o 'afl-fuzz++[0-9.a-z]*' | head -1 || true) (-c CmpLog build, -l 2AT;" \
       "AFL++ builds ${AFL_ABI[*]}, see the script)"
  echo "- machine: $(machine_line)"
  echo "- raw data: bench/results/$STAMP-coverage.tsv"
  echo
  echo "Each run: one process, nice $NICE, ${FUZZ_TIME} s from bench/seeds/<harness>/, trial t uses seed t."
  echo "Final corpus (Shoal, libFuzzer: corpus directory + seeds; AFL++: queue/) replayed by a"
  echo "\`clang++ -O1 -fprofile-instr-generate -fcoverage-mapping\` build with bench/coverage_driver.cc;"
  echo "llvm-cov-14 report over the harness source and the library headers (nlohmann/, rapidjson/,"
  echo "stb_image.h). Lines and branches covered: median over trials [min-max]; ratios are of medians."
  echo
  echo "| harness | engine | lines covered | branches covered | corpus files | execs (median) | runs not ok | Shoal/engine lines | Shoal/engine branches |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' "$AWK_MEDIAN"'
    function range(str,   a, n, i, lo, hi) {
      n = split(str, a, " "); if (n <= 1) return ""
      lo = hi = a[1] + 0; for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
      return sprintf(" [%d-%d]", lo, hi)
    }
    function ratio(a, b) { return (a == "NA" || b == "NA" || b + 0 == 0) ? "NA" : sprintf("%.3f", a / b) }
    NR > 1 {
      k = $1 SUBSEP $2
      if (!($1 in hseen)) { hseen[$1] = 1; hs[++nh] = $1 }
      if (!(k in eseen)) { eseen[k] = 1; es[$1, ++ne[$1]] = $2 }
      if ($10 != "NA") { L[k] = L[k] " " $10; B[k] = B[k] " " $12; F[k] = F[k] " " $9; X[k] = X[k] " " $7 }
      LT[$1] = $11; BT[$1] = $13
      if ($5 != "ok") bad[k] = bad[k] (bad[k] == "" ? "" : ", ") "t" $3 ":" $5
    }
    END {
      for (i = 1; i <= nh; i++) {
        h = hs[i]; s = h SUBSEP "shoal"
        for (j = 1; j <= ne[h]; j++) {
          e = es[h, j]; k = h SUBSEP e
          rl = rb = "-"
          if (e != "shoal" && e != "seeds" && (s in L)) {
            rl = "**" ratio(median(L[s]), median(L[k])) "**"; rb = ratio(median(B[s]), median(B[k]))
          }
          printf "| %s | %s | %s%s of %s | %s%s of %s | %s | %s | %s | %s | %s |\n", h, e,
            median(L[k]), range(L[k]), LT[h], median(B[k]), range(B[k]), BT[h], median(F[k]),
            (e == "seeds" ? "-" : median(X[k])), (bad[k] == "" ? "0" : bad[k]), rl, rb
        }
      }
    }' "$TSV"
  echo
  echo "\"runs not ok\": stopped_on_crash (Shoal/libFuzzer stop at the first crash, so that run fuzzed"
  echo "less than ${FUZZ_TIME} s), ok_with_crashes (kept going after crashes: AFL++ always, Shoal with"
  echo "-keep_going=1, libFuzzer with -fork=1 -ignore_crashes=1), engine_error."
  echo "Issue 9's target: Shoal >= 1.10x libFuzzer's lines and >= AFL++'s."
} >"$MD"
report_written "$TSV" "$MD"
