#!/usr/bin/env bash
# Soak: a 16-team, 120-minute simulated game at full speed, into `record` and into the GUI (under Xvfb),
# sampling the receiver's memory (/proc/PID/status VmRSS/VmHWM once a second); then the widget itself
# for two game-hours through the Lua fake engine, sampling collectgarbage("count").
# Heavy (several minutes); not part of scripts/test.sh. Results in docs/RELIABILITY.md.
#   bash scripts/soak.sh [--teams N] [--minutes M] [--skip-gui] [--skip-widget]
# SOAK_GUI_SECS (150): how long the GUI runs; the simulated game must be in and drained before then.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
TEAMS=16; MINUTES=120; GUI=1; WIDGET=1
while [ $# -gt 0 ]; do
  case "$1" in
    --teams) TEAMS="$2"; shift ;;
    --minutes) MINUTES="$2"; shift ;;
    --skip-gui) GUI=0 ;;
    --skip-widget) WIDGET=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$BIN" ] || cargo build --release
source scripts/xvfb-lib.sh
WORK="$(mktemp -d)"
SAMPLER=""
cleanup() { [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null; stop_xvfb; rm -rf "$WORK"; }
trap cleanup EXIT
OUT="${SOAK_OUT:-target/soak}"; mkdir -p "$OUT"
passed=0; failed=0
check() { if eval "$2"; then echo "ok   - $1"; passed=$((passed+1)); else echo "FAIL - $1"; failed=$((failed+1)); fi; }

# sample PID CSV: "t_s,vmrss_kib,vmhwm_kib" every SAMPLE_SECS (0.2) until PID exits.
sample() {
  local pid=$1 csv=$2 t0
  t0=$(date +%s.%N)
  echo "t_s,vmrss_kib,vmhwm_kib" >"$csv"
  while [ -r "/proc/$pid/status" ]; do
    awk -v t="$(echo "$(date +%s.%N) - $t0" | bc)" '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{if (r) printf "%.1f,%d,%d\n", t, r, h}' \
      "/proc/$pid/status" >>"$csv" 2>/dev/null || true
    sleep "${SAMPLE_SECS:-0.2}"
  done
}

# Memory summary of a CSV: warm-up = the first 20% of samples; "growth" = peak RSS after warm-up over
# RSS at the end of warm-up.
mem_summary() {
  python3 - "$@" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
if len(sys.argv) > 3:  # ingest window [a, b] in seconds since sampling started: warm-up = its first 20%
    a, b = float(sys.argv[2]), float(sys.argv[3]); w = a + 0.2 * (b - a)
    at = lambda t: next((int(r["vmrss_kib"]) for r in rows if float(r["t_s"]) >= t), int(rows[-1]["vmrss_kib"]))
    peak = max(int(r["vmrss_kib"]) for r in rows if float(r["t_s"]) >= w)
    print(f"ingest {a:.0f}-{b:.0f} s: rss at 20% of ingest {at(w)} KiB, at end of ingest {at(b)} KiB, "
          f"peak after warm-up {peak} KiB, at exit {rows[-1]['vmrss_kib']} KiB, VmHWM {rows[-1]['vmhwm_kib']} KiB, "
          f"end/warm {at(b)/at(w):.3f}, peak/warm {peak/at(w):.3f}")
    sys.exit(0)
rss = [int(r["vmrss_kib"]) for r in rows]
if len(rss) < 5:
    print(f"samples={len(rss)} too_few"); sys.exit(0)
w = max(1, len(rss) // 5)
warm = rss[w - 1]; after = max(rss[w:]); end = rss[-1]
q = [rss[min(len(rss)-1, int(len(rss)*f))] for f in (0.2, 0.4, 0.6, 0.8)] + [end]
print(f"samples={len(rss)} rss_warm_kib={warm} rss_peak_after_warm_kib={after} rss_end_kib={end} "
      f"hwm_kib={rows[-1]['vmhwm_kib']} growth_ratio={after/warm:.3f} rss_at_20/40/60/80/100%={q}")
PY
}

sim_messages() { sed -n 's/^simulate: \([0-9]*\) messages.*/\1/p' "$1"; }
info_frames() { "$BIN" info --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["frames"])'; }

echo "# soak: $TEAMS teams, $MINUTES game-minutes, speed max"

# --- 1. simulate -> record -------------------------------------------------------------------
PORT="$(free_port)"
"$BIN" record --listen "127.0.0.1:$PORT" --out "$WORK/soak.barlive" --connections 1 >"$WORK/record.log" 2>&1 &
rec=$!
sample "$rec" "$OUT/record-mem.csv" & SAMPLER=$!
t0=$(date +%s.%N)
"$BIN" simulate --to "127.0.0.1:$PORT" --teams "$TEAMS" --minutes "$MINUTES" --speed max 2>"$WORK/sim1.log"
t1=$(date +%s.%N)
rec_rc=0; wait "$rec" || rec_rc=$?
wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
sent="$(sim_messages "$WORK/sim1.log")"
check "record exited cleanly ($rec_rc)" "[ $rec_rc -eq 0 ]"
frames="$(info_frames "$WORK/soak.barlive")"
check "record: info frames ($frames) == messages sent ($sent)" "[ \"$frames\" = \"$sent\" ]"
echo "    simulate->record wall time: $(echo "$t1 - $t0" | bc) s; $(tail -1 "$WORK/sim1.log")"
echo "    record memory: $(mem_summary "$OUT/record-mem.csv")"
size=$(stat -c %s "$WORK/soak.barlive")
# Open time: median of 5 runs of `info` (opens and reads every record) on the warm file.
open_ms=$(python3 - "$BIN" "$WORK/soak.barlive" <<'PY'
import subprocess, sys, time, statistics
ts = []
for _ in range(5):
    t = time.perf_counter(); subprocess.run([sys.argv[1], "info", "--json", sys.argv[2]], check=True, stdout=subprocess.DEVNULL); ts.append(time.perf_counter() - t)
print(f"{statistics.median(ts)*1000:.0f}")
PY
)
echo "    recording: $size bytes, info (open + read all) median of 5: ${open_ms} ms"
check "recording opens (info) in < 1 s (${open_ms} ms)" "[ $open_ms -lt 1000 ]"
cp "$WORK/soak.barlive" "$OUT/soak-record.barlive" 2>/dev/null || true
"$BIN" info "$WORK/soak.barlive" >"$WORK/info.txt"; head -3 "$WORK/info.txt"

# --- 2. simulate -> GUI under Xvfb -----------------------------------------------------------
if [ "$GUI" = 1 ]; then
  start_xvfb
  PORT="$(free_port)"
  "$BIN" --config "$WORK/settings.json" --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --quit-after-secs "${SOAK_GUI_SECS:-150}" \
    >"$WORK/app.log" 2>&1 &
  app=$!
  ts=$(date +%s.%N)
  sample "$app" "$OUT/gui-mem.csv" & SAMPLER=$!
  check "window is mapped" "wait_window bar-live 30"
  t0=$(date +%s.%N)
  "$BIN" simulate --to "127.0.0.1:$PORT" --teams "$TEAMS" --minutes "$MINUTES" --speed max 2>"$WORK/sim2.log"
  t1=$(date +%s.%N)
  sent="$(sim_messages "$WORK/sim2.log")"
  echo "    simulate->GUI wall time: $(echo "$t1 - $t0" | bc) s; $(tail -1 "$WORK/sim2.log")"
  sleep 5
  import -window root "$OUT/soak-gui.png" 2>/dev/null || true
  # The app quits by itself after SOAK_GUI_SECS (runs on_exit: the recording is finished). Closing the
  # window from outside (xdotool windowclose) destroys it under winit, which panics: not a user path.
  app_rc=0; wait "$app" || app_rc=$?
  wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  cp "$WORK/app.log" "$OUT/gui-app.log"
  check "app exited cleanly ($app_rc)" "[ $app_rc -eq 0 ]"
  rec="$(ls "$WORK"/data/recordings/*.barlive 2>/dev/null | head -1 || true)"
  check "the app wrote a recording" "[ -n \"$rec\" ]"
  if [ -n "$rec" ]; then
    frames="$(info_frames "$rec")"
    check "GUI: recorded frames ($frames) == messages sent ($sent): nothing dropped" "[ \"$frames\" = \"$sent\" ]"
  fi
  check "no protocol errors in the app log" "! grep -q 'protocol error' '$WORK/app.log'"
  echo "    GUI memory: $(mem_summary "$OUT/gui-mem.csv" "$(echo "$t0 - $ts" | bc)" "$(echo "$t1 - $ts" | bc)")"
  stop_xvfb
fi

# --- 3. the widget for two game-hours --------------------------------------------------------
if [ "$WIDGET" = 1 ]; then
  if lua5.1 scripts/soak_widget.lua --minutes "$MINUTES" --teams "$TEAMS" >"$OUT/widget.log" 2>&1; then w_rc=0; else w_rc=$?; fi
  tail -4 "$OUT/widget.log" | sed 's/^/    /'
  check "widget soak ($w_rc)" "[ $w_rc -eq 0 ]"
fi

echo "soak: $passed passed, $failed failed (memory CSVs in $OUT/)"
[ "$failed" -eq 0 ]
