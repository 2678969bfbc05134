#!/usr/bin/env bash
# A/B of two Shoal runtimes by CPU time (issue 9's "no more than 5% below the previous
# Shoal"): each throughput harness is linked with runtime A and runtime B, and both run the
# same fixed -runs=N in-process (-workers=0, -seed=rep, from a copy of the seed corpus on
# tmpfs), one after the other on the same core (taskset -c 0), alternating, REPS times (each
# repetition its own seed, the same for A and B: where the search reaches inputs of different
# cost, one seed says little); the
# measure is each process's user+sys time, which a busy machine disturbs less than wall time.
# Writes bench/results/<stamp>-cpu-ab.{tsv,md} (the table is also printed).
#
# Usage: bench/cpu_ab.sh LIB_A LIB_B      (each a libshoal.a with libshoal_runtime.o beside it)
# Knobs (environment): REPS (default 3), ONLY (harness names), FLAGS_A / FLAGS_B (extra
#   flags for A's or B's runs, e.g. FLAGS_B="-float_mutators=0"), NICE (default 10).
# Ratio B/A > 1 means B needs more CPU for the same runs (B is slower). On the real parsers
# the two runtimes may search differently (and reach inputs of different cost): compare the
# cov/ft columns too.
set -euo pipefail

BENCH_SCRIPT=bench/cpu_ab.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for tool in clang++ nice awk sort date grep sed; do need "$tool"; done
[[ $# -eq 2 ]] || die "usage: bench/cpu_ab.sh LIB_A LIB_B (two libshoal.a files)"
for lib in "$1" "$2"; do
  [[ -f "$lib" && -f "$(dirname "$lib")/libshoal_runtime.o" ]] ||
    die "$lib or the libshoal_runtime.o beside it is missing"
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
INVOCATION="$(invocation_line REPS ONLY FLAGS_A FLAGS_B NICE) $1 $2"
REPS="${REPS:-3}"
NICE="${NICE:-10}"
read -r -a EXTRA_A <<<"${FLAGS_A:-}"
read -r -a EXTRA_B <<<"${FLAGS_B:-}"
PIN=(); if command -v taskset >/dev/null 2>&1; then PIN=(taskset -c 0); fi
HARNESSES=(empty json_nlohmann json_rapidjson stb_image)
declare -A RUNS=([empty]=20000000 [json_nlohmann]=1000000 [json_rapidjson]=3000000
                 [stb_image]=1200000)
if [[ -n "${ONLY:-}" ]]; then
  kept=(); for h in "${HARNESSES[@]}"; do [[ " $ONLY " == *" $h "* ]] && kept+=("$h"); done
  HARNESSES=(${kept[@]+"${kept[@]}"})
fi
(( ${#HARNESSES[@]} > 0 )) || die "ONLY='${ONLY:-}' names none of: empty json_nlohmann json_rapidjson stb_image"

STAMP="$(date +%Y-%m-%d_%H%M%S)"
mkdir -p "$BENCH/results"
TSV="$BENCH/results/$STAMP-cpu-ab.tsv"
MD="$BENCH/results/$STAMP-cpu-ab.md"
WORK="$(mktemp -d /tmp/shoal-cpu-ab.XXXXXX)"
SCRATCH="$(mktemp -d /dev/shm/shoal-cpu-ab.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$WORK" "$SCRATCH"' EXIT
mkdir -p "$WORK"/{obj,bin}

log "building ${#HARNESSES[@]} harnesses against both runtimes in $WORK"
for h in "${HARNESSES[@]}"; do
  nice -n "$NICE" clang++ -O2 -g -fsanitize=fuzzer-no-link -c "$BENCH/harnesses/$h.cc" \
    -o "$WORK/obj/$h.o" || die "compiling $h failed"
  nice -n "$NICE" clang++ -O2 -g -fsanitize=fuzzer-no-link "$WORK/obj/$h.o" "$1" \
    -o "$WORK/bin/$h.A" || die "linking $h with $1 failed"
  nice -n "$NICE" clang++ -O2 -g -fsanitize=fuzzer-no-link "$WORK/obj/$h.o" "$2" \
    -o "$WORK/bin/$h.B" || die "linking $h with $2 failed"
done

# run_one HARNESS SIDE REP: one in-process run; appends "cpu_s cov ft" to $SCRATCH/<side>.out.
run_one() {
  local h="$1" side="$2" r="$3" corpus="$SCRATCH/corpus.$1.$2" extra
  if [[ "$side" == A ]]; then extra=(${EXTRA_A[@]+"${EXTRA_A[@]}"}); else extra=(${EXTRA_B[@]+"${EXTRA_B[@]}"}); fi
  rm -rf "$corpus"; mkdir -p "$corpus"
  [[ -d "$BENCH/seeds/$h" ]] && cp -r "$BENCH/seeds/$h/." "$corpus/"
  local logf="$SCRATCH/log.$h.$side"
  # bash's `times` in the subshell that ran the child (not in a pipeline: that is another
  # subshell, with no children).
  ( "${PIN[@]}" nice -n "$NICE" "$WORK/bin/$h.$side" -workers=0 -runs="${RUNS[$h]}" -seed="$r" \
      ${extra[@]+"${extra[@]}"} "$corpus" >"$logf" 2>&1 || true
    times ) >"$SCRATCH/times.$h.$side"
  local cpu done_line cov ft
  # The second line of `times`: the children's user and sys time.
  cpu=$(awk 'NR == 2 { n = split($0, f, " "); s = 0
               for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] }
               printf "%.2f", s }' "$SCRATCH/times.$h.$side")
  done_line="$(grep -a 'DONE ' "$logf" | tail -1 || true)"
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line"); cov=${cov:-NA}
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line"); ft=${ft:-NA}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$side" "$r" "${RUNS[$h]}" "$cpu" "$cov" "$ft" >>"$TSV"
  log "$h $side rep=$r: $cpu s CPU (cov $cov ft $ft)"
}

printf 'harness\tside\trep\truns\tcpu_s\tcov\tft\n' >"$TSV"
for h in "${HARNESSES[@]}"; do
  for ((r = 1; r <= REPS; r++)); do
    # One after the other, on the same core, alternating which goes first: run side by
    # side, the two processes got cores of different speed (this VM's two vCPUs differed
    # by up to 40% for identical runs).
    if (( r % 2 == 1 )); then run_one "$h" A "$r"; run_one "$h" B "$r"
    else run_one "$h" B "$r"; run_one "$h" A "$r"; fi
  done
done

median() { awk "$AWK_MEDIAN"'{ s = s " " $1 } END { print median(s) }'; }
{
  echo "# Shoal runtime A/B by CPU time — run $STAMP"
  echo
  echo "- command: \`$INVOCATION\`"
  echo "- A: $1${FLAGS_A:+ with $FLAGS_A}; B: $2${FLAGS_B:+ with $FLAGS_B}"
  echo "- machine: $(machine_line)"
  echo "- raw data: bench/results/$STAMP-cpu-ab.tsv"
  echo
  echo "Each run: -workers=0 -runs=N -seed=<rep> from a copy of bench/seeds/<harness>/; A and B one"
  echo "after the other on core 0, alternating, $REPS times; user+sys seconds, median. B/A > 1: B"
  echo "needs more CPU (is slower)."
  echo
  echo "| harness | runs N | A CPU s | B CPU s | B/A | A cov/ft (per seed) | B cov/ft (per seed) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for h in "${HARNESSES[@]}"; do
    a=$(awk -F'\t' -v h="$h" '$1 == h && $2 == "A" { print $5 }' "$TSV" | median)
    b=$(awk -F'\t' -v h="$h" '$1 == h && $2 == "B" { print $5 }' "$TSV" | median)
    ca=$(awk -F'\t' -v h="$h" '$1 == h && $2 == "A" { c = c (c == "" ? "" : ", ") $6 "/" $7 } END { print c }' "$TSV")
    cb=$(awk -F'\t' -v h="$h" '$1 == h && $2 == "B" { c = c (c == "" ? "" : ", ") $6 "/" $7 } END { print c }' "$TSV")
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf (a > 0 ? "%.2f" : "NA"), b / a }')
    echo "| $h | ${RUNS[$h]} | $a | $b | **$ratio** | $ca | $cb |"
  done
} >"$MD"
cat "$MD"
log "raw results: $TSV"
log "summary:     $MD"
