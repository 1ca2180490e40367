#!/usr/bin/env bash
# Idle CPU of the GUI under Xvfb: no widget, then 16 teams at 1x (utime+stime from /proc/PID/stat over 30 s).
#   bash scripts/idle_cpu.sh
set -eu
cd "$(dirname "$0")/.."
source scripts/xvfb-lib.sh
BIN=target/release/bar-live; W=$(mktemp -d); start_xvfb; P=$(free_port)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
$BIN --config $W/s.json --data-dir $W/d --listen 127.0.0.1:$P --quit-after-secs 80 >$W/app.log 2>&1 &
app=$!; wait_window bar-live 30; sleep 5
a=$(cpu $app); sleep 30; b=$(cpu $app)
echo "idle, no widget (30 s): $(echo "scale=2; ($b-$a)/30" | bc)% of one core ($((b-a)) ticks)"
$BIN simulate --to 127.0.0.1:$P --teams 16 --minutes 2 --speed 1 2>/dev/null &
sim=$!; sleep 8
a=$(cpu $app); sleep 30; b=$(cpu $app)
echo "connected, 16 teams at 1x speed (30 s): $(echo "scale=2; ($b-$a)/30" | bc)% of one core ($((b-a)) ticks)"
kill $sim 2>/dev/null; wait $app; stop_xvfb; rm -rf $W
