#!/bin/sh
# One sitting of the protocol sweep: every plan of sweep/queue.txt in turn, two shards in parallel (one per
# core), niced so interactive work keeps the machine. Kill it at the sitting's end; the next sitting
# resumes (finished runs are skipped, cut runs restart from their last epoch checkpoint if it is still
# on disk). Commit finished run folders before leaving: git add sweep/plans.
#   sh sweep/sitting.sh            # from the repository root, after npm install
set -u
cd "$(dirname "$0")/.."
grep -v '^#' sweep/queue.txt | while read -r plan; do
  [ -n "$plan" ] || continue
  for shard in 0 1; do
    nice -n 10 node dist/cli/main.js experiment run "sweep/plans/$plan" --shard "$shard/2" --quiet &
  done
  wait
done
