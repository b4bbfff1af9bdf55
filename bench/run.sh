#!/usr/bin/env bash
# rookery benchmark: rookery vs CDO vs clisops on a CMIP6-like daily file.
#
#   bash bench/run.sh                      # full benchmark (10 y, 360x720, ~3.8 GB raw)
#   bash bench/run.sh --runs 5
#   bash bench/run.sh --years 1 --nlat 36 --nlon 72   # quick smoke run
#
# See bench/README.md. Everything it creates lives under bench/ (.venv, work/,
# results.md); the rookery build goes to the workspace's target/ as usual.
set -uo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"

RUNS=3
YEARS=10
NLAT=360
NLON=720
AREA="-10,30,40,70"
TIME=""
DO_BUILD=1
DO_CLISOPS=1
DO_CLASSIC=1
ROOKERY=""
RESULTS=""
REGEN=0
COLD=0

usage() {
    cat <<EOF
usage: bash bench/run.sh [options]

  --runs N          timed runs per tool (default $RUNS); plus one untimed warm-up each
  --years N         years of daily data to generate (default $YEARS)
  --nlat N --nlon N grid size (default $NLAT x $NLON); e.g. --years 1 --nlat 36 --nlon 72 for a smoke run
  --time A/B        time window (default 1855-01-01/1855-12-31, or the middle year
                    of the data when --years is < 6)
  --area W,S,E,N    area (default $AREA)
  --no-build        do not run 'cargo build --release -p rookery'
  --rookery PATH    rookery binary to benchmark (default <target>/release/rookery)
  --no-clisops      skip clisops
  --no-classic      skip the NetCDF classic (CDF-2) comparison
  --cold            drop the page cache before every timed run (default: warm cache)
  --regen           regenerate the data files even if present
  --results PATH    where to write the Markdown report (default bench/results.md for
                    the full-size data, bench/work/results_<size>.md otherwise)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --years) YEARS="$2"; shift 2 ;;
        --nlat) NLAT="$2"; shift 2 ;;
        --nlon) NLON="$2"; shift 2 ;;
        --time) TIME="$2"; shift 2 ;;
        --area) AREA="$2"; shift 2 ;;
        --no-build) DO_BUILD=0; shift ;;
        --rookery) ROOKERY="$2"; shift 2 ;;
        --no-clisops) DO_CLISOPS=0; shift ;;
        --no-classic) DO_CLASSIC=0; shift ;;
        --regen) REGEN=1; shift ;;
        --cold) COLD=1; shift ;;
        --results) RESULTS="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

WORK="$BENCH/work"
LOGS="$WORK/logs"
mkdir -p "$WORK" "$LOGS"

if [ -z "$TIME" ]; then
    if [ "$YEARS" -ge 6 ]; then
        TIME="1855-01-01/1855-12-31"
    else
        Y=$((1850 + YEARS / 2))
        TIME="$Y-01-01/$Y-12-31"
    fi
fi

# ---------------------------------------------------------------- apt tools
apt_install() {
    # waits for a dpkg lock held by another apt run instead of failing
    local opts=(-o DPkg::Lock::Timeout=1800 -y -q)
    if ! DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install "$@" >>"$LOGS/apt.log" 2>&1; then
        apt-get -o DPkg::Lock::Timeout=1800 -q update >>"$LOGS/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install "$@" >>"$LOGS/apt.log" 2>&1
    fi
}

say "system tools"
if ! command -v cdo >/dev/null 2>&1; then
    echo "cdo not found: apt-get install cdo netcdf-bin (log: $LOGS/apt.log)" >&2
    apt_install cdo netcdf-bin || { echo "ERROR: could not install cdo" >&2; exit 1; }
fi
if [ ! -x /usr/bin/time ]; then
    echo "/usr/bin/time not found: apt-get install time" >&2
    apt_install time || { echo "ERROR: could not install time" >&2; exit 1; }
fi
echo "cdo: $(cdo --version 2>&1 | head -1)" >&2

# ---------------------------------------------------------------- venv
say "python venv ($BENCH/.venv)"
VENV="$BENCH/.venv"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
    PYTHON_BIN="${PYTHON:-$(command -v python3 || command -v python)}"
    "$PYTHON_BIN" -m venv "$VENV" || { echo "ERROR: could not create venv (try apt-get install python3-venv)" >&2; exit 1; }
fi
if [ ! -f "$VENV/.bench-core-ok" ]; then
    "$PY" -m pip install -q --upgrade pip >>"$LOGS/pip.log" 2>&1
    if "$PY" -m pip install -q netCDF4 numpy xarray cftime >>"$LOGS/pip.log" 2>&1; then
        touch "$VENV/.bench-core-ok"
    else
        echo "ERROR: pip install netCDF4 numpy xarray cftime failed (see $LOGS/pip.log)" >&2
        exit 1
    fi
fi
CLISOPS_STATUS=""
if [ "$DO_CLISOPS" = 1 ]; then
    if [ ! -f "$VENV/.bench-clisops-ok" ]; then
        # h5netcdf + h5py: clisops writes its NetCDF output through the h5netcdf engine
        if "$PY" -m pip install -q clisops h5netcdf h5py >>"$LOGS/pip.log" 2>&1; then
            touch "$VENV/.bench-clisops-ok"
        else
            CLISOPS_STATUS="pip install clisops failed (see bench/work/logs/pip.log)"
        fi
    fi
    if [ -z "$CLISOPS_STATUS" ] && ! "$PY" -c "import clisops.ops.subset" >>"$LOGS/pip.log" 2>&1; then
        CLISOPS_STATUS="import clisops failed (see bench/work/logs/pip.log)"
    fi
    [ -n "$CLISOPS_STATUS" ] && echo "clisops: $CLISOPS_STATUS — continuing without it" >&2
else
    CLISOPS_STATUS="skipped (--no-clisops)"
fi
[ -z "$CLISOPS_STATUS" ] && echo "clisops: $("$PY" -c 'import clisops; print(clisops.__version__)' 2>/dev/null)" >&2

# ---------------------------------------------------------------- rookery
say "rookery"
ROOKERY_STATUS=""
if [ -z "$ROOKERY" ]; then
    TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
    ROOKERY="$TARGET_DIR/release/rookery"
    if [ "$DO_BUILD" = 1 ]; then
        echo "cargo build --release -p rookery (log: $LOGS/build.log)" >&2
        if ! (cd "$ROOT" && cargo build --release -p rookery) >"$LOGS/build.log" 2>&1; then
            ROOKERY_STATUS="cargo build failed (see bench/work/logs/build.log)"
            tail -n 15 "$LOGS/build.log" >&2
        fi
    fi
fi
if [ -z "$ROOKERY_STATUS" ]; then
    if [ ! -x "$ROOKERY" ]; then
        ROOKERY_STATUS="binary $ROOKERY not found"
    elif ! "$ROOKERY" --version >/dev/null 2>&1; then
        ROOKERY_STATUS="'rookery --version' does not run"
    fi
fi
if [ -n "$ROOKERY_STATUS" ]; then
    echo "rookery: failed: $ROOKERY_STATUS — continuing with the other tools" >&2
else
    echo "rookery: $("$ROOKERY" --version 2>&1 | head -1) ($ROOKERY)" >&2
fi

# ---------------------------------------------------------------- data
say "data"
if [ "$YEARS" = 10 ] && [ "$NLAT" = 360 ] && [ "$NLON" = 720 ]; then
    TAG="full"
else
    TAG="${NLAT}x${NLON}_${YEARS}y"
fi
DATA="$WORK/data_$TAG"
mkdir -p "$DATA"
END_YEAR=$((1850 + YEARS - 1))
BASE="tas_day_BENCH-ESM_historical_r1i1p1f1_gn_18500101-${END_YEAR}1231"
NC4="$DATA/$BASE.nc"
CLASSIC="$DATA/${BASE}_classic.nc"

gen() {  # gen OUT [--classic]
    local out="$1"; shift
    if [ "$REGEN" = 1 ] || [ ! -s "$out" ]; then
        echo "generating $out${*:+ $*} (log: $LOGS/gen.log)" >&2
        "$PY" "$BENCH/gen_daily.py" --out "$out" --years "$YEARS" --nlat "$NLAT" --nlon "$NLON" "$@" \
            2> >(tee -a "$LOGS/gen.log" | grep -E '^wrote|Error|error' >&2) \
            || { echo "ERROR: data generation failed (see $LOGS/gen.log)" >&2; exit 1; }
    else
        echo "using existing $out ($(du -h "$out" | cut -f1))" >&2
    fi
}
gen "$NC4"
FILES=(--file "nc4=$NC4")
if [ "$DO_CLASSIC" = 1 ]; then
    gen "$CLASSIC" --classic
    FILES+=(--file "classic=$CLASSIC")
fi

# ---------------------------------------------------------------- benchmark
say "benchmark: $RUNS timed runs per tool after one warm-up run, area $AREA, time $TIME"
if [ -z "$RESULTS" ]; then
    if [ "$TAG" = full ]; then RESULTS="$BENCH/results.md"; else RESULTS="$WORK/results_$TAG.md"; fi
fi
ARGS=("${FILES[@]}" --runs "$RUNS" "--area=$AREA" "--time=$TIME"
      --outroot "$WORK/out_$TAG" --results "$RESULTS" --json "$WORK/results_$TAG.json")
if [ -z "$ROOKERY_STATUS" ]; then ARGS+=(--rookery "$ROOKERY"); else ARGS+=(--rookery-status "$ROOKERY_STATUS"); fi
[ "$COLD" = 1 ] && ARGS+=(--cold)
if [ -z "$CLISOPS_STATUS" ]; then ARGS+=(--clisops-python "$PY"); else ARGS+=(--clisops-status "$CLISOPS_STATUS"); fi

"$PY" "$BENCH/bench.py" "${ARGS[@]}"
