#!/usr/bin/env bash
# Installs what the EDR tests (crates/rookery-service/tests/edr.rs) check answers with into
# ./.venv-zarr (made by scripts/setup-pyzarr.sh, run first): jsonschema (the CoverageJSON schema
# stored in tests/edr/), shapely (polygon masks), pandas (CSV answers), cftime (non-standard
# calendars in xarray). Idempotent: nothing is installed when they import.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-zarr
[ -x "$VENV/bin/python" ] || bash scripts/setup-pyzarr.sh
if "$VENV/bin/python" -c 'import jsonschema, shapely, pandas, cftime' 2>/dev/null; then
  exit 0
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "jsonschema>=4,<5" "shapely>=2,<3" pandas cftime
