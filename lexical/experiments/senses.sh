#!/usr/bin/env bash
# How nearest-sense WSD follows the language model: for each checkpoint given, its held-out MLM loss
# (`eval mlm`, the same rows for all), the nearest-sense model of `lexical senses` (nothing trained:
# SemCor's tagged contexts as sense centroids, the prior λ chosen on semeval2007), and F1 on ALL per
# dataset, alone and with the prior. Resumable: finished steps are skipped.
#
#   lexical/experiments/senses.sh OUT NAME=CHECKPOINT_DIR [NAME=CHECKPOINT_DIR ...]
#
# Writes OUT/mlm/mlm.{md,json}, OUT/NAME/best (the model folder), OUT/NAME/ALL{,.prior}.score.*
# and prints OUT/senses.md: one row per checkpoint.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?usage: lexical/experiments/senses.sh OUT NAME=CHECKPOINT_DIR ...}
shift
[ $# -gt 0 ] || { echo "error: give at least one NAME=CHECKPOINT_DIR" >&2; exit 1; }
DATA=${COHESIVE_DATA:-../shared/data}
ALL=$DATA/wsd/Evaluation_Datasets/ALL
[ -f "$ALL/ALL.data.xml" ] || { echo "error: no $ALL/ALL.data.xml (set COHESIVE_DATA)" >&2; exit 1; }
mkdir -p "$OUT"
source lexical/experiments/predict_all.sh

models=() measured=1
for spec in "$@"; do
  [[ $spec == *=* ]] || { echo "error: '$spec' is not NAME=CHECKPOINT_DIR" >&2; exit 1; }
  models+=(--model "$spec")
  grep -qF "\"name\": \"${spec%%=*}\"" "$OUT/mlm/mlm.json" 2>/dev/null || measured=0
done
# All checkpoints on the same held-out rows, again whenever one is new.
[ $measured = 1 ] || deno task -q eval mlm "${models[@]}" --data "$DATA/corpus" \
  --out "$OUT/mlm" --backend wasm >"$OUT/mlm.log" 2>&1

for spec in "$@"; do
  name=${spec%%=*} ckpt=${spec#*=}
  dir=$OUT/$name
  mkdir -p "$dir"
  [ -f "$dir/best/wsd.json" ] || deno task -q lexical senses --model "$ckpt" --out "$dir/best" \
    --wordnet 3.0 --backend wasm >>"$dir.log" 2>&1
  predict "$dir"
done

# One markdown row per checkpoint: MLM loss, per-dataset F1 alone / with prior, ALL, λ.
deno eval '
const [out, ...specs] = Deno.args;
const read = (p) => JSON.parse(Deno.readTextFileSync(`${out}/${p}`));
const mlm = new Map(read("mlm/mlm.json").models.map((m) => [m.name, m.loss]));
const sets = ["senseval2", "senseval3", "semeval2007", "semeval2013", "semeval2015"];
console.log("| checkpoint | MLM loss | SE2 | SE3 | SE07 | SE13 | SE15 | ALL alone / prior (λ) |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const name of specs.map((s) => s.split("=")[0])) {
  const [alone, prior] = [read(`${name}/ALL.score.json`), read(`${name}/ALL.prior.score.json`)];
  const pair = (a, b) => `${a.f1.toFixed(1)} / ${b.f1.toFixed(1)}`;
  const cells = sets.map((d) => pair(alone.byDataset[d], prior.byDataset[d]));
  const lambda = read(`${name}/best/wsd.json`).weight;
  console.log(`| ${name} | ${mlm.get(name).toFixed(3)} | ${cells.join(" | ")} | ${pair(alone.all, prior.all)} (${lambda}) |`);
}
' "$OUT" "$@" >"$OUT/senses.md.tmp"
mv "$OUT/senses.md.tmp" "$OUT/senses.md"
cat "$OUT/senses.md"
