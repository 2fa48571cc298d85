#!/usr/bin/env bash
# The WSD experiment of the lexical issue: LMGC (gloss classification fine-tuning) and LMGC-M
# (lexical pre-training = MLM + gloss classification on the 2-way head, then the same fine-tuning)
# from one distilled student, selected on semeval2007, predicted and scored on ALL (per dataset).
# Resumable: run it again after an interruption; finished steps are skipped.
#
#   lexical/experiments/lmgc.sh STUDENT_DIR [OUT]      (default OUT: runs/lmgc)
#
# Knobs (environment): INSTANCES (SemCor sample, default 24000), NEGATIVES (3), EPOCHS (1),
# LR (2e-4), MAXLEN (128), BATCH (32). The two pipelines run side by side, one core each; the LMGC
# side then also trains LMGC for twice the epochs (lmgc-2x), the control that sees the pairs as
# often as LMGC-M's pre-training + fine-tuning do.
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDENT=${1:?usage: lexical/experiments/lmgc.sh STUDENT_DIR [OUT]}
OUT=${2:-runs/lmgc}
DATA=${COHESIVE_DATA:-../shared/data}/wsd
ALL=$DATA/Evaluation_Datasets/ALL
[ -f "$ALL/ALL.data.xml" ] || { echo "error: no $ALL/ALL.data.xml (set COHESIVE_DATA)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1
COMMON=(--epochs "${EPOCHS:-1}" --batch "${BATCH:-32}" --lr "${LR:-2e-4}" --max-length "${MAXLEN:-128}"
  --negatives "${NEGATIVES:-3}" --max-instances "${INSTANCES:-24000}" --eval-every 500 --backend wasm)
mkdir -p "$OUT"

train() { # command model out [extra options]
  local cmd=$1 model=$2 dir=$3 resume=()
  shift 3
  [ -f "$dir/result.json" ] && return 0
  [ -f "$dir/latest.json" ] && resume=(--resume)
  deno task -q lexical "$cmd" --model "$model" --out "$dir" "${COMMON[@]}" "$@" "${resume[@]}" \
    >>"$dir.log" 2>&1
}
predict() { # run-dir
  local dir=$1
  [ -f "$dir/ALL.score.json" ] && return 0
  deno task -q lexical predict --model "$dir/best" --input "$ALL/ALL.data.xml" --out "$dir/ALL.key" \
    --wordnet 3.0 >>"$dir.log" 2>&1
  deno task -q eval score "$ALL/ALL.gold.key.txt" "$dir/ALL.key" --data "$ALL/ALL.data.xml" --json \
    >"$dir/ALL.score.json.tmp" && mv "$dir/ALL.score.json.tmp" "$dir/ALL.score.json"
  deno task -q eval score "$ALL/ALL.gold.key.txt" "$dir/ALL.key" --data "$ALL/ALL.data.xml" \
    >"$dir/ALL.score.txt"
}

(train finetune "$STUDENT" "$OUT/lmgc" && predict "$OUT/lmgc" &&
  train finetune "$STUDENT" "$OUT/lmgc-2x" --epochs $((2 * ${EPOCHS:-1})) && predict "$OUT/lmgc-2x") &
train pretrain "$STUDENT" "$OUT/lmgcm-pretrain"
train finetune "$OUT/lmgcm-pretrain/best" "$OUT/lmgcm" && predict "$OUT/lmgcm"
wait
for d in lmgc lmgc-2x lmgcm; do echo "== $d"; cat "$OUT/$d/ALL.score.txt"; done
