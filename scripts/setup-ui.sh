#!/usr/bin/env bash
# Installs what the browser UI test (crates/rookery-service/tests/ui.rs) needs: headless
# Chromium and its driver from Debian, and Python selenium into .venv-zarr (which
# scripts/setup-pyzarr.sh creates, with netCDF4 for opening the downloaded output). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in chromium chromium-driver; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
py=.venv-zarr/bin/python
if [ -x "$py" ] && ! "$py" -c "import selenium" 2>/dev/null; then
  "$py" -m pip install -q "selenium>=4.20,<5"
fi
