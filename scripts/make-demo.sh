#!/usr/bin/env bash
# Regenerates resources/demo.barlive (the demo the start screen offers) with the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
PORT="${PORT:-19876}"
"$BIN" record --listen "127.0.0.1:$PORT" --out resources/demo.barlive --connections 1 &
rec=$!
sleep 0.5
"$BIN" simulate --to "127.0.0.1:$PORT" --teams 4 --minutes 25 --speed max --seed 7 --level standard
wait "$rec"
"$BIN" info resources/demo.barlive
