#!/bin/sh
# One sitting of the protocol sweep: the plans of sweep/queue.txt in order, on two lanes (one per core),
# niced so interactive work keeps the machine. Lane I runs shard I/2 of each plan in turn and moves on to
# the next plan as soon as its own shard is done, so neither core idles while the other finishes a plan's
# last run (shards are disjoint, so the lanes never train the same run). Kill it at the sitting's end; the
# next sitting resumes (finished runs are skipped, cut runs restart from their last epoch checkpoint if it
# is still on disk). The queue is read again before each plan, so plans appended while it runs are taken
# too. Commit finished run folders before leaving: git add sweep/plans.
#   sh sweep/sitting.sh            # from the repository root, after npm install
set -u
cd "$(dirname "$0")/.."
run() { nice -n 10 node dist/cli/main.js experiment run "sweep/plans/$1" --shard "$2" --quiet; }
lane() {
  lane=$1
  taken="|"
  while :; do
    # The first queue line this lane has not run yet.
    line=$(grep -v '^#' sweep/queue.txt | while read -r l; do
      [ -n "$l" ] || continue
      case "$taken" in *"|$l|"*) ;; *) echo "$l"; break ;; esac
    done)
    [ -n "$line" ] || break
    taken="$taken$line|"
    set -- $line
    if [ $# -ge 2 ]; then
      # Two small plans on one line: each lane runs one of them whole.
      if [ "$lane" = 0 ]; then run "$1" 0/1; else run "$2" 0/1; fi
    else
      run "$1" "$lane/2"
    fi
  done
}
lane 0 &
lane 1 &
wait
