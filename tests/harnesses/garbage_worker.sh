#!/usr/bin/env bash
# A misbehaving worker for the coordinator's tests (used via SHOAL_WORKER_EXECUTABLE).
# The first time it is started (per $GARBAGE_MARK file) it answers the coordinator's first
# request with garbage chosen by $GARBAGE_KIND: "junk" (a frame whose bytes are not a
# protobuf), "huge" (a length header over the frame limit) or "truncated" (a header
# announcing more bytes than follow, then exit). Every later start is the real worker:
# it execs $REAL_WORKER with the same arguments.
set -u
if [[ -e "$GARBAGE_MARK" ]]; then
  exec "$REAL_WORKER" "${@:1}"
fi
touch "$GARBAGE_MARK"
IFS=, read -r request_fd response_fd slot_fd index <<<"$SHOAL_WORKER_FDS"
case "$GARBAGE_KIND" in
  junk) printf '\x10\x00\x00\x00this is no proto' >&"$response_fd" ;;
  huge) printf '\xff\xff\xff\x7f' >&"$response_fd" ;;
  truncated) printf '\x40\x00\x00\x00abc' >&"$response_fd"; exit 0 ;;
esac
sleep 30
