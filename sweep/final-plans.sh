#!/bin/sh
# Phase B of docs/protocol.md for one dataset, once its tuning plans are complete: the tuning reports
# (docs/results/protocol/tuning-<d>), the final plan of the setting and the hard baselines at qahan-free's
# count K (the rounded mean of its chosen tuning configuration's last-epoch keptMean over the tuning seeds),
# appended to sweep/queue.txt.
#   sh sweep/final-plans.sh cifar      # from the repository root, after npx tsc -p tsconfig.build.json
set -eu
cd "$(dirname "$0")/.."
Q="node dist/cli/main.js"
case "${1:-}" in
  mnist) d=mnist; ds=mnist; setting=mnist-10k-deep; flags="--limit 10000 --epochs 8 --eval-every 50 --seeds 0-9"
         gumbel="sweep/plans/tune-mnist-gumbel/runs/gumbel-tauMin0.5-* sweep/plans/tune-mnist-gumbel-decay" ;;
  cifar) d=cifar; ds=cifar10; setting=cifar10-10k-deep; flags="--limit 10000 --epochs 15 --augment flip --eval-every 50 --seeds 0-4"
         gumbel="sweep/plans/tune-cifar-gumbel" ;;
  *) echo "usage: sh sweep/final-plans.sh mnist|cifar" >&2; exit 2 ;;
esac
for p in plain gumbel reinforce qubo; do
  dir=sweep/plans/tune-$d-$p
  left=$(node -e '
    const fs=require("fs"),path=require("path");const dir=process.argv[1];
    const plan=JSON.parse(fs.readFileSync(path.join(dir,"plan.json"),"utf8"));let left=0;
    for (const r of plan.runs){const m=path.join(dir,r.out,"metrics.jsonl");const n=fs.existsSync(m)?fs.readFileSync(m,"utf8").trim().split("\n").filter(Boolean).length:0;if(n<plan.epochs||!fs.existsSync(path.join(dir,r.out,"noise.jsonl")))left++;}
    console.log(left);' "$dir")
  [ "$left" = 0 ] || { echo "$dir: $left runs not finished" >&2; exit 1; }
done
T=docs/results/protocol/tuning-$d
# shellcheck disable=SC2086
$Q experiment report sweep/plans/tune-$d-plain $gumbel sweep/plans/tune-$d-reinforce sweep/plans/tune-$d-qubo --out $T --quiet
TUNED=$T/tune-$d-plain,$T/tune-$d-gumbel,$T/tune-$d-reinforce,$T/tune-$d-qubo
COMMON="--dataset $ds --arch deep $flags --data-dir /work/shared/data --tuned $TUNED --quiet"
# shellcheck disable=SC2086
$Q experiment plan $COMMON --methods qahan@sqa,qahan@sa,qahan-energy@sqa,qahan-free@sqa,topk,qubo-ls,reinforce,gumbel,soft,none --out sweep/plans/$setting
K=$(node -e '
  const fs=require("fs"),path=require("path");const [T,d]=process.argv.slice(1);
  const s=JSON.parse(fs.readFileSync(path.join(T,"tune-"+d+"-qubo","summary.json"),"utf8"));
  const t=s.tuning.find((x)=>x.family==="qahan-free@sqa"); if(!t) throw new Error("no qahan-free tuning");
  const dir="sweep/plans/tune-"+d+"-qubo/runs"; const ks=[];
  for (const r of fs.readdirSync(dir)) if (r.startsWith(t.variant+"-s")) { const L=fs.readFileSync(path.join(dir,r,"metrics.jsonl"),"utf8").trim().split("\n"); ks.push(JSON.parse(L[L.length-1]).keptMean); }
  if (ks.length<2) throw new Error("qahan-free tuning seeds: "+ks.length);
  process.stderr.write("qahan-free "+t.variant+": last-epoch keptMean "+ks.join(", ")+"\n");
  console.log(Math.round(ks.reduce((a,b)=>a+b,0)/ks.length));' "$T" "$d")
echo "K = $K"
# shellcheck disable=SC2086
$Q experiment plan $COMMON --methods topk,gumbel,reinforce --grid topk.k=$K --grid gumbel.k=$K --grid reinforce.k=$K --setting $setting --out sweep/plans/$setting-matched-k
printf '%s\n%s\n' "$setting" "$setting-matched-k" >> sweep/queue.txt
echo "queued $setting and $setting-matched-k (move them up in sweep/queue.txt if another plan should wait)"
