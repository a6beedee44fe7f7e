#!/usr/bin/env bash
# On a GPU device host, after `source /opt/fxs/env.sh` (scripts/device-pack.sh): the same simulated uint16 run
# through fxs-worker (2 ranks) with the CPU backend and with the GPU backend (device remap on, off, auto), so that
# their sums can be compared where numpy is (the results files and each rank's device line land in OUT).
# Usage: scripts/device-worker-remap.sh OUT [SHOTS]
set -euo pipefail
out=${1:?usage: device-worker-remap.sh OUT [SHOTS]}
shots=${2:-2000}
nq=${NQ:-128} nphi=${NPHI:-256} # a small grid keeps the results files small enough to fetch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
fxs simulate --out "$work/s.cxi" --shots "$shots" >/dev/null
for mode in cpu on off auto; do
  dir="$work/job-$mode"
  mkdir -p "$dir"
  backend=gpu; remap=$mode
  [ "$mode" = cpu ] && { backend=cpu; remap=auto; }
  cat > "$dir/worker.json" <<JSON
{"input_kind":"cxi","cxi_path":"$work/s.cxi","cxi_dataset":"/entry_1/data_1/data","geometry_path":"$work/s.cxi.geom",
 "shots":0,"n_q":$nq,"n_phi":$nphi,"q_min_inv_angstrom":0.05,"q_max_inv_angstrom":0.5,"double_precision":false,
 "ring_mean_subtracted":true,"threads_per_rank":1,"shots_per_unit":64,"backend":"$backend","device_remap":"$remap",
 "reduce_interval_s":5}
JSON
  start=$(date +%s%N)
  mpirun -n 2 fxs-worker "$dir" > "$out/$mode.log" 2>&1
  end=$(date +%s%N)
  cp "$dir/results.h5" "$out/$mode.h5"
  cat "$dir/ranks/rank-0.json" "$dir/ranks/rank-1.json" > "$out/$mode.ranks.json"
  cp "$dir/timing.json" "$out/$mode.timing.json"
  echo "$mode: $(( (end - start) / 1000000 )) ms wall; rank 0: $(grep -o '"device":"[^"]*"' "$dir/ranks/rank-0.json")"
done
