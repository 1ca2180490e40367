#!/usr/bin/env bash
# CPU of the overlay server: `bar-live serve` fed 16 teams at 1x (2 updates per second, the widget's
# default), first with no page open, then with 3 pages (team, graph, ahead) in headless chromium.
# utime+stime of the serve process from /proc/PID/stat over 60 s each; the difference is the server.
#   bash scripts/web_cpu.sh        (needs target/release/bar-live and chromium)
set -eu
cd "$(dirname "$0")/.."
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
source scripts/xvfb-lib.sh
W=$(mktemp -d); P=$(free_port); WP=$(free_port)
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
pct() { echo "scale=3; 100 * ($2 - $1) / $HZ / $3" | bc; }
"$BIN" serve --data-dir "$W/d" --config "$W/s.json" --no-record --listen 127.0.0.1:$P \
  --web-listen 127.0.0.1:$WP >"$W/serve.log" 2>&1 &
srv=$!
"$BIN" simulate --to 127.0.0.1:$P --teams 16 --minutes 30 --speed 1 >/dev/null 2>&1 &
sim=$!
trap 'kill $sim $srv ${browsers:-} 2>/dev/null; rm -rf "$W"' EXIT
sleep 10
a=$(cpu $srv); sleep 60; b=$(cpu $srv)
base=$(pct "$a" "$b" 60)
echo "serve, 16 teams at 1x, no page open (60 s): ${base}% of one core"
browsers=""
for page in "team.html?team=me" "graph.html?metrics=army_value,metal_income&minutes=10" "ahead.html"; do
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$W")" "http://127.0.0.1:$WP/$page" >/dev/null 2>&1 &
  browsers="$browsers $!"
done
sleep 15
a=$(cpu $srv); sleep 60; b=$(cpu $srv)
with=$(pct "$a" "$b" 60)
echo "serve, 16 teams at 1x, 3 pages open (60 s): ${with}% of one core"
echo "the server's share: $(echo "scale=3; $with - $base" | bc)% of one core"
