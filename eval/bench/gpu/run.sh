#!/usr/bin/env bash
# The GPU bench, in one call on a machine with a GPU but no Deno and no registry: unpack what
# eval/bench/gpu/pack.sh carried, name the WebGPU adapter (and refuse a software one), run the
# kernel test tables on webgpu against the CPU reference, then `deno task bench --backends webgpu`
# beside PyTorch on CUDA (fp32 eager and bf16 autocast), and write bench.json and bench.md.
#
#   bash eval/bench/gpu/run.sh [--pack DIR] [--out DIR] [--budget S] [--allow-software]
#       [--steps N] [--batch N] [--seq N] [--modes LIST] [--skip-tests]
#
#   --pack DIR        the carried archives (default .gpu)
#   --out DIR         where bench.json, bench.md, run.log, tests.log, adapter.json go
#                     (default $OUT)
#   --budget S        seconds the whole script may take; each phase gets a share (default 300)
#   --allow-software  measure a software adapter (llvmpipe) and a PyTorch peer on the CPU: a dry
#                     run on a machine without a GPU, titled as such in bench.md
#   --steps N         timed steps per measurement (default 5)
#   --batch N --seq N the BERT-mini step (default 32 x 128; ours runs it as one micro-batch)
#   --modes LIST      train,infer,distill (default all three)
#   --skip-tests      skip the kernel tests
#
# Exits 1 with one line on a missing archive, no adapter, a software adapter (without
# --allow-software), no CUDA for the peer, or failing kernel tests; 2 on a usage mistake.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PACK=.gpu
OUTDIR=${OUT:-}
BUDGET=300
ALLOW=0
STEPS=5
BATCH=32
SEQ=128
MODES=train,infer,distill
TESTS=1
usage_error() { echo "run.sh: $* (see --help)" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) PACK=${2:?}; shift 2 ;;
    --out) OUTDIR=${2:?}; shift 2 ;;
    --budget) BUDGET=${2:?}; shift 2 ;;
    --allow-software) ALLOW=1; shift ;;
    --steps) STEPS=${2:?}; shift 2 ;;
    --batch) BATCH=${2:?}; shift 2 ;;
    --seq) SEQ=${2:?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    --skip-tests) TESTS=0; shift ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
done
[ -n "$OUTDIR" ] || usage_error "no output folder: give --out DIR or set OUT"
for n in "$BUDGET" "$STEPS" "$BATCH" "$SEQ"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || usage_error "expected a positive integer, got \"$n\""
done
cd "$ROOT" || exit 1
case $PACK in /*) ;; *) PACK=$ROOT/$PACK ;; esac
mkdir -p "$OUTDIR" || exit 1
OUTDIR=$(cd "$OUTDIR" && pwd)

die() { echo "run.sh: $*" >&2; exit 1; }
left() { echo $((BUDGET - SECONDS)); }

main() {
  local work=${TMPDIR:-/tmp}/cohesive-gpu
  rm -rf "$work" && mkdir -p "$work/bin" "$work/gl" "$work/deno_dir/npm" || die "cannot make $work"

  # 1. Deno and the npm packages, from the carried archives.
  for f in deno.xz npm.tar.xz npm-meta.tar.xz MANIFEST; do
    [ -s "$PACK/$f" ] ||
      die "missing archive $PACK/$f: run eval/bench/gpu/pack.sh where Deno is installed, and carry $(basename "$PACK")"
  done
  echo "run.sh: unpacking $(head -1 "$PACK/MANIFEST")"
  if command -v xz >/dev/null; then
    xz -dc "$PACK/deno.xz" >"$work/bin/deno" || die "$PACK/deno.xz does not decompress"
    xz -dc "$PACK/npm.tar.xz" | tar -xf - || die "$PACK/npm.tar.xz does not unpack"
    xz -dc "$PACK/npm-meta.tar.xz" | tar -xf - -C "$work/deno_dir/npm" ||
      die "$PACK/npm-meta.tar.xz does not unpack"
  else # Python's lzma and tarfile do the same where xz is not installed
    python3 - "$PACK" "$work" <<'EOF' || die "the archives in $PACK do not unpack"
import lzma, shutil, sys, tarfile
shutil.copyfileobj(lzma.open(f"{sys.argv[1]}/deno.xz"), open(f"{sys.argv[2]}/bin/deno", "wb"))
tarfile.open(f"{sys.argv[1]}/npm.tar.xz").extractall(".")
tarfile.open(f"{sys.argv[1]}/npm-meta.tar.xz").extractall(f"{sys.argv[2]}/deno_dir/npm")
EOF
  fi
  local want
  want=$(cut -d' ' -f1 "$PACK/deno.sha256" 2>/dev/null)
  [ -z "$want" ] || [ "$(sha256sum "$work/bin/deno" | cut -d' ' -f1)" = "$want" ] ||
    die "the unpacked deno does not match its checksum: pack again"
  chmod +x "$work/bin/deno"
  export PATH="$work/bin:$PATH" DENO_DIR="$work/deno_dir" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
  deno --version | head -1 || die "the carried deno does not run here"

  # 2. Vulkan/EGL loaders: wgpu needs libvulkan.so.1 (or libEGL) to reach the driver. On the GPU
  # machine (root, nvidia-smi) they go into / as the machine's notes say; elsewhere into a private
  # folder, so a dry run changes nothing outside it.
  # (a here-string, not a pipe: grep -q leaving early would fail the pipe under pipefail)
  if ! grep -q 'libvulkan\.so\.1' <<<"$(ldconfig -p 2>/dev/null)"; then
    local debs=("$PACK"/gl/*.deb)
    if [ ! -e "${debs[0]}" ]; then
      echo "run.sh: warning: no Vulkan loader here and none carried in $PACK/gl"
    elif [ "$(id -u)" = 0 ] && command -v nvidia-smi >/dev/null; then
      for f in "${debs[@]}"; do dpkg -x "$f" / || die "cannot unpack $f"; done
      ldconfig
      echo "run.sh: unpacked ${#debs[@]} loader packages into /"
    else
      for f in "${debs[@]}"; do dpkg -x "$f" "$work/gl" || die "cannot unpack $f"; done
      export LD_LIBRARY_PATH="$work/gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      echo "run.sh: unpacked ${#debs[@]} loader packages into $work/gl (LD_LIBRARY_PATH)"
    fi
  fi
  local nv=/usr/local/nvidia/share
  [ -n "${VK_DRIVER_FILES:-}" ] || [ ! -f $nv/vulkan/icd.d/nvidia_icd.json ] ||
    export VK_DRIVER_FILES=$nv/vulkan/icd.d/nvidia_icd.json
  [ -n "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] || [ ! -f $nv/glvnd/egl_vendor.d/10_nvidia.json ] ||
    export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/glvnd/egl_vendor.d/10_nvidia.json

  # 3. The adapter: named in full, refused when it is a software one.
  local gpu="none (no nvidia-smi)"
  if command -v nvidia-smi >/dev/null; then
    gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap \
      --format=csv,noheader 2>&1 | head -1)
  fi
  echo "run.sh: GPU (nvidia-smi): $gpu"
  local allow=()
  [ $ALLOW = 1 ] && allow=(--allow-software)
  deno run -A eval/bench/gpu/adapter.ts --json "$OUTDIR/adapter.json" "${allow[@]}" || exit 1
  local software
  software=$(grep -c '"software"' "$OUTDIR/adapter.json")

  # 4. The kernel test tables on webgpu, each against its CPU reference (CI=true: a missing adapter
  # fails instead of skipping).
  local tests=skipped summary=""
  if [ $TESTS = 1 ]; then
    local t=$(($(left) / 4))
    echo "run.sh: kernel tests on webgpu (at most ${t}s)"
    CI=true OPENBLAS_NUM_THREADS=1 timeout "$t" deno test -A --no-check --unstable-no-legacy-abort \
      --v8-flags=--expose-gc --filter webgpu shared/kernels/kd_loss_test.ts \
      shared/kernels/attention_test.ts shared/model_test.ts >"$OUTDIR/tests.log" 2>&1
    local rc=$?
    summary=$(grep -E '(ok|FAILED) \| [0-9]+ passed' "$OUTDIR/tests.log" | tail -1 |
      sed 's/^[^|]*| //; s/ ([^)]*)$//')
    grep -E ' \.\.\. (ok|FAILED|ignored)' "$OUTDIR/tests.log" | sed 's/^/  /'
    if [ $rc = 124 ]; then
      tests=failed summary="timed out after ${t}s${summary:+; $summary}"
    elif [ $rc != 0 ]; then tests=failed summary=${summary:-"deno test exited $rc"}
    elif ! grep -qE '^[1-9][0-9]* passed \| 0 failed' <<<"$summary"; then
      tests=failed summary="no webgpu test ran${summary:+: $summary}"
    else tests=passed; fi
    echo "run.sh: kernel tests $tests ($summary)"
  fi

  # 5. The bench, one mode at a time (a mode cut off by the budget leaves the others standing).
  local py="" dev=cuda note=""
  for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import torch' 2>/dev/null; then
      py=$(command -v "$cand"); break
    fi
  done
  local peer=()
  if [ -z "$py" ]; then
    [ $ALLOW = 1 ] || die "no python3 with torch here: the PyTorch peer cannot run"
    echo "run.sh: SKIP the PyTorch peer: no python3 with torch here"
    peer=(--no-peer) note="PyTorch peer skipped: no python3 with torch on this machine."
  elif "$py" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    peer=(--python "$py" --peer-device cuda --peer-precisions fp32,bf16)
  else
    [ $ALLOW = 1 ] || die "torch under $py sees no CUDA device: refusing a CPU peer on a GPU run"
    echo "run.sh: PyTorch peer on the CPU (dry run: $py sees no CUDA device)"
    dev=cpu note="PyTorch peer on the CPU (no CUDA device): a dry run of the peer path."
    peer=(--python "$py" --peer-device cpu --peer-precisions fp32,bf16)
  fi
  local peak=()
  if grep -qE 'H100|H200' <<<"$gpu"; then
    peak=(--peak-gflops 67000 --peak-basis "H100/H200 SXM fp32 without tensor cores, datasheet")
  fi
  local IFS_old=$IFS dirs="" mode n=0 failed=0
  IFS=, read -r -a modes <<<"$MODES"
  IFS=$IFS_old
  for mode in "${modes[@]}"; do
    local t=$(((($(left) - 30)) / (${#modes[@]} - n)))
    n=$((n + 1))
    if [ "$t" -lt 20 ]; then echo "run.sh: no time left for $mode"; failed=1; continue; fi
    echo "run.sh: bench $mode (at most ${t}s)"
    timeout "$t" deno task bench --backends webgpu --modes "$mode" --steps "$STEPS" \
      --batch "$BATCH" --seq "$SEQ" --micro "$BATCH" --threads "$(nproc)" --profile "${peer[@]}" \
      "${peak[@]}" --out "$work/bench-$mode" >"$work/bench-$mode.log" 2>&1
    local rc=$?
    grep -v '^$' "$work/bench-$mode.log" | grep -E '^(bench:|warning|error|\| )' | sed 's/^/  /'
    if [ $rc != 0 ]; then
      echo "run.sh: bench $mode failed (exit $rc$([ $rc = 124 ] && echo ", out of time"))"
      tail -3 "$work/bench-$mode.log"
      failed=1
    fi
    dirs="$dirs,$work/bench-$mode"
  done
  cat "$work"/bench-*.log >"$OUTDIR/bench.log" 2>/dev/null

  # 6. One bench.json and bench.md naming device, driver and adapter.
  [ "$software" = 0 ] || note="${note:+$note }Software adapter: every figure here ran on the CPU."
  deno run -A eval/bench/gpu/report.ts --adapter "$OUTDIR/adapter.json" --bench "${dirs#,}" \
    --out "$OUTDIR" --tests "$tests" --tests-summary "$summary" --note "$note" || exit 1
  grep -q '| failed: ' "$OUTDIR/bench.md" && failed=1
  echo "run.sh: wrote $OUTDIR/bench.json and bench.md in ${SECONDS}s (peer on $dev)"
  [ "$tests" != failed ] || die "the kernel tests failed on this adapter: see tests.log"
  [ $failed = 0 ] || die "a measurement failed or ran out of time: see bench.md and bench.log"
}

main 2>&1 | tee "$OUTDIR/run.log"
exit "${PIPESTATUS[0]}"
