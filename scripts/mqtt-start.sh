#!/usr/bin/env bash
# Starts a throwaway Mosquitto broker for the WIS2 tests on a loopback port, with a username
# and password (no anonymous access) and on-disk persistence, and prints as the only line on
# stdout:
#   ROOKERY_TEST_MQTT=<dir>
# where <dir> holds `url` (mqtt://127.0.0.1:<port>), `user`, `password`, mosquitto.conf and
# the broker's pid file and log. Running it again on the same directory restarts a stopped
# broker with the same settings (the tests restart it mid-way). Stop it with
# scripts/mqtt-stop.sh (same ROOKERY_MQTT_DIR).
# Settings: ROOKERY_MQTT_PORT (18883), ROOKERY_MQTT_DIR (/tmp/rookery-mqtt).
# Exit status 1 with a warning on stderr when mosquitto is missing or does not start.
set -euo pipefail
PORT=${ROOKERY_MQTT_PORT:-18883}
DIR=${ROOKERY_MQTT_DIR:-/tmp/rookery-mqtt}
BIN=$(command -v mosquitto || echo /usr/sbin/mosquitto)
PASSWD=$(command -v mosquitto_passwd || echo /usr/bin/mosquitto_passwd)
if [ ! -x "$BIN" ] || [ ! -x "$PASSWD" ]; then
  echo "mqtt-start: WARNING: mosquitto is not installed (scripts/setup-wis2.sh installs it)" >&2
  exit 1
fi
mkdir -p "$DIR/data"
if [ ! -f "$DIR/mosquitto.conf" ]; then
  echo rookery > "$DIR/user"
  head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/password"
  "$PASSWD" -b -c "$DIR/passwd" "$(cat "$DIR/user")" "$(cat "$DIR/password")" 2>/dev/null
  chmod 600 "$DIR/passwd"
  echo "mqtt://127.0.0.1:$PORT" > "$DIR/url"
  cat > "$DIR/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous false
password_file $DIR/passwd
persistence true
persistence_location $DIR/data/
pid_file $DIR/mosquitto.pid
log_dest file $DIR/mosquitto.log
CONF
  [ "$(id -u)" != 0 ] || echo "user root" >> "$DIR/mosquitto.conf"
fi
PORT=$(sed -e 's/.*://' "$DIR/url")
if [ -f "$DIR/mosquitto.pid" ] && kill -0 "$(cat "$DIR/mosquitto.pid")" 2>/dev/null; then
  echo "ROOKERY_TEST_MQTT=$DIR"
  exit 0
fi
"$BIN" -c "$DIR/mosquitto.conf" -d
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "ROOKERY_TEST_MQTT=$DIR"
    exit 0
  fi
  sleep 0.1
done
echo "mqtt-start: WARNING: mosquitto did not start on port $PORT (see $DIR/mosquitto.log)" >&2
exit 1
