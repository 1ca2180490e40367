#!/usr/bin/env bash
# Draws resources/dist/widget/cover.png, the picture BAR's lobby Widgets manager shows for the widget
# (scripts/widget-folder.sh ships it): 512x288, the widget's name over a few plot lines.
# Run it again after changing it and commit the PNG; nothing else runs it. Needs ImageMagick 6
# (apt package imagemagick) and the DejaVu fonts (fonts-dejavu-core); CONVERT picks the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
convert_bin="${CONVERT:-/usr/bin/convert}"
out=resources/dist/widget/cover.png
bold=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
book=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
mkdir -p "$(dirname "$out")"

# Three series over the lower part of the picture (x 24..488, y 120..264): metal income
# (rising in steps), energy (rising faster, a dip), army value (late surge).
metal="24,250 70,246 110,238 150,236 190,224 230,214 270,210 310,196 350,186 390,180 430,166 488,156"
energy="24,256 70,248 110,230 150,214 190,206 230,188 270,196 310,170 350,150 390,142 430,128 488,120"
army="24,262 70,261 110,258 150,252 190,250 230,240 270,236 310,226 350,206 390,196 430,172 488,146"

args=(-size 512x288 xc:'#11161f'
  # a plot frame and grid
  -fill none -stroke '#2a3342' -strokewidth 1)
for y in 140 180 220 260; do args+=(-draw "line 24,$y 488,$y"); done
for x in 140 256 372; do args+=(-draw "line $x,120 $x,264"); done
# Each series as its segments: an IM6 polyline or open path comes out with a stray closing stroke.
segments() {
  local prev="" pt
  for pt in $1; do
    [ -n "$prev" ] && args+=(-draw "line $prev $pt")
    prev="$pt"
  done
}
args+=(-strokewidth 3 -stroke '#7fb2ff'); segments "$metal"
args+=(-stroke '#ffd35c'); segments "$energy"
args+=(-stroke '#ff6f61'); segments "$army"
args+=(
  # a live dot at the end of each line
  -stroke none -fill '#7fb2ff' -draw "circle 488,156 492,156"
  -fill '#ffd35c' -draw "circle 488,120 492,120"
  -fill '#ff6f61' -draw "circle 488,146 492,146"
  # the text
  -fill '#f2f5fa' -font "$bold" -pointsize 38 -annotate +24+58 'Live Data Export'
  -fill '#9fb0c8' -font "$book" -pointsize 17 -annotate +26+90 'Live graphs, overlay and recordings with bar-live'
  -strip -colors 32 "PNG8:$out")
"$convert_bin" "${args[@]}"
ls -l "$out"
