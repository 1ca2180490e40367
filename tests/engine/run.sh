#!/usr/bin/env bash
# Engine tests: the real widget (widget/bar_live_export.lua, unmodified) in a real engine
# (Debian's spring-headless, Spring 106.0) against `bar-live check`. Called by scripts/test.sh.
# Needs: the `spring` package (scripts/test.sh installs it), python3, the bar-live binary
# ($BAR_LIVE_BIN, default target/release/bar-live; built here if missing).
# Prints one PASS/FAIL line per scenario and "N passed, M failed"; exits non-zero on failure.
# Options are passed to the driver: --only spectator,player  --keep (keep run dirs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export BAR_LIVE_BIN="${BAR_LIVE_BIN:-$PWD/target/release/bar-live}"
SPRING_HEADLESS="${SPRING_HEADLESS:-/usr/games/spring-headless}"
if [[ ! -x "$SPRING_HEADLESS" ]]; then
	echo "spring-headless not found at $SPRING_HEADLESS (apt-get install spring)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [[ ! -x "$BAR_LIVE_BIN" ]]; then
	echo "== building $BAR_LIVE_BIN"
	cargo build --release --locked
fi
export SPRING_HEADLESS
rc=0
timeout -k 10 300 python3 tests/engine/driver.py "$@" || rc=$?
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
	echo "engine tests timed out after 300 s"
	echo "0 passed, 1 failed"
fi
exit "$rc"
