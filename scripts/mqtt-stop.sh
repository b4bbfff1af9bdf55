#!/usr/bin/env bash
# Stops the broker of scripts/mqtt-start.sh (ROOKERY_MQTT_DIR, /tmp/rookery-mqtt by default)
# and waits until it has exited (it writes its persistence file on the way out).
set -uo pipefail
DIR=${ROOKERY_MQTT_DIR:-/tmp/rookery-mqtt}
[ -f "$DIR/mosquitto.pid" ] || exit 0
PID=$(cat "$DIR/mosquitto.pid")
kill "$PID" 2>/dev/null || exit 0
for _ in $(seq 1 100); do
  kill -0 "$PID" 2>/dev/null || { rm -f "$DIR/mosquitto.pid"; exit 0; }
  sleep 0.1
done
kill -9 "$PID" 2>/dev/null
rm -f "$DIR/mosquitto.pid"
