"""Publishes the payload in FILE on TOPIC (QoS 1) to the broker of scripts/mqtt-start.sh
(directory DIR: url, user, password) with paho-mqtt, and exits once the broker has
acknowledged it (status 1 if it has not within 30 s)."""
import os
import sys
import paho.mqtt.client as mqtt

d, topic, path = sys.argv[1], sys.argv[2], sys.argv[3]
host, port = open(f"{d}/url").read().strip().removeprefix("mqtt://").rsplit(":", 1)
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"rookery-test-pub-{os.getpid()}")
client.username_pw_set(open(f"{d}/user").read().strip(), open(f"{d}/password").read().strip())
client.connect(host, int(port), keepalive=10)
client.loop_start()
info = client.publish(topic, open(path, "rb").read(), qos=1)
info.wait_for_publish(timeout=30)
ok = info.is_published()
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
