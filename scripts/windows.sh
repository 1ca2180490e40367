#!/usr/bin/env bash
# The Windows build (x86_64-pc-windows-gnu, cross-compiled with mingw-w64) and the Windows tests under
# Wine. docs/WINDOWS.md explains both.
#
#   bash scripts/windows.sh [build]   bar-live.exe (and bar-live-cli.exe) into target/x86_64-pc-windows-gnu/release/
#   bash scripts/windows.sh test      build (profile ci, into …/ci/), then run under Wine: the headless crates' test suites as
#                                     Windows binaries, and the end-to-end suite (tests/windows/e2e.sh)
#   bash scripts/windows.sh e2e       only the end-to-end suite, on the exes built before (or BAR_LIVE_EXE)
#
# Two routes to a Windows standard library, picked automatically:
#   - rustup, when `rustup target list --installed` has x86_64-pc-windows-gnu (the standard route);
#   - otherwise Debian's rustc-web (/usr/bin/rustc, /usr/bin/cargo) building std from rust-web-src
#     (-Zbuild-std). BAR_LIVE_WINDOWS_ROUTE=rustup|debian forces one.
# Environment: BAR_LIVE_EXE (test) runs the e2e suite against another exe (e.g. dist.sh's stripped one);
# BAR_LIVE_WINE_UNIT=0 (test) skips the headless crates' suites.
# Installs the Debian packages it needs (as scripts/test.sh does), when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
cmd="${1:-build}"
case "$cmd" in
  build | test | e2e) ;;
  *) echo "usage: bash scripts/windows.sh [build|test|e2e]" >&2; exit 2 ;;
esac
# The cargo profile: `release` for the exes that ship (build); `ci` (release at opt-level 1,
# Cargo.toml) for the exes and suites tested under Wine, which builds in far less time. e2e takes the
# ci exes when they exist, else the release ones. BAR_LIVE_WINDOWS_PROFILE overrides.
TARGET_DIR="${CARGO_TARGET_DIR:-target}/$TARGET"
if [ -n "${BAR_LIVE_WINDOWS_PROFILE:-}" ]; then
  PROFILE="$BAR_LIVE_WINDOWS_PROFILE"
elif [ "$cmd" = build ]; then
  PROFILE=release
elif [ "$cmd" = e2e ] && [ ! -f "$TARGET_DIR/ci/bar-live.exe" ]; then
  PROFILE=release
else
  PROFILE=ci
fi
OUT="$TARGET_DIR/$PROFILE"

# --- route ----------------------------------------------------------------------------------------
route="${BAR_LIVE_WINDOWS_ROUTE:-}"
if [ -z "$route" ]; then
  if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    route=rustup
  else
    route=debian
  fi
fi

# --- system packages (root on Debian; skipped when already present) --------------------------------
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pkgs=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64)
[ "$route" = debian ] && pkgs+=(rustc-web cargo-web rust-web-src)
[ "$cmd" != build ] && pkgs+=(wine wine64 xvfb xauth x11-utils xdotool imagemagick curl python3)
need=()
for pkg in "${pkgs[@]}"; do have "$pkg" || need+=("$pkg"); done
if [ "${#need[@]}" -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- cargo for the Windows target ----------------------------------------------------------------
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
# cargo_win SUBCOMMAND ARGS...: one profile for the exe and the suites, so they share their dependencies.
cargo_win() {
  local sub="$1"; shift
  if [ "$route" = rustup ]; then
    cargo "$sub" --profile "$PROFILE" --locked --target "$TARGET" "$@"
  else
    # Debian's rustc-web has no prebuilt Windows std: build it from rust-web-src (a nightly flag, hence
    # RUSTC_BOOTSTRAP). Debian's cargo and rustc, not rustup's first on PATH.
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo "$sub" --profile "$PROFILE" --locked \
      -Zbuild-std=std,panic_abort --target "$TARGET" "$@"
  fi
}

UNIT="${BAR_LIVE_WINE_UNIT:-1}"
ARTIFACTS="$TARGET_DIR/suites.json"
mkdir -p "$TARGET_DIR"
if [ "$cmd" = test ] && [ "$UNIT" != 0 ]; then
  # The exes and the test suites in ONE cargo invocation. Two (build, then test) resolve features
  # differently (dev-dependencies, the packages chosen) and, with build-std, build std and nearly every
  # crate twice (docs/PERFORMANCE.md, "CI time"). bar-live's integration tests make cargo
  # build its exes (CARGO_BIN_EXE); only the headless crates' suites run under Wine (run_suites.py).
  echo "== windows build ($route route, profile $PROFILE): bar-live.exe and the test suites"
  cargo_win test --no-run --message-format=json-render-diagnostics \
    -p bar-live-protocol -p bar-live-core -p bar-live --lib --tests >"$ARTIFACTS"
  ls -l "$OUT"/bar-live*.exe
elif [ "$cmd" != e2e ]; then
  echo "== windows build ($route route, profile $PROFILE): bar-live.exe"
  cargo_win build -p bar-live --bins
  ls -l "$OUT"/bar-live*.exe
fi
[ "$cmd" = build ] && exit 0

# --- Wine -----------------------------------------------------------------------------------------
WINE=/usr/lib/wine/wine64
export WINEPREFIX="$PWD/target/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
source scripts/xvfb-lib.sh
cleanup() {
  /usr/lib/wine/wineserver -k 2>/dev/null || true   # this prefix's server only (WINEPREFIX)
  stop_xvfb
}
trap cleanup EXIT
start_xvfb
# Create the prefix with DISPLAY set (one made without a display has no graphics driver).
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "== wine prefix: $WINEPREFIX"
  "$WINE" wineboot -i >/dev/null 2>&1
  /usr/lib/wine/wineserver -w
fi
# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std calls: a test-only shim.
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$shim" ] || [ tests/windows/processprng-shim.c -nt "$shim" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -s -o "$shim" tests/windows/processprng-shim.c -ladvapi32
fi
/usr/lib/wine/wineserver -p  # keep the server up between the many short runs below

failed=()
if [ "$cmd" = test ] && [ "$UNIT" != 0 ]; then
  echo "== windows: headless crates' test suites under Wine"
  # The suites that need Linux-only tools say so (#[cfg_attr(windows, ignore = "...")]). Not the
  # doc-tests: rustdoc cannot run them for another target (they run on Linux).
  python3 tests/windows/run_suites.py "$ARTIFACTS" "$WINE" || failed+=("headless test suites")
fi

echo "== windows: end-to-end suite under Wine"
# The Linux binary is the other end of the cross-platform checks.
export BAR_LIVE_BIN="${BAR_LIVE_BIN:-$PWD/target/release/bar-live}"
if [ ! -x "$BAR_LIVE_BIN" ]; then
  echo "== release build (Linux, for the cross-platform checks)"
  cargo build --release --locked -p bar-live --bin bar-live
fi
export BAR_LIVE_EXE="${BAR_LIVE_EXE:-$(realpath "$OUT/bar-live.exe")}"
if [ -z "${BAR_LIVE_CLI_EXE:-}" ]; then
  cli="$(dirname "$BAR_LIVE_EXE")/bar-live-cli.exe"
  if [ -f "$cli" ]; then BAR_LIVE_CLI_EXE="$cli"; else BAR_LIVE_CLI_EXE="$BAR_LIVE_EXE"; fi
fi
export BAR_LIVE_CLI_EXE WINE
bash tests/windows/e2e.sh || failed+=("end-to-end suite")

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== windows: FAILED: ${failed[*]}"
  exit 1
fi
echo "== windows: all passed"
