#!/usr/bin/env bash
# How long the programs take to start and exit (`--help`), median and best of 7, for each build folder given
# (default build/release/bin): what every `fxs remote` command, every fxs-worker rank and every test pays before
# its own work. Compare two builds in one call so that both see the same machine:
#   scripts/startup-times.sh /path/to/old/build/release/bin build/release/bin
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$root/build/release/bin"
exec /usr/bin/python3 - "$@" <<'PY'
import subprocess, sys, time
for folder in sys.argv[1:]:
    for cmd in (["fxs", "remote", "--help"], ["fxs-worker", "--help"], ["fxs-bench", "--help"]):
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            subprocess.run([folder + "/" + cmd[0]] + cmd[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"{folder}: {' '.join(cmd):20s} median {times[3] * 1000:5.0f} ms, best {times[0] * 1000:5.0f} ms")
PY
