#!/usr/bin/env bash
# The convergence experiment: three teachers pretrained here on the real corpus, a
# sharded teacher cache, then `distill compare` (no teacher / single best / uniform / confidence /
# entropy / CA-MKD students of equal compute). Every step resumes where it stopped: run it again
# after an interruption.
#
#   distill/experiments/convergence.sh [OUT]        (default OUT: runs/convergence)
#
# The recipe of the run recorded in docs/experiments.md (2-core machine, one core per process, OPENBLAS_NUM_THREADS=1):
#   t1 4 layers / 256 / 4 heads, seed 1, a 3000-step schedule paused at step 2000 (--stop-at)
#   t2 3 layers / 320 / 5 heads, seed 2, the same
#   t3 2 layers / 256 / 4 heads, seed 3, 1500 steps
#   all at 32 × 64 tokens per step, lr 5e-4; students BERT-tiny (2 / 128 / 2), 1500 steps of 32 × 64.
# Knobs: TEACHER_STEPS (3000), TEACHER_STOP (2000), T3_STEPS (1500), STUDENT_STEPS (1500).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/convergence}
DATA=${COHESIVE_DATA:-../shared/data}/corpus
[ -d "$DATA" ] || { echo "error: no corpus at $DATA (set COHESIVE_DATA)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1
TS=${TEACHER_STEPS:-3000} STOP=${TEACHER_STOP:-2000} T3=${T3_STEPS:-1500} SS=${STUDENT_STEPS:-1500}

teacher() { # name layers hidden heads seed steps stop-at
  local dir=$OUT/teachers/$1 resume=()
  [ -f "$dir/latest.json" ] && resume=(--resume)
  deno run -A distill/main.ts teacher --out "$dir" --data "$DATA" --layers "$2" --hidden "$3" \
    --heads "$4" --seed "$5" --steps "$6" --stop-at "$7" --batch 32 --seq 64 --eval-every 100 \
    --save-every 100 "${resume[@]}"
}

(teacher t1 4 256 4 1 "$TS" "$STOP" && teacher t3 2 256 4 3 "$T3" "$T3") &
teacher t2 3 320 5 2 "$TS" "$STOP"
wait

TEACHERS=$OUT/teachers/t1,$OUT/teachers/t2,$OUT/teachers/t3
CMP=$OUT/compare
# The cache in two shards, one process each (a cluster would run one job per shard).
for i in 0 1; do
  deno run -A distill/main.ts cache --teachers "$TEACHERS" --out "$CMP/cache" --data "$DATA" \
    --batches "$SS" --batch 32 --seq 64 --seed 0 --shard "$i/2" &
done
wait
S=(--teachers "$TEACHERS" --out "$CMP" --cache "$CMP/cache" --data "$DATA" --steps "$SS"
  --batch 32 --seq 64 --eval-every 100 --save-every 100)
deno run -A distill/main.ts compare "${S[@]}" --variants confidence,single,none &
deno run -A distill/main.ts compare "${S[@]}" --variants uniform,entropy,camkd
wait
# All variants are finished now: this writes the full report (compare.md/json, curves.svg).
deno run -A distill/main.ts compare "${S[@]}"
