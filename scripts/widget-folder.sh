#!/usr/bin/env bash
# The widget as BAR's lobby Widgets manager installs it (the beyond-all-reason/BAR-Widgets repository):
#
#   DEST/Widgets/community/bar_live_export/
#     bar_live_export.lua   the widget, byte for byte as widget/bar_live_export.lua
#     manifest.json         id, version, display_name, author, discord_link, github_link,
#                           description, last_updated
#     README.md             resources/dist/widget/README.md
#     cover.png             resources/dist/widget/cover.png (made by scripts/make-cover.sh)
#
# usage: bash scripts/widget-folder.sh DEST
#
# Every manifest value comes from the widget's source, so a release cannot ship a stale manifest:
#   version       the widget's WIDGET_VERSION
#   display_name  GetInfo's name            author  GetInfo's author     description  GetInfo's desc
#   last_updated  the time of the last commit that changed the widget (UTC, as the BAR-Widgets
#                 manifests write it: 2026-08-01T00:00:00.000Z); now when the file has uncommitted
#                 changes or there is no git; SOURCE_DATE_EPOCH (seconds) overrides both.
#   discord_link, github_link  from WIDGET_DISCORD_LINK / WIDGET_GITHUB_LINK, empty when unset: bar-live
#                 has no Discord thread or public repository yet. github_link is usually the pull request
#                 against BAR-Widgets (docs/RELEASING.md).
# Env WIDGET_SOURCE (default widget/bar_live_export.lua) points the script at another widget file;
# the tests use it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ "$#" -ne 1 ]; then
  echo "usage: $0 DEST" >&2
  exit 2
fi
dest="$1"
id=bar_live_export
src="${WIDGET_SOURCE:-$root/widget/$id.lua}"
extras="$root/resources/dist/widget"

die() { echo "widget-folder: $*" >&2; exit 1; }
[ -f "$src" ] || die "no widget at $src"
for f in README.md cover.png; do
  [ -f "$extras/$f" ] || die "missing $extras/$f"
done

# The first `local WIDGET_VERSION = "..."` line.
version="$(sed -n 's/^[[:space:]]*local[[:space:]]\{1,\}WIDGET_VERSION[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$src" | head -n 1)"
[ -n "$version" ] || die "no 'local WIDGET_VERSION = \"...\"' line in $src"

# A field of the table widget:GetInfo() returns: `name = "..."`, between that function and its `end`.
getinfo_field() {
  local key="$1" value
  value="$(sed -n '/^function widget:GetInfo()/,/^end/p' "$src" \
    | sed -n "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*\"\\(.*\\)\"[[:space:]]*,\\{0,1\\}[[:space:]]*\\(--.*\\)\\{0,1\\}\$/\\1/p" \
    | head -n 1)"
  [ -n "$value" ] || die "no $key = \"...\" in widget:GetInfo() of $src"
  # Lua's escapes for a quote and a backslash, the only ones these strings use.
  value="${value//\\\"/\"}"
  value="${value//\\\\/\\}"
  printf '%s' "$value"
}
display_name="$(getinfo_field name)"
author="$(getinfo_field author)"
description="$(getinfo_field desc)"

# last_updated
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  epoch="$SOURCE_DATE_EPOCH"
elif git -C "$root" rev-parse --git-dir >/dev/null 2>&1 \
  && git -C "$root" ls-files --error-unmatch "$src" >/dev/null 2>&1 \
  && git -C "$root" diff --quiet HEAD -- "$src"; then
  epoch="$(git -C "$root" log -1 --format=%ct -- "$src")"
else
  epoch="$(date +%s)"
fi
case "$epoch" in '' | *[!0-9]*) die "not a time in seconds: '$epoch'" ;; esac
last_updated="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%S.000Z)"

# A JSON string: quotes and backslashes escaped, the usual control characters as escapes, others refused.
json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  if [[ "$s" == *[[:cntrl:]]* ]]; then die "control character in '$1'"; fi
  printf '"%s"' "$s"
}

out="$dest/Widgets/community/$id"
mkdir -p "$out"
cp "$src" "$out/$id.lua"
cp "$extras/README.md" "$extras/cover.png" "$out/"
{
  printf '{\n'
  printf '  "id": %s,\n' "$(json_str "$id")"
  printf '  "version": %s,\n' "$(json_str "$version")"
  printf '  "display_name": %s,\n' "$(json_str "$display_name")"
  printf '  "author": %s,\n' "$(json_str "$author")"
  printf '  "discord_link": %s,\n' "$(json_str "${WIDGET_DISCORD_LINK:-}")"
  printf '  "github_link": %s,\n' "$(json_str "${WIDGET_GITHUB_LINK:-}")"
  printf '  "description": %s,\n' "$(json_str "$description")"
  printf '  "last_updated": %s\n' "$(json_str "$last_updated")"
  printf '}\n'
} >"$out/manifest.json"
echo "$out"
