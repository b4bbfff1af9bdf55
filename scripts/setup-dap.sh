#!/usr/bin/env bash
# Installs what the OPeNDAP tests (crates/rookery-service/tests/opendap.rs) read the served DAP2
# and DAP4 answers with: pydap into ./.venv-zarr (made by scripts/setup-pyzarr.sh, which also
# brings netCDF4 and xarray) and netCDF-C's ncdump (Debian netcdf-bin). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-pyzarr.sh
if ! command -v ncdump >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q netcdf-bin >/dev/null
fi
if ! .venv-zarr/bin/python -c 'import pydap' 2>/dev/null; then
  .venv-zarr/bin/python -m pip install -q --disable-pip-version-check "pydap>=3.5,<3.6"
fi
