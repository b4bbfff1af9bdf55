#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (no systemd needed) and prints, as the only
# line on stdout:
#   ROOKERY_TEST_PG=postgres://postgres@127.0.0.1:5544/postgres
# so `eval "export $(bash scripts/pg-start.sh)"` sets it. Stop it with scripts/pg-stop.sh.
#
# Installs Debian's `postgresql` with apt-get when no /usr/lib/postgresql/*/bin/initdb exists
# (needs root). As root the server runs as the `postgres` user; otherwise as the caller.
# Settings: ROOKERY_PG_PORT (5544), ROOKERY_PG_DIR (/tmp/rookery-pg).
# Exit status 1 with a warning on stderr when PostgreSQL cannot be started.
set -euo pipefail

PORT=${ROOKERY_PG_PORT:-5544}
DIR=${ROOKERY_PG_DIR:-/tmp/rookery-pg}

warn() { echo "pg-start: WARNING: $*" >&2; }

find_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
    fi
}

BIN=$(find_bin)
if [ -z "$BIN" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        warn "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and cannot be installed here (needs root and apt-get)"
        exit 1
    fi
    echo "pg-start: installing postgresql with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql >&2; then
        apt-get update >&2 || true
        apt-get install -y --no-install-recommends postgresql >&2 || {
            warn "apt-get install postgresql failed"
            exit 1
        }
    fi
    BIN=$(find_bin)
    if [ -z "$BIN" ]; then
        warn "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found"
        exit 1
    fi
fi

# PostgreSQL refuses to run as root: then run it as `postgres`.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        if command -v runuser >/dev/null; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    warn "running as root but there is no 'postgres' user to run the server as"
    exit 1
fi

# A cluster left over from an earlier run is stopped and replaced.
if [ -f "$DIR/PG_VERSION" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR" stop -m immediate >/dev/null 2>&1 || true
fi
rm -rf "$DIR"
mkdir -p "$DIR"
chmod 700 "$DIR"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$DIR"
fi

if ! as_pg "$BIN/initdb" -D "$DIR" -A trust -U postgres -E UTF8 --no-sync >"$DIR.initdb.log" 2>&1; then
    cat "$DIR.initdb.log" >&2
    warn "initdb failed in $DIR"
    exit 1
fi
rm -f "$DIR.initdb.log"
# The log file must be writable by the server's user: keep it inside the data directory.
if ! as_pg "$BIN/pg_ctl" -D "$DIR" -w -t 60 -l "$DIR/server.log" \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2; then
    cat "$DIR/server.log" >&2 || true
    warn "PostgreSQL did not start on 127.0.0.1:$PORT (see above)"
    exit 1
fi
echo "pg-start: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PORT, data in $DIR" >&2
echo "ROOKERY_TEST_PG=postgres://postgres@127.0.0.1:$PORT/postgres"
