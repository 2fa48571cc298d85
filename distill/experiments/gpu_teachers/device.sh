#!/usr/bin/env bash
# Pretrain three teachers with PyTorch on a CUDA machine, side by side on one GPU, and pack them
# as Hugging Face BERT folders for the trip back (parts of at most 15 MiB).
#
#   distill/experiments/gpu_teachers/device.sh [ROWS]      (ROWS: default runs/gpu_rows)
#
# Environment: OUT (required: where the parts go), MINUTES (training budget per teacher,
# default 5), PYTHON (default python3), DEVICE (cuda, or cpu for a dry run), TINY=1 (dry run: tiny models, a few steps).
# Each teacher's schedule ends with its budget (pretrain.py --minutes). Writes
# $OUT/teachers.tar.xz.part-* and $OUT/device.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rows=${1:-runs/gpu_rows}
: "${OUT:?set OUT to the folder the results go to}"
minutes=${MINUTES:-5}
device=${DEVICE:-cuda}
py=${PYTHON:-python3}
log="$OUT/device.log"
fail() { echo "device.sh: $*" | tee -a "$log" >&2; exit 1; }
[ -f "$rows/meta.json" ] && [ -f "$rows/train.u16" ] ||
  fail "no exported rows in $rows (make them with export_rows.ts and carry the folder)"
"$py" -c 'import torch' 2>/dev/null || fail "$py has no torch"
if [ "$device" = cuda ]; then
  "$py" -c 'import torch,sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
    fail "torch sees no CUDA device (DEVICE=cpu for a dry run)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >>"$log" 2>&1 || true
  amp=--bf16
else
  amp=
fi
"$py" -c 'import torch; print("torch", torch.__version__)' >>"$log"
work="$OUT/teachers"
mkdir -p "$work"
if [ "${TINY:-0}" = 1 ]; then
  specs=("t1 2 64 2 1 5e-4 0.1" "t2 1 80 2 2 5e-4 0.1" "t3 2 32 2 3 1e-3 0.1")
  size=(--steps 30 --batch 8 --eval-every 10 --eval-rows 64)
else
  # name layers hidden heads seed lr dropout
  specs=("t1 4 256 4 1 5e-4 0.1" "t2 3 320 5 2 5e-4 0.1" "t3 4 128 2 3 1e-3 0.1")
  size=(--minutes "$minutes" --batch 256 --eval-every 500)
fi
pids=()
for s in "${specs[@]}"; do
  read -r name layers hidden heads seed lr dropout <<<"$s"
  "$py" "$here/pretrain.py" --rows "$rows" --out "$work" --name "$name" --layers "$layers" \
    --hidden "$hidden" --heads "$heads" --seed "$seed" --lr "$lr" --dropout "$dropout" \
    --device "$device" $amp "${size[@]}" >"$work/$name.out" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
for s in "${specs[@]}"; do
  name=${s%% *}
  { echo "== $name"; cat "$work/$name.out"; } >>"$log"
done
[ "$status" = 0 ] || fail "a teacher failed (see device.log)"
tar -C "$work" -cf - . | xz -1 -T0 | split -b 15M - "$OUT/teachers.tar.xz.part-"
rm -rf "$work"
ls -l "$OUT" >>"$log"
echo "device.sh: done" | tee -a "$log"
