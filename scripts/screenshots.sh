#!/usr/bin/env bash
# Produces screenshots/*.png (start, dashboard, insight, overlay, overlay-allies, settings, widget-install,
# insight-hover, review, card, delayed, names, review-side, recordings, replays, replay, stream) under Xvfb, and web-*.png: the OBS overlay pages in headless chromium over a
# game-like background.
# Usage: scripts/screenshots.sh [NAME...]   (needs a release build: cargo build --release, and xdotool); with names,
# only those screenshots are made (e.g. `scripts/screenshots.sh settings widget-install`).
set -euo pipefail
cd "$(dirname "$0")/.."
ONLY="$*"
BIN="${BAR_LIVE_BIN:-target/release/bar-live}"
source scripts/xvfb-lib.sh
WORK="$(mktemp -d)"
trap 'stop_xvfb; rm -rf "$WORK"' EXIT
# Tall screen: Xvfb parks the pointer at the centre, below the window, so no tooltip shows.
export XVFB_SIZE=1720x1800x24
start_xvfb
mkdir -p screenshots

# One app run: take_shot NAME SECONDS_BEFORE_SHOT [app args...]; a simulator feeds it when SIM=1, the
# real widget (widget/spec/e2e/live_widget.lua: lua5.1, lua-socket, lua-dkjson) when WIDGET=1.
take_shot() {
  local name="$1" wait_s="$2"; shift 2
  local port; port="$(free_port)"
  # A settings file may say __PORT__ where this run's port goes (then --listen changes nothing).
  [ -f "$WORK/settings.json" ] && sed -i "s/__PORT__/$port/g" "$WORK/settings.json"
  "$BIN" --config "$WORK/settings.json" --data-dir "${DATA:-$WORK/data}" --listen "127.0.0.1:$port" \
    --quit-after-secs $((wait_s + 3)) "$@" >"$WORK/$name.log" 2>&1 &
  local app=$!
  wait_window bar-live 30 || echo "warning: window for $name not seen yet" >&2
  if [ "${SIM:-0}" = 1 ]; then
    "$BIN" simulate --to "127.0.0.1:$port" --teams "${TEAMS:-6}" --minutes 40 --speed "${SPEED:-150}" \
      --seed 3 >/dev/null 2>&1 &
  fi
  if [ "${WIDGET:-0}" = 1 ]; then
    lua5.1 widget/spec/e2e/live_widget.lua --port "$port" --state "$WORK/widget-state.json" \
      --seconds $((wait_s + 2)) >/dev/null 2>&1 &
  fi
  sleep "$wait_s"
  # TYPE="X Y TEXT": click at X,Y and type TEXT (xdotool), e.g. into a filter field, before the shot.
  # HOVER="X Y": the pointer rests at X,Y (a plot's hover readout) for the shot.
  if [ -n "${HOVER:-}" ]; then
    read -r hx hy <<<"$HOVER"
    xdotool mousemove "$hx" "$hy"; sleep 0.3; xdotool mousemove $((hx + 2)) "$hy"; sleep 1
  fi
  if [ -n "${TYPE:-}" ]; then
    read -r tx ty text <<<"$TYPE"
    xdotool search --name '^bar-live$' windowfocus 2>/dev/null || true
    xdotool mousemove "$tx" "$ty" sleep 0.2 click 1 sleep 0.5 type --delay 60 "$text"
    xdotool mousemove 5 1790
    sleep 1
  fi
  import -window root -crop "${CROP:-1280x820+0+0}" +repage "screenshots/$name.png"
  wait "$app" || true
}

# take_shot, once more if the image came out blank (a busy machine can be slow to map the window);
# fails rather than leave a blank screenshot behind.
shot() {
  local name="$1" sd
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  for attempt in 1 2; do
    take_shot "$@"
    sd="$(convert "screenshots/$name.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)"
    if awk -v sd="$sd" 'BEGIN { exit !(sd > 0.02) }'; then
      echo "screenshots/$name.png"
      return 0
    fi
    echo "warning: screenshots/$name.png is blank (attempt $attempt)" >&2
  done
  echo "error: screenshots/$name.png stayed blank" >&2
  return 1
}

cat >"$WORK/settings.json" <<'JSON'
{ "overlay": { "position": [1300, 40], "size": [330, 200], "opacity": 0.95 } }
JSON
SIM=1 shot dashboard 14
SIM=1 CROP=1640x820+0+0 shot overlay 14 --overlay
cat >"$WORK/settings.json" <<'JSON'
{ "overlay": { "position": [1300, 40], "size": [330, 170], "opacity": 0.95, "target": { "kind": "ally_teams" } } }
JSON
SIM=1 CROP=380x220+1280+20 shot overlay-allies 14 --overlay
rm -f "$WORK/settings.json"
# Game insight: Alice's past games (6 finished recordings) give the benchmark band and the splits, one of
# them is the ghost; the live game (2 teams, ~20 minutes in) shows milestone markers and composition.
if [ -z "$ONLY" ] || [[ " $ONLY " == *" insight "* ]]; then
  mkdir -p "$WORK/data/recordings"
  maps=("Supreme Isthmus v2.1" "Red Comet Remake 1.8" "All That Glitters v2.2")
  for i in 1 2 3 4 5 6; do
    port="$(free_port)"
    "$BIN" record --listen "127.0.0.1:$port" --out "$WORK/data/recordings/2025-0$i-01_past.barlive" \
      --connections 1 >/dev/null 2>&1 &
    rec=$!
    sleep 0.5
    "$BIN" simulate --to "127.0.0.1:$port" --teams 6 --minutes $((26 + 2 * i)) --speed max \
      --seed $((40 + i)) --map "${maps[$((i % 3))]}" >/dev/null 2>&1
    wait "$rec"
  done
fi
cat >"$WORK/settings.json" <<'JSON'
{ "insight": { "benchmark_player": "Alice", "show_band": true } }
JSON
SIM=1 TEAMS=2 SPEED=100 shot insight 12 --ghost "$WORK/data/recordings/2025-03-01_past.barlive"
# The same with the pointer on the units plot: the readout lists the ghost and the benchmark median too.
HOVER="480 420" SIM=1 TEAMS=2 SPEED=100 shot insight-hover 12 --ghost "$WORK/data/recordings/2025-03-01_past.barlive"
rm -f "$WORK/settings.json"
shot review 4 --tab review open resources/demo.barlive
# The post-game card of the demo (bar-live card; rendered headless, no window).
if [ -z "$ONLY" ] || [[ " $ONLY " == *" card "* ]]; then
  "$BIN" card resources/demo.barlive --out screenshots/card.png >/dev/null 2>&1
  echo screenshots/card.png
fi
# The tournament switch (a short delay, so the shot does not wait two minutes): every view DELAYED.
cat >"$WORK/settings.json" <<'JSON'
{ "overlay": { "position": [1300, 40], "size": [330, 200], "opacity": 0.95 },
  "tournament": { "enabled": true, "delay_s": 6 } }
JSON
SIM=1 CROP=1640x820+0+0 shot delayed 16 --overlay
rm -f "$WORK/settings.json"
# Names in other scripts (issue 21): the demo with Cyrillic, Chinese, Korean and Japanese player names and
# BAR's Chinese unit labels, in review with the overlay open (needs a CJK font: fonts-noto-cjk).
if [ -z "$ONLY" ] || [[ " $ONLY " == *" names "* ]]; then
  "$BIN" convert resources/demo.barlive "$WORK/demo-v1.barlive" --to 1 >/dev/null 2>&1
  python3 scripts/cjk-recording.py "$WORK/demo-v1.barlive" "$WORK/names.barlive"
  cat >"$WORK/settings.json" <<'JSON'
{ "overlay": { "position": [1300, 40], "size": [330, 200], "opacity": 0.95 } }
JSON
  CROP=1640x820+0+0 shot names 5 --tab review --overlay open "$WORK/names.barlive"
  rm -f "$WORK/settings.json"
fi
# Two games side by side in review: the demo and one of Alice's past games, on one time axis.
if [ -f "$WORK/data/recordings/2025-03-01_past.barlive" ]; then
  shot review-side 5 --tab review --side-by-side "$WORK/data/recordings/2025-03-01_past.barlive" \
    open resources/demo.barlive
fi
# The Recordings tab filtered by map, with a copy of one game cut short (as after a crash) among them,
if [ -f "$WORK/data/recordings/2025-04-01_past.barlive" ]; then
  head -c 300000 "$WORK/data/recordings/2025-04-01_past.barlive" >"$WORK/data/recordings/2025-04-01_cut.barlive"
  # and one damaged inside (a byte flipped mid-file): listed from its trailer, then found by the check.
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0xFF; open(sys.argv[2], "wb").write(b)' \
    "$WORK/data/recordings/2025-01-01_past.barlive" "$WORK/data/recordings/2025-01-01_flipped.barlive"
fi
TYPE="110 85 Comet" shot recordings 3 --tab recordings
# BAR's own replays: replays of simulated 8- and 16-team games (written from the documented layout by
# crates/core/tests/replay_builder), the engine-written test replay and an unreadable file, in the demos/
# folder of a BAR data folder under a home of their own. The Recordings tab lists them (it opens on BAR's
# replays since bar-live's recordings folder is empty there), and one opens in Review.
if [ -z "$ONLY" ] || [[ " $ONLY " == *" replays "* ]] || [[ " $ONLY " == *" replay "* ]]; then
  BAR_HOME="$WORK/home"
  DEMOS="$BAR_HOME/.local/state/Beyond All Reason/demos"
  mkdir -p "$DEMOS" "$BAR_HOME/.local/state/Beyond All Reason/LuaUI"
  KEEP="$DEMOS" cargo test --release --locked -q -p bar-live-core --test replay_index -- --ignored write_replays \
    >"$WORK/replays.log" 2>&1 || { cat "$WORK/replays.log" >&2; exit 1; }
  cp crates/core/tests/data/replay/spring106-game-over.sdfz "$DEMOS/20261130_101010_bltest_106.sdfz"
  printf '\x1f\x8bnot a replay' >"$DEMOS/20261201_090000_Broken_2025.04.08.sdfz"
  HOME="$BAR_HOME" XDG_STATE_HOME="$BAR_HOME/.local/state" DATA="$WORK/replay-data" \
    shot replays 4 --tab recordings
  HOME="$BAR_HOME" XDG_STATE_HOME="$BAR_HOME/.local/state" DATA="$WORK/replay-data" shot replay 6 --tab review \
    open "$DEMOS/20260301_203000_Supreme_Isthmus_2025.04.08.sdfz"
fi
# The settings tab with the real widget connected: the app's widget settings, each confirmed in force.
cat >"$WORK/settings.json" <<'JSON'
{ "listen": "127.0.0.1:__PORT__", "widget": { "interval_frames": 30, "level": "detailed", "max_units": 400 } }
JSON
WIDGET=1 shot settings 5 --tab settings
# The Widget install tab on a BAR folder whose springsettings.cfg only allows another port.
mkdir -p "$WORK/bar"
printf 'LuaSocketEnabled = 1\nTCPAllowConnect = 127.0.0.1:9876\n' >"$WORK/bar/springsettings.cfg"
"$BIN" widget install --data-dir "$WORK/bar" --port 9876 --config "$WORK/none.json" >/dev/null 2>&1
printf '{ "bar_data_dir": "%s" }\n' "$WORK/bar" >"$WORK/settings.json"
shot widget-install 3 --tab widget
rm -f "$WORK/settings.json" "$WORK/widget-state.json"
shot start 3
SIM=1 shot stream 6 --tab stream

# With names given, the web pages only for `web`.
if [ -n "$ONLY" ] && [[ " $ONLY " != *" web "* ]]; then exit 0; fi

# The overlay pages for OBS: transparent PNGs from the real-browser test (a simulated 6-team game),
# laid over a game-like background (terrain colours, a bright and a dark patch) to show readability.
WEB="$WORK/web"
BAR_LIVE_SCREENSHOT_DIR="$WEB" BAR_LIVE_REQUIRE_CHROMIUM=1 \
  cargo test --release --locked -q -p bar-live-core --test browser >"$WORK/browser.log" 2>&1 \
  || { cat "$WORK/browser.log" >&2; exit 1; }
convert -seed 7 -size 800x450 plasma:olivedrab-tan -blur 0x2 \
  \( -size 800x450 xc:none -fill "rgba(30,60,120,0.85)" -draw "ellipse 620,330 200,120 0,360" \
     -fill "rgba(240,230,200,0.95)" -draw "rectangle 0,0 260,160" \) -composite "$WORK/bg.png"
for page in team allies graph ahead build; do
  convert "$WORK/bg.png" "$WEB/overlay-$page.png" -composite "screenshots/web-$page.png"
  echo "screenshots/web-$page.png"
done
