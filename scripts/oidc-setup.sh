#!/usr/bin/env bash
# Installs the OpenID provider the OIDC tests run against (crates/rookery-service/tests/oidc.rs):
# npm `oidc-provider` pinned to 9.13.3 (package.json + package-lock.json) into
# crates/rookery-service/tests/oidc/node_modules (gitignored). Idempotent. Needs node and npm;
# without them it warns, and the OIDC tests fail in CI (and are skipped elsewhere).
set -euo pipefail
cd "$(dirname "$0")/../crates/rookery-service/tests/oidc"
want=9.13.3
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # A fresh Debian: Node.js and npm from apt.
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq || true
    command -v node >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends nodejs || true
    command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm || true
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "oidc-setup.sh: WARNING: node/npm not found; the OIDC tests will fail in CI and be skipped elsewhere" >&2
  exit 0
fi
if [ -f node_modules/oidc-provider/package.json ] \
   && node -e "process.exit(require('./node_modules/oidc-provider/package.json').version === '$want' ? 0 : 1)"; then
  exit 0
fi
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
