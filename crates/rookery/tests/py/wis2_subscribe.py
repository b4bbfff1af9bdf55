"""A WIS2 subscriber for the tests (paho-mqtt): subscribes to TOPIC on the broker of
scripts/mqtt-start.sh (directory DIR: url, user, password) with QoS 1 and a persistent session
(clean_session off, so that messages published while it is disconnected by a broker restart are
kept for it), prints "ready" once subscribed, then each message payload on a line of its own,
and exits after COUNT messages (or after TIMEOUT seconds, 120 by default)."""
import os
import sys
import time
import paho.mqtt.client as mqtt

d, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = open(f"{d}/url").read().strip()
host, port = url.removeprefix("mqtt://").rsplit(":", 1)
got = []


def on_connect(client, userdata, flags, rc, props=None):
    client.subscribe(topic, qos=1)


ready = []


def on_subscribe(client, userdata, mid, granted, props=None):
    if not ready:
        ready.append(True)
        print("ready", flush=True)


def on_message(client, userdata, msg):
    got.append(msg.payload)
    print(msg.payload.decode(), flush=True)


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"rookery-test-sub-{os.getpid()}", clean_session=False)
client.username_pw_set(open(f"{d}/user").read().strip(), open(f"{d}/password").read().strip())
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.reconnect_delay_set(min_delay=1, max_delay=1)
client.connect(host, int(port), keepalive=5)
client.loop_start()
deadline = time.time() + (float(sys.argv[4]) if len(sys.argv) > 4 else 120)
while len(got) < count and time.time() < deadline:
    time.sleep(0.1)
client.loop_stop()
sys.exit(0 if len(got) >= count else 1)
