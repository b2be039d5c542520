#!/usr/bin/env python3
"""Deterministic IoT-shaped messages, one JSON object per line.

Each line looks like what the topic rule
    SELECT topic() as topic, * FROM 'iot-test-topic/+'   (separator "\\n")
hands to Firehose: the topic first, then the device's payload.

usage: gen_iot.py BYTES [SEED] > messages.ndjson
Writes whole lines until at least BYTES bytes are out. The same
arguments always give the same bytes (no clock, no hash randomisation).
"""
import json
import random
import sys

KINDS = ("sensor", "door-lock", "gps-tracker", "meter")
STATES = ("ok", "ok", "ok", "warn", "error")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
         "hotel", "india", "juliett", "kilo", "lima")


def message(rng, seq, devices):
    kind, num = devices[rng.randrange(len(devices))]
    device = "%s-%04d" % (kind, num)
    msg = {"topic": "iot-test-topic/" + device, "deviceId": device,
           "seq": seq, "ts": 1700000000000 + seq * 250 + rng.randrange(250)}
    if kind == "sensor":
        msg["temperature"] = round(rng.uniform(-10.0, 40.0), 2)
        msg["humidity"] = round(rng.uniform(10.0, 95.0), 1)
    elif kind == "door-lock":
        msg["state"] = rng.choice(("locked", "unlocked"))
        msg["battery"] = rng.randrange(101)
    elif kind == "gps-tracker":
        msg["lat"] = round(rng.uniform(-90.0, 90.0), 6)
        msg["lon"] = round(rng.uniform(-180.0, 180.0), 6)
        msg["speedKmh"] = round(rng.uniform(0.0, 130.0), 1)
    else:
        msg["kwh"] = round(rng.uniform(0.0, 99999.0), 3)
        msg["readings"] = [rng.randrange(1000) for _ in range(rng.randrange(8))]
    msg["status"] = rng.choice(STATES)
    msg["message"] = " ".join(rng.choice(WORDS)
                              for _ in range(rng.randrange(1, 12)))
    return json.dumps(msg, separators=(",", ":")) + "\n"


def main(argv):
    if len(argv) not in (2, 3) or not argv[1].isdigit():
        sys.stderr.write("usage: gen_iot.py BYTES [SEED]\n")
        return 64
    target = int(argv[1])
    rng = random.Random(int(argv[2]) if len(argv) == 3 else 1)
    devices = [(KINDS[i % len(KINDS)], i) for i in range(50)]
    out = sys.stdout.buffer
    total, seq, chunk = 0, 0, []
    while total < target:
        line = message(rng, seq, devices).encode("utf-8")
        chunk.append(line)
        total += len(line)
        seq += 1
        if len(chunk) >= 4096:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
