"""The gzip helpers (the stdlib's zlib until the library's gzip module
lands: compression.NATIVE says which)."""
import base64
import gzip as stdgzip
import json
import zlib

import pytest

import firehose_xform as fx
from conftest import PEERS


def test_round_trip_and_stdlib_agreement():
    data = b"".join(b"line %d\n" % i for i in range(5000))
    packed = fx.gzip(data)
    assert stdgzip.decompress(packed) == data
    assert fx.gunzip(packed) == data
    assert fx.gunzip(stdgzip.compress(data)) == data


def test_every_member_is_decompressed():
    assert fx.gunzip(fx.gzip(b"one\n") + fx.gzip(b"two\n")) == b"one\ntwo\n"


def test_truncated_and_corrupt_input():
    packed = fx.gzip(b"x" * 1000)
    with pytest.raises(zlib.error):
        fx.gunzip(packed[:-5])
    with pytest.raises(zlib.error):
        fx.gunzip(b"not gzip at all")


def test_cloudwatch_logs_payloads():
    doc = json.loads((PEERS / "powertools-lambda-typescript" /
                      "stream-cloudwatch-logs.json").read_bytes())
    for rec in doc["Records"]:
        raw = fx.b64decode(rec["kinesis"]["data"])
        msg = json.loads(fx.gunzip(raw))
        assert msg == json.loads(stdgzip.decompress(base64.b64decode(
            rec["kinesis"]["data"])))
        assert msg["messageType"] in ("DATA_MESSAGE", "CONTROL_MESSAGE")

