#!/usr/bin/env bash
# GUI smoke test: start bar-live under Xvfb with temp config/data dirs, feed it with `simulate`,
# take a screenshot, and check the window came up, the image is not blank, a recording was written,
# and the app exited cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
source scripts/xvfb-lib.sh
WORK="$(mktemp -d)"
trap 'stop_xvfb; rm -rf "$WORK"' EXIT
start_xvfb
PORT="$(free_port)"
passed=0; failed=0
check() { if eval "$2"; then echo "ok   - $1"; passed=$((passed+1)); else echo "FAIL - $1"; failed=$((failed+1)); fi; }

"$BIN" --config "$WORK/settings.json" --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --quit-after-secs 12 \
  >"$WORK/app.log" 2>&1 &
app=$!
check "window is mapped" "wait_window bar-live 20"
"$BIN" simulate --to "127.0.0.1:$PORT" --teams 4 --minutes 10 --speed 120 >"$WORK/sim.log" 2>&1 || true
sleep 1
import -window root "$WORK/shot.png"
app_rc=0; wait "$app" || app_rc=$?
check "app exited cleanly (status $app_rc)" "[ $app_rc -eq 0 ]"
sd="$(convert "$WORK/shot.png" -colorspace gray -format '%[fx:standard_deviation]' info:)"
check "screenshot is not blank (stddev $sd)" "python3 -c 'import sys; sys.exit(0 if float(\"$sd\") > 0.02 else 1)'"
rec="$(ls "$WORK"/data/recordings/*.barlive 2>/dev/null | head -1 || true)"
check "a recording was written" "[ -n \"$rec\" ]"
if [ -n "$rec" ]; then
  frames="$("$BIN" info --json "$rec" | python3 -c 'import json,sys; print(json.load(sys.stdin)["frames"])')"
  check "the recording holds the game ($frames frames)" "[ \"$frames\" -gt 100 ]"
fi
check "settings were saved on exit" "[ -s \"$WORK/settings.json\" ]"
if [ "$failed" -ne 0 ]; then
  echo "--- app log"; tail -30 "$WORK/app.log"; echo "--- sim log"; tail -5 "$WORK/sim.log"
  mkdir -p target/gui-smoke && cp "$WORK/shot.png" target/gui-smoke/ 2>/dev/null || true
fi
echo "gui-smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
