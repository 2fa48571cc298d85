#!/usr/bin/env bash
# Unpack teachers pretrained by device.sh and measure them here, with cohesive, on the same
# held-out rows as every other model (`eval mlm`: 16 × 32 rows of 128 tokens, seed 1234).
#
#   distill/experiments/gpu_teachers/bring_back.sh PARTS_DIR [DEST]   (DEST: ../runs/teachers/gpu)
#
# Writes DEST/{t1,t2,t3} (Hugging Face BERT folders, F16 weights) and DEST/mlm/{mlm.json,mlm.md}.
set -euo pipefail
parts=${1:?usage: bring_back.sh PARTS_DIR [DEST]}
dest=${2:-../runs/teachers/gpu}
ls "$parts"/teachers.tar.xz.part-* >/dev/null 2>&1 || {
  echo "bring_back.sh: no teachers.tar.xz.part-* in $parts" >&2
  exit 1
}
tmp="$dest.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
cat "$parts"/teachers.tar.xz.part-* | xz -d | tar -C "$tmp" -xf -
mkdir -p "$dest"
models=()
for t in "$tmp"/*/; do
  name=$(basename "$t")
  rm -rf "${dest:?}/$name"
  mv "$t" "$dest/$name"
  models+=(--model "$name=$dest/$name")
done
mv "$tmp"/*.log.jsonl "$tmp"/*.out "$dest/" 2>/dev/null || true
rm -rf "$tmp"
deno task eval mlm "${models[@]}" --out "$dest/mlm"
