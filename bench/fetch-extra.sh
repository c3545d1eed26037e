#!/usr/bin/env bash
# Fetches the issue-12 extra instances into a directory OUTSIDE the repository (they are not committed):
#   - Chimera C16 (2048 spins, J in {+-1,+-2,+-4}) 001-010 of Rams et al. with their published ground-state
#     energies (marekrams/tnac4o, instances/Chimera_J124/C=16_J124, Apache-2.0);
#   - Gset graphs of the random, planar and toroidal families with 1,000-7,000 nodes (the Stanford Gset files
#     of Helmberg and Rendl as mirrored in romank-rudolfovo/MaxCut_benchmarkdata, yyye/; complete, unlike the
#     copies of G58/G59/G63/G64 in KULeuven-MICAS/openising, which stop half-way), with best-known cuts from
#     microsoft/AOCoptimizer.jl data/GSet/reference.csv (commit 7b03fe0; the same values as openising's
#     optimal_energy.txt, and at or above the Breakout Local Search table of Benlic and Hao 2013).
# Writes DEST/best_known.json in the format of ../shared/bench, so `QAHAN_BENCH_EXTRA=DEST npm run bench:solvers`
# adds them. Usage: bench/fetch-extra.sh [DEST]   (default /tmp/bench-extra)
# TNAC4O_DIR / MAXCUT_DIR may point at existing clones or bare mirrors (skips the network).
set -euo pipefail
DEST="${1:-/tmp/bench-extra}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
clone() { # url dir
  git clone --quiet --depth 1 "$1" "$2"
}
TN="${TNAC4O_DIR:-}"; [ -n "$TN" ] || { TN="$WORK/tnac4o"; clone https://github.com/marekrams/tnac4o "$TN"; }
MC="${MAXCUT_DIR:-}"; [ -n "$MC" ] || { MC="$WORK/maxcut"; clone https://github.com/romank-rudolfovo/MaxCut_benchmarkdata "$MC"; }
# A bare mirror (no work tree) is read with git show; a clone with a work tree is read directly.
show() { # repo path
  if [ -f "$1/$2" ]; then cat "$1/$2"; else git --git-dir="$1" show "HEAD:$2"; fi
}
mkdir -p "$DEST/chimera" "$DEST/gset"
C16="instances/Chimera_J124/C=16_J124"
show "$TN" "$C16/results_C16_J124.txt" > "$DEST/chimera/results_C16_J124.txt"
show "$TN" LICENSE > "$DEST/chimera/LICENSE"
show "$MC" README.md > "$DEST/gset/SOURCE.md"
# Gset selection: every family of ../shared/bench (random +1, random +-1, planar +1, planar +-1) at 1,000-7,000
# nodes, plus the toroidal graphs up to 7,000 nodes.
GSET="G23 G27 G35 G39 G43 G44 G48 G50 G51 G55 G56 G57 G58 G59 G60 G62 G63 G64"
# Best-known cuts (microsoft/AOCoptimizer.jl data/GSet/reference.csv, commit 7b03fe0).
declare -A BEST=([G23]=13344 [G27]=3341 [G35]=7687 [G39]=2408 [G43]=6660 [G44]=6650 [G48]=6000 [G50]=5880
  [G51]=3848 [G55]=10299 [G56]=4017 [G57]=3494 [G58]=19293 [G59]=6086 [G60]=14188 [G62]=4870 [G63]=27045 [G64]=8751)
{
  echo "{"
  sep=""
  for i in 001 002 003 004 005 006 007 008 009 010; do
    show "$TN" "$C16/$i.txt" > "$DEST/chimera/C16_J124_$i.txt"
    e=$(awk -v k=$((10#$i)) '$1 == k { print $2 }' "$DEST/chimera/results_C16_J124.txt")
    printf '%s "C16_J124_%s": {"best": %s, "sense": "min", "status": "reported_ground_state", "file": "chimera/C16_J124_%s.txt"}' "$sep" "$i" "$e" "$i"
    sep=$',\n'
  done
  for g in $GSET; do
    # Keep the Stanford layout ("n m", then "i j w"), without carriage returns, trailing blanks or empty lines.
    show "$MC" "yyye/$g.txt" | tr -d '\r' | awk 'NR == 1 { print $1, $2; next } NF { print $1, $2, $3 }' > "$DEST/gset/$g.txt"
    printf '%s "%s": {"best": %s, "sense": "max", "status": "best_known", "file": "gset/%s.txt"}' "$sep" "$g" "${BEST[$g]}" "$g"
  done
  echo
  echo "}"
} > "$DEST/best_known.json"
echo "wrote $DEST/best_known.json ($(grep -c '"best"' "$DEST/best_known.json") instances)"
