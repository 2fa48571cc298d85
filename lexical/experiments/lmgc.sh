#!/usr/bin/env bash
# The WSD experiment: LMGC (gloss classification fine-tuning) and LMGC-M
# (lexical pre-training = MLM + gloss classification on the 2-way head, then the same fine-tuning)
# from one distilled student, selected on semeval2007, predicted and scored on ALL (per dataset).
# Resumable: run it again after an interruption; finished steps are skipped.
#
#   lexical/experiments/lmgc.sh STUDENT_DIR [OUT]      (default OUT: runs/lmgc)
#
# Knobs (environment): INSTANCES (SemCor sample, default 24000), EXAMPLES (WordNet example
# sentences added to it: 0, N or all; default 0), NEGATIVES (3), EPOCHS (1), LR (2e-4),
# MAXLEN (128), BATCH (32), DROPOUT (default: the student's own), POOLING (target: the 2-way head
# reads the target word's pieces, measured best here; cls: [CLS]), SAMPLING (uniform; frequency:
# wrong senses drawn by how often they are gold), CONTROL (1: also the two-epoch LMGC), SENSES (1:
# also the untrained nearest-sense model of `lexical senses`, in OUT/senses/best). Every model is
# scored alone (ALL.key, --prior 0) and with the sense prior it chose on semeval2007
# (ALL.prior.key). The two pipelines run side by side, one core each; the LMGC
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
  --negatives "${NEGATIVES:-3}" --max-instances "${INSTANCES:-24000}" --examples "${EXAMPLES:-0}"
  ${DROPOUT:+--dropout "$DROPOUT"} --pooling "${POOLING:-target}"
  --negative-sampling "${SAMPLING:-uniform}" --eval-every 500 --backend wasm)
mkdir -p "$OUT"

train() { # command model out [extra options]
  local cmd=$1 model=$2 dir=$3 resume=()
  shift 3
  [ -f "$dir/result.json" ] && return 0
  [ -f "$dir/latest.json" ] && resume=(--resume)
  deno task -q lexical "$cmd" --model "$model" --out "$dir" "${COMMON[@]}" "$@" "${resume[@]}" \
    >>"$dir.log" 2>&1
}
# predict RUN_DIR: ALL.key (the model alone) and ALL.prior.key (with the prior λ it chose), scored.
source lexical/experiments/predict_all.sh

(train finetune "$STUDENT" "$OUT/lmgc" && predict "$OUT/lmgc" &&
  if [ "${CONTROL:-1}" = 1 ]; then
    train finetune "$STUDENT" "$OUT/lmgc-2x" --epochs $((2 * ${EPOCHS:-1})) && predict "$OUT/lmgc-2x"
  fi) &
train pretrain "$STUDENT" "$OUT/lmgcm-pretrain"
# Fine-tuning starts from the end of the lexical pre-training (its run folder's latest checkpoint),
# not from its best semeval2007 step: model selection is the fine-tuned model's.
train finetune "$OUT/lmgcm-pretrain" "$OUT/lmgcm" && predict "$OUT/lmgcm"
# Nearest sense from the same student: nothing trained, SemCor's tagged contexts as sense centroids.
if [ "${SENSES:-1}" = 1 ]; then
  [ -f "$OUT/senses/best/wsd.json" ] || deno task -q lexical senses --model "$STUDENT" \
    --out "$OUT/senses/best" --wordnet 3.0 --backend wasm >>"$OUT/senses.log" 2>&1
  predict "$OUT/senses"
fi
wait
for d in lmgc lmgc-2x lmgcm senses; do
  for suffix in "" .prior; do
    [ -f "$OUT/$d/ALL$suffix.score.txt" ] && echo "== $d$suffix" && cat "$OUT/$d/ALL$suffix.score.txt"
  done
done
