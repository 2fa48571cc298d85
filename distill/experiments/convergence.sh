#!/usr/bin/env bash
# The convergence experiment of issue 3: three teachers pretrained here on the real corpus, then
# `distill compare` (no teacher / single best / uniform / confidence / entropy / CA-MKD students of
# equal compute). Every step resumes where it stopped: run it again after an interruption.
#
#   distill/experiments/convergence.sh [OUT]        (default OUT: runs/convergence)
#
# Two teacher jobs run side by side (one core each; OPENBLAS_NUM_THREADS=1 keeps them from
# oversubscribing a 2-core machine). Wall time on the 2-core development machine: about 1 h for the
# teachers with native SGEMM, then the students.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/convergence}
DATA=${COHESIVE_DATA:-../shared/data}/corpus
[ -d "$DATA" ] || { echo "error: no corpus at $DATA (set COHESIVE_DATA)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1

teacher() { # name layers hidden heads seed
  local dir=$OUT/teachers/$1 resume=()
  [ -f "$dir/latest.json" ] && resume=(--resume)
  deno run -A distill/main.ts teacher --out "$dir" --data "$DATA" --layers "$2" --hidden "$3" \
    --heads "$4" --seed "$5" --steps 3000 --batch 32 --seq 64 --eval-every 100 --save-every 100 \
    "${resume[@]}"
}

(teacher t1 4 256 4 1 && teacher t3 2 256 4 3) &
teacher t2 3 320 5 2
wait

OPENBLAS_NUM_THREADS=2 deno run -A distill/main.ts compare \
  --teachers "$OUT/teachers/t1,$OUT/teachers/t2,$OUT/teachers/t3" --out "$OUT/compare" \
  --data "$DATA" --steps 2000 --batch 32 --seq 64 --eval-every 100 --save-every 100
