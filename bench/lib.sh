# Helpers shared by bench/run.sh and bench/workers.sh (sourced, not run): errors, the
# provenance line, the runtime snapshot, the harness build and the closing report lines.
# The sourcing script sets BENCH_SCRIPT (its name in messages) before sourcing, and
# ROOT/BENCH/SHOAL_A/SHOAL_O, WORK, NICE and CXXFLAGS_COMMON before calling the functions
# that use them.
die() { echo "$BENCH_SCRIPT: error: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "required tool '$1' not found in PATH"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Prints the command as invoked, with the knobs (environment variables) the caller set.
invocation_line() {
  local line="" knob
  for knob in "$@"; do
    if [[ -n "${!knob+x}" ]]; then
      if [[ "${!knob}" =~ ^[A-Za-z0-9_./=-]*$ ]]; then line+="$knob=${!knob} "
      else line+="$knob='${!knob}' "; fi
    fi
  done
  echo "$line$BENCH_SCRIPT"
}

# The machine, for a summary's provenance: CPU model, cores, kernel, load average now.
machine_line() {
  local cpu; cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown)"
  echo "$cpu, $(nproc) cores, $(uname -sr), load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# awk's median(str) of a space-separated list of numbers ("NA" if empty), to prepend to an
# awk program: awk "$AWK_MEDIAN"'...'.
AWK_MEDIAN='
  function median(str,   a, n, i, j, t) {
    n = split(str, a, " "); if (n == 0) return "NA"
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j+1] = a[j]; a[j+1] = t }
    return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }'

# Copies the runtime into $WORK/shoal, so a concurrent `bazel build` cannot swap it
# mid-benchmark, and sets SHOAL_SHA and SHOAL_REV (the commit, marked if runtime/ is dirty).
snapshot_runtime() {
  cp "$SHOAL_A" "$SHOAL_O" "$WORK/shoal/"
  chmod u+w "$WORK/shoal/"*
  SHOAL_SHA="$(sha256sum "$WORK/shoal/libshoal_runtime.o" | cut -c1-12)"
  SHOAL_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$ROOT" status --porcelain -- runtime 2>/dev/null)" ]]; then
    SHOAL_REV="$SHOAL_REV+dirty-runtime"
  fi
  [[ -z "${SHOAL_LIB:-}" ]] || SHOAL_REV="$SHOAL_REV (checkout; runtime from SHOAL_LIB=$SHOAL_LIB)"
}

# Each harness is compiled once with -fsanitize=fuzzer-no-link (clang 14 emits a
# byte-identical object for -fsanitize=fuzzer) and linked twice: with libshoal.a
# ($WORK/bin/<h>.shoal) and with -fsanitize=fuzzer, clang's libFuzzer ($WORK/bin/<h>.libfuzzer).
# Same code under test for both engines.
build_harness() {
  local h="$1" src="$BENCH/harnesses/$1.cc"
  [[ -f "$src" ]] || die "harness source $src missing"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer-no-link -c "$src" \
    -o "$WORK/obj/$h.o" || die "compiling $src failed"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer-no-link "$WORK/obj/$h.o" \
    "$WORK/shoal/libshoal.a" -o "$WORK/bin/$h.shoal" || die "linking $h with Shoal failed"
  nice -n "$NICE" clang++ "${CXXFLAGS_COMMON[@]}" -fsanitize=fuzzer "$WORK/obj/$h.o" \
    -o "$WORK/bin/$h.libfuzzer" || die "linking $h with libFuzzer failed"
}

# Prints the summary and where the results went; warns if any run ended with an engine error.
report_written() {
  local tsv="$1" md="$2"
  cat "$md"
  log "raw results: $tsv"
  log "summary:     $md"
  if grep -q $'\tengine_error\t' "$tsv"; then
    log "WARNING: some runs ended with an engine error (status engine_error in $tsv)"
  fi
}
