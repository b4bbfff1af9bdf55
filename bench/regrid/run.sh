#!/usr/bin/env bash
# Rookery regridding vs CDO, end to end (read NetCDF, weights, apply, write NetCDF) on one year
# of daily 0.5° data (360x720 x 365 steps, float32), to 1° (r360x180) and 0.25° (r1440x720).
# Also runs the synthetic in-memory benchmark (weights + apply only).
#
# usage: bench/regrid/run.sh [nsteps]     (needs cdo on PATH; uses CARGO_TARGET_DIR if set)
set -euo pipefail
cd "$(dirname "$0")/../.."
NT=${1:-365}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-regrid}
cargo build -q -p rookery-regrid --release --example regrid_bench
BIN="$CARGO_TARGET_DIR/release/examples/regrid_bench"

echo "== generating $NT daily steps of 0.5° topography with cdo"
cdo -s -f nc4 -b F32 -settaxis,2000-01-01,00:00:00,1day -duplicate,$NT -topo,r720x360 "$WORK/in.nc"
ls -la "$WORK/in.nc"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

printf "%-28s %10s %10s %8s\n" case cdo_s rookery_s ratio
for op in remapbil remapcon; do
  method=$([ $op = remapbil ] && echo bilinear || echo conservative)
  for grid in "360 180" "1440 720"; do
    set -- $grid
    tc=$(secs cdo -s -O -P 2 $op,r${1}x${2} "$WORK/in.nc" "$WORK/cdo.nc")
    tr=$(secs "$BIN" --file "$WORK/in.nc" topo "$WORK/rk.nc" $method $1 $2)
    printf "%-28s %10.3f %10.3f %8.2f\n" "$op r${1}x${2}" "$tc" "$tr" "$(echo "$tc / $tr" | bc -l)"
  done
done

echo "== rookery in-memory (weights + apply, no I/O)"
"$BIN" "$NT"
