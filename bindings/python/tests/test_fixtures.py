"""The shared peer fixtures (real events from AWS's own libraries' test
suites) through the binding, checked against json + base64."""
import base64
import binascii
import json

import pytest

import firehose_xform as fx
from conftest import PEERS, answers

# path, expected: None (a valid event) or the event-level error class
EVENTS = [
    ("aws-lambda-go/kinesis-firehose-event.json", None),
    ("aws-lambda-java-libs/firehose_event.json", None),
    ("aws-lambda-java-libs/msk_firehose_event.json", None),
    ("aws-lambda-java-libs/msk_firehose_event_roundtrip.json", None),
    ("aws-lambda-java-libs/samples/kinesis-firehose-event-handler/event.json",
     None),
    ("aws-lambda-java-libs/samples/msk-firehose-event-handler/event.json",
     None),
    ("aws-lambda-rust-runtime/example-firehose-event.json", None),
    ("aws-lambda-rust-runtime/example-kinesis-firehose-event.json", None),
    ("aws-sam-cli/KinesisFirehose.json", None),
    ("aws-sam-cli/KinesisFirehoseApachelog.json", None),
    ("aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json", None),
    ("aws-sam-cli/KinesisFirehoseStreamsAsSource.json", None),
    ("aws-sam-cli/KinesisFirehoseSyslog.json", fx.DuplicateRecordIdError),
    ("powertools-lambda-python/kinesisFirehoseKinesisEvent.json", None),
    ("powertools-lambda-python/kinesisFirehosePutEvent.json", None),
    ("powertools-lambda-python/kinesisFirehoseSQSEvent.json", None),
    ("powertools-lambda-typescript/firehose-put.json", None),
    ("powertools-lambda-typescript/firehose-sqs-invalid.json", None),
    ("powertools-lambda-typescript/firehose-sqs.json", None),
    ("powertools-lambda-typescript/firehose.json", None),
    ("powertools-lambda-typescript/stream-cloudwatch-logs.json",
     fx.SchemaError),
]


def load(path):
    p = PEERS / path
    if not p.is_file():
        pytest.fail("peer fixture missing: %s (FHX_SHARED_DIR?)" % p)
    return p.read_bytes()


def oracle(raw):
    """What json + base64 say each record is: (id, data or None, arrival,
    metadata, kafka)."""
    out = []
    for r in json.loads(raw)["records"]:
        kafka = "kafkaRecordValue" in r
        try:
            data = base64.b64decode(r["kafkaRecordValue" if kafka else "data"],
                                    validate=True)
        except (binascii.Error, ValueError):
            data = None
        meta = r.get("kinesisRecordMetadata", r.get("mskRecordMetadata"))
        out.append((r["recordId"], data, r.get("approximateArrivalTimestamp"),
                    meta, kafka))
    return out


@pytest.mark.parametrize("path,error", EVENTS, ids=[e[0] for e in EVENTS])
def test_decode_matches_json(path, error):
    raw = load(path)
    if error is not None:
        with pytest.raises(error) as info:
            list(fx.decode(raw))
        assert info.value.code == {fx.DuplicateRecordIdError: -12,
                                   fx.SchemaError: -6}[error]
        assert info.value.name == {fx.DuplicateRecordIdError:
                                   "FHX_E_DUPLICATE_ID",
                                   fx.SchemaError: "FHX_E_SCHEMA"}[error]
        assert 0 <= info.value.offset <= len(raw)
        return
    got = [(r.record_id, r.data, r.approximate_arrival_timestamp, r.metadata,
            r.kafka) for r in fx.decode(raw)]
    assert got == oracle(raw)
    for r in fx.decode(raw):
        if r.data is None:   # the SAM templates' "{{{data}}}"
            assert isinstance(r.error, fx.Base64Error)
            assert r.error.record == r.index
            assert raw[r.error.offset:r.error.offset + 1] == b"{"


@pytest.mark.parametrize("path,error", EVENTS, ids=[e[0] for e in EVENTS])
def test_transform_answers_every_record(path, error):
    raw = load(path)
    if error is not None:
        with pytest.raises(error):
            fx.transform(raw)
        return
    want = oracle(raw)
    for handler in ("identity", lambda i, d, t, m: d[::-1]):
        got = answers(fx.transform(raw, handler))
        assert list(got) == [w[0] for w in want]   # every id, in order
        for rid, data, _, _, _ in want:
            if data is None:
                assert got[rid] == ("ProcessingFailed", None, None)
            elif handler == "identity":
                assert got[rid] == ("Ok", data, None)
            else:
                assert got[rid] == ("Ok", data[::-1], None)


def test_msk_answers_with_kafka_record_value():
    raw = load("aws-lambda-java-libs/msk_firehose_event.json")
    doc = json.loads(fx.transform(raw, lambda i, d, t, m: d))
    assert all("kafkaRecordValue" in r and "data" not in r
               for r in doc["records"])


def test_event_header():
    raw = load("powertools-lambda-python/kinesisFirehoseKinesisEvent.json")
    builder = fx.ResponseBuilder(raw)
    for _ in builder:
        pass
    src = json.loads(raw)
    assert builder.header == {k: v for k, v in src.items() if k != "records"}
