#!/usr/bin/env bash
# Installs what the WIS 2.0 tests need: the WMO's validators pywcmp (WCMP2 discovery records)
# and pywis-pubsub (WIS2 Notification Messages) plus paho-mqtt into ./.venv-zarr (made by
# scripts/setup-pyzarr.sh), and Debian's mosquitto broker. Idempotent. The validators are pinned to
# the minor versions the offline bundles in ../shared/data were checked with.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-zarr
if ! "$VENV/bin/python" -c 'import pywcmp, pywis_pubsub, paho.mqtt' 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pywcmp==0.13.*" "pywis-pubsub==0.12.*" "paho-mqtt>=2,<3"
fi
if ! command -v mosquitto >/dev/null 2>&1 && ! [ -x /usr/sbin/mosquitto ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mosquitto >/dev/null || \
    echo "setup-wis2: could not install mosquitto (WIS2 broker tests will skip or fail under CI)" >&2
fi
