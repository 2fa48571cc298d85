# Sourced by the WSD experiment scripts (needs $ALL: the framework's ALL folder).
# predict RUN_DIR: RUN_DIR/best answers ALL twice, alone (ALL.key, --prior 0) and with the sense prior
# it chose on semeval2007 (ALL.prior.key; chosen first when best/wsd.json is missing), each scored per
# dataset (ALL[.prior].score.txt and .json; the .json, written last, marks the step done).
predict() {
  local dir=$1 suffix f
  [ -f "$dir/best/wsd.json" ] || deno task -q lexical select-prior --model "$dir/best" \
    --wordnet 3.0 >>"$dir.log" 2>&1
  for suffix in "" .prior; do
    f=$dir/ALL$suffix
    [ -f "$f.score.json" ] && continue
    local prior=(--prior 0)
    [ -n "$suffix" ] && prior=()
    deno task -q lexical predict --model "$dir/best" --input "$ALL/ALL.data.xml" --out "$f.key" \
      --wordnet 3.0 "${prior[@]}" >>"$dir.log" 2>&1 || return 1
    deno task -q eval score "$ALL/ALL.gold.key.txt" "$f.key" --data "$ALL/ALL.data.xml" \
      >"$f.score.txt.tmp" || return 1
    mv "$f.score.txt.tmp" "$f.score.txt"
    deno task -q eval score "$ALL/ALL.gold.key.txt" "$f.key" --data "$ALL/ALL.data.xml" \
      --json >"$f.score.json.tmp" || return 1
    mv "$f.score.json.tmp" "$f.score.json"
  done
}
