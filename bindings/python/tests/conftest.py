"""Shared helpers for the firehose_xform tests.

The oracle is plain Python (json + base64): every behaviour checked here
is compared with what the standard library says, never with a hard-coded
response.
"""
import base64
import json
import os
import pathlib

import pytest


def shared_dir():
    env = os.environ.get("FHX_SHARED_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[3] / ".." / "shared"


PEERS = shared_dir() / "fixtures" / "peers"


def make_event(payloads, ids=None, kinesis=False, arrival=True):
    """A Direct PUT (or Kinesis-sourced) event as bytes."""
    records = []
    for i, p in enumerate(payloads):
        rec = {"recordId": ids[i] if ids else "r%d" % i,
               "data": base64.b64encode(p).decode("ascii")}
        if arrival:
            rec["approximateArrivalTimestamp"] = 1700000000000 + i
        if kinesis:
            rec["kinesisRecordMetadata"] = {
                "shardId": "shardId-%012d" % (i % 3),
                "partitionKey": "pk-%d" % i,
                "approximateArrivalTimestamp": 1700000000000 + i,
                "sequenceNumber": str(10 ** 40 + i),
                "subsequenceNumber": 0}
        records.append(rec)
    event = {"invocationId": "inv-1",
             "deliveryStreamArn": "arn:aws:firehose:us-east-1:1:deliverystream/s",
             "region": "us-east-1", "records": records}
    return json.dumps(event).encode("ascii")


def iot_payloads(n, seed=0):
    """n IoT-shaped NDJSON payloads, deterministic."""
    out = []
    for i in range(n):
        msg = {"topic": "iot-test-topic/sensor-%04d" % ((i + seed) % 50),
               "seq": i, "temperature": round(((i * 37 + seed) % 500) / 10, 1),
               "status": ("ok", "warn", "error")[(i + seed) % 3]}
        out.append(json.dumps(msg, separators=(",", ":")).encode() + b"\n")
    return out


def answers(response):
    """{recordId: (result, decoded data or None, partitionKeys or None)}."""
    doc = json.loads(response)
    out = {}
    for r in doc["records"]:
        data = r.get("data", r.get("kafkaRecordValue"))
        out[r["recordId"]] = (
            r["result"],
            None if data is None else base64.b64decode(data, validate=True),
            r.get("metadata", {}).get("partitionKeys"))
    return out


@pytest.fixture
def small_event():
    return make_event(iot_payloads(20))
