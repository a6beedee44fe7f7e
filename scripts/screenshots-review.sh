#!/usr/bin/env bash
# Saves PNG screenshots of fxs-monitor comparing two finished runs (Review tab): two `fxs demo` runs of different
# particles (tetramer4 as A, pentamer5 as B) on the same grid, opened with --review A --compare B under Xvfb.
# Writes docs/screenshots/monitor-review-compare.png (the Review tab: C2 slices of A and B, A − B, convergence and
# the ledgers) and monitor-review-main.png (the whole window).
# usage: scripts/screenshots-review.sh [build-dir]      (default: build/release; needs xvfb-run)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build/release}"
bin="$build/bin"
out="$here/docs/screenshots"
for exe in fxs fxs-monitor; do
    [[ -x "$bin/$exe" ]] || { echo "screenshots-review.sh: $bin/$exe not built" >&2; exit 2; }
done
command -v xvfb-run >/dev/null || { echo "screenshots-review.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin/fxs" demo --out "$tmp/a" --shots 1500 --model tetramer4 --n-q 60 --n-phi 128 >/dev/null
"$bin/fxs" demo --out "$tmp/b" --shots 1500 --model pentamer5 --n-q 60 --n-phi 128 >/dev/null
xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/fxs-monitor" --fresh --settings "$tmp/fxs-monitor.ini" \
    --review "$tmp/a/demo_results.h5" --compare "$tmp/b/demo_results.h5" --screenshots "$tmp/png" --quit-when-done
mkdir -p "$out"
cp "$tmp/png/monitor-review-compare.png" "$tmp/png/monitor-review-main.png" "$out/"
ls -l "$out"/monitor-review-compare.png "$out"/monitor-review-main.png
