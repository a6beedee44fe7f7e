#!/usr/bin/env bash
# For branches started before the stage layout: moves files still in engine/include/fxs/ or engine/src/ to their
# stage (scripts/stage-map.tsv; a file not listed there is reported and left), then rewrites includes everywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
shopt -s nullglob
for f in engine/include/fxs/* engine/src/*; do
  name=$(basename "$f")
  line=$(awk -F'\t' -v n="$name" '$1 == n' scripts/stage-map.tsv)
  if [[ -z "$line" ]]; then echo "move-to-stages: $f is not in scripts/stage-map.tsv" >&2; continue; fi
  stage=$(cut -f2 <<<"$line"); vis=$(cut -f3 <<<"$line")
  case $vis in public) dst=engine/$stage/include/fxs/$stage/$name ;; *) dst=engine/$stage/src/$name ;; esac
  mkdir -p "$(dirname "$dst")"
  git mv -f "$f" "$dst" 2>/dev/null || mv -f "$f" "$dst"
  echo "move-to-stages: $f -> $dst"
done
scripts/migrate-includes.sh
