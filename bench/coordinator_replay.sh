#!/usr/bin/env bash
# What one Shoal coordinator costs for many workers, measured on a machine with few cores:
# records the worker -> coordinator traffic of a real run, then replays it into one real
# coordinator at the pace of N workers, and reports the coordinator's CPU and whether it
# keeps up (issue 10: 64 workers' traffic in under half a core).
#
#   record  json_rapidjson (bench/harnesses) linked with libshoal.a, -workers=2 for
#           RECORD_TIME s from bench/seeds/json_rapidjson, -keep_going=1 (RapidJSON's strtod
#           has a reachable crash); each worker is bench/fake_worker in
#           record mode, which runs the real worker as its child and logs every frame.
#   replay  for each N: the same binary as the coordinator, -workers=N, whose workers are
#           bench/fake_worker in replay mode: they run no target and answer each Fuzz request
#           with a recorded request's frames at the recorded offsets (see fake_worker.cc).
#           The coordinator's user+sys CPU (/proc/<pid>/stat) is sampled over MEASURE s that
#           begin WARMUP s after INITED (start-up and seeds left out) -> cores used, and per
#           worker; then the coordinator is stopped with SIGINT.
#           "pace" = recorded time of the Fuzz requests replayed / wall time they took: 1.00
#           means the coordinator answered as fast as the recorded one did; the fake workers
#           also report how long their writes blocked (a full pipe) and the mean turnaround
#           (final frame sent -> next request received).
#
# Writes bench/results/<stamp>-coordinator-replay.{tsv,md} (the .md is also printed).
#
# Usage: bench/coordinator_replay.sh [N ...]     default: 16 64 256 (each 1..256)
# Knobs (environment): RECORD_TIME (s, default 25), WARMUP (s, default 10), MEASURE (s,
#   default 20), FEATURES (distinct: every fake worker's finds are new to the coordinator,
#   the default and an upper bound; same: the recorded features, so after the first worker
#   replays a find the others' copies add nothing), NICE (default 0), KEEP_WORK=1, WORK
#   (scratch directory), SHOAL_LIB (libshoal.a, default bazel-bin's), FAKE_WORKER (default
#   bazel-bin/bench/fake_worker: `bazel build //:libshoal //bench:fake_worker`), RECORDING (the
#   WORK directory of an earlier KEEP_WORK=1 run: replay its recording instead of recording,
#   e.g. to compare two runtimes (SHOAL_LIB) on the same traffic).
set -euo pipefail

BENCH_SCRIPT=bench/coordinator_replay.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ nice awk date grep sed sha256sum getconf nproc cp; do need "$tool"; done
(( BASH_VERSINFO[0] >= 5 )) || die "bash >= 5 required (uses \$EPOCHREALTIME)"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
INVOCATION="$(invocation_line RECORD_TIME WARMUP MEASURE FEATURES NICE SHOAL_LIB FAKE_WORKER RECORDING) $*"
INVOCATION="${INVOCATION% }"

SIZES=("$@")
(( ${#SIZES[@]} )) || SIZES=(16 64 256)
for n in "${SIZES[@]}"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 1 || n > 256 )); then
    die "unknown worker count '$n' (expected integers from 1 to 256)"
  fi
done
RECORD_TIME="${RECORD_TIME:-25}"; WARMUP="${WARMUP:-10}"; MEASURE="${MEASURE:-20}"
NICE="${NICE:-0}"; FEATURES="${FEATURES:-distinct}"
for v in RECORD_TIME WARMUP MEASURE NICE; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
(( RECORD_TIME >= 1 && MEASURE >= 1 )) || die "RECORD_TIME and MEASURE must be >= 1"
[[ "$FEATURES" == distinct || "$FEATURES" == same ]] ||
  die "FEATURES must be distinct or same, got '$FEATURES'"

SHOAL_A="${SHOAL_LIB:-$ROOT/bazel-bin/libshoal.a}"
SHOAL_O="$(dirname "$SHOAL_A")/libshoal_runtime.o"
[[ -f "$SHOAL_A" && -f "$SHOAL_O" ]] ||
  die "$SHOAL_A or $SHOAL_O missing: run 'cd $ROOT && bazel build //:libshoal' first"
FAKE_SRC="${FAKE_WORKER:-$ROOT/bazel-bin/bench/fake_worker}"
[[ -x "$FAKE_SRC" ]] ||
  die "$FAKE_SRC missing: run 'cd $ROOT && bazel build //bench:fake_worker' first"
[[ -f /usr/include/rapidjson/document.h ]] ||
  die "header /usr/include/rapidjson/document.h missing (apt-get install rapidjson-dev)"
HARNESS=json_rapidjson
SEEDS="$BENCH/seeds/$HARNESS"
[[ -d "$SEEDS" ]] || die "seed directory $SEEDS missing"

RESULTS="$BENCH/results"
STAMP="$(date +%Y-%m-%d_%H%M%S)"
TSV="$RESULTS/$STAMP-coordinator-replay.tsv"
MD="$RESULTS/$STAMP-coordinator-replay.md"
WORK="${WORK:-$(mktemp -d /tmp/shoal-replay.XXXXXX)}"
mkdir -p "$WORK"/{shoal,obj,bin,recording,artifacts} "$RESULTS"
cleanup() { [[ "${KEEP_WORK:-0}" == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
CLK_TCK="$(getconf CLK_TCK)"

snapshot_runtime
cp "$FAKE_SRC" "$WORK/bin/fake_worker"
FAKE="$WORK/bin/fake_worker"
BIN="$WORK/bin/$HARNESS.shoal"
log "building $HARNESS with Shoal $SHOAL_REV"
nice -n "$NICE" clang++ -O2 -g -fsanitize=fuzzer-no-link -c "$BENCH/harnesses/$HARNESS.cc" \
  -o "$WORK/obj/$HARNESS.o" || die "compiling $HARNESS failed"
nice -n "$NICE" clang++ -O2 -g -fsanitize=fuzzer-no-link "$WORK/obj/$HARNESS.o" \
  "$WORK/shoal/libshoal.a" -o "$BIN" || die "linking $HARNESS with Shoal failed"

# ---- record (or take an earlier run's recording, so that two runtimes replay the same traffic)
if [[ -n "${RECORDING:-}" ]]; then
  [[ -d "$RECORDING/recording" && -f "$RECORDING/record.log" ]] ||
    die "RECORDING=$RECORDING holds no recording/ and record.log (a KEEP_WORK=1 run's WORK)"
  log "replaying the recording in $RECORDING"
  if [[ "$(cd "$RECORDING" && pwd)" != "$(cd "$WORK" && pwd)" ]]; then
    rm -rf "$WORK/recording"; cp -r "$RECORDING/recording" "$RECORDING/record.log" "$WORK/"
  fi
else
  log "recording: $HARNESS -workers=2 -max_total_time=$RECORD_TIME"
  rm -rf "$WORK/rec-corpus"; cp -r "$SEEDS" "$WORK/rec-corpus"
  SHOAL_WORKER_EXECUTABLE="$FAKE" SHOAL_REPLAY_MODE=record SHOAL_REPLAY_REAL_WORKER="$BIN" \
    SHOAL_REPLAY_DIR="$WORK/recording" nice -n "$NICE" "$BIN" -workers=2 \
    -max_total_time="$RECORD_TIME" -seed=1 -keep_going=1 -artifact_prefix="$WORK/artifacts/" \
    "$WORK/rec-corpus" >"$WORK/record.log" 2>&1 ||
    die "the recording run failed (exit $?); see $WORK/record.log (KEEP_WORK=1 keeps it)"
fi
REC_LINE="$("$FAKE" --summarize "$WORK/recording")" || die "the recording holds no Fuzz request"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }
REC_WORKERS="$(field workers "$REC_LINE")"; REC_FRAMES="$(field frames "$REC_LINE")"
REC_UNITS="$(field units "$REC_LINE")"; REC_BYTES="$(field bytes "$REC_LINE")"
REC_SPAN_NS="$(field span_ns "$REC_LINE")"; REC_REQUESTS="$(field fuzz_requests "$REC_LINE")"
REC_FINAL="$(grep -E '^#[0-9]+' "$WORK/record.log" | tail -1 || true)"
log "recorded: $REC_LINE"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo ""; }

printf 'workers\twindow_s\tcpu_s\tcores\tmillicores_per_worker\toffered_frames_per_s\tachieved_frames_per_s\tpace\tmean_turnaround_ms\tmax_blocked_ms\tunits_sent\tnew_lines\tcorpus_files\tpeak_rss_mb\texit\n' >"$TSV"

for n in "${SIZES[@]}"; do
  log "replay: -workers=$n, warm-up ${WARMUP} s, measured ${MEASURE} s"
  run="$WORK/replay-$n"
  rm -rf "$run"; mkdir -p "$run/stats"; cp -r "$SEEDS" "$run/corpus"
  # Stopped by SIGINT once measured; the time limit is only a safety net.
  total=$(( WARMUP + MEASURE + 600 ))
  SHOAL_WORKER_EXECUTABLE="$FAKE" SHOAL_REPLAY_MODE=replay SHOAL_REPLAY_DIR="$WORK/recording" \
    SHOAL_REPLAY_FEATURES="$FEATURES" SHOAL_REPLAY_STATS_DIR="$run/stats" \
    nice -n "$NICE" "$BIN" -workers="$n" -max_total_time="$total" -seed=1 \
    -artifact_prefix="$WORK/artifacts/" "$run/corpus" \
    >"$run/log" 2>&1 &
  pid=$!
  # The warm-up starts once every worker is up and the seeds ran (INITED).
  until grep -q INITED "$run/log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "the coordinator of -workers=$n ended before INITED; see $run/log (KEEP_WORK=1)"
    sleep 0.2
  done
  sleep "$WARMUP"
  c0="$(cpu_ticks "$pid")"; t0="$EPOCHREALTIME"
  sleep "$MEASURE"
  c1="$(cpu_ticks "$pid")"; t1="$EPOCHREALTIME"
  rss="$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "")"
  kill -INT "$pid" 2>/dev/null || true
  code=0; wait "$pid" || code=$?
  [[ -n "$c0" && -n "$c1" ]] ||
    die "the coordinator of -workers=$n ended before the measurement did; see $run/log (KEEP_WORK=1)"
  stats="$(cat "$run/stats"/*.txt 2>/dev/null || true)"
  [[ -n "$stats" ]] ||
    die "no fake worker of -workers=$n finished a Fuzz request (MEASURE too short?); see $run/log (KEEP_WORK=1)"
  new_lines="$(grep -cE '^#[0-9]+[[:space:]]+NEW ' "$run/log" || true)"
  files="$(find "$run/corpus" -type f | wc -l)"
  awk -v n="$n" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v tck="$CLK_TCK" \
      -v new_lines="$new_lines" -v files="$files" -v rss="$rss" -v code="$code" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2]
        if (kv[1] == "max_blocked_ns" && kv[2] > maxb) maxb = kv[2] } }
    END {
      window = t1 - t0; cpu = (c1 - c0) / tck; cores = cpu / window
      # Offered: the frames the fake workers sent, per second of their recorded time (the
      # recorded pace). Achieved: the same frames per second of the wall time they took.
      offered = s["recorded_ns"] ? s["frames"] / (s["recorded_ns"] / 1e9 / NR) : 0
      achieved = s["fuzzing_ns"] ? s["frames"] / (s["fuzzing_ns"] / 1e9 / NR) : 0
      pace = s["fuzzing_ns"] ? s["recorded_ns"] / s["fuzzing_ns"] : 0
      turn = s["fuzz_requests"] > NR ? s["turnaround_ns"] / (s["fuzz_requests"] - NR) / 1e6 : 0
      printf "%d\t%.1f\t%.2f\t%.3f\t%.1f\t%.0f\t%.0f\t%.2f\t%.2f\t%.1f\t%d\t%d\t%d\t%s\t%d\n",
        n, window, cpu, cores, cores / n * 1000, offered, achieved, pace, turn, maxb / 1e6,
        s["units"], new_lines, files, rss, code
    }' <<<"$stats" >>"$TSV"
  tail -1 "$TSV" >&2
done

# ---- summary
if [[ -n "${RECORDING:-}" ]]; then REC_HOW="(reused from $RECORDING)"; else REC_HOW="for ${RECORD_TIME} s"; fi
{
  echo "# Shoal coordinator replay — run $STAMP"
  echo
  echo "- command: \`$INVOCATION\`"
  echo "- machine: $(nproc) cores ($(uname -m)), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Shoal: $SHOAL_REV (libshoal_runtime.o sha256 $SHOAL_SHA); harness $HARNESS"
  echo "- recording: -workers=2 $REC_HOW ($REC_WORKERS worker recordings): $REC_REQUESTS Fuzz requests, $REC_FRAMES frames," \
       "$REC_UNITS units, $(( REC_BYTES / 1024 )) KiB over $(awk -v s="$REC_SPAN_NS" 'BEGIN { printf "%.1f", s / 1e9 }') s of" \
       "requests (per worker: $(awk -v f="$REC_FRAMES" -v s="$REC_SPAN_NS" 'BEGIN { printf "%.1f", f / (s / 1e9) }') frames/s," \
       "$(awk -v u="$REC_UNITS" -v s="$REC_SPAN_NS" 'BEGIN { printf "%.1f", u / (s / 1e9) }') units/s); its last line: \`$REC_FINAL\`"
  echo "- replay: features $FEATURES; CPU of the coordinator process over ${MEASURE} s that begin ${WARMUP} s after INITED"
  echo
  echo "| workers | cores used | millicores per worker | offered frames/s | achieved frames/s | pace | turnaround ms | max blocked write ms | units sent | NEW lines | peak RSS MB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
    $1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14 }' "$TSV"
  echo
  awk -F'\t' 'NR > 1 && $1 == 64 { printf "Target (64 workers in under half a core, keeping up): %s (%s cores, %s; pace %s, %s).\n",
    ($4 < 0.5 && $8 >= 0.9) ? "met" : "NOT met", $4, ($4 < 0.5) ? "under half a core" : "over half a core",
    $8, ($8 >= 0.9) ? "kept up" : "did not keep up" }' "$TSV"
  echo
  echo "pace = recorded duration of the Fuzz requests replayed / the wall time they took (1.00 ="
  echo "the recorded pace; lower means the fake workers waited on the coordinator)."
} >"$MD"
cat "$MD"
log "raw results: $TSV"
log "summary:     $MD"
