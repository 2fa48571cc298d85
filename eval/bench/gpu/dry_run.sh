#!/usr/bin/env bash
# A dry run of run.sh as the GPU machine would see it, on this machine: the tree that travels
# (tracked and untracked-not-ignored files, plus the carried archives) is copied into a fresh
# folder with no node_modules and an empty Deno cache, and run.sh runs there with no network
# (`unshare -n`, when root), on the software adapter (--allow-software) and a small BERT step.
#
#   eval/bench/gpu/dry_run.sh [--pack DIR] [--out DIR] [-- RUN.SH OPTIONS]
#
# Default options after `--`: --steps 1 --batch 2 --seq 16 --modes train,infer --budget 900.
# Output goes to --out (default runs/gpu-dry-run); the copy is removed afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PACK=.gpu
OUTDIR=$ROOT/runs/gpu-dry-run
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) PACK=$2; shift 2 ;;
    --out) OUTDIR=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "dry_run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(--steps 1 --batch 2 --seq 16 --modes train,infer --budget 900)

copy=$(mktemp -d "${TMPDIR:-/tmp}/cohesive-gpu-tree.XXXXXX")
trap 'rm -rf "$copy"' EXIT
(cd "$ROOT" && { git ls-files -z; git ls-files -z -o --exclude-standard; } |
  xargs -0 -I{} cp --parents -P {} "$copy/" 2>/dev/null || true)
cp -r "$ROOT/$PACK" "$copy/$PACK"
echo "dry_run.sh: $(du -sm "$copy" | cut -f1) MB copied to $copy (no node_modules, no .git)" >&2
mkdir -p "$OUTDIR"
cmd=(env -u DENO_DIR OUT="$OUTDIR" TMPDIR="$copy" bash "$copy/eval/bench/gpu/run.sh" --pack "$PACK"
  --allow-software "${opts[@]}")
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  echo "dry_run.sh: running without network (unshare -n)" >&2
  (cd "$copy" && unshare -n "${cmd[@]}")
else
  echo "dry_run.sh: not root: running with the network up" >&2
  (cd "$copy" && "${cmd[@]}")
fi
