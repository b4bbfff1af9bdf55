#!/usr/bin/env bash
# Installs the real Python WPS clients the service tests run against `rookery serve`:
# rooki (with birdy, pymetalink, xarray) and OWSLib, from PyPI into ./.venv. Idempotent:
# a venv that already has the pinned versions is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=${PYTHON:-python3}
want_rooki=0.6.5
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$want_rooki" <<'PYEOF' 2>/dev/null
import sys, importlib.metadata as m
assert m.version("rooki") == sys.argv[1]
m.version("owslib"); m.version("birdhouse-birdy"); m.version("pymetalink")
PYEOF
then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "rooki==$want_rooki" owslib pymetalink
