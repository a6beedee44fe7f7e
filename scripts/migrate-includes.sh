#!/usr/bin/env bash
# Rewrites includes of the engine's old flat layout (engine/include/fxs/X.h, engine/src/X.h) to the stage layout
# (<fxs/<stage>/X.h>), for branches started before the move. Usage: scripts/migrate-includes.sh FILE...
# (no files: every C++/CUDA source under the current folder). scripts/stage-map.tsv says where each file went.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
map="$here/stage-map.tsv"
args=()
while IFS=$'\t' read -r name stage vis; do
  [[ -z "$name" || "$name" == \#* || "$vis" == src ]] && continue
  n=${name//./\\.}
  if [[ "$vis" == public ]]; then
    args+=(-e "s@#include [<\"]fxs/$n[>\"]@#include <fxs/$stage/$name>@")
    args+=(-e "s@#include \"$n\"@#include <fxs/$stage/$name>@")
  fi
done <"$map"
if [[ $# -eq 0 ]]; then
  mapfile -t files < <(find . -path ./build -prune -o -path ./.git -prune -o -path ./tests/data -prune -o -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) -print)
else
  files=("$@")
fi
[[ ${#files[@]} -gt 0 ]] && sed -i "${args[@]}" "${files[@]}"
echo "migrate-includes: ${#files[@]} file(s) rewritten where needed"
