#!/usr/bin/env bash
# Installs what rookery needs to build and test on Debian: libnetcdf (the writer, and the
# second reader the tests compare against), HDF5, pkg-config, ncdump, and CDO (the second
# implementation the averaging tests compare numbers with). Idempotent.
set -euo pipefail
need=()
for pkg in libnetcdf-dev libhdf5-dev pkg-config netcdf-bin cdo; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
