#!/usr/bin/env bash
# Saves PNG screenshots of fxs-monitor following a remote job that reconstructs on the server: a real fxs-server on
# 127.0.0.1 with 2 MPI ranks simulates tetramer4, correlates, then runs M-TIP; the pictures are taken at 40 % of the
# reconstruction (under Xvfb, as scripts/screenshots.sh). Writes docs/screenshots/monitor-remote-reconstructing.png
# (the window), monitor-remote-run-control.png (the form with the simulator and reconstruction settings) and
# monitor-remote-ranks.png (the Remote job tab); then monitor-remote-main.png of a synthetic job while it accumulates.
# usage: scripts/screenshots-remote.sh [build-dir]      (default: build/release; needs xvfb-run, mpirun)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build/release}"
bin="$build/bin"
out="$here/docs/screenshots"
for exe in fxs-monitor fxs-server fxs-worker; do
    [[ -x "$bin/$exe" ]] || { echo "screenshots-remote.sh: $bin/$exe not built" >&2; exit 2; }
done
command -v xvfb-run >/dev/null || { echo "screenshots-remote.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
tmp="$(mktemp -d)"
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
printf 'screenshot-token-0123456789abcdef\n' >"$tmp/token" && chmod 600 "$tmp/token"
launcher="mpirun --oversubscribe $([[ $(id -u) == 0 ]] && echo --allow-run-as-root) -n {ranks} {worker} {job}"
"$bin/fxs-server" --listen 127.0.0.1:0 --port-file "$tmp/port" --state-dir "$tmp/state" --token-file "$tmp/token" \
    --launcher "$launcher" >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || { cat "$tmp/server.log" >&2; exit 1; }
remote=$(printf '{"address":"127.0.0.1:%s","token_file":"%s","ranks":2,"threads_per_rank":1,"backend":"cpu",'\
'"input":"simulator","model":"tetramer4","wavelength_a":1.5,"peak_photons":100,"mean_particles":1,"seed":"7",'\
'"double_precision":true,"reconstruction":{"enabled":true,"grid_size":32,"starts":2,"iterations":3000}}' \
    "$(cat "$tmp/port")" "$tmp/token")
cat >"$tmp/fxs-monitor.ini" <<INI
[run]
source=3
remote="${remote//\"/\\\"}"
[grid]
qMin=0.02
qMax=0.5
INI
xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/fxs-monitor" --settings "$tmp/fxs-monitor.ini" --shots 2000 \
    --nq 32 --nphi 128 --submit --screenshots "$tmp/png" --screenshots-at-reconstruction 0.4 --results "$tmp/results" \
    --quit-when-done
# The window following a plain job while it accumulates: synthetic shots on 2 ranks, a checkpoint every second,
# pictures at 100,000 shots, then the job is cancelled (monitor-remote-main.png).
synthetic=$(printf '{"address":"127.0.0.1:%s","token_file":"%s","ranks":2,"threads_per_rank":1,"backend":"cpu",'\
'"input":"synthetic","seed":"7","reduce_interval_s":1}' "$(cat "$tmp/port")" "$tmp/token")
cat >"$tmp/synthetic.ini" <<INI
[run]
source=3
remote="${synthetic//\"/\\\"}"
[grid]
qMin=0.02
qMax=0.5
INI
xvfb-run -a -s "-screen 0 1920x1200x24" "$bin/fxs-monitor" --settings "$tmp/synthetic.ini" --shots 200000 \
    --nq 32 --nphi 128 --submit --screenshots "$tmp/png-main" --screenshots-at 100000 --stop-at-shots 120000 \
    --results "$tmp/results-main" --quit-when-done
mkdir -p "$out"
cp "$tmp/png-main/monitor-remote-main.png" "$out/monitor-remote-main.png"
cp "$tmp/png/monitor-remote-main.png" "$out/monitor-remote-reconstructing.png"
cp "$tmp/png/monitor-run-control.png" "$out/monitor-remote-run-control.png"
cp "$tmp/png/monitor-remote-ranks.png" "$out/monitor-remote-ranks.png"
ls -l "$out"/monitor-remote-main.png "$out"/monitor-remote-reconstructing.png "$out"/monitor-remote-run-control.png "$out"/monitor-remote-ranks.png
