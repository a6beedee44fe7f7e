#!/usr/bin/env bash
# Saves docs/screenshots/monitor-stream-waiting.png: fxs-monitor on a DECTRIS Stream V2 publisher on 127.0.0.1
# (tests/app/stream_peer.py replaying the recorded EIGER2 messages of ../shared/data/stream2, the geometry in its
# start message) that dies after 5 images: the health bar says WAITING FOR FRAMES · publisher gone (under Xvfb, as
# scripts/screenshots.sh).
# usage: scripts/screenshots-stream.sh [build-dir]      (default: build/release; needs xvfb-run, ../shared)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build/release}"
out="$here/docs/screenshots"
data="$here/../shared/data/stream2/r500k_bm_bslz4_16bit"
[[ -x "$build/bin/fxs-monitor" ]] || { echo "screenshots-stream.sh: $build/bin/fxs-monitor not built" >&2; exit 2; }
[[ -d "$data" ]] || { echo "screenshots-stream.sh: $data is not present" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "screenshots-stream.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
tmp="$(mktemp -d)"
monitor=""
cleanup() { [[ -n "$monitor" ]] && kill "$monitor" 2>/dev/null && wait "$monitor" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
port=$(/usr/bin/python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
geometry='{"pixel_size_x": 7.5e-05, "pixel_size_y": 7.5e-05, "beam_center_x": 400.0, "beam_center_y": 200.0,
  "detector_translation": [0.0, 0.0, 0.1], "incident_energy": 12000.0}'
xvfb-run -a -s "-screen 0 1920x1200x24" "$build/bin/fxs-monitor" --fresh --settings "$tmp/fxs-monitor.ini" \
    --stream-endpoint "tcp://127.0.0.1:$port" --stream dectris --nq 40 --nphi 64 --results "$tmp/results" \
    --screenshots "$tmp/png" --screenshots-at-seconds 9 >"$tmp/monitor.log" 2>&1 &
monitor=$!
sleep 2
/usr/bin/python3 "$here/tests/app/stream_peer.py" replay "$port" "$data" --geometry "$geometry" --count 5 >/dev/null
for _ in $(seq 150); do [[ -s "$tmp/png/monitor-main.png" ]] && break; sleep 0.1; done
sleep 1
[[ -s "$tmp/png/monitor-main.png" ]] || { cat "$tmp/monitor.log" >&2; exit 1; }
cp "$tmp/png/monitor-main.png" "$out/monitor-stream-waiting.png"
echo "screenshots-stream.sh: wrote $out/monitor-stream-waiting.png"
