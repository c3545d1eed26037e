#!/bin/sh
# One sitting of the protocol sweep: every plan of sweep/queue.txt in turn, two shards in parallel (one per
# core), niced so interactive work keeps the machine. Kill it at the sitting's end; the next sitting
# resumes (finished runs are skipped, cut runs restart from their last epoch checkpoint if it is still
# on disk). Commit finished run folders before leaving: git add sweep/plans.
#   sh sweep/sitting.sh            # from the repository root, after npm install
set -u
cd "$(dirname "$0")/.."
run() { nice -n 10 node dist/cli/main.js experiment run "sweep/plans/$1" --shard "$2" --quiet; }
grep -v '^#' sweep/queue.txt | while read -r a b; do
  [ -n "$a" ] || continue
  if [ -n "${b:-}" ]; then
    run "$a" 0/1 & run "$b" 0/1 &  # two small plans side by side, one core each
  else
    run "$a" 0/2 & run "$a" 1/2 &
  fi
  wait
done
