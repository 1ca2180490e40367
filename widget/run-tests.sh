#!/usr/bin/env bash
# Widget CI entry point: luacheck, busted specs, e2e runs, bench smoke test.
# Needs lua5.1 lua-socket lua-busted lua-check lua-dkjson (installed by scripts/test.sh)
# and the bar-live binary: $BAR_LIVE_BIN, default target/release/bar-live.
set -euo pipefail
WIDGET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$WIDGET_DIR/.." && pwd)"
cd "$REPO"
export BAR_LIVE_BIN="${BAR_LIVE_BIN:-$REPO/target/release/bar-live}"

passed=0
failed=0
step() { echo; echo "== $*"; }
count() { # count <passed> <failed>
	passed=$((passed + $1)); failed=$((failed + $2))
}

step "luacheck widget"
if luacheck widget; then count 1 0; else count 0 1; fi

step "busted specs"
busted_out="$(mktemp)"
set +e
(cd "$WIDGET_DIR" && busted --lpath='./spec/?.lua' -o utfTerminal spec) | tee "$busted_out"
busted_rc=${PIPESTATUS[0]}
set -e
summary="$(grep -aE '[0-9]+ successes? / [0-9]+ failures?' "$busted_out" | tail -1 | sed 's/\x1b\[[0-9;]*m//g')"
ok_n="$(echo "$summary" | sed -E 's/^([0-9]+) success.*/\1/')"
fail_n="$(echo "$summary" | sed -E 's/.* ([0-9]+) failures? \/ ([0-9]+) errors?.*/\1+\2/')"
rm -f "$busted_out"
if [[ -z "$summary" ]]; then count 0 1; else count "$ok_n" "$((fail_n))"; fi
if [[ $busted_rc -ne 0 && "$fail_n" == "0+0" ]]; then count 0 1; fi

run_e2e() { # run_e2e <label> <args...>
	local out rc
	out="$(mktemp)"
	set +e
	lua5.1 widget/spec/e2e/run_e2e.lua "$@" | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	local line
	line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)"
	rm -f "$out"
	if [[ -z "$line" ]]; then count 0 1; return; fi
	count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
	if [[ $rc -ne 0 && "$(echo "$line" | cut -d' ' -f3)" == "0" ]]; then count 0 1; fi
}

step "e2e against the Lua stub server"
run_e2e stub --server stub

step "e2e against bar-live check ($BAR_LIVE_BIN)"
run_e2e bar-live --server bar-live

step "bench smoke run"
if lua5.1 widget/bench/bench.lua --iterations 50; then count 1 0; else count 0 1; fi

echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
