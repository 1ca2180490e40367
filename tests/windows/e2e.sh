#!/usr/bin/env bash
# The Windows exe end to end under Wine, against the Linux binary where two ends meet. Run it through
# `bash scripts/windows.sh test`, which builds the exe, makes the Wine prefix (with the test-only
# ProcessPrng shim), starts Xvfb and sets:
#   WINE             the wine64 loader
#   WINEPREFIX       the prefix (under target/)
#   BAR_LIVE_EXE     the exe run as the window (the GUI exe)
#   BAR_LIVE_CLI_EXE the exe run for the CLI commands (bar-live-cli.exe when it exists: the stdout of a
#                    GUI-subsystem exe is not a console's)
#   BAR_LIVE_BIN     the Linux binary
#   DISPLAY          an X server (Xvfb)
# Prints PASS/FAIL per check and "N passed, M failed" last; exits non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/xvfb-lib.sh

for v in WINE WINEPREFIX BAR_LIVE_EXE BAR_LIVE_CLI_EXE BAR_LIVE_BIN DISPLAY; do
  if [ -z "${!v:-}" ]; then echo "$v is not set: run this through 'bash scripts/windows.sh test'" >&2; exit 2; fi
done
for f in "$BAR_LIVE_EXE" "$BAR_LIVE_CLI_EXE" "$BAR_LIVE_BIN"; do
  [ -f "$f" ] || { echo "$f does not exist" >&2; exit 2; }
done
export WINEDEBUG="${WINEDEBUG:--all}" RUST_LOG="${RUST_LOG:-warn}" LANG="${LANG:-C.UTF-8}"

# The Windows user and the work folder, inside the prefix: C:\bar-live-e2e is $C/bar-live-e2e here.
C="$WINEPREFIX/drive_c"
user="$(ls "$C/users" | grep -vx Public | head -1)"
WORK="$C/bar-live-e2e"
WWORK='C:\bar-live-e2e'
LOCAL="$C/users/$user/AppData/Local"
rm -rf "$WORK" && mkdir -p "$WORK"
LOGS="$WORK/logs" && mkdir -p "$LOGS"
BAR_DEFAULT="$LOCAL/Programs/Beyond-All-Reason/data"
JURGEN="$C/users/Jürgen"
bgpids=()
cleanup() {
  local p
  for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$BAR_DEFAULT" "$JURGEN"
  if [ "${failed:-0}" -eq 0 ]; then rm -rf "$WORK"; else echo "(logs kept in $LOGS)"; fi
}
trap cleanup EXIT

passed=0; failed=0
pass() { echo "PASS - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1"; failed=$((failed + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && tail -15 "$2" | sed 's/^/       | /'; return 0; }
# check NAME LOG CMD...: PASS when CMD succeeds, else FAIL with the log's tail.
check() { local name="$1" log="$2"; shift 2; if "$@"; then pass "$name"; else fail "$name" "$log"; fi; }

win() { "$WINE" "$BAR_LIVE_CLI_EXE" "$@"; }
lin() { "$BAR_LIVE_BIN" "$@"; }
# The last line of a file parsed as JSON, then a Python expression over it (`j`) that must be true.
json_last() { python3 -c 'import json,sys; j=json.loads(open(sys.argv[1],encoding="utf-8").read().strip().splitlines()[-1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"; }
# Waits (up to $2 s) for a background process to end; its status in $rc.
wait_for() {
  local pid="$1" i
  for i in $(seq $(( ${2:-60} * 10 ))); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; return 0; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rc=124
}
# Waits (up to $2 s) until something listens on 127.0.0.1:$1 (for listeners that are not counted
# connections, e.g. the web server).
wait_port() {
  local i
  for i in $(seq $(( ${2:-30} * 10 ))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

echo "exe: $BAR_LIVE_EXE"
echo "cli: $BAR_LIVE_CLI_EXE"
echo "linux: $BAR_LIVE_BIN"
win --version >"$LOGS/version.log" 2>&1
check "the exe starts under Wine and prints its version ($(head -1 "$LOGS/version.log" | tr -d '\r'))" \
  "$LOGS/version.log" grep -Eq "^bar-live(-cli)? [0-9]+\.[0-9]+\.[0-9]+ \([0-9a-f]{7,}" "$LOGS/version.log"

# --- what Windows reads from the exe itself ----------------------------------------------------------------
OBJDUMP=x86_64-w64-mingw32-objdump
subsystem() { "$OBJDUMP" -p "$1" | awk '/^Subsystem/ {print $2}'; }
check "bar-live.exe is a GUI program: a double-click opens no console (subsystem $(subsystem "$BAR_LIVE_EXE"))" \
  "$LOGS/version.log" test "$(subsystem "$BAR_LIVE_EXE")" = 00000002
if [ "$BAR_LIVE_CLI_EXE" != "$BAR_LIVE_EXE" ]; then
  check "bar-live-cli.exe is a console program (subsystem $(subsystem "$BAR_LIVE_CLI_EXE"))" \
    "$LOGS/version.log" test "$(subsystem "$BAR_LIVE_CLI_EXE")" = 00000003
fi
check "bar-live.exe carries its icon (a resource section)" "$LOGS/version.log" \
  bash -c '"$0" -h "$1" | grep -q "\.rsrc"' "$OBJDUMP" "$BAR_LIVE_EXE"
check "bar-live.exe needs no DLL beyond Windows' own" "$LOGS/version.log" bash -c \
  '[ -f "$1" ] && ! "$0" -p "$1" | awk "/DLL Name:/ {print tolower(\$3)}" | grep -Ev "^(kernel32|user32|gdi32|advapi32|ntdll|ws2_32|shell32|ole32|oleaut32|combase|opengl32|winmm|imm32|comctl32|comdlg32|uxtheme|dwmapi|bcrypt|bcryptprimitives|userenv|secur32|crypt32|dbghelp|msvcrt|api-ms-win-.*|shlwapi|propsys|setupapi|hid|d3d11|d3d12|dxgi|dcomp|version|cfgmgr32|powrprof|winspool)\.dll$"' \
  "$OBJDUMP" "$BAR_LIVE_EXE"

# --- the stream across platforms -------------------------------------------------------------------
# check (one connection) against simulate (3 teams, 1 minute at max speed: 120 updates, one pong).
stream_ok() { json_last "$1" 'j["connections"]==1 and j["invalid"]==0 and j["errors_total"]==0 and j["by_type"]["update"]==120 and j["pongs"]==1' && grep -q CLEAN "$1"; }
cross() { # NAME CHECKER SIMULATOR (win|lin)
  local name="$1" checker="$2" sim="$3" port log="$LOGS/$2-check.log" pid
  port="$(free_port)"
  "$checker" check --listen "127.0.0.1:$port" --connections 1 --duration 120 --json >"$log" 2>&1 &
  pid=$!
  "$sim" simulate --to "127.0.0.1:$port" --teams 3 --minutes 1 --speed max >"$LOGS/$3-sim.log" 2>&1
  local sim_rc=$?
  wait_for "$pid" 120
  if [ "$sim_rc" -eq 0 ] && [ "$rc" -eq 0 ] && stream_ok "$log"; then pass "$name"
  else fail "$name (simulate $sim_rc, check $rc)" "$log"; fi
}
cross "Linux simulate -> Windows check: CLEAN, 120 updates, a pong" win lin
cross "Windows simulate -> Linux check: CLEAN, 120 updates, a pong" lin win

# --- recordings: info, replay -> record, convert, recordings ----------------------------------------
mkdir -p "$WORK/golden" "$WORK/rec"
cp resources/demo.barlive "$WORK/golden/demo.barlive"
cp crates/core/tests/data/v1/demo.barlive "$WORK/golden/demo-v1.barlive"
cp crates/core/tests/data/v2/demo-truncated.barlive "$WORK/golden/demo-truncated.barlive"
cp crates/core/tests/data/v1/demo-truncated.barlive "$WORK/golden/demo-v1-truncated.barlive"
same_info() { # FILE (Linux path) WINPATH: info --json equal on both, but for the file's own path
  local f="$1" w="$2" base="$LOGS/info-$(basename "$1")"
  lin info --json "$f" >"$base.lin" 2>&1 && win info --json "$w" >"$base.win" 2>&1 &&
    python3 - "$base.lin" "$base.win" <<'EOF'
import json, sys
a, b = (json.loads(open(p, encoding="utf-8").read()) for p in sys.argv[1:3])
for j in (a, b):
    for k in ("path", "file"):
        j.pop(k, None)
if a != b:
    print("differ:", {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)})
sys.exit(0 if a == b and a.get("frames", 0) > 0 else 1)
EOF
}
for f in demo demo-v1 demo-truncated; do
  check "Windows info --json = Linux info --json ($f.barlive)" "$LOGS/info-$f.barlive.win" \
    same_info "$WORK/golden/$f.barlive" "$WWORK\\golden\\$f.barlive"
done

# Windows replay of the golden file -> Windows record: the same frames, times kept by replay's pacing.
port="$(free_port)"
win record --listen "127.0.0.1:$port" --connections 1 --duration 120 --out "$WWORK\\rec\\replayed.barlive" \
  >"$LOGS/record.log" 2>&1 &
pid=$!
# replay connects once: start it when record says it listens (a probe would count as its connection).
for _ in $(seq 300); do grep -q "listening on" "$LOGS/record.log" 2>/dev/null && break; sleep 0.1; done
win replay "$WWORK\\golden\\demo.barlive" --to "127.0.0.1:$port" --speed max >"$LOGS/replay.log" 2>&1
replay_rc=$?
wait_for "$pid" 120
frames_equal() {
  python3 - "$LOGS/info-demo.barlive.lin" "$1" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
b = json.loads(open(sys.argv[2], encoding="utf-8").read())
ok = a["frames"] == b["frames"] and a.get("by_type") == b.get("by_type") and not b.get("truncated")
if not ok:
    print("golden", a["frames"], a.get("by_type"), "\nrecorded", b["frames"], b.get("by_type"), b.get("truncated"))
sys.exit(0 if ok else 1)
EOF
}
if [ "$replay_rc" -eq 0 ] && [ "$rc" -eq 0 ] && win info --json "$WWORK\\rec\\replayed.barlive" >"$LOGS/info-replayed.win" 2>&1 &&
  frames_equal "$LOGS/info-replayed.win" >>"$LOGS/info-replayed.win"; then
  pass "Windows replay -> Windows record: the recording holds every frame of the golden file"
else
  fail "Windows replay -> Windows record (replay $replay_rc, record $rc)" "$LOGS/record.log"
  tail -5 "$LOGS/replay.log" "$LOGS/info-replayed.win" 2>/dev/null | sed 's/^/       | /'
fi

# convert: the same bytes as the Linux binary's conversion, both ways; never over its input.
conv() { # FROM TO-VERSION NAME
  lin convert "$WORK/golden/$1.barlive" "$WORK/rec/$3.lin.barlive" --to "$2" >"$LOGS/convert-$3.lin" 2>&1 &&
    win convert "$WWORK\\golden\\$1.barlive" "$WWORK\\rec\\$3.win.barlive" --to "$2" >"$LOGS/convert-$3.win" 2>&1 &&
    cmp "$WORK/rec/$3.lin.barlive" "$WORK/rec/$3.win.barlive" >>"$LOGS/convert-$3.win" 2>&1
}
check "Windows convert v2 -> v1: byte for byte the Linux conversion" "$LOGS/convert-to-v1.win" conv demo 1 to-v1
check "Windows convert v1 -> v2: byte for byte the Linux conversion" "$LOGS/convert-to-v2.win" conv demo-v1 2 to-v2
cut_short_kept() {
  win convert "$WWORK\\golden\\demo-v1-truncated.barlive" "$WWORK\\rec\\cut-v2.barlive" --to 2 \
    >"$LOGS/convert-cut.win" 2>&1 &&
    win info --json "$WWORK\\rec\\cut-v2.barlive" >"$LOGS/info-cut.win" 2>>"$LOGS/convert-cut.win" &&
    json_last "$LOGS/info-cut.win" 'j["truncated"] is True and j["frames"] == 33'
}
check "Windows convert of a cut-short v1 file to v2 keeps it cut short (33 frames)" "$LOGS/convert-cut.win" cut_short_kept
cp "$WORK/golden/demo.barlive" "$WORK/rec/keep.barlive"
refuse_overwrite() {
  ! win convert "$WWORK\\rec\\keep.barlive" "$WWORK\\rec\\.\\keep.barlive" >"$LOGS/convert-refuse.win" 2>&1 &&
    grep -q "refusing to overwrite" "$LOGS/convert-refuse.win" && cmp -s "$WORK/golden/demo.barlive" "$WORK/rec/keep.barlive" &&
    [ -z "$(ls -A "$WORK/rec" | grep -F '.tmp-')" ]
}
check "Windows convert refuses to overwrite its input (file unchanged, no temporary left)" \
  "$LOGS/convert-refuse.win" refuse_overwrite
rm -f "$WORK/rec/keep.barlive"

# recordings: a folder of recordings and a BAR replay (from Spring 106) listed on Windows as on Linux
# (separate copies and data folders: each writes its own index cache, in its data folder, since the
# listed folder is not bar-live's recordings folder).
mkdir -p "$WORK/list-win" "$WORK/list-lin"
cp "$WORK"/rec/*.barlive "$WORK/list-win/" && cp "$WORK"/rec/*.barlive "$WORK/list-lin/"
cp crates/core/tests/data/replay/spring106-game-over.sdfz "$WORK/list-win/20261130_bltest.sdfz"
cp crates/core/tests/data/replay/spring106-game-over.sdfz "$WORK/list-lin/20261130_bltest.sdfz"
listing_equal() {
  win recordings --json --check --dir "$WWORK\\list-win" --data-dir "$WWORK\\list-win-data" \
    >"$LOGS/recordings.win" 2>&1 &&
    lin recordings --json --check --dir "$WORK/list-lin" --data-dir "$WORK/list-lin-data" \
      >"$LOGS/recordings.lin" 2>&1 &&
    python3 - "$LOGS/recordings.lin" "$LOGS/recordings.win" "$(ls "$WORK/list-lin" | grep -cE '\.(barlive|sdfz)$')" <<'EOF'
import json, sys
def load(p):
    rows = json.loads(open(p, encoding="utf-8").read().strip().splitlines()[-1])
    out = {}
    for r in rows:
        name = str(r.get("path", r.get("file", ""))).replace("\\", "/").rsplit("/", 1)[-1]
        r = {k: v for k, v in r.items() if k not in ("path", "file", "modified_unix_ms", "mtime_ms")}
        out[name] = r
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            print("differ:", k, "\n  linux  ", a.get(k), "\n  windows", b.get(k))
sys.exit(0 if a == b and len(b) == int(sys.argv[3]) else 1)
EOF
}
check "Windows recordings --json --check lists the folder as Linux does" "$LOGS/recordings.win" listing_equal
if [ ! -e "$WORK/list-win/.index.json" ] && ls "$WORK/list-win-data/index/"*.json >/dev/null 2>&1 &&
  grep -q '"source":"bar-replay"' "$LOGS/recordings.win"; then
  pass "Windows recordings lists the replay and keeps the folder's index cache in its data folder"
else
  fail "Windows recordings lists the replay and keeps the folder's index cache in its data folder"
fi

# --- serve: the overlay pages over HTTP ---------------------------------------------------------------
port="$(free_port)"; web="$(free_port)"
win serve --listen "127.0.0.1:$port" --web-listen "127.0.0.1:$web" --demo --no-record --duration 40 \
  --config "$WWORK\\serve-settings.json" --data-dir "$WWORK\\serve-data" >"$LOGS/serve.log" 2>&1 &
pid=$!
bgpids+=("$pid")
if wait_port "$web" 60; then
  pass "Windows serve listens for the overlay pages (127.0.0.1:$web)"
  for page in / /team.html /allies.html /graph.html /ahead.html; do
    code="$(curl -s -o "$LOGS/page.html" -w '%{http_code}' --max-time 10 "http://127.0.0.1:$web$page")"
    if [ "$code" = 200 ] && grep -qi "<html" "$LOGS/page.html"; then pass "serve: GET $page -> 200, a page"
    else fail "serve: GET $page -> $code"; fi
  done
  # The demo feed reaches the pages' data: a snapshot with teams (it may take the first updates).
  snap_ok=1
  for _ in $(seq 40); do
    curl -s --max-time 5 "http://127.0.0.1:$web/api/snapshot" >"$LOGS/snapshot.json" 2>/dev/null
    if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j.get("teams") else 1)' "$LOGS/snapshot.json" 2>/dev/null; then
      snap_ok=0; break
    fi
    sleep 0.5
  done
  check "serve: /api/snapshot is JSON with the demo game's teams" "$LOGS/snapshot.json" test "$snap_ok" -eq 0
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$web/no-such-page")"
  check "serve: an unknown path -> 404 ($code)" "$LOGS/serve.log" test "$code" = 404
else
  fail "Windows serve listens for the overlay pages (127.0.0.1:$web)" "$LOGS/serve.log"
fi
wait_for "$pid" 60
check "Windows serve ends by itself after --duration (status $rc)" "$LOGS/serve.log" test "$rc" -eq 0

# --- widget install / doctor in the prefix's %LOCALAPPDATA% ------------------------------------------
rm -rf "$BAR_DEFAULT" && mkdir -p "$BAR_DEFAULT"
printf 'LuaSocketEnabled = 1\r\nTCPAllowConnect = *\r\n' >"$BAR_DEFAULT/springsettings.cfg"
win widget install --port 9911 --config "$WWORK\\widget-settings.json" >"$LOGS/widget-install.log" 2>&1
install_rc=$?
widget="$BAR_DEFAULT/LuaUI/Widgets/bar_live_export.lua"
check "widget install (no --data-dir) finds %LOCALAPPDATA%\\Programs\\Beyond-All-Reason\\data (status $install_rc)" \
  "$LOGS/widget-install.log" bash -c '[ "$0" -eq 0 ] && [ -f "$1" ] && grep -qi "Programs.Beyond-All-Reason.data.LuaUI.Widgets.bar_live_export.lua" "$2"' \
  "$install_rc" "$widget" "$LOGS/widget-install.log"
check "the installed widget dials the port asked for (9911)" "$LOGS/widget-install.log" grep -q 9911 "$widget"
win widget doctor --port 9911 --config "$WWORK\\widget-settings.json" >"$LOGS/doctor-ok.log" 2>&1
ok_rc=$?
check "widget doctor: all well in the found folder (status $ok_rc)" "$LOGS/doctor-ok.log" test "$ok_rc" -eq 0
printf 'LuaSocketEnabled = 0\r\nTCPAllowConnect = springrts.com:80\r\n' >"$BAR_DEFAULT/springsettings.cfg"
win widget doctor --port 9911 --config "$WWORK\\widget-settings.json" >"$LOGS/doctor-bad.log" 2>&1
bad_rc=$?
check "widget doctor: fails on LuaSocketEnabled = 0 and a TCPAllowConnect without the app (status $bad_rc)" \
  "$LOGS/doctor-bad.log" bash -c '[ "$0" -ne 0 ] && grep -q "LuaSocketEnabled" "$1" && grep -q "TCPAllowConnect" "$1"' \
  "$bad_rc" "$LOGS/doctor-bad.log"
win widget doctor --port 9911 --fix --config "$WWORK\\widget-settings.json" >"$LOGS/doctor-fix.log" 2>&1
fix_rc=$?
check "widget doctor --fix repairs springsettings.cfg, keeps a backup (status $fix_rc)" "$LOGS/doctor-fix.log" \
  bash -c '[ "$0" -eq 0 ] && grep -q "LuaSocketEnabled = 1" "$1/springsettings.cfg" && grep -q "127.0.0.1:9911" "$1/springsettings.cfg" &&
    ls "$1" | grep -q "^springsettings.cfg.bak-"' "$fix_rc" "$BAR_DEFAULT"

# --- a user folder with non-ASCII characters (C:\Users\Jürgen) ------------------------------------------
rm -rf "$JURGEN" && mkdir -p "$JURGEN"
WJ='C:\users\Jürgen'
port="$(free_port)"
win record --listen "127.0.0.1:$port" --connections 1 --duration 120 --out "$WJ\\Aufnahmen\\Spiel Jürgen.barlive" \
  >"$LOGS/record-jurgen.log" 2>&1 &
pid=$!
lin simulate --to "127.0.0.1:$port" --teams 2 --minutes 1 --speed max --map "Jürgens Karte" >"$LOGS/sim-jurgen.log" 2>&1
wait_for "$pid" 120
check "record --out C:\\users\\Jürgen\\Aufnahmen\\Spiel Jürgen.barlive (status $rc)" "$LOGS/record-jurgen.log" \
  test -s "$JURGEN/Aufnahmen/Spiel Jürgen.barlive"
win recordings --json --dir "$WJ\\Aufnahmen" >"$LOGS/recordings-jurgen.log" 2>&1
check "recordings --dir C:\\users\\Jürgen\\Aufnahmen lists it, map name intact" "$LOGS/recordings-jurgen.log" \
  json_last "$LOGS/recordings-jurgen.log" 'len(j)==1 and j[0]["map"]=="Jürgens Karte"'
# --data-dir and --config under the non-ASCII folder: serve records there, recordings finds it by default.
port="$(free_port)"; web="$(free_port)"
win serve --listen "127.0.0.1:$port" --web-listen "127.0.0.1:$web" --simulate --duration 15 \
  --config "$WJ\\bar-live\\settings.json" --data-dir "$WJ\\bar-live\\Daten" >"$LOGS/serve-jurgen.log" 2>&1
serve_rc=$?
win recordings --json --data-dir "$WJ\\bar-live\\Daten" >"$LOGS/recordings-jurgen-default.log" 2>&1
check "serve --data-dir C:\\users\\Jürgen\\bar-live\\Daten records a game; recordings finds it there (serve $serve_rc)" \
  "$LOGS/recordings-jurgen-default.log" bash -c '[ "$0" -eq 0 ] && ls "$1"/*.barlive >/dev/null 2>&1 && python3 -c "import json,sys; j=json.loads(open(sys.argv[1],encoding=\"utf-8\").read().strip().splitlines()[-1]); sys.exit(0 if len(j)>=1 and j[0][\"game_seconds\"]>0 else 1)" "$2"' \
  "$serve_rc" "$JURGEN/bar-live/Daten/recordings" "$LOGS/recordings-jurgen-default.log"
mkdir -p "$JURGEN/BAR Daten"
printf 'LuaSocketEnabled = 1\r\n' >"$JURGEN/BAR Daten/springsettings.cfg"
win widget install --data-dir "$WJ\\BAR Daten" --port 9912 --config "$WJ\\bar-live\\settings.json" >"$LOGS/widget-jurgen.log" 2>&1
wj_rc=$?
check "widget install --data-dir 'C:\\users\\Jürgen\\BAR Daten' (status $wj_rc)" "$LOGS/widget-jurgen.log" \
  bash -c '[ "$0" -eq 0 ] && grep -q 9912 "$1"' "$wj_rc" "$JURGEN/BAR Daten/LuaUI/Widgets/bar_live_export.lua"

# --- the window under Xvfb, with a screenshot --------------------------------------------------------------
# With the desktop overlay open and locked (always on top, click-through): what a streamer runs.
port="$(free_port)"; web="$(free_port)"
mkdir -p "$WORK/gui"
cat >"$WORK/gui/settings.json" <<'JSON'
{ "overlay": { "position": [1050, 620], "size": [330, 200], "opacity": 0.95, "locked": true } }
JSON
xdotool mousemove 1399 899 2>/dev/null || true   # the pointer off the window (no hover readout)
"$WINE" "$BAR_LIVE_EXE" --simulate --overlay --listen "127.0.0.1:$port" --web-listen "127.0.0.1:$web" \
  --config "$WWORK\\gui\\settings.json" --data-dir "$WWORK\\gui\\data" --quit-after-secs "${GUI_SECS:-30}" \
  >"$LOGS/gui.log" 2>&1 &
pid=$!
bgpids+=("$pid")
if wait_window bar-live 60; then
  pass "the window opens under Xvfb"
  if wait_window "bar-live overlay" 30; then
    pass "the desktop overlay opens (a window of its own)"
    # Wine maps WS_EX_TOPMOST to the window manager's "above" state.
    ov="$(xwininfo -root -tree 2>/dev/null | grep '"bar-live overlay"' | head -1 | awk '{print $1}')"
    check "the overlay is always on top (_NET_WM_STATE_ABOVE)" "$LOGS/gui.log" \
      bash -c 'xprop -id "$0" _NET_WM_STATE 2>/dev/null | grep -q _NET_WM_STATE_ABOVE' "$ov"
  else
    fail "the desktop overlay opens (a window of its own)" "$LOGS/gui.log"
  fi
  # The pointer over the empty side panel (Wine learns where it is from motion in its windows).
  xdotool mousemove 100 650 2>/dev/null; sleep 0.3; xdotool mousemove 110 660 2>/dev/null || true
  sleep "${GUI_SHOT_AFTER:-15}"   # the simulator at 20x: a few game minutes of plots
  mkdir -p screenshots
  import -window root "$WORK/windows.png"
  sd="$(convert "$WORK/windows.png" -colorspace gray -format '%[fx:standard_deviation]' info:)"
  check "the screenshot is not blank (stddev $sd)" "$LOGS/gui.log" python3 -c "import sys; sys.exit(0 if float('$sd') > 0.02 else 1)"
  cp "$WORK/windows.png" screenshots/windows.png
else
  fail "the window opens under Xvfb" "$LOGS/gui.log"
  xwininfo -root -tree 2>/dev/null | grep -v "has no name" | head -20 | sed 's/^/       | /'
fi
wait_for "$pid" 90
check "the app quits by itself (--quit-after-secs) with status 0 (status $rc)" "$LOGS/gui.log" test "$rc" -eq 0
check "the app recorded the simulated game" "$LOGS/gui.log" bash -c 'ls "$0"/*.barlive >/dev/null 2>&1' "$WORK/gui/data/recordings"
check "the app saved its settings on exit" "$LOGS/gui.log" test -s "$WORK/gui/settings.json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
