#!/usr/bin/env bash
# Builds the Python package `rookery` (crates/rookery-py, PyO3 + maturin) as a wheel, reusing
# the workspace's target dir and dev profile (the test build has compiled the engine crates
# already, so only the extension module is built), and installs it into two venvs:
#   .venv-py       the wheel with its declared dependencies only (numpy, xarray, netCDF4) and
#                  pytest: the package's own tests (crates/rookery-py/tests/python);
#   .venv-clisops  clisops 0.18.1 from PyPI, the NetCDF backends its tests read with
#                  (netCDF4, h5netcdf), pytest and the wheel: clisops's own test suite
#                  against rookery.ops (crates/rookery-py/tests/clisops_suite).
# Idempotent: venvs are made once; the wheel is rebuilt (a no-op when nothing changed) and
# reinstalled each run. The wheel is for this machine (it links the system libnetcdf, as the
# rookery binary does): auditwheel repair is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PIP=(-m pip install -q --disable-pip-version-check)
target="${CARGO_TARGET_DIR:-$PWD/target}"

venv() { # venv DIR PACKAGES...: makes DIR unless it imports them all
  local dir=$1; shift
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "import $(IFS=,; echo "$*")" 2>/dev/null; then
    return 0
  fi
  [ -x "$dir/bin/python" ] || "$PY" -m venv "$dir"
  "$dir/bin/python" "${PIP[@]}" --upgrade pip >/dev/null
  return 1
}

# maturin (the build tool) lives in .venv-py too.
venv .venv-py maturin pytest xarray netCDF4 numpy || .venv-py/bin/python "${PIP[@]}" "maturin>=1.5,<2" pytest
venv .venv-clisops clisops netCDF4 h5netcdf pytest || .venv-clisops/bin/python "${PIP[@]}" "clisops==0.18.1" netCDF4 h5netcdf pytest

rm -rf "$target/wheels/rookery-"*.whl
.venv-py/bin/python -m maturin build --quiet --profile dev --manifest-path crates/rookery-py/Cargo.toml \
  --auditwheel skip --interpreter .venv-py/bin/python --target-dir "$target" --out "$target/wheels" >/dev/null
wheel=$(ls "$target/wheels/rookery-"*.whl)
# Declared dependencies resolved by pip from the wheel's metadata (the first time), then the
# fresh build replaces the installed one.
.venv-py/bin/python "${PIP[@]}" "$wheel"
.venv-py/bin/python "${PIP[@]}" --force-reinstall --no-deps "$wheel"
.venv-clisops/bin/python "${PIP[@]}" --force-reinstall --no-deps "$wheel"
