#!/usr/bin/env bash
# Sets everything up, builds rookery and runs real subsets on the shared mini-esgf data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release -p rookery
R=./target/release/rookery
DATA=../shared/data/mini-esgf
OUT=${OUT:-demo-output}
mkdir -p "$OUT"
echo "== rookery info (CMIP5 HadGEM2-ES tas, 13 files joined along time)"
$R info "$DATA/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/*.nc"
echo "== subset: Europe, 2021-2050, across the 0° meridian"
$R subset "$DATA/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/*.nc" \
  --time 2021-01-01/2050-12-31 --area=-10,30,40,70 --output-dir "$OUT"
echo "== subset: CMIP6 MIROC6 ta, 4-D: time, pressure level and area"
$R subset "$DATA/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc" \
  --time 2022-01-01/2022-06-01 --level 1000/1000 --area 0.0,-80,170.0,65.0 --output-dir "$OUT"
echo "== subset: CMIP6 CanESM5 siconc, curvilinear ocean grid, winter months"
$R subset "$DATA/badc/cmip6/data/CMIP6/CMIP/CCCma/CanESM5/historical/r1i1p1f1/SImon/siconc/gn/latest/siconc_SImon_CanESM5_historical_r1i1p1f1_gn_185001-201412.nc" \
  --area 20,30,150,70 --time-components "year:2000,2001|month:dec,jan,feb" --output-dir "$OUT"
echo "== by dataset id (config/mini-esgf.ini maps every project into ../shared/data/mini-esgf)"
export ROOCS_CONFIG=config/mini-esgf.ini
$R subset cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas \
  --time 2081/2100 --area=-10,30,40,70 --output-dir "$OUT"
echo "== concat of two CMIP6 decadal members along realization (decadal fixes applied)"
$R concat c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v20201215 \
  c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r6i2p1f1.Amon.tas.gr.v20200508 --output-dir "$OUT"
echo "== regrid: CMIP6 IITM-ESM tos (tripolar ocean grid) to the roocs-grids 1deg grid, conservative"
$R regrid "$DATA/badc/cmip6/data/CMIP6/CMIP/CCCR-IITM/IITM-ESM/1pctCO2/r1i1p1f1/Omon/tos/gn/v20191204/tos_Omon_IITM-ESM_1pctCO2_r1i1p1f1_gn_193001.nc" \
  --method conservative --grid 1deg --output-dir "$OUT" --weights-dir "$OUT/grid_weights"
echo "== average then regrid: HadGEM2-ES tas by dataset id, yearly means, to 2.5 degrees (bilinear)"
$R average-time cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas --freq year --output-dir "$OUT/yearly"
$R regrid "$OUT/yearly" --method bilinear --grid 2pt5deg --output-dir "$OUT" --weights-dir "$OUT/grid_weights"
echo "outputs are in $OUT/"
