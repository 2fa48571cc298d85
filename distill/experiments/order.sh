#!/usr/bin/env bash
# Continued pretraining of the distilled BERT-tiny student until it reads word order. Every LM pretrained here before sat on the bag-of-words plateau (held-out
# loss 6.3–7.0 nats, eval_order_gain ≈ 0); this recipe left it. Resumable: run it again after an
# interruption; finished legs are skipped.
#
#   distill/experiments/order.sh [STUDENT] [OUT]
#       (defaults: runs/convergence/compare/confidence, runs/order)
#
# The legs of the run recorded in docs/experiments.md (2 cores, OPENBLAS_NUM_THREADS=2), each from the previous one's end:
#   plateau  128 × 128 tokens per update (32 × 4 accumulated), lr 2e-4, dropout 0.1, 800 steps
#   lr1e-3   the same at lr 1e-3, 1,565 steps (of a 4,000-step schedule)
#   nodrop   dropout 0, 106 steps (superseded at once by the next leg)
#   b32      32 × 128 tokens per update, no accumulation, lr 7e-4, dropout 0, 40,000-step schedule
#            stopped at 5,300: the order gain left 0 near step 2,000 and reached 2.7 nats by 5,300
#            (held-out loss 4.97 against 7.02 for the student); the leg that mattered.
# Knob: B32_STOP (the step the last leg pauses at, default 5300).
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDENT=${1:-runs/convergence/compare/confidence}
OUT=${2:-runs/order}
DATA=${COHESIVE_DATA:-../shared/data}/corpus
[ -d "$DATA" ] || { echo "error: no corpus at $DATA (set COHESIVE_DATA)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
mkdir -p "$OUT"

leg() { # name from stop-at options...
  local name=$1 from=$2 stop=$3 dir="$OUT/$1" resume=()
  shift 3
  if [ -f "$dir/latest.json" ]; then
    [ "$(sed 's/.*"step":\([0-9]*\).*/\1/' "$dir/latest.json")" -ge "$stop" ] && return 0
    resume=(--resume)
  fi
  deno task -q distill teacher --out "$dir" --data "$DATA" --from "$from" --stop-at "$stop" \
    --save-every 50 --backend wasm "$@" "${resume[@]}" >>"$dir.log" 2>&1
}
last() { echo "$OUT/$1/checkpoint-$2"; }

leg plateau "$STUDENT" 800 --steps 6000 --batch 32 --accum 4 --seq 128 --lr 2e-4 --seed 13 \
  --eval-every 100
leg lr1e-3 "$(last plateau 800)" 1565 --steps 4000 --batch 32 --accum 4 --seq 128 --lr 1e-3 \
  --seed 17 --eval-every 50
leg nodrop "$(last lr1e-3 1565)" 106 --steps 20000 --warmup 0.005 --dropout 0 --batch 32 \
  --accum 4 --seq 128 --lr 1e-3 --seed 19 --eval-every 50
leg b32 "$(last nodrop 106)" "${B32_STOP:-5300}" --steps 40000 --warmup 0.005 --dropout 0 \
  --batch 32 --accum 1 --seq 128 --lr 7e-4 --seed 23 --eval-every 100
deno task -q eval mlm --model student="$STUDENT" --model order="$(last b32 "${B32_STOP:-5300}")" \
  --out "$OUT/mlm"
