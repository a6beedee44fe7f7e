#!/usr/bin/env bash
# Saves PNG screenshots of fxs-monitor during a simulated run into docs/screenshots/ (under Xvfb, a real X
# server, so the whole window with its docks is drawn as on a beamline screen).
# usage: scripts/screenshots.sh [build-dir]      (default: build/release; needs xvfb-run)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build/release}"
exe="$build/bin/fxs-monitor"
out="$here/docs/screenshots"
[[ -x "$exe" ]] || { echo "screenshots.sh: $exe not built (cmake --build $build --target fxs-monitor)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
mkdir -p "$out"
settings="$(mktemp -d)"
trap 'rm -rf "$settings"' EXIT
# Pictures at 400 of 600 simulated shots at 40 Hz, while the run streams: C2 already shows structure.
xvfb-run -a -s "-screen 0 1920x1200x24" "$exe" --fresh --settings "$settings/fxs-monitor.ini" \
    --shots 600 --rate 40 --screenshots "$out" --screenshots-at 400 --results "$settings/results" --quit-when-done
ls -l "$out"/*.png
