#!/usr/bin/env bash
# The convergence experiment with teachers that know far more than the student: 2-layer × 128
# students, equal compute, weightings none / single (the best teacher) / uniform / confidence /
# entropy / CA-MKD at T = 2 and T = 1; a second seed for none, single and confidence (its own
# batches and masks, so the spread covers data order as well as initialisation); one
# confidence-weighted student initialised from the first teacher's layers (DistilBERT's recipe:
# layers 0, 2, … of a teacher of the student's width). Then results/convergence/ (summary.json,
# compare.md, curves.svg). Every step resumes where it stopped: run it again after an interruption.
#
#   distill/experiments/convergence_strong.sh TEACHERS [OUT]     (OUT default: runs/convergence-strong)
#
# TEACHERS: comma-separated teacher folders, the first one 128 wide (e.g. the GPU teachers of
# docs/teachers.md: ../runs/teachers/gpu/t3,../runs/teachers/gpu/t1,../runs/teachers/gpu/t2).
# Knobs: STEPS (3000), TEMPS ("2 1"), LR (7e-4), EVAL_EVERY (100), RESULTS (results/convergence).
# Two students train side by side where they can, one core each (OPENBLAS_NUM_THREADS=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
teachers=${1:?usage: convergence_strong.sh TEACHERS [OUT]}
out=${2:-runs/convergence-strong}
data=${COHESIVE_DATA:-../shared/data}/corpus
[ -d "$data" ] || { echo "convergence_strong: no corpus at $data (set COHESIVE_DATA)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1
steps=${STEPS:-3000}
common=(--teachers "$teachers" --data "$data" --layers 2 --hidden 128 --heads 2 --intermediate 512
  --steps "$steps" --batch 32 --seq 128 --lr "${LR:-7e-4}" --dropout 0 --eval-every "${EVAL_EVERY:-100}"
  --save-every 250)
compare() { deno run -A distill/main.ts compare "${common[@]}" "$@"; }

for T in ${TEMPS:-2 1}; do
  base=$out/T$T
  # Seed 1: the cache (teachers run once), then the six students, two processes at a time.
  compare --out "$base/seed1" --temperature "$T" --seed 1 --variants none
  compare --out "$base/seed1" --cache "$base/seed1/cache" --temperature "$T" --seed 1 \
    --variants single,uniform,entropy &
  p=$!
  compare --out "$base/seed1" --cache "$base/seed1/cache" --temperature "$T" --seed 1 \
    --variants confidence,camkd
  wait "$p"
  compare --out "$base/seed1" --cache "$base/seed1/cache" --temperature "$T" --seed 1
  # Seed 2 (its own cache: other batches and masks) beside the teacher-initialised student.
  compare --out "$base/seed2" --temperature "$T" --seed 2 --variants none,single,confidence &
  p=$!
  compare --out "$base/init" --cache "$base/seed1/cache" --temperature "$T" --seed 1 \
    --init teacher --variants confidence
  wait "$p"
done
dirs=()
for T in ${TEMPS:-2 1}; do dirs+=("$out/T$T/seed1" "$out/T$T/seed2" "$out/T$T/init"); done
deno run -A distill/experiments/convergence_summary.ts --out "${RESULTS:-results/convergence}" "${dirs[@]}"
