#!/bin/sh
# One sitting of the protocol sweep: the plans of sweep/queue.txt in order, two shards in parallel (one per
# core), niced so interactive work keeps the machine. Kill it at the sitting's end; the next sitting
# resumes (finished runs are skipped, cut runs restart from their last epoch checkpoint if it is still
# on disk). The queue is read again after each plan, so plans appended while it runs are taken too.
# Commit finished run folders before leaving: git add sweep/plans.
#   sh sweep/sitting.sh            # from the repository root, after npm install
set -u
cd "$(dirname "$0")/.."
run() { nice -n 10 node dist/cli/main.js experiment run "sweep/plans/$1" --shard "$2" --quiet; }
taken="|"
while :; do
  # The first queue line this sitting has not run yet.
  line=$(grep -v '^#' sweep/queue.txt | while read -r l; do
    [ -n "$l" ] || continue
    case "$taken" in *"|$l|"*) ;; *) echo "$l"; break ;; esac
  done)
  [ -n "$line" ] || break
  taken="$taken$line|"
  set -- $line
  if [ $# -ge 2 ]; then
    run "$1" 0/1 & run "$2" 0/1 &  # two small plans side by side, one core each
  else
    run "$1" 0/2 & run "$1" 1/2 &
  fi
  wait
done
