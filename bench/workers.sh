#!/usr/bin/env bash
# Multi-process benchmark of Shoal's coordinator/worker runtime (bazel-bin/libshoal.a),
# with libFuzzer 14 (clang's -fsanitize=fuzzer) as the reference where it has an
# equivalent. Four phases, each interleaved across configurations, medians reported:
#
#   overhead  execs/s of -workers=1 vs -workers=0 (in-process)    target ratio >= 0.95
#   scaling   execs/s of -workers=2 vs -workers=1                 target ratio >= 1.8
#             plus two independent -workers=0 runs side by side (the machine's own
#             two-process ceiling)
#   bugs      wall time until the first crash-* file on the CMP-gated planted bugs:
#             Shoal -workers=2 vs libFuzzer -fork=2 vs libFuzzer -jobs=2 -workers=2
#   merge     wall time of -merge=1 OUT CORPUS on a large json_rapidjson corpus:
#             libFuzzer vs Shoal -workers=0/1/2, and the number of files each keeps
#
# Writes bench/results/workers-<stamp>.tsv (raw) and .md (summary, also printed).
# See docs/benchmarks.md ("Multi-process: workers, fork, jobs, merge") for the method.
#
# Usage: bench/workers.sh             full run (~14 min on 2 quiet cores)
#        QUICK=1 bench/workers.sh     smoke run (~1 min): 1 repetition of 2 s, 1 seed,
#                                     10 s cap, 2 000-file merge corpus
# Knobs (environment): REPS (throughput repetitions, default 3), TP_TIME (-max_total_time
#   of each throughput run, default 10), BUG_SEEDS (default "1 2 3 4 5"), BUG_TIME
#   (cap in s per bug run, default 60), BUG_SKIP (default 1: once a configuration has
#   missed a bug on more than half of BUG_SEEDS its median is decided, so its remaining
#   seeds are skipped and shown as such; 0 runs them all, +4 min), MERGE_FILES (merge corpus
#   size, default 20000), MERGE_GEN_RUNS (libFuzzer -runs used to grow the fuzzed part of
#   the merge corpus, default 1000000), MERGE_REPS (default 3), PHASES (subset of
#   "throughput bugs merge"), ONLY (space-separated harness names to restrict to),
#   QUIET_SAMPLE (default 1: before each throughput run, sample the machine for 1 s and wait
#   while other processes use more than QUIET_PCT % of it, default 10, for at most
#   QUIET_BUDGET s over the whole run, default 60; 0 skips this),
#   CONFIGS (subset of the throughput configurations "w0 w1 w2 pair", default all),
#   TP_WARM_RUNS (default 0: every throughput run starts from bench/seeds/<harness>; N > 0:
#   first grow one corpus per harness with an in-process Shoal run of -runs=N -seed=1 from
#   those seeds, and start every throughput run from a copy of it; see "warm corpus" below),
#   NICE (default 10), KEEP_WORK=1 (keep the scratch directory), WORK (scratch directory),
#   SHOAL_LIB (a libshoal.a with libshoal_runtime.o beside it; default bazel-bin's).
set -euo pipefail

BENCH_SCRIPT=bench/workers.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ nice awk sort date grep sed uname sha256sum setsid python3 cp find; do
  need "$tool"
done
(( BASH_VERSINFO[0] >= 5 )) || die "bash >= 5 required (uses \$EPOCHREALTIME)"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
SHOAL_A="${SHOAL_LIB:-$ROOT/bazel-bin/libshoal.a}"
SHOAL_O="$(dirname "$SHOAL_A")/libshoal_runtime.o"
[[ -f "$SHOAL_A" && -f "$SHOAL_O" ]] ||
  die "$SHOAL_A or $SHOAL_O missing: run 'cd $ROOT && bazel build //:libshoal' first"
for hdr in /usr/include/rapidjson/document.h /usr/include/stb/stb_image.h; do
  [[ -f "$hdr" ]] || die "header $hdr missing (apt-get install rapidjson-dev libstb-dev)"
done

INVOCATION="$(invocation_line QUICK REPS TP_TIME TP_WARM_RUNS CONFIGS BUG_SEEDS BUG_TIME BUG_SKIP MERGE_FILES MERGE_GEN_RUNS \
            MERGE_REPS PHASES ONLY NICE QUIET_SAMPLE QUIET_PCT QUIET_BUDGET SHOAL_LIB)"

QUICK="${QUICK:-0}"
if [[ "$QUICK" == 1 ]]; then
  REPS="${REPS:-1}"; TP_TIME="${TP_TIME:-2}"; BUG_SEEDS="${BUG_SEEDS:-1}"
  BUG_TIME="${BUG_TIME:-10}"; MERGE_FILES="${MERGE_FILES:-2000}"
  MERGE_GEN_RUNS="${MERGE_GEN_RUNS:-100000}"; MERGE_REPS="${MERGE_REPS:-1}"
else
  REPS="${REPS:-3}"; TP_TIME="${TP_TIME:-10}"; BUG_SEEDS="${BUG_SEEDS:-1 2 3 4 5}"
  BUG_TIME="${BUG_TIME:-60}"; MERGE_FILES="${MERGE_FILES:-20000}"
  MERGE_GEN_RUNS="${MERGE_GEN_RUNS:-1000000}"; MERGE_REPS="${MERGE_REPS:-3}"
fi
BUG_SKIP="${BUG_SKIP:-1}"
QUIET_SAMPLE="${QUIET_SAMPLE:-1}"; QUIET_PCT="${QUIET_PCT:-10}"; QUIET_BUDGET="${QUIET_BUDGET:-60}"
PHASES="${PHASES:-throughput bugs merge}"
NICE="${NICE:-10}"
for v in REPS TP_TIME BUG_TIME MERGE_FILES MERGE_GEN_RUNS MERGE_REPS NICE QUIET_SAMPLE QUIET_PCT \
         QUIET_BUDGET; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -ge 0 ]] || die "$v must be a non-negative integer, got '${!v}'"
done
(( REPS >= 1 && TP_TIME >= 1 && BUG_TIME >= 1 && MERGE_REPS >= 1 )) ||
  die "REPS, TP_TIME, BUG_TIME and MERGE_REPS must be >= 1"
for p in $PHASES; do
  [[ " throughput bugs merge " == *" $p "* ]] || die "unknown phase '$p' in PHASES (throughput bugs merge)"
done
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
CXXFLAGS_COMMON=(-O2 -g)

# Throughput harnesses. Each run lasts -max_total_time=TP_TIME rather than a fixed -runs:
# with a fixed total, each of N workers would do 1/N of the executions and stay in the early,
# cheap part of the search (on stb_image the execs/s halve after ~500 k executions in one
# process, once len_control lets inputs grow), which flatters -workers=2. With a fixed time
# every process goes equally deep.
THROUGHPUT=(empty json_rapidjson stb_image)
read -r -a TP_CONFIGS <<<"${CONFIGS:-w0 w1 w2 pair}"
for c in "${TP_CONFIGS[@]}"; do
  [[ " w0 w1 w2 pair " == *" $c "* ]] || die "unknown configuration '$c' in CONFIGS (w0 w1 w2 pair)"
done
TP_WARM_RUNS="${TP_WARM_RUNS:-0}"
[[ "$TP_WARM_RUNS" =~ ^[0-9]+$ ]] || die "TP_WARM_RUNS must be a non-negative integer, got '$TP_WARM_RUNS'"
BUGS=(bug_magic32 bug_magic64 bug_memcmp16 bug_strcmp8 bug_switch32 bug_chain3x2)
BUG_ENGINES=(shoal_w2 libfuzzer_fork2 libfuzzer_jobs2 shoal_w0)
MERGE_HARNESS=json_rapidjson
MERGE_CONFIGS=(libfuzzer shoal_w0 shoal_w1 shoal_w2)

if [[ -n "${ONLY:-}" ]]; then
  keep() { local out=() h; for h in "$@"; do [[ " $ONLY " == *" $h "* ]] && out+=("$h"); done
           echo "${out[@]:-}"; }
  read -r -a THROUGHPUT <<<"$(keep "${THROUGHPUT[@]}")"
  read -r -a BUGS <<<"$(keep "${BUGS[@]}")"
  [[ " $ONLY " == *" $MERGE_HARNESS "* ]] || PHASES="${PHASES//merge/}"
fi
has_phase throughput || THROUGHPUT=()
has_phase bugs || BUGS=()

STAMP="$(date +%Y-%m-%d_%H%M%S)"
RESULTS="$BENCH/results"
mkdir -p "$RESULTS"
TSV="$RESULTS/workers-$STAMP.tsv"
MD="$RESULTS/workers-$STAMP.md"

WORK="${WORK:-$(mktemp -d /tmp/shoal-workers.XXXXXX)}"
mkdir -p "$WORK"/{bin,obj,logs,runs,shoal}
[[ "${KEEP_WORK:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT
T_START=$SECONDS

snapshot_runtime

# ---------------------------------------------------------------- build
# build_harness (bench/lib.sh): one -fsanitize=fuzzer-no-link object, linked with
# libshoal.a and with -fsanitize=fuzzer.
declare -A BUILT=()
TO_BUILD=("${THROUGHPUT[@]}" "${BUGS[@]}")
has_phase merge && TO_BUILD+=("$MERGE_HARNESS")
log "building ${#TO_BUILD[@]} harness(es) in $WORK"
for h in "${TO_BUILD[@]}"; do
  [[ -n "$h" && -z "${BUILT[$h]:-}" ]] || continue
  build_harness "$h"; BUILT[$h]=1
done

printf 'phase\tharness\tconfig\trep_or_seed\tbudget\texecuted_units\twall_s\texecs_per_sec\tcov\tft\tkept_files\tstatus\texit_code\tother_cpu_pct\tcoordinator_cpu_pct\n' >"$TSV"

# stat_of LOG KEY -> the largest "stat::KEY: value" in LOG, or NA (as in bench/run.sh).
stat_of() {
  local v; v="$(grep -a "^stat::$2:" "$1" | awk '$2 + 0 > m || !n { m = $2 + 0; n = 1 } END { if (n) print m }')"
  echo "${v:-NA}"
}
now_us() { local t="$EPOCHREALTIME"; echo "${t/./}"; }
secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
# cpu_mark / cpu_other_pct WALL_US: machine busy time (user+nice+system+irq+softirq+steal
# from /proc/stat) minus the user+sys time of the children reaped in between (`times`, run
# in this shell so that it sees them), as % of nproc x wall. No forks between the two calls.
CLK_TCK="$(getconf CLK_TCK)"; NCPU="$(nproc)"
TIMES_TMP="$WORK/times.tmp"
_busy() { local u n s q sq st; read -r _ u n s _ _ q sq st _ </proc/stat
          BUSY=$(( u + n + s + q + sq + st )); }
cpu_mark() { _busy; MARK_BUSY=$BUSY; times >"$TIMES_TMP"; MARK_TIMES="$(sed -n 2p "$TIMES_TMP")"; }
cpu_other_pct() {  # sets OTHER (must not run in a subshell, or `times` sees no children)
  local busy1 times1; _busy; busy1=$BUSY; times >"$TIMES_TMP"; times1="$(sed -n 2p "$TIMES_TMP")"
  OTHER=$(awk -v b0="$MARK_BUSY" -v b1="$busy1" -v t0="$MARK_TIMES" -v t1="$times1" -v hz="$CLK_TCK" \
      -v ncpu="$NCPU" -v us="$1" '
    function secs(l,   a, b, n, i, t) { n = split(l, a, " "); t = 0
      for (i = 1; i <= n; i++) { split(a[i], b, "m"); sub(/s$/, "", b[2]); t += b[1] * 60 + b[2] }
      return t }
    BEGIN { if (us <= 0) { print "NA"; exit }
      o = ((b1 - b0) / hz - (secs(t1) - secs(t0))) / (ncpu * us / 1e6) * 100
      if (o < 0) o = 0; if (o > 100) o = 100; printf "%.0f", o }')
}
done_field() {  # done_field LOG cov|ft -> value from the last DONE line, or NA
  local line v; line="$(grep -a 'DONE ' "$1" | tail -1 || true)"
  v="$(sed -n "s/.* $2: \([0-9]*\).*/\1/p" <<<"$line")"; echo "${v:-NA}"
}

# ---------------------------------------------------------------- throughput
# run_tp HARNESS CONFIG REP. Every run: fresh copy of the seed corpus,
# -max_total_time=TP_TIME -seed=REP. The seed changes from repetition to repetition (the
# same for every configuration), because -workers=0 and -workers=N take different paths from
# the same seed, and on stb_image the path decides the execs/s (expensive inputs); a median
# over seeds is less biased than three runs of one path.
#   w0 / w1 / w2  one Shoal process with -workers=0/1/2
#   pair          two -workers=0 processes started together (-seed=REP and -seed=REP+1000,
#                 each on its own corpus copy); execs/s = both processes' units / the wall
#                 time until both have finished
# other_cpu_pct: CPU time the machine spent on anything but this run (from /proc/stat busy
# time, incl. steal, minus this run's own user+sys), in % of nproc x wall: the interference.
# coordinator_cpu_pct (w1, w2): the coordinator process's own user+sys time (its workers'
# left out; sampled every 0.2 s until it exits), in % of nproc x wall: what it takes from them.
run_tp() {
  local h="$1" c="$2" r="$3"
  local base="$WORK/runs/tp.$h.$c.$r" i nproc=1 workers
  case "$c" in w0) workers=0 ;; w1) workers=1 ;; w2) workers=2 ;; pair) workers=0; nproc=2 ;; esac
  local pids=() logs=() cmds=() rcs=() t0 t1
  for (( i = 1; i <= nproc; i++ )); do
    rm -rf "$base.p$i"; mkdir -p "$base.p$i"
    [[ ! -d "$(tp_start_corpus "$h")" ]] || cp -r "$(tp_start_corpus "$h")" "$base.p$i/corpus"
  done
  cpu_mark
  t0=$(now_us)
  for (( i = 1; i <= nproc; i++ )); do
    local dir="$base.p$i" logf="$WORK/logs/tp.$h.$c.$r.p$i.log"
    local args=(-workers="$workers" -max_total_time="$TP_TIME" -seed="$(( r + (i - 1) * 1000 ))" -print_final_stats=1
                -artifact_prefix="$dir/")
    [[ ! -d "$dir/corpus" ]] || args+=("$dir/corpus")
    logs+=("$logf"); cmds+=("$WORK/bin/$h.shoal ${args[*]}")
    nice -n "$NICE" "$WORK/bin/$h.shoal" "${args[@]}" >"$logf" 2>&1 &
    pids+=("$!")
  done
  local sampler="" coord_file="$base.coordinator-ticks"; rm -f "$coord_file"
  if (( workers > 0 )); then
    ( local v; while kill -0 "${pids[0]}" 2>/dev/null; do
        v=$(awk '{ print $14 + $15 }' "/proc/${pids[0]}/stat" 2>/dev/null) && [[ -n "$v" ]] &&
          echo "$v" >"$coord_file.tmp" && mv "$coord_file.tmp" "$coord_file"
        sleep 0.2
      done ) &
    sampler=$!
  fi
  for (( i = 0; i < nproc; i++ )); do
    local rc=0; wait "${pids[$i]}" || rc=$?; rcs+=("$rc")
  done
  t1=$(now_us)
  [[ -z "$sampler" ]] || wait "$sampler" 2>/dev/null || true
  local coord_pct=NA
  if [[ -s "$coord_file" ]]; then
    coord_pct=$(awk -v t="$(cat "$coord_file")" -v hz="$(getconf CLK_TCK)" -v us=$(( t1 - t0 )) \
      -v n="$(nproc)" 'BEGIN { printf "%.1f", 100 * (t / hz) / (n * us / 1e6) }')
  fi
  cpu_other_pct $(( t1 - t0 )); local other="$OTHER"
  local units=0 status=ok rc_all=0 u
  for (( i = 0; i < nproc; i++ )); do
    u=$(stat_of "${logs[$i]}" number_of_executed_units)
    if [[ "${rcs[$i]}" -ne 0 || "$u" == NA ]]; then
      status=engine_error; rc_all="${rcs[$i]}"; u=0
      echo "bench/workers.sh: WARNING: throughput $h $c rep $r exited ${rcs[$i]} (log: ${logs[$i]});" \
           "reproduce with: ${cmds[$i]}" >&2
    fi
    units=$(( units + u ))
  done
  local wall eps cov ft
  wall=$(secs $(( t1 - t0 )))
  eps=$(awk -v u="$units" -v w="$wall" -v s="$status" 'BEGIN{ if (s != "ok" || w <= 0) print "NA"; else printf "%.0f", u/w }')
  cov=$(done_field "${logs[0]}" cov); ft=$(done_field "${logs[0]}" ft)
  printf 'throughput\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tNA\t%s\t%s\t%s\t%s\n' "$h" "$c" "$r" \
    "-max_total_time=$TP_TIME x$nproc" "$units" "$wall" "$eps" "$cov" "$ft" "$status" "$rc_all" "$other" \
    "$coord_pct" >>"$TSV"
  log "throughput $h $c rep=$r: $units units in ${wall}s = $eps execs/s (cov $cov ft $ft;" \
      "others used ${other}% of the CPUs) $status"
  [[ "${KEEP_WORK:-0}" == 1 ]] || rm -rf "$base".p*
}

# Warm corpus (TP_WARM_RUNS=N > 0). From the seeds, every configuration's search takes its own
# path, and on stb_image the path decides what an execution costs (a 4x4 image is not a
# 200x200 one; -workers=2 shares its finds and reaches more, so slower inputs): per-seed
# execs/s spread 29-205 k for w0 alone. That measures the search as much as the runtime. From
# one grown corpus, every configuration starts with the same inputs and finds little that is
# new in TP_TIME s, so the execs/s compare what each runtime costs. The corpus still grows
# (each run writes its finds into its own copy), so corpus writes are still paid.
declare -A WARM=()
tp_start_corpus() {  # tp_start_corpus HARNESS -> the directory every throughput run copies
  if (( TP_WARM_RUNS > 0 )); then echo "${WARM[$1]}"; else echo "$BENCH/seeds/$1"; fi
}
if (( TP_WARM_RUNS > 0 )); then
  for h in "${THROUGHPUT[@]}"; do
    [[ -n "$h" ]] || continue
    WARM[$h]="$WORK/warm/$h"; mkdir -p "$WORK/warm"; rm -rf "${WARM[$h]}"
    if [[ -d "$BENCH/seeds/$h" ]]; then cp -r "$BENCH/seeds/$h" "${WARM[$h]}"; else mkdir "${WARM[$h]}"; fi
    warm_args=(-workers=0 -runs="$TP_WARM_RUNS" -seed=1 "${WARM[$h]}")
    log "growing the warm corpus of $h: ${warm_args[*]}"
    "$WORK/bin/$h.shoal" "${warm_args[@]}" >"$WORK/logs/warm.$h.log" 2>&1 ||
      die "growing the warm corpus of $h failed (log: $WORK/logs/warm.$h.log)"
    log "warm corpus of $h: $(find "${WARM[$h]}" -type f | wc -l) files," \
        "$(grep -a 'DONE ' "$WORK/logs/warm.$h.log" | tail -1 | sed 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/')"
  done
fi

# wait_quiet: before each throughput run, sample the machine for 1 s while nothing of ours
# runs; while other processes use more than QUIET_PCT % of it, keep sampling. The waiting is
# bounded by QUIET_BUDGET s for the whole run; after that, runs go ahead regardless (their
# other_cpu_pct shows it, and the summary has a quiet-runs-only table).
QUIET_LEFT=$QUIET_BUDGET
wait_quiet() {
  local t0 announced=0
  while :; do
    cpu_mark; t0=$(now_us); sleep 1; cpu_other_pct $(( $(now_us) - t0 ))
    (( OTHER <= QUIET_PCT )) && return 0
    (( QUIET_LEFT > 0 )) || return 0
    if (( !announced )); then
      log "machine busy (others use ${OTHER}% of the CPUs); waiting (${QUIET_LEFT}s of QUIET_BUDGET left)"
      announced=1
    fi
    QUIET_LEFT=$(( QUIET_LEFT - 1 ))
  done
}

for r in $(seq 1 "$REPS"); do
  for h in "${THROUGHPUT[@]}"; do
    order=("${TP_CONFIGS[@]}")
    if (( r % 2 == 0 )); then
      order=(); for (( i = ${#TP_CONFIGS[@]} - 1; i >= 0; i-- )); do order+=("${TP_CONFIGS[$i]}"); done
    fi
    for c in "${order[@]}"; do
      (( QUIET_SAMPLE )) && wait_quiet
      run_tp "$h" "$c" "$r"
    done
  done
done

# ---------------------------------------------------------------- bugs
# run_bug BUG ENGINE SEED: a fresh empty directory as cwd and TMPDIR (libFuzzer -fork keeps
# its temporary corpora under TMPDIR), empty corpus, default artifact prefix "./". The
# process is started in its own session; the poller (10 ms) records the time until the
# first crash-* file appears in that directory and then SIGKILLs the whole process group,
# so neither libFuzzer -jobs' surviving job nor any engine's shutdown is timed. At BUG_TIME
# s without a crash file the group is killed and the run counts as a miss. The engines'
# own -max_total_time is set 10 s beyond the cap as a backstop only.
#   shoal_w2         bug.shoal -workers=2 -seed=S
#   libfuzzer_fork2  bug.libfuzzer -fork=2 -seed=S
#   libfuzzer_jobs2  bug.libfuzzer -jobs=2 -workers=2 (no -seed: libFuzzer passes the same
#                    command line to every job, so -seed=S would make both jobs identical;
#                    S only numbers the repetition)
#   shoal_w0         bug.shoal -workers=0 -seed=S (in-process; reference for start-up cost)
declare -A MISSES=()
run_bug() {
  local b="$1" e="$2" s="$3" dir="$WORK/runs/bug.$1.$2.$3"
  local logf="$WORK/logs/bug.$b.$e.$s.log" key="$b/$e"
  local nseeds; nseeds=$(wc -w <<<"$BUG_SEEDS")
  if [[ "$BUG_SKIP" == 1 ]] && (( ${MISSES[$key]:-0} * 2 > nseeds )); then
    printf 'bug\t%s\t%s\t%s\t%ss\tNA\tNA\tNA\tNA\tNA\tNA\tskipped\tNA\tNA\n' "$b" "$e" "$s" "$BUG_TIME" >>"$TSV"
    log "bug $b $e seed=$s: skipped (median already a miss)"
    return
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  local backstop=$(( BUG_TIME + 10 )) args
  case "$e" in
    shoal_w2)        args=("$WORK/bin/$b.shoal" -workers=2 -seed="$s" -max_total_time="$backstop") ;;
    shoal_w0)        args=("$WORK/bin/$b.shoal" -workers=0 -seed="$s" -max_total_time="$backstop") ;;
    libfuzzer_fork2) args=("$WORK/bin/$b.libfuzzer" -fork=2 -seed="$s" -max_total_time="$backstop") ;;
    libfuzzer_jobs2) args=("$WORK/bin/$b.libfuzzer" -jobs=2 -workers=2 -max_total_time="$backstop") ;;
  esac
  local t0 now pid pgid status="" found_us="" rc=0 cap_us=$(( BUG_TIME * 1000000 ))
  t0=$(now_us)
  ( cd "$dir" && TMPDIR="$dir" exec setsid nice -n "$NICE" "${args[@]}" ) >"$logf" 2>&1 &
  pid=$!
  while :; do
    now=$(now_us)
    if compgen -G "$dir/crash-*" >/dev/null; then found_us=$(( now - t0 )); status=found; break; fi
    if (( now - t0 >= cap_us )); then status=missed; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  # setsid made $pid the leader of its own process group (it is not one already, so setsid
  # does not fork); kill the whole group: coordinator/parent, workers, jobs, symbolizers.
  pgid="$(awk '{ print $5 }' "/proc/$pid/stat" 2>/dev/null || echo "")"
  if [[ "$pgid" == "$pid" ]]; then kill -KILL -- "-$pid" 2>/dev/null || true
  else kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || rc=$?
  if [[ -z "$status" ]]; then
    # The engine exited on its own before the cap: a crash file written in the last poll
    # interval still counts; anything else is an engine error.
    if compgen -G "$dir/crash-*" >/dev/null; then status=found; found_us=$(( $(now_us) - t0 ))
    else
      status=engine_error
      echo "bench/workers.sh: WARNING: $b $e seed $s exited $rc after $(secs $(( $(now_us) - t0 )))s" \
           "without a crash file (log: $logf); reproduce with: cd $dir && ${args[*]}" >&2
    fi
  fi
  local wall
  case "$status" in found) wall=$(secs "$found_us") ;; missed) wall="$BUG_TIME"; MISSES[$key]=$(( ${MISSES[$key]:-0} + 1 )) ;; *) wall=NA ;; esac
  printf 'bug\t%s\t%s\t%s\t%ss\tNA\t%s\tNA\tNA\tNA\tNA\t%s\t%s\tNA\n' "$b" "$e" "$s" "$BUG_TIME" \
    "$wall" "$status" "$rc" >>"$TSV"
  log "bug $b $e seed=$s: $status (${wall}s)"
  if [[ "${KEEP_WORK:-0}" != 1 ]]; then rm -rf "$dir"; fi
}

if (( ${#BUGS[@]} > 0 )) && [[ -n "${BUGS[0]}" ]]; then
  k=0
  for b in "${BUGS[@]}"; do
    for s in $BUG_SEEDS; do
      order=("${BUG_ENGINES[@]}")
      # rotate the engine order from seed to seed
      for (( i = 0; i < k % ${#order[@]}; i++ )); do order=("${order[@]:1}" "${order[0]}"); done
      k=$(( k + 1 ))
      for e in "${order[@]}"; do run_bug "$b" "$e" "$s"; done
    done
  done
fi

# ---------------------------------------------------------------- merge
# Corpus: libFuzzer fuzzes json_rapidjson from the seed corpus with -seed=1 -max_len=32
# -use_value_profile=1 -runs=MERGE_GEN_RUNS into gen/ (value profile makes it keep many
# small units); then half of the remainder up to MERGE_FILES are random byte strings of
# 1-64 bytes and half are renamed duplicates of gen/ files (Python's random.Random(12345),
# so the corpus is the same for the same gen/). Each merge: a fresh empty OUT and a fresh
# TMPDIR (control file), `-merge=1 OUT CORPUS`, wall time of the whole command.
if has_phase merge; then
  M="$WORK/runs/merge"; mkdir -p "$M/gen"
  cp -r "$BENCH/seeds/$MERGE_HARNESS" "$M/seeds"
  log "merge: generating the fuzzed part of the corpus (libFuzzer -runs=$MERGE_GEN_RUNS)"
  nice -n "$NICE" "$WORK/bin/$MERGE_HARNESS.libfuzzer" -seed=1 -max_len=32 -use_value_profile=1 \
    -runs="$MERGE_GEN_RUNS" "$M/gen" "$M/seeds" >"$WORK/logs/merge.gen.log" 2>&1 ||
    die "generating the merge corpus failed (log: $WORK/logs/merge.gen.log)"
  NGEN=$(find "$M/gen" -type f | wc -l)
  (( NGEN > 0 && NGEN <= MERGE_FILES )) ||
    die "merge corpus: $NGEN fuzzed files, need 1..MERGE_FILES=$MERGE_FILES"
  python3 - "$M/gen" "$M/corpus" "$MERGE_FILES" <<'EOF' || die "building the merge corpus failed"
import os, random, shutil, sys
src, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(12345)
os.makedirs(out)
fuzzed = sorted(os.listdir(src))
for f in fuzzed:
    shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
rest = total - len(fuzzed)
nrand = rest // 2
for i in range(nrand):
    with open(os.path.join(out, "rand-%06d" % i), "wb") as fh:
        fh.write(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 65))))
for i in range(rest - nrand):
    shutil.copyfile(os.path.join(src, rng.choice(fuzzed)), os.path.join(out, "dup-%06d" % i))
EOF
  NCORPUS=$(find "$M/corpus" -type f | wc -l)
  CORPUS_KB=$(find "$M/corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / 1024 }')
  log "merge corpus: $NCORPUS files ($NGEN fuzzed, the rest random or duplicates), $CORPUS_KB KiB"
  run_merge() {
    local c="$1" r="$2" dir="$M/run.$1.$2" logf="$WORK/logs/merge.$1.$2.log" args
    rm -rf "$dir"; mkdir -p "$dir/out" "$dir/tmp"
    case "$c" in
      libfuzzer) args=("$WORK/bin/$MERGE_HARNESS.libfuzzer" -merge=1 "$dir/out" "$M/corpus") ;;
      shoal_w*)  args=("$WORK/bin/$MERGE_HARNESS.shoal" -workers="${c#shoal_w}" -merge=1 "$dir/out" "$M/corpus") ;;
    esac
    local t0 t1 rc=0 other
    cpu_mark
    t0=$(now_us)
    TMPDIR="$dir/tmp" nice -n "$NICE" "${args[@]}" >"$logf" 2>&1 || rc=$?
    t1=$(now_us)
    cpu_other_pct $(( t1 - t0 )); other="$OTHER"
    local kept line feats edges status=ok
    kept=$(find "$dir/out" -type f | wc -l)
    line="$(grep -a 'MERGE-OUTER: .* new files with' "$logf" | tail -1 || true)"
    feats=$(sed -n 's/.* with \([0-9]*\) new features.*/\1/p' <<<"$line"); feats=${feats:-NA}
    edges=$(sed -n 's/.*; \([0-9]*\) new coverage edges.*/\1/p' <<<"$line"); edges=${edges:-NA}
    if [[ $rc -ne 0 || -z "$line" ]]; then
      status=engine_error
      echo "bench/workers.sh: WARNING: merge $c rep $r exited $rc (log: $logf); reproduce with:" \
           "mkdir -p /tmp/out && ${args[*]/$dir\/out//tmp/out}" >&2
    fi
    printf 'merge\t%s\t%s\t%s\t%s files\t%s\t%s\tNA\t%s\t%s\t%s\t%s\t%s\t%s\n' "$MERGE_HARNESS" "$c" "$r" \
      "$NCORPUS" "$NCORPUS" "$(secs $(( t1 - t0 )))" "$edges" "$feats" "$kept" "$status" "$rc" "$other" >>"$TSV"
    log "merge $c rep=$r: $(secs $(( t1 - t0 )))s, kept $kept files ($feats features, $edges edges) $status"
    rm -rf "$dir"
  }
  for r in $(seq 1 "$MERGE_REPS"); do
    order=("${MERGE_CONFIGS[@]}")
    if (( r % 2 == 0 )); then order=(shoal_w2 shoal_w1 shoal_w0 libfuzzer); fi
    for c in "${order[@]}"; do run_merge "$c" "$r"; done
  done
fi

# ---------------------------------------------------------------- summary
ELAPSED=$(( SECONDS - T_START ))
# median (lib.sh) and range, "lo-hi".
AWK_STATS="$AWK_MEDIAN"'
  function range(str,   a, n, i, lo, hi) {
    n = split(str, a, " "); if (n == 0) return "NA"
    lo = hi = a[1] + 0; for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
    return lo "-" hi
  }'
{
  echo "# Shoal multi-process benchmark — run $STAMP"
  echo
  echo "- command: \`$INVOCATION\`" \
       "(effective: PHASES=\"$PHASES\", REPS=$REPS, TP_TIME=$TP_TIME, TP_WARM_RUNS=$TP_WARM_RUNS, CONFIGS=\"${TP_CONFIGS[*]}\", BUG_SEEDS=\"$BUG_SEEDS\"," \
       "BUG_TIME=$BUG_TIME, BUG_SKIP=$BUG_SKIP, MERGE_FILES=$MERGE_FILES, MERGE_GEN_RUNS=$MERGE_GEN_RUNS," \
       "MERGE_REPS=$MERGE_REPS, QUIET_SAMPLE=$QUIET_SAMPLE, QUIET_PCT=$QUIET_PCT," \
       "QUIET_BUDGET=$QUIET_BUDGET${ONLY:+, ONLY=\"$ONLY\"})"
  echo "- Shoal: commit $SHOAL_REV, libshoal_runtime.o sha256 $SHOAL_SHA"
  echo "- compiler: $(clang++ --version | head -1); flags: ${CXXFLAGS_COMMON[*]}"
  echo "- machine: $(machine_line)"
  echo "- duration: $(( ELAPSED / 60 )) min $(( ELAPSED % 60 )) s; raw data: bench/results/workers-$STAMP.tsv"
  if (( ${#THROUGHPUT[@]} > 0 )) && [[ -n "${THROUGHPUT[0]}" ]]; then
    echo
    echo "## Worker overhead and scaling (Shoal only; execs/s = executed units / wall; median of $REPS, -seed=rep)"
    echo
    echo "w0/w1/w2 = -workers=0/1/2; pair = two -workers=0 processes at once (-seed=rep and rep+1000), summed."
    echo "Targets: w1/w0 >= 0.95, w2/w1 >= 1.8. pair/w0 is what this machine gives two independent processes."
    echo
    echo "| harness | time s | w0 | w1 | w2 | pair | **w1/w0** | **w2/w1** | pair/w0 | w2/pair |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' "$AWK_STATS"'
      NR > 1 && $1 == "throughput" {
        k = $2 SUBSEP $3
        if ($12 == "ok") eps[k] = eps[k] " " $8; else err[$2] = err[$2] + 1
        if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2; n[$2] = $5; sub(/ x[0-9]+$/, "", n[$2]); sub(/^-max_total_time=/, "", n[$2]) }
      }
      function r(a, b) { return (a != "NA" && b != "NA" && b > 0) ? sprintf("%.2f", a / b) : "NA" }
      END {
        for (i = 1; i <= nh; i++) {
          h = order[i]
          m0 = median(eps[h SUBSEP "w0"]); m1 = median(eps[h SUBSEP "w1"])
          m2 = median(eps[h SUBSEP "w2"]); mp = median(eps[h SUBSEP "pair"])
          printf "| %s | %s | %s | %s | %s | %s | **%s** | **%s** | %s | %s |%s\n", h, n[h],
            (m0 == "NA" ? m0 : sprintf("%.0f", m0)), (m1 == "NA" ? m1 : sprintf("%.0f", m1)),
            (m2 == "NA" ? m2 : sprintf("%.0f", m2)), (mp == "NA" ? mp : sprintf("%.0f", mp)),
            r(m1, m0), r(m2, m1), r(mp, m0), r(m2, mp), (err[h] ? " " err[h] " run(s) failed" : "")
        }
      }' "$TSV"
    echo
    echo "Spread (min-max execs/s), final cov/ft (median; first process for pair) and CPU used by"
    echo "other processes during the runs (median % of the machine; high values mean the w2 and pair"
    echo "figures measure contention, not Shoal):"
    echo
    echo "| harness | w0 | w1 | w2 | pair | cov/ft w0 | w1 | w2 | pair | others' CPU % w0/w1/w2/pair | coordinator CPU % w1/w2 |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' "$AWK_STATS"'
      NR > 1 && $1 == "throughput" && $12 == "ok" {
        k = $2 SUBSEP $3; eps[k] = eps[k] " " $8; cov[k] = cov[k] " " $9; ft[k] = ft[k] " " $10
        oth[k] = oth[k] " " $14; if ($15 != "" && $15 != "NA") crd[k] = crd[k] " " $15
        if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2 }
      }
      END {
        split("w0 w1 w2 pair", cs, " ")
        for (i = 1; i <= nh; i++) {
          h = order[i]; line = "| " h
          for (j = 1; j <= 4; j++) line = line " | " range(eps[h SUBSEP cs[j]])
          for (j = 1; j <= 4; j++) line = line " | " median(cov[h SUBSEP cs[j]]) "/" median(ft[h SUBSEP cs[j]])
          o = ""; for (j = 1; j <= 4; j++) o = o (j > 1 ? "/" : "") median(oth[h SUBSEP cs[j]])
          print line " | " o " | " median(crd[h SUBSEP "w1"]) "/" median(crd[h SUBSEP "w2"]) " |"
        }
      }' "$TSV"
    echo
    echo "Quiet runs only (other processes used <= $QUIET_PCT % of the machine during the run); n = runs"
    echo "kept per configuration w0/w1/w2/pair:"
    echo
    echo "| harness | w0 | w1 | w2 | pair | **w1/w0** | **w2/w1** | pair/w0 | n |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    awk -F'\t' -v q="$QUIET_PCT" "$AWK_STATS"'
      function r(a, b) { return (a != "NA" && b != "NA" && b > 0) ? sprintf("%.2f", a / b) : "NA" }
      function f(v) { return v == "NA" ? v : sprintf("%.0f", v) }
      NR > 1 && $1 == "throughput" {
        if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2 }
        if ($12 == "ok" && $14 != "NA" && $14 + 0 <= q) { k = $2 SUBSEP $3; eps[k] = eps[k] " " $8; cnt[k]++ }
      }
      END {
        for (i = 1; i <= nh; i++) {
          h = order[i]
          m0 = median(eps[h SUBSEP "w0"]); m1 = median(eps[h SUBSEP "w1"])
          m2 = median(eps[h SUBSEP "w2"]); mp = median(eps[h SUBSEP "pair"])
          printf "| %s | %s | %s | %s | %s | **%s** | **%s** | %s | %d/%d/%d/%d |\n", h, f(m0), f(m1), f(m2), f(mp),
            r(m1, m0), r(m2, m1), r(mp, m0), cnt[h SUBSEP "w0"], cnt[h SUBSEP "w1"], cnt[h SUBSEP "w2"], cnt[h SUBSEP "pair"]
        }
      }' "$TSV"
  fi
  if (( ${#BUGS[@]} > 0 )) && [[ -n "${BUGS[0]}" ]]; then
    echo
    echo "## Time to the first crash file on CMP-gated planted bugs (median over seeds $BUG_SEEDS; cap ${BUG_TIME} s)"
    echo
    echo "Seconds from start until the first crash-* file appears. A miss counts as infinite (\">cap\");"
    echo "found = runs that found the bug / runs made (BUG_SKIP=$BUG_SKIP: remaining seeds of a configuration"
    echo "that already missed on more than half are skipped). Ratio < 1 favours Shoal."
    echo
    echo "| bug | Shoal -workers=2 (found) | libFuzzer -fork=2 (found) | libFuzzer -jobs=2 (found) | **Shoal/fork** | **Shoal/jobs** | Shoal -workers=0 (ref.) | per seed: Shoal w2; fork; jobs; Shoal w0 |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    awk -F'\t' "$AWK_STATS"'
      function fmt(v) { return (v >= 1e29) ? ">cap" : sprintf("%.2f", v) }
      function ratio(a, b) {
        if (a >= 1e29 && b >= 1e29) return "both >cap"; if (a >= 1e29) return "Shoal >cap"
        if (b >= 1e29) return "libFuzzer >cap"; return sprintf("%.2f", a / b)
      }
      NR > 1 && $1 == "bug" {
        k = $2 SUBSEP $3
        if ($12 == "skipped") { per[k] = per[k] (per[k] == "" ? "" : " ") "skip"; next }
        v = ($12 == "found") ? $7 : 1e30
        vals[k] = vals[k] " " v; tot[k]++; if ($12 == "found") fnd[k]++
        shown = ($12 == "found") ? $7 : ($12 == "missed" ? "miss" : "ERR")
        per[k] = per[k] (per[k] == "" ? "" : " ") shown
        if (!($2 in seen)) { seen[$2] = 1; order[++nh] = $2 }
      }
      END {
        for (i = 1; i <= nh; i++) {
          h = order[i]; s = h SUBSEP "shoal_w2"; f = h SUBSEP "libfuzzer_fork2"; j = h SUBSEP "libfuzzer_jobs2"
          z = h SUBSEP "shoal_w0"
          ms = median(vals[s]); mf = median(vals[f]); mj = median(vals[j]); mz = median(vals[z])
          printf "| %s | %s (%d/%d) | %s (%d/%d) | %s (%d/%d) | **%s** | **%s** | %s (%d/%d) | %s; %s; %s; %s |\n", h,
            fmt(ms), fnd[s], tot[s], fmt(mf), fnd[f], tot[f], fmt(mj), fnd[j], tot[j],
            ratio(ms, mf), ratio(ms, mj), fmt(mz), fnd[z], tot[z], per[s], per[f], per[j], per[z]
        }
      }' "$TSV"
  fi
  if has_phase merge; then
    echo
    echo "## Merge: \`-merge=1 OUT CORPUS\` on $NCORPUS $MERGE_HARNESS files ($NGEN fuzzed, $CORPUS_KB KiB in all; median of $MERGE_REPS)"
    echo
    echo "| engine | wall s (median) | wall s (min-max) | vs libFuzzer | kept files | new features | new edges | others' CPU % |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' "$AWK_STATS"'
      NR > 1 && $1 == "merge" {
        if ($12 == "ok") { w[$3] = w[$3] " " $7; kept[$3] = kept[$3] " " $11; ft[$3] = ft[$3] " " $10; cov[$3] = cov[$3] " " $9; oth[$3] = oth[$3] " " $14 }
        else err[$3]++
        if (!($3 in seen)) { seen[$3] = 1 }
      }
      END {
        split("libfuzzer shoal_w0 shoal_w1 shoal_w2", cs, " ")
        split("libFuzzer|Shoal -workers=0|Shoal -workers=1|Shoal -workers=2", names, "|")
        base = median(w["libfuzzer"])
        for (j = 1; j <= 4; j++) {
          c = cs[j]; if (!(c in seen)) continue; m = median(w[c])
          printf "| %s | %s | %s | %s | %s | %s | %s | %s |%s\n", names[j], (m == "NA" ? m : sprintf("%.2f", m)),
            range(w[c]), (m != "NA" && base != "NA" && base > 0) ? sprintf("%.2f", m / base) : "NA",
            range(kept[c]), range(ft[c]), range(cov[c]), median(oth[c]), (err[c] ? " " err[c] " run(s) failed" : "")
        }
      }' "$TSV"
  fi
  echo
  echo "Throughput ratios > 1, time ratios < 1 favour the first-named configuration."
} >"$MD"

report_written "$TSV" "$MD"
