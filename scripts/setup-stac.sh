#!/usr/bin/env bash
# Installs the STAC client the /stac tests (crates/rookery-service/tests/stac.rs) read the
# index with into ./.venv-zarr (made by scripts/setup-pyzarr.sh): PyPI pystac-client, pinned to
# the version the tests were checked with. Idempotent: nothing is installed when it imports.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-zarr
[ -x "$VENV/bin/python" ] || bash scripts/setup-pyzarr.sh
if "$VENV/bin/python" -c 'import pystac_client' 2>/dev/null; then
  exit 0
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "pystac-client==0.9.1" "pystac==1.15.2"
