#!/usr/bin/env bash
# Release packages (docs/RELEASING.md). Writes, after emptying dist/:
#
#   dist/bar-live-<version>-x86_64-pc-windows-gnu.zip       bar-live-<version>/ with bar-live.exe,
#        bar-live-cli.exe, bar_live_export.lua, README.txt, LICENSE, THIRD-PARTY-LICENSES.html
#   dist/bar-live-<version>-x86_64-unknown-linux-gnu.tar.gz  the same for Linux, with bar-live (a
#        console program already, so no -cli twin)
#   dist/SHA256SUMS                                          of the two archives
#   dist/Widgets/community/bar_live_export/                  the widget for BAR's lobby Widgets manager
#        (a pull request against beyond-all-reason/BAR-Widgets; scripts/widget-folder.sh)
#
# <version> is [workspace.package] version in Cargo.toml. The binaries are built first:
# `cargo build --release --locked` (Linux) and `bash scripts/windows.sh build` (Windows, into
# target/x86_64-pc-windows-gnu/release/); DIST_SKIP_BUILD=1 packs what is there. The copies are
# stripped; the zip must stay <= 20 MiB, hold no DLL, and its exes must need no MinGW runtime DLL.
# THIRD-PARTY-LICENSES.html is made by cargo-about (about.toml, about.hbs) for each target's crates.
# Installs what it lacks: zip, binutils, binutils-mingw-w64-x86-64 (apt), cargo-about (cargo install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

CARGO_ABOUT_VERSION=0.9.3 # builds with rustc 1.88 and later
MAX_ZIP_BYTES=$((20 * 1024 * 1024))
WIN_TARGET=x86_64-pc-windows-gnu
LINUX_TARGET=x86_64-unknown-linux-gnu
dist="$root/dist"

die() { echo "dist: $*" >&2; exit 1; }

# --- tools ----------------------------------------------------------------------------------------
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in zip binutils binutils-mingw-w64-x86-64; do
  have "$pkg" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! cargo about --version >/dev/null 2>&1; then
  echo "== installing cargo-about $CARGO_ABOUT_VERSION"
  cargo install cargo-about --version "$CARGO_ABOUT_VERSION" --locked --features cli
fi

# --- version and commit ---------------------------------------------------------------------------
version="$(sed -n '/^\[workspace\.package\]/,/^\[/{s/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p;}' Cargo.toml | head -n 1)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] \
  || die "no usable [workspace.package] version in Cargo.toml: '$version'"
# Archive entries get the time of the last commit, so two runs on one commit pack the same bytes.
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
name="bar-live-$version"
echo "== bar-live $version ($(git rev-parse --short=10 HEAD 2>/dev/null || echo 'no git'))"

# --- build ----------------------------------------------------------------------------------------
if [ "${DIST_SKIP_BUILD:-0}" != 1 ]; then
  echo "== cargo build --release --locked (Linux)"
  cargo build --release --locked
  echo "== scripts/windows.sh build"
  bash scripts/windows.sh build
fi
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
linux_bin="$TARGET_DIR/release/bar-live"
win_bins=("$TARGET_DIR/$WIN_TARGET/release/bar-live.exe" "$TARGET_DIR/$WIN_TARGET/release/bar-live-cli.exe")
missing=()
for f in "$linux_bin" "${win_bins[@]}"; do
  [ -f "$f" ] || missing+=("$f")
done
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'dist: missing build output:\n' >&2
  printf '  %s\n' "${missing[@]}" >&2
  die "build them (cargo build --release --locked; bash scripts/windows.sh build) or run without DIST_SKIP_BUILD=1"
fi

# Every crate's source, for every platform, so cargo-about can read their license files offline.
cargo fetch --locked

# --- stage ----------------------------------------------------------------------------------------
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
rm -rf "$dist"
mkdir -p "$dist"

# Files both packages hold. THIRD-PARTY-LICENSES.html lists the crates compiled for that target.
common() {
  local dir="$1" target="$2"
  mkdir -p "$dir"
  cp widget/bar_live_export.lua LICENSE "$dir/"
  sed "s/@VERSION@/$version/" resources/dist/README-players.txt >"$dir/README.txt"
  echo "== cargo about generate ($target)"
  # --frozen: offline (the texts come from the crates' own files, and SPDX's texts where a crate ships
  # none), with the Cargo.lock as it is; the crates are fetched first, below.
  cargo about generate --frozen --fail --target "$target" -o "$dir/THIRD-PARTY-LICENSES.html" about.hbs
  grep -q '<h3 id="MIT"' "$dir/THIRD-PARTY-LICENSES.html" \
    || die "THIRD-PARTY-LICENSES.html for $target has no MIT section: cargo-about produced no usable list"
}

# The DLLs a PE file imports (objdump's "DLL Name:" lines), lower case.
pe_imports() { x86_64-w64-mingw32-objdump -p "$1" | sed -n 's/^[[:space:]]*DLL Name:[[:space:]]*//p' | tr '[:upper:]' '[:lower:]'; }
# The PE optional header's Subsystem field: 2 = Windows GUI, 3 = console.
pe_subsystem() {
  local pe
  pe=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
  od -An -tu2 -j$((pe + 24 + 68)) -N2 "$1" | tr -d ' '
}

# Windows
win="$stage/windows/$name"
common "$win" "$WIN_TARGET"
for exe in "${win_bins[@]}"; do
  base="$(basename "$exe")"
  # strip writes the time into the PE header: the archive's time, so the bytes stay reproducible.
  SOURCE_DATE_EPOCH="$epoch" x86_64-w64-mingw32-strip -o "$win/$base" "$exe"
  # A MinGW runtime DLL (libgcc_s_seh-1.dll, libwinpthread-1.dll, libstdc++-6.dll) is not on a player's
  # Windows and not in the zip: the exe must link it statically.
  bad="$(pe_imports "$win/$base" | grep -E '^lib' || true)"
  [ -z "$bad" ] || die "$base needs DLLs a Windows PC lacks: $(echo "$bad" | tr '\n' ' ')"
done
[ "$(pe_subsystem "$win/bar-live.exe")" = 2 ] || die "bar-live.exe is not a GUI-subsystem program"
[ "$(pe_subsystem "$win/bar-live-cli.exe")" = 3 ] || die "bar-live-cli.exe is not a console program"
if find "$win" -iname '*.dll' | grep -q .; then die "a DLL in the Windows package"; fi

# Linux
lin="$stage/linux/$name"
common "$lin" "$LINUX_TARGET"
strip -o "$lin/bar-live" "$linux_bin"
"$lin/bar-live" --version | grep -qF " $version" \
  || die "bar-live --version does not show $version: $("$lin/bar-live" --version)"

# --- archives -------------------------------------------------------------------------------------
zip_name="$name-$WIN_TARGET.zip"
tar_name="$name-$LINUX_TARGET.tar.gz"
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage/windows" && find "$name" -print | LC_ALL=C sort | zip -X -9 -q "$dist/$zip_name" -@)
(cd "$stage/linux" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name") \
  | gzip -n -9 >"$dist/$tar_name"
zip_bytes="$(stat -c %s "$dist/$zip_name")"
[ "$zip_bytes" -le "$MAX_ZIP_BYTES" ] \
  || die "$zip_name is $zip_bytes bytes, more than 20 MiB ($MAX_ZIP_BYTES)"
(cd "$dist" && sha256sum "$zip_name" "$tar_name" >SHA256SUMS)

# --- the widget for BAR's Widgets manager ---------------------------------------------------------
bash scripts/widget-folder.sh "$dist" >/dev/null

# --- summary --------------------------------------------------------------------------------------
echo "== dist/"
(cd "$dist" && find . -type f -printf '%P\t%s\n' | LC_ALL=C sort \
  | awk -F'\t' '{ printf "  %-64s %10d bytes (%.1f MiB)\n", $1, $2, $2 / 1048576 }')
echo "== $zip_name"
zip -sf "$dist/$zip_name" | sed -n 's/^  /  /p'
echo "== $tar_name"
tar -tzvf "$dist/$tar_name" | awk '{ printf "  %-48s %10d\n", $6, $3 }'
echo "== SHA256SUMS"
sed 's/^/  /' "$dist/SHA256SUMS"
