#!/usr/bin/env bash
# Several machines on one campaign over real NFS, on one machine (run by hand, as root; not
# part of CI): a userspace NFS server (nfs-ganesha, VFS export, NFSv3) serves one directory,
# two NFS clients mount it (fuse-nfs over libnfs: each its own NFS client with its own
# attribute cache, as two machines have), and two Shoal coordinators, one per mount, fuzz
# into the shared corpus with -reload=1 and different seeds. A second round SIGKILLs one of
# them mid-run. Checks what docs/user-guide.md ("Several machines on shared storage")
# promises: each takes the other's finds (RELOAD lines), every corpus file is named by the
# SHA-1 of its contents (no partial file), no temp file is left by coordinators that exit,
# and nothing fails to read. Prints a summary; exit code 0 when every check passed.
#
# Why userspace: the kernels this project runs on may have no NFS client or server at all
# (CONFIG_NFS_FS and CONFIG_NFSD unset, no modules); FUSE is enough for this script.
# Debian 12 packages it needs: nfs-ganesha nfs-ganesha-vfs rpcbind fuse libfuse-dev
# libnfs-dev pkg-config gcc. fuse-nfs itself is not packaged: give its binary (FUSE_NFS) or
# its single source file fuse/fuse-nfs.c from github.com/sahlberg/fuse-nfs (FUSE_NFS_SRC),
# which this script compiles.
#
# Usage: FUSE_NFS_SRC=/path/to/fuse-nfs.c bench/nfs_shared_corpus.sh [FUZZ_TARGET]
#   FUZZ_TARGET defaults to tests/harnesses/campaign_slots.cc linked with bazel-bin's
#   libshoal.a (run 'bazel build //:libshoal' first).
# Knobs (environment): SECONDS_EACH (fuzzing time of each coordinator, default 15),
#   FUSE_NFS or FUSE_NFS_SRC, WORK (default a new /tmp directory, removed at the end unless
#   KEEP_WORK=1; a WORK you give is kept).
set -uo pipefail

BENCH_SCRIPT=bench/nfs_shared_corpus.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $EUID -eq 0 ]] || die "run as root (FUSE mounts, an NFS server on ports 2049 and 111)"
for tool in ganesha.nfsd rpcbind rpcinfo fusermount sha1sum timeout; do need "$tool"; done
SECONDS_EACH="${SECONDS_EACH:-15}"
[[ "$SECONDS_EACH" =~ ^[0-9]+$ && "$SECONDS_EACH" -ge 4 ]] || die "SECONDS_EACH must be a number >= 4"
OWN_WORK=0
if [[ -z "${WORK:-}" ]]; then WORK="$(mktemp -d /tmp/shoal-nfs.XXXXXX)"; OWN_WORK=1; fi
mkdir -p "$WORK"/{export,m1,m2,logs,src}

GANESHA_PID=""
RPCBIND_PID=""
cleanup() {
  for m in "$WORK/m1" "$WORK/m2"; do mountpoint -q "$m" && fusermount -u "$m"; done
  if [[ -n "$GANESHA_PID" ]] && kill "$GANESHA_PID" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$GANESHA_PID" 2>/dev/null || break; sleep 0.2; done  # frees port 2049
  fi
  [[ -n "$RPCBIND_PID" ]] && kill "$RPCBIND_PID" 2>/dev/null
  [[ $OWN_WORK -eq 1 && "${KEEP_WORK:-0}" != 1 ]] && rm -rf "$WORK"
}
trap cleanup EXIT

# fuse-nfs: given, or compiled from its one source file (it includes "../config.h").
if [[ -n "${FUSE_NFS:-}" ]]; then
  [[ -x "$FUSE_NFS" ]] || die "FUSE_NFS=$FUSE_NFS is not an executable"
elif [[ -n "${FUSE_NFS_SRC:-}" ]]; then
  [[ -f "$FUSE_NFS_SRC" ]] || die "FUSE_NFS_SRC=$FUSE_NFS_SRC: no such file"
  need gcc; need pkg-config
  mkdir -p "$WORK/src/fuse"
  cp "$FUSE_NFS_SRC" "$WORK/src/fuse/fuse-nfs.c"
  echo '#define HAVE_ST_ATIM 1' >"$WORK/src/config.h"
  gcc -O2 -D_FILE_OFFSET_BITS=64 "$WORK/src/fuse/fuse-nfs.c" \
    $(pkg-config --cflags --libs fuse libnfs) -lpthread -o "$WORK/src/fuse-nfs" ||
    die "compiling fuse-nfs failed (packages libfuse-dev libnfs-dev pkg-config)"
  FUSE_NFS="$WORK/src/fuse-nfs"
else
  die "give FUSE_NFS (a fuse-nfs binary) or FUSE_NFS_SRC (its fuse/fuse-nfs.c)"
fi

# The fuzz target.
TARGET="${1:-}"
if [[ -z "$TARGET" ]]; then
  need clang++
  [[ -f "$ROOT/bazel-bin/libshoal.a" ]] || die "bazel-bin/libshoal.a missing: run 'bazel build //:libshoal'"
  TARGET="$WORK/campaign_slots"
  clang++ -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
    "$ROOT/tests/harnesses/campaign_slots.cc" "$ROOT/bazel-bin/libshoal.a" -o "$TARGET" ||
    die "building campaign_slots failed"
fi
[[ -x "$TARGET" ]] || die "$TARGET is not an executable"

# The server: rpcbind (NFSv3 needs it), then ganesha exporting $WORK/export.
if ! rpcinfo -p >/dev/null 2>&1; then
  rpcbind -f -w &
  RPCBIND_PID=$!
  for _ in $(seq 50); do rpcinfo -p >/dev/null 2>&1 && break; sleep 0.1; done
  rpcinfo -p >/dev/null 2>&1 || die "rpcbind did not start"
fi
cat >"$WORK/ganesha.conf" <<EOF
NFS_CORE_PARAM { Protocols = 3; NFS_Port = 2049; MNT_Port = 20048; Enable_NLM = false; Enable_RQUOTA = false; }
NFSV4 { Graceless = true; }  # no 90 s grace period (EAGAIN) after the start
EXPORT {
  Export_Id = 1; Path = $WORK/export; Pseudo = /export; Access_Type = RW;
  Squash = No_Root_Squash; Protocols = 3; Transports = TCP; FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
EOF
ganesha.nfsd -f "$WORK/ganesha.conf" -L "$WORK/logs/ganesha.log" -p "$WORK/ganesha.pid" -N NIV_EVENT ||
  die "ganesha.nfsd did not start (see $WORK/logs/ganesha.log)"
for _ in $(seq 50); do rpcinfo -p 2>/dev/null | grep -q mountd && break; sleep 0.2; done
GANESHA_PID="$(cat "$WORK/ganesha.pid" 2>/dev/null)"
rpcinfo -p | grep -q mountd || die "the NFS server did not register (see $WORK/logs/ganesha.log)"

# Two clients, as two machines.
for m in m1 m2; do
  "$FUSE_NFS" -n "nfs://127.0.0.1$WORK/export?version=3" -m "$WORK/$m" ||
    die "fuse-nfs could not mount $WORK/$m"
done
mkdir "$WORK/m1/corpus" || die "cannot write through the NFS mount"
[[ -d "$WORK/m2/corpus" ]] || die "the second mount does not see the first one's directory"
log "NFS server: nfs-ganesha $(dpkg-query -W -f='${Version}' nfs-ganesha 2>/dev/null), clients: fuse-nfs (libnfs $(dpkg-query -W -f='${Version}' libnfs13 2>/dev/null))"

# One coordinator in mount $1 with seed $2 for $3 seconds, its output in $4, under the
# command prefix after them (a timeout).
coordinator() {
  local mount="$1" seed="$2" seconds="$3" out="$4"
  shift 4
  (cd "$WORK/$mount" && "$@" "$TARGET" -workers=1 -reload=1 -seed="$seed" \
    -max_total_time="$seconds" -print_final_stats=1 corpus >"$out" 2>&1)
}

FAILED=0
check() {  # check DESCRIPTION CONDITION...
  local what="$1"
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; FAILED=1; fi
}
corpus_files() { find "$WORK/export/corpus" -maxdepth 1 -type f ! -name '.shoal-tmp.*' | wc -l; }
temp_files() { find "$WORK/export/corpus" -maxdepth 1 -name '.shoal-tmp.*' | wc -l; }
misnamed_files() {
  local n=0 f
  for f in "$WORK/export/corpus"/*; do
    [[ -f "$f" ]] || continue
    [[ "$(sha1sum <"$f" | cut -c1-40)" == "$(basename "$f")" ]] || n=$((n + 1))
  done
  echo "$n"
}
reloads() { grep -cE '^#[0-9]+[[:space:]]+RELOAD ' "$1"; }
final_cov() { grep -E '^#[0-9]+[[:space:]]+DONE ' "$1" | sed -E 's/.* cov: ([0-9]+) .*/\1/'; }

log "round 1: two coordinators, one per mount, ${SECONDS_EACH}s each"
start=$(date +%s)
coordinator m1 11 "$SECONDS_EACH" "$WORK/logs/a.out" timeout 600 &
pid_a=$!
coordinator m2 22 "$SECONDS_EACH" "$WORK/logs/b.out" timeout 600 &
pid_b=$!
wait "$pid_a"; status_a=$?
wait "$pid_b"; status_b=$?
echo "round 1 took $(($(date +%s) - start)) s (wall clock, start-up and exit included)"
echo "round 1: A exit $status_a, RELOAD lines $(reloads "$WORK/logs/a.out"), final cov $(final_cov "$WORK/logs/a.out");" \
  "B exit $status_b, RELOAD lines $(reloads "$WORK/logs/b.out"), final cov $(final_cov "$WORK/logs/b.out");" \
  "$(corpus_files) corpus files, $(temp_files) temp files"
check "both coordinators exit 0" test "$status_a" -eq 0 -a "$status_b" -eq 0
check "each took the other's finds (RELOAD lines)" test "$(reloads "$WORK/logs/a.out")" -ge 1 -a "$(reloads "$WORK/logs/b.out")" -ge 1
check "every corpus file is named by the SHA-1 of its contents" test "$(misnamed_files)" -eq 0
check "no temp file left" test "$(temp_files)" -eq 0
check "no file failed to read" bash -c "! grep -qh 'could not read' '$WORK/logs/a.out' '$WORK/logs/b.out'"

log "round 2: one coordinator SIGKILLed after $((SECONDS_EACH / 2))s, wherever it is"
coordinator m1 33 "$SECONDS_EACH" "$WORK/logs/c.out" timeout 600 &
pid_c=$!
coordinator m2 44 600 "$WORK/logs/d.out" timeout -s KILL "$((SECONDS_EACH / 2))" &
pid_d=$!
wait "$pid_c"; status_c=$?
wait "$pid_d"; status_d=$?
echo "round 2: survivor exit $status_c, RELOAD lines $(reloads "$WORK/logs/c.out"); killed: exit $status_d;" \
  "$(corpus_files) corpus files, $(temp_files) temp files (a killed writer may leave one)"
check "the survivor exits 0" test "$status_c" -eq 0
check "the killed one was killed" test "$status_d" -eq 137
check "every corpus file is still whole" test "$(misnamed_files)" -eq 0
check "the survivor read every file it saw" bash -c "! grep -q 'could not read' '$WORK/logs/c.out'"
files="$(corpus_files)"
again="$(cd "$WORK/m1" && "$TARGET" -runs=0 corpus 2>&1)"
check "a new coordinator reads all $files files over NFS" \
  grep -q " $files files found in corpus" <<<"$again"

[[ $OWN_WORK -eq 0 || "${KEEP_WORK:-0}" == 1 ]] && log "logs kept in $WORK/logs"
if [[ $FAILED -eq 0 ]]; then echo "nfs_shared_corpus: all checks passed"; else echo "nfs_shared_corpus: some checks FAILED"; fi
exit $FAILED
