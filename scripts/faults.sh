#!/usr/bin/env bash
# Fault injection against the release binary (needs root for the tmpfs mounts, Xvfb for the GUI parts):
#   1. kill -9 the GUI app while it records      -> the file (format 2: compressed blocks of about a
#      second) loads up to about the last second and reads as cut short
#   2. disk full (1 MiB tmpfs) under `record`    -> a clear error naming the file, non-zero exit
#   3. disk full (1 MiB tmpfs) under the GUI     -> recording error logged and shown, live view goes on
#      (every message still reaches the app; the app exits cleanly)
#   4. the widget against a server restart and a server that stops reading (widget e2e runner)
# Quick Rust fault tests (slow drip, 100 connects, kill -9 of `record`) are in tests/faults.rs.
#   bash scripts/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
[ -x "$BIN" ] || cargo build --release
source scripts/xvfb-lib.sh
WORK="$(mktemp -d)"
OUT="${FAULTS_OUT:-target/faults}"; mkdir -p "$OUT"
MOUNTS=()
cleanup() {
  local m; for m in "${MOUNTS[@]:-}"; do [ -n "$m" ] && umount "$m" 2>/dev/null || true; done
  stop_xvfb; rm -rf "$WORK"
}
trap cleanup EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   - $1"; passed=$((passed+1)); else echo "FAIL - $1"; failed=$((failed+1)); fi; }
info_json() { "$BIN" info --json "$1" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"$2\"])"; }
sim_messages() { sed -n 's/^simulate: \([0-9]*\) messages.*/\1/p' "$1"; }
sim_frame() { sed -n 's/^simulate: .*game frame \([0-9]*\),.*/\1/p' "$1"; }
start_xvfb

# --- 1. kill -9 the GUI while recording -------------------------------------------------------
PORT="$(free_port)"
"$BIN" --config "$WORK/s1.json" --data-dir "$WORK/d1" --listen "127.0.0.1:$PORT" --quit-after-secs 120 >"$WORK/app1.log" 2>&1 &
app=$!
wait_window bar-live 30 || true
# 4 teams at 30x: about 60 messages a second, for 20 s; killed after 8 s.
"$BIN" simulate --to "127.0.0.1:$PORT" --teams 4 --minutes 10 --speed 30 >"$WORK/sim1.log" 2>&1 &
sim=$!
sleep 8
if ! kill -0 "$app" 2>/dev/null; then echo "    the app had already exited:"; tail -20 "$WORK/app1.log" | sed 's/^/      /'; fi
kill -9 "$app" 2>/dev/null || true; killed_ms=$(date +%s%3N)
wait "$app" 2>/dev/null || true
wait "$sim" 2>/dev/null || true
rec="$(ls "$WORK"/d1/recordings/*.barlive 2>/dev/null | head -1 || true)"
check "kill -9: a recording exists" "[ -n \"$rec\" ]"
if [ -n "$rec" ]; then
  frames="$(info_json "$rec" frames)"; trunc="$(info_json "$rec" truncated)"
  # How far before the kill the last loaded record was received (ms): created_unix_ms + last t_ms.
  # v1: walk the records; v2: walk the block headers (each carries its last record's time and CRC-32s).
  lag=$(python3 - "$rec" "$killed_ms" <<'PY'
import struct, sys, json, zlib
b = open(sys.argv[1], "rb").read(); killed = int(sys.argv[2])
version = struct.unpack(">I", b[8:12])[0]
n = struct.unpack(">I", b[12:16])[0]; created = json.loads(b[16:16+n])["created_unix_ms"]; i = 16 + n; last = None
if version == 1:
    while i + 16 <= len(b):
        t = struct.unpack(">Q", b[i:i+8])[0]; ln = struct.unpack(">I", b[i+12:i+16])[0]
        if i + 16 + ln > len(b): break
        last = t; i += 16 + ln
else:
    while i + 44 <= len(b) and b[i:i+4] == b"\x89BLK":
        h = b[i:i+44]
        stored = struct.unpack(">I", h[8:12])[0]; last_t = struct.unpack(">Q", h[28:36])[0]
        data_crc, head_crc = struct.unpack(">II", h[36:44])
        data = b[i+44:i+44+stored]
        if zlib.crc32(h[:40]) != head_crc or len(data) < stored or zlib.crc32(data) != data_crc: break
        if h[4] == 1: last = last_t
        i += 44 + stored
print(killed - (created + last) if last is not None else 999999)
PY
)
  echo "    kill -9: $frames frames load (truncated: $trunc); last loaded record received ${lag} ms before the kill"
  check "kill -9: the file loads ($frames frames)" "[ \"$frames\" -gt 100 ]"
  check "kill -9: loaded up to the last second (gap ${lag} ms <= 2000)" "[ \"$lag\" -le 2000 ]"
  check "kill -9: reported cut short" "[ \"$trunc\" = True ]"
fi

# --- 2. disk full under `record` --------------------------------------------------------------
mkdir -p "$WORK/full2"
if mount -t tmpfs -o size=1m tmpfs "$WORK/full2"; then
  MOUNTS+=("$WORK/full2")
  PORT="$(free_port)"
  rc=0
  "$BIN" record --listen "127.0.0.1:$PORT" --out "$WORK/full2/r.barlive" --connections 1 >"$WORK/rec2.log" 2>&1 &
  rp=$!
  "$BIN" simulate --to "127.0.0.1:$PORT" --teams 16 --minutes 60 --speed max >"$WORK/sim2.log" 2>&1 || true
  wait "$rp" || rc=$?
  echo "    record on a full disk: exit $rc: $(grep -m1 'writing the recording' "$WORK/rec2.log" || grep -m1 -i 'error' "$WORK/rec2.log")"
  check "disk full: record exits non-zero" "[ $rc -ne 0 ]"
  check "disk full: record names the file and the cause" "grep -q 'No space left on device' '$WORK/rec2.log' && grep -q 'writing the recording .*r.barlive' '$WORK/rec2.log'"
  frames="$(info_json "$WORK/full2/r.barlive" frames || echo 0)"
  check "disk full: what fit on the disk loads ($frames frames)" "[ \"$frames\" -gt 0 ]"
else
  echo "skip - disk full under record (cannot mount tmpfs; needs root)"
fi

# --- 3. disk full under the GUI ---------------------------------------------------------------
mkdir -p "$WORK/d3/recordings"
if mount -t tmpfs -o size=1m tmpfs "$WORK/d3/recordings"; then
  MOUNTS+=("$WORK/d3/recordings")
  PORT="$(free_port)"
  "$BIN" --config "$WORK/s3.json" --data-dir "$WORK/d3" --listen "127.0.0.1:$PORT" --quit-after-secs 40 >"$WORK/app3.log" 2>&1 &
  app=$!
  wait_window bar-live 30 || true
  "$BIN" simulate --to "127.0.0.1:$PORT" --teams 16 --minutes 20 --speed max 2>"$WORK/sim3.log" || true
  sent="$(sim_messages "$WORK/sim3.log")"; simframe="$(sim_frame "$WORK/sim3.log")"
  sleep 2
  import -window root "$OUT/disk-full-gui.png" 2>/dev/null || true
  app_rc=0; wait "$app" || app_rc=$?
  err="$(grep -m1 'recording to .* stopped' "$WORK/app3.log" || true)"
  echo "    GUI on a full disk: ${err#*] }"
  check "disk full (GUI): the recording error is reported" "[ -n \"$err\" ] && echo \"\$err\" | grep -q 'No space left'"
  # simulate prints its summary only after the whole game went out: 16 teams x 20 min is 2,648 messages
  # into `record` (2,649 into the GUI, which sends a config) and ends at game frame 36000 (20 min x 1800).
  check "disk full (GUI): the simulator sent its whole game ($sent messages, frame $simframe)" "[ -n \"$sent\" ] && [ \"$sent\" -gt 2000 ] && [ \"$simframe\" = 36000 ]"
  check "disk full (GUI): no protocol error, no disconnect before the bye" "! grep -q 'protocol error' '$WORK/app3.log'"
  check "disk full (GUI): the app exited cleanly ($app_rc)" "[ $app_rc -eq 0 ]"
  echo "    screenshot with the error banner: $OUT/disk-full-gui.png"
else
  echo "skip - disk full under the GUI (cannot mount tmpfs; needs root)"
fi

# --- 4. widget: server restart and a stalled reader -------------------------------------------
# The restart scenario runs against bar-live; the stalled-reader scenario needs the Lua stub server
# (`--stall`), so the runner only runs it with --server stub.
if command -v lua5.1 >/dev/null; then
  if BAR_LIVE_BIN="$BIN" lua5.1 widget/spec/e2e/run_e2e.lua --server bar-live >"$WORK/e2e.log" 2>&1; then e2e=0; else e2e=$?; fi
  grep -E '^(ok|FAIL|not ok)|passed, ' "$WORK/e2e.log" | head -12 | sed 's/^/    /'
  check "widget e2e vs bar-live (server killed and restarted: reconnect, no corrupt frame)" "[ $e2e -eq 0 ] && grep -q '^ok   server killed and restarted' '$WORK/e2e.log'"
  if lua5.1 widget/spec/e2e/run_e2e.lua --server stub >"$WORK/e2e-stub.log" 2>&1; then e2e=0; else e2e=$?; fi
  grep -E '^(ok|FAIL|not ok)|passed, |drops' "$WORK/e2e-stub.log" | head -12 | sed 's/^/    /'
  check "widget e2e vs stub (stalled reader: memory bounded, drops counted, stream valid)" "[ $e2e -eq 0 ] && grep -q '^ok   server that stops reading' '$WORK/e2e-stub.log'"
else
  echo "skip - widget e2e (lua5.1 not installed)"
fi

echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
