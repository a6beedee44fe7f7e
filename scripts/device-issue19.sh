#!/usr/bin/env bash
# Issue 19's measurements on the 16-core GPU device host, from binaries built here and packed with
# scripts/device-pack.sh (.devrun/pack.tar.xz carried with the call). Each part writes its logs under OUT and
# prints one summary line per step, so that a call that runs out of time still returns what was measured.
# Usage (on the device, from the repository root):
#   scripts/device-issue19.sh OUT gpu    # GPU tests, fxs-bench gpu, fxs-bench pipeline on 16 threads (~6 min)
#   scripts/device-issue19.sh OUT c2     # the C2 engine's thread curve at 16,000 shots (~3 min)
#   scripts/device-issue19.sh OUT again  # the load-on-first-use test, the C2 curve again, the GPU backend from a file twice
#   scripts/device-issue19.sh OUT stream # issue 21's stream decoding on the workers against the receiver, 16 and 8 cores
set -uo pipefail
out=${1:?usage: device-issue19.sh OUT gpu|c2|again|stream}
part=${2:?usage: device-issue19.sh OUT gpu|c2|again|stream}
mkdir -p /opt/fxs "$out"
tar xJf .devrun/pack.tar.xz -C /opt/fxs || exit 1
# shellcheck disable=SC1091
source /opt/fxs/env.sh
export FXS_SOURCE_DIR=$PWD FXS_BIN_DIR=/opt/fxs/bin QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1
{ date -u; nproc; uptime; nvidia-smi --query-gpu=name,driver_version,memory.used,utilization.gpu --format=csv; } \
  > "$out/host-$part.txt" 2>&1
head -c 600 "$out/host-$part.txt"

step() { # step NAME LIMIT_S COMMAND...: runs it under a time limit, keeps its log, prints rc and the last line
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "== $name rc=$rc $((SECONDS - t0)) s: $(grep -E '^(\{|Totals|FAIL)' "$out/$name.log" | tail -c 1500)"
}

case $part in
  gpu)
    step tst_GpuBinding 120 tst_GpuBinding
    step tst_GpuC2Accumulator 180 tst_GpuC2Accumulator
    step tst_GpuRawRemap 180 tst_GpuRawRemap
    step bench-gpu 150 fxs-bench gpu --json
    step bench-pipeline-16 300 fxs-bench pipeline --json --threads 16 --frames 400
    ;;
  c2)
    step bench-c2-16k 560 fxs-bench c2 --threads 2,4,8,16 --shots 16000 --reps 1 --json
    ;;
  again)
    step tst_GpuBinding 120 tst_GpuBinding
    step bench-c2-16k-again 400 fxs-bench c2 --threads 2,4,8,16 --shots 16000 --reps 1 --json
    step bench-pipeline-gpu-1 120 fxs-bench pipeline --gpu-only 1 --frames 32 --gpu-frames 3000 --json
    step bench-pipeline-gpu-2 120 fxs-bench pipeline --gpu-only 1 --frames 32 --gpu-frames 3000 --json
    ;;
  stream)
    step bench-stream-16 240 fxs-bench stream --json
    step bench-stream-8 240 taskset -c 0-7 fxs-bench stream --json --threads 8
    ;;
  *) echo "unknown part $part" >&2; exit 2 ;;
esac
