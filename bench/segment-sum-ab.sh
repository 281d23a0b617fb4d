#!/bin/bash
# Model time with the racing ScatterND segment sums (commit 4d001fb, before issue 9) against the
# sorted fixed-order segment sums of this checkout, at 1 thread, and this checkout at 2 threads:
# bench/models-water.ts (NequIP and Allegro, float32, 192 and 1536 atoms), rounds alternating so
# that load hits every variant alike. Writes OUT/<variant>-t<threads>-r<round>.json.
# Usage: bash bench/segment-sum-ab.sh [OUT=/tmp/segment-sum-ab] [ROUNDS=3]
set -euo pipefail
out=${1:-/tmp/segment-sum-ab}; rounds=${2:-3}; here=$(cd "$(dirname "$0")/.." && pwd)
base=$out/base-tree
mkdir -p "$out"
[ -d "$base" ] || { git -C "$here" worktree add -f "$base" 4d001fb >/dev/null; ln -s "$here/node_modules" "$base/node_modules"; }
for round in $(seq 1 "$rounds"); do
  for cfg in "base 1" "main 1" "main 2"; do
    set -- $cfg
    dir=$base; [ "$1" = main ] && dir=$here
    (cd "$dir" && npx tsx bench/models-water.ts --no-peer --no-memory --steps 5 --threads "$2" > "$out/$1-t$2-r$round.json" 2> "$out/$1-t$2-r$round.err") || \
      (cd "$dir" && npx tsx bench/models-water.ts --no-peer --steps 5 --threads "$2" > "$out/$1-t$2-r$round.json" 2> "$out/$1-t$2-r$round.err")
  done
done
node -e '
const fs=require("fs"),out=process.argv[1],rows={};
for(const f of fs.readdirSync(out).filter(f=>f.endsWith(".json"))){const [v,t]=f.split("-");const j=JSON.parse(fs.readFileSync(out+"/"+f,"utf8"));
for(const r of j.rows){((rows[`${r.arch} ${r.atoms}`]??={})[v+"-"+t]??=[]).push(r.model_ms)}}
for(const [k,o] of Object.entries(rows)){const m=x=>Math.min(...x),b=m(o["base-t1"]),a=m(o["main-t1"]),c=m(o["main-t2"]);
console.log(`${k}: ScatterND 1 thread ${b.toFixed(0)} ms, sorted 1 thread ${a.toFixed(0)} ms (${(a/b).toFixed(3)}x), sorted 2 threads ${c.toFixed(0)} ms (${(a/c).toFixed(2)}x faster than 1)`)}' "$out"
