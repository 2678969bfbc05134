#!/usr/bin/env bash
# Side-by-side benchmark of Shoal (bazel-bin/libshoal.a) against the real libFuzzer 14
# (clang's -fsanitize=fuzzer): execs/s on throughput harnesses and executions needed to
# reach CMP-gated planted bugs. Writes bench/results/<stamp>.tsv (raw) and <stamp>.md
# (summary tables, also printed). See docs/benchmarks.md for the method.
#
# Usage: bench/run.sh                 full run (~4 min on 2 shared cores; AFL=1 adds ~2 min)
#        QUICK=1 bench/run.sh         smoke run: 1 repetition, 1 seed, N/20, 10 s cap
# Knobs (environment): REPS (throughput repetitions, default 3), BUG_SEEDS (default
#   "1 2 3 4 5"), BUG_RUNS (-runs cap, default 20000000), BUG_TIME (-max_total_time cap
#   in s, default 60), RUNS_SCALE (divide every throughput N by this, default 1),
#   ONLY (space-separated harness names to restrict to), NICE (default 10),
#   KEEP_WORK=1 (keep the scratch directory), WORK (scratch directory to use),
#   SHOAL_LIB (a libshoal.a with libshoal_runtime.o beside it; default bazel-bin's),
#   AFL=1 (also measure AFL++ execs/s: afl-clang-fast++ with its libFuzzer-compatible
#   driver under afl-fuzz -V AFL_TIME seconds, default 10; informational only).
set -euo pipefail

BENCH_SCRIPT=bench/run.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ nice awk sort date timeout grep sed uname sha256sum; do need "$tool"; done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
SHOAL_A="${SHOAL_LIB:-$ROOT/bazel-bin/libshoal.a}"
SHOAL_O="$(dirname "$SHOAL_A")/libshoal_runtime.o"
[[ -f "$SHOAL_A" && -f "$SHOAL_O" ]] ||
  die "$SHOAL_A or $SHOAL_O missing: run 'cd $ROOT && bazel build //:libshoal' first"
for hdr in /usr/include/nlohmann/json.hpp /usr/include/rapidjson/document.h \
           /usr/include/stb/stb_image.h; do
  [[ -f "$hdr" ]] || die "header $hdr missing (apt-get install nlohmann-json3-dev rapidjson-dev libstb-dev)"
done

# The command as invoked, with the knobs the caller set, for the summary's provenance line.
INVOCATION="$(invocation_line QUICK REPS BUG_SEEDS BUG_RUNS BUG_TIME RUNS_SCALE ONLY NICE AFL AFL_TIME SHOAL_LIB)"

QUICK="${QUICK:-0}"
if [[ "$QUICK" == 1 ]]; then
  REPS="${REPS:-1}"; BUG_SEEDS="${BUG_SEEDS:-1}"; BUG_TIME="${BUG_TIME:-10}"
  RUNS_SCALE="${RUNS_SCALE:-20}"
else
  REPS="${REPS:-3}"; BUG_SEEDS="${BUG_SEEDS:-1 2 3 4 5}"; BUG_TIME="${BUG_TIME:-60}"
  RUNS_SCALE="${RUNS_SCALE:-1}"
fi
BUG_RUNS="${BUG_RUNS:-20000000}"
AFL="${AFL:-0}"
AFL_TIME="${AFL_TIME:-$([[ "$QUICK" == 1 ]] && echo 3 || echo 10)}"
if [[ "$AFL" == 1 ]]; then need afl-clang-fast++; need afl-fuzz; fi
NICE="${NICE:-10}"
CXXFLAGS_COMMON=(-O2 -g)

# Throughput harnesses and their -runs=N (chosen so one libFuzzer run takes ~5-10 s on
# the reference machine); a seed corpus is used when bench/seeds/<name>/ exists.
THROUGHPUT=(empty json_nlohmann json_rapidjson stb_image)
declare -A RUNS=([empty]=20000000 [json_nlohmann]=1000000 [json_rapidjson]=3000000
                 [stb_image]=1200000)
BUGS=(bug_magic32 bug_magic64 bug_memcmp16 bug_strcmp8 bug_switch32 bug_chain3x2)
ENGINES=(libfuzzer shoal)

if [[ -n "${ONLY:-}" ]]; then
  keep() { local out=() h; for h in "$@"; do [[ " $ONLY " == *" $h "* ]] && out+=("$h"); done
           echo "${out[@]:-}"; }
  read -r -a THROUGHPUT <<<"$(keep "${THROUGHPUT[@]}")"
  read -r -a BUGS <<<"$(keep "${BUGS[@]}")"
fi

STAMP="$(date +%Y-%m-%d_%H%M%S)"
RESULTS="$BENCH/results"
mkdir -p "$RESULTS"
TSV="$RESULTS/$STAMP.tsv"
MD="$RESULTS/$STAMP.md"

WORK="${WORK:-$(mktemp -d /tmp/shoal-bench.XXXXXX)}"
mkdir -p "$WORK"/{bin,obj,logs,corpus,artifacts,shoal}
[[ "${KEEP_WORK:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

snapshot_runtime

# ---------------------------------------------------------------- build
# build_harness (bench/lib.sh) links each harness with both engines; AFL++ gets its own
# build with afl-clang-fast++.
build_afl() {
  local h="$1"
  AFL_QUIET=1 nice -n "$NICE" afl-clang-fast++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer \
    "$BENCH/harnesses/$h.cc" -o "$WORK/bin/$h.aflpp" >/dev/null ||
    die "building $h with afl-clang-fast++ failed"
}
log "building ${#THROUGHPUT[@]} throughput + ${#BUGS[@]} bug harnesses in $WORK"
for h in "${THROUGHPUT[@]}" "${BUGS[@]}"; do build_harness "$h"; done
if [[ "$AFL" == 1 ]]; then for h in "${THROUGHPUT[@]}"; do build_afl "$h"; done; fi

printf 'phase\tharness\tengine\trep_or_seed\truns_flag\texecuted_units\twall_s\texecs_per_sec\tstat_avg_exec_per_sec\tcov\tft\tstatus\texit_code\n' >"$TSV"

# stat_of LOG KEY -> the largest value printed as "stat::KEY: value", or NA. The largest,
# not the last: after a crash, Shoal's worker process prints the real statistics and the
# coordinator then prints its own block, whose number_of_executed_units undercounts.
stat_of() {
  local v; v="$(grep -a "^stat::$2:" "$1" | awk '$2 + 0 > m || !n { m = $2 + 0; n = 1 } END { if (n) print m }')"
  echo "${v:-NA}"
}
now_ns() { date +%s%N; }

# ---------------------------------------------------------------- throughput
# run_throughput HARNESS ENGINE REP: fresh copy of the seed corpus, -runs=N -seed=1.
run_throughput() {
  local h="$1" e="$2" r="$3" n=$(( RUNS[$1] / RUNS_SCALE ))
  local logf="$WORK/logs/tp.$h.$e.$r.log" corpus="$WORK/corpus/tp.$h.$e.$r"
  local args=(-runs="$n" -seed=1 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/")
  rm -rf "$corpus"
  if [[ -d "$BENCH/seeds/$h" ]]; then cp -r "$BENCH/seeds/$h" "$corpus"; args+=("$corpus"); fi
  local t0 t1 rc=0
  t0=$(now_ns)
  nice -n "$NICE" "$WORK/bin/$h.$e" "${args[@]}" >"$logf" 2>&1 || rc=$?
  t1=$(now_ns)
  local units wall eps avg cov ft status=ok done_line
  units=$(stat_of "$logf" number_of_executed_units)
  avg=$(stat_of "$logf" average_exec_per_sec)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  eps=$(awk -v u="$units" -v w="$wall" 'BEGIN{ if (u=="NA"||w<=0) print "NA"; else printf "%.0f", u/w }')
  done_line="$(grep -a 'DONE ' "$logf" | tail -1 || true)"
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line"); cov=${cov:-NA}
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line"); ft=${ft:-NA}
  if [[ $rc -ne 0 || "$units" == NA ]]; then
    status=engine_error
    echo "bench/run.sh: WARNING: $h.$e rep $r exited $rc (log: $logf); reproduce with:" >&2
    echo "  $WORK/bin/$h.$e ${args[*]}" >&2
  fi
  printf 'throughput\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$e" "$r" "$n" \
    "$units" "$wall" "$eps" "$avg" "$cov" "$ft" "$status" "$rc" >>"$TSV"
  log "throughput $h $e rep=$r: $units units in ${wall}s = $eps execs/s (cov $cov ft $ft) $status"
}

# run_afl HARNESS REP: afl-fuzz for AFL_TIME seconds (fixed time, not fixed runs: afl-fuzz
# -E is approximate), execs/s = execs_done / wall time of the afl-fuzz process.
run_afl() {
  local h="$1" r="$2" out="$WORK/afl/$1.$2" in="$BENCH/seeds/$1"
  local logf="$WORK/logs/tp.$h.aflpp.$r.log"
  if [[ ! -d "$in" ]]; then in="$WORK/afl/seed-one-byte"; mkdir -p "$in"; printf 'A' >"$in/a"; fi
  rm -rf "$out"; mkdir -p "$WORK/afl"
  local t0 t1 rc=0
  t0=$(now_ns)
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
    nice -n "$NICE" timeout -k 5 $(( AFL_TIME + 60 )) afl-fuzz -i "$in" -o "$out" -s 1 \
    -V "$AFL_TIME" -- "$WORK/bin/$h.aflpp" >"$logf" 2>&1 || rc=$?
  t1=$(now_ns)
  local stats="$out/default/fuzzer_stats" units=NA avg=NA cov=NA wall eps status=ok
  if [[ -f "$stats" ]]; then
    units=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
    avg=$(awk -F' *: *' '$1=="execs_per_sec"{printf "%.0f", $2}' "$stats")
    cov=$(awk -F' *: *' '$1=="edges_found"{print $2}' "$stats")
  fi
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  eps=$(awk -v u="$units" -v w="$wall" 'BEGIN{ if (u=="NA"||w<=0) print "NA"; else printf "%.0f", u/w }')
  if [[ $rc -ne 0 || "$units" == NA ]]; then
    status=engine_error; echo "bench/run.sh: WARNING: afl-fuzz on $h failed (log: $logf)" >&2
  fi
  printf 'throughput\t%s\taflpp\t%s\t%ss\t%s\t%s\t%s\t%s\t%s\tNA\t%s\t%s\n' "$h" "$r" "$AFL_TIME" \
    "$units" "$wall" "$eps" "$avg" "$cov" "$status" "$rc" >>"$TSV"
  log "throughput $h aflpp rep=$r: $units execs in ${wall}s = $eps execs/s (edges $cov) $status"
}

for h in "${THROUGHPUT[@]}"; do
  for ((r = 1; r <= REPS; r++)); do
    # Interleave engines and alternate which goes first, so drift in machine load
    # (other jobs on the box) hits both engines alike.
    if (( r % 2 == 1 )); then order=(libfuzzer shoal); else order=(shoal libfuzzer); fi
    for e in "${order[@]}"; do run_throughput "$h" "$e" "$r"; done
    if [[ "$AFL" == 1 ]]; then run_afl "$h" "$r"; fi
  done
done

# ---------------------------------------------------------------- bugs
# run_bug HARNESS ENGINE SEED: empty in-memory corpus, stop at the first crash or at the
# -runs / -max_total_time budget. Found = the engine reported the trap (deadly signal).
run_bug() {
  local h="$1" e="$2" s="$3"
  local logf="$WORK/logs/bug.$h.$e.$s.log"
  local args=(-seed="$s" -runs="$BUG_RUNS" -max_total_time="$BUG_TIME" -print_final_stats=1
              -artifact_prefix="$WORK/artifacts/$h.$e.$s.")
  local t0 t1 rc=0
  t0=$(now_ns)
  nice -n "$NICE" timeout -k 5 $(( BUG_TIME + 60 )) "$WORK/bin/$h.$e" "${args[@]}" \
    >"$logf" 2>&1 || rc=$?
  t1=$(now_ns)
  local units wall avg status
  units=$(stat_of "$logf" number_of_executed_units)
  avg=$(stat_of "$logf" average_exec_per_sec)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  if grep -aq 'ERROR: libFuzzer: deadly signal' "$logf" && [[ $rc -ne 0 ]]; then
    status=found
  elif [[ $rc -eq 0 ]] && grep -aq '^Done ' "$logf"; then
    status=budget_exceeded
  else
    status=engine_error
    echo "bench/run.sh: WARNING: $h.$e seed $s exited $rc without the expected report" \
         "(log: $logf); reproduce with:" >&2
    echo "  $WORK/bin/$h.$e ${args[*]}" >&2
  fi
  printf 'bug\t%s\t%s\t%s\t%s\t%s\t%s\tNA\t%s\tNA\tNA\t%s\t%s\n' "$h" "$e" "$s" "$BUG_RUNS" \
    "$units" "$wall" "$avg" "$status" "$rc" >>"$TSV"
  log "bug $h $e seed=$s: $status after $units units (${wall}s)"
}

for h in "${BUGS[@]}"; do
  for s in $BUG_SEEDS; do
    for e in "${ENGINES[@]}"; do run_bug "$h" "$e" "$s"; done
  done
done

# ---------------------------------------------------------------- summary
{
  echo "# Shoal vs libFuzzer 14 — run $STAMP"
  echo
  echo "- command: \`$INVOCATION\`" \
       "(effective: REPS=$REPS, BUG_SEEDS=\"$BUG_SEEDS\", BUG_RUNS=$BUG_RUNS, BUG_TIME=$BUG_TIME," \
       "RUNS_SCALE=$RUNS_SCALE${ONLY:+, ONLY=\"$ONLY\"}, AFL=$AFL)"
  echo "- Shoal: commit $SHOAL_REV, libshoal_runtime.o sha256 $SHOAL_SHA"
  echo "- compiler: $(clang++ --version | head -1); flags: ${CXXFLAGS_COMMON[*]}"
  echo "- machine: $(machine_line)"
  echo "- raw data: bench/results/$STAMP.tsv"
  echo
  echo "## Throughput (execs/s = executed units / wall time; median of $REPS, -seed=1)"
  echo
  echo "| harness | runs N | libFuzzer execs/s | Shoal execs/s | Shoal/libFuzzer | libFuzzer cov/ft | Shoal cov/ft |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' "$AWK_MEDIAN"'
    NR > 1 && $1 == "throughput" {
      key = $2 SUBSEP $3
      if ($12 == "ok") { eps[key] = eps[key] " " $8; cov[key] = cov[key] " " $10; ft[key] = ft[key] " " $11 }
      else err[key]++
      if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2; runs[$2] = $5 }
    }
    END {
      for (i = 1; i <= nh; i++) {
        h = order[i]; l = h SUBSEP "libfuzzer"; s = h SUBSEP "shoal"
        ml = median(eps[l]); ms = median(eps[s])
        ratio = (ml != "NA" && ms != "NA" && ml > 0) ? sprintf("%.2f", ms / ml) : "NA"
        note = ""; if (err[s]) note = sprintf(" (%d Shoal run(s) failed)", err[s])
        if (err[l]) note = note sprintf(" (%d libFuzzer run(s) failed)", err[l])
        printf "| %s | %s | %.0f | %.0f | **%s**%s | %s/%s | %s/%s |\n", h, runs[h], ml, ms, ratio, note,
          median(cov[l]), median(ft[l]), median(cov[s]), median(ft[s])
      }
    }' "$TSV"
  if [[ "$AFL" == 1 ]]; then
    echo
    echo "AFL++ (informational; afl-fuzz -V $AFL_TIME, persistent libFuzzer-compatible driver, fork server;"
    echo "execs/s = execs_done / afl-fuzz wall time incl. start-up and calibration):"
    echo
    echo "| harness | AFL++ execs/s (median) | AFL++ edges |"
    echo "|---|---:|---:|"
    awk -F'\t' "$AWK_MEDIAN"'
      NR > 1 && $1 == "throughput" && $3 == "aflpp" {
        if ($12 == "ok") { eps[$2] = eps[$2] " " $8; cov[$2] = cov[$2] " " $10 }
        if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2 }
      }
      END { for (i = 1; i <= nh; i++) printf "| %s | %s | %s |\n", order[i], median(eps[order[i]]), median(cov[order[i]]) }' "$TSV"
  fi
  echo
  echo "## Executions to reach each CMP-gated bug (median over seeds $BUG_SEEDS; budget -runs=$BUG_RUNS, -max_total_time=$BUG_TIME)"
  echo
  echo "Not found within budget counts as infinitely many executions (\">budget\")."
  echo
  echo "| bug | libFuzzer median execs (found) | Shoal median execs (found) | Shoal/libFuzzer | libFuzzer per seed | Shoal per seed |"
  echo "|---|---:|---:|---:|---|---|"
  awk -F'\t' '
    function median(str,   a, n, i, j, t) {
      n = split(str, a, " "); if (n == 0) return "NA"
      for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j+1] = a[j]; a[j+1] = t }
      return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
    }
    function fmt(v) { return (v >= 1e29) ? ">budget" : sprintf("%.0f", v) }
    NR > 1 && $1 == "bug" {
      key = $2 SUBSEP $3
      v = ($12 == "found") ? $6 : 1e30
      vals[key] = vals[key] " " v
      shown = ($12 == "found") ? $6 : ($12 == "budget_exceeded" ? "miss" : "ERR")
      per[key] = per[key] (per[key] == "" ? "" : ", ") shown
      tot[key]++; if ($12 == "found") fnd[key]++
      if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2 }
    }
    END {
      for (i = 1; i <= nh; i++) {
        h = order[i]; l = h SUBSEP "libfuzzer"; s = h SUBSEP "shoal"
        ml = median(vals[l]); ms = median(vals[s])
        if (ml >= 1e29 && ms >= 1e29) ratio = "both >budget"
        else if (ms >= 1e29) ratio = "Shoal >budget"
        else if (ml >= 1e29) ratio = "libFuzzer >budget"
        else ratio = sprintf("%.2f", ms / ml)
        printf "| %s | %s (%d/%d) | %s (%d/%d) | **%s** | %s | %s |\n", h, fmt(ml), fnd[l], tot[l],
          fmt(ms), fnd[s], tot[s], ratio, per[l], per[s]
      }
    }' "$TSV"
  echo
  echo "Throughput ratio > 1 and bug ratio < 1 favour Shoal."
} >"$MD"

report_written "$TSV" "$MD"
