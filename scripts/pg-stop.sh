#!/usr/bin/env bash
# Stops the throwaway PostgreSQL cluster of scripts/pg-start.sh and removes its directory.
set -uo pipefail

DIR=${ROOKERY_PG_DIR:-/tmp/rookery-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

if [ -f "$DIR/PG_VERSION" ] && [ -n "$BIN" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR" stop -m fast >&2 ||
            su postgres -s /bin/sh -c "'$BIN/pg_ctl' -D '$DIR' stop -m fast" >&2 || true
    else
        "$BIN/pg_ctl" -D "$DIR" stop -m fast >&2 || true
    fi
fi
rm -rf "$DIR"
