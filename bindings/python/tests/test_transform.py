"""transform(): built-in C handlers and Python handlers, answer by answer."""
import base64
import json
import logging
import mmap
import tempfile

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads, answers


def test_identity_is_the_input_data(small_event):
    got = answers(fx.transform(small_event))
    want = {r["recordId"]: ("Ok", base64.b64decode(r["data"]), None)
            for r in json.loads(small_event)["records"]}
    assert got == want


@pytest.mark.parametrize("name,result", [("drop", "Dropped"),
                                         ("fail", "ProcessingFailed")])
def test_constant_builtins(small_event, name, result):
    got = answers(fx.transform(small_event, name))
    assert {v[0] for v in got.values()} == {result}
    assert len(got) == 20


def test_ndjson_frames_lines():
    payloads = [b"a\r\nb\n", b"\n\n", b"x", b"one\ntwo\n"]
    got = answers(fx.transform(make_event(payloads), "ndjson"))
    assert got["r0"] == ("Ok", b"a\nb\n", None)
    assert got["r1"][0] == "Dropped"
    assert got["r2"] == ("Ok", b"x\n", None)
    assert got["r3"] == ("Ok", b"one\ntwo\n", None)


def test_unknown_builtin_is_rejected(small_event):
    with pytest.raises(ValueError, match="unknown built-in handler"):
        fx.transform(small_event, "upper")


def test_handler_not_callable(small_event):
    with pytest.raises(TypeError):
        fx.transform(small_event, 42)


def test_handler_gets_id_data_arrival_metadata():
    payloads = iot_payloads(3)
    event = make_event(payloads, kinesis=True)
    seen = []

    def handler(record_id, data, arrival, metadata):
        seen.append((record_id, data, arrival, metadata))
        return data

    fx.transform(event, handler)
    src = json.loads(event)["records"]
    assert seen == [(r["recordId"], base64.b64decode(r["data"]),
                     r["approximateArrivalTimestamp"],
                     r["kinesisRecordMetadata"]) for r in src]
    assert all(type(s[1]) is bytes for s in seen)


def test_direct_put_has_no_metadata_and_maybe_no_arrival():
    event = make_event([b"x"], arrival=False)
    seen = []
    fx.transform(event, lambda *a: seen.append(a) or b"")
    assert seen == [("r0", b"x", None, None)]


def test_return_values_map_to_results(caplog):
    payloads = [b"bytes", b"bytearray", b"memoryview", b"none", b"failed",
                b"keys", b"raise", b"str", b"badkeys", b"empty"]

    def handler(record_id, data, arrival, metadata):
        kind = data.decode()
        if kind == "bytes":
            return data.upper()
        if kind == "bytearray":
            return bytearray(data.upper())
        if kind == "memoryview":
            return memoryview(data.upper())[2:]
        if kind == "none":
            return None
        if kind == "failed":
            return fx.FAILED
        if kind == "keys":
            return data, {"device": "d-1", "day": "2024-01-01"}
        if kind == "raise":
            raise ValueError("bad record " + record_id)
        if kind == "str":
            return "a str is not bytes"
        if kind == "badkeys":
            return data, {"k": 1}
        return b""

    with caplog.at_level(logging.ERROR, logger="firehose_xform"):
        got = answers(fx.transform(make_event(payloads), handler))
    assert got["r0"] == ("Ok", b"BYTES", None)
    assert got["r1"] == ("Ok", b"BYTEARRAY", None)
    assert got["r2"] == ("Ok", b"MORYVIEW", None)
    assert got["r3"] == ("Dropped", None, None)
    assert got["r4"] == ("ProcessingFailed", None, None)
    assert got["r5"] == ("Ok", b"keys", {"device": "d-1", "day": "2024-01-01"})
    assert got["r6"] == ("ProcessingFailed", None, None)
    assert got["r7"] == ("ProcessingFailed", None, None)
    assert got["r8"] == ("ProcessingFailed", None, None)
    assert got["r9"] == ("Ok", b"", None)
    logged = [r for r in caplog.records if r.name == "firehose_xform"]
    assert [r.getMessage().split(":")[0] for r in logged] == [
        "record r6", "record r7", "record r8"]
    assert logged[0].exc_info[0] is ValueError
    assert "bad record r6" in logged[0].getMessage()
    assert logged[1].exc_info[0] is TypeError
    stats = fx.last_stats()
    assert (stats["ok"], stats["dropped"], stats["failed"],
            stats["handler_errors"]) == (5, 1, 4, 3)


def test_invalid_record_is_failed_without_calling_the_handler():
    doc = json.loads(make_event([b"a", b"b", b"c"]))
    doc["records"][1]["data"] = "not base64!"
    calls = []
    resp = fx.transform(json.dumps(doc).encode(),
                        lambda i, d, t, m: calls.append(i) or d)
    assert calls == ["r0", "r2"]
    assert answers(resp)["r1"] == ("ProcessingFailed", None, None)


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "mmap",
                                  "str", "dict"])
def test_event_inputs(kind, small_event):
    want = fx.transform(small_event)
    if kind == "bytes":
        event = small_event
    elif kind == "bytearray":
        event = bytearray(small_event)
    elif kind == "memoryview":
        event = memoryview(b"  " + small_event)[2:]
    elif kind == "str":
        event = small_event.decode()
    elif kind == "dict":
        event = json.loads(small_event)
    else:
        f = tempfile.TemporaryFile()
        f.write(small_event)
        f.flush()
        event = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    got = fx.transform(event)
    if kind == "dict":   # re-serialised: same answers, maybe other bytes
        assert answers(got) == answers(want)
    else:
        assert got == want
    if kind == "mmap":
        event.close()
        f.close()


def test_bytearray_cannot_be_resized_during_the_call(small_event):
    buf = bytearray(small_event)

    def handler(record_id, data, arrival, metadata):
        with pytest.raises(BufferError):
            buf.extend(b"x")   # the transform holds the buffer
        return data

    answers(fx.transform(buf, handler))
    buf.extend(b" ")           # released afterwards


def test_escaped_record_id_is_echoed_and_decoded():
    event = (b'{"records":[{"recordId":"a\\u00e9\\"b","data":"eA=="}]}')
    ids = []
    resp = fx.transform(event, lambda i, d, t, m: ids.append(i) or d)
    assert ids == ['a\u00e9"b']
    assert b'"recordId":"a\\u00e9\\"b"' in resp
    assert answers(resp) == {'a\u00e9"b': ("Ok", b"x", None)}


def test_response_limit_fails_what_does_not_fit():
    payloads = [b"x" * 3000 for _ in range(10)]
    event = make_event(payloads)
    resp = fx.transform(event, "identity", limit=20000)
    assert len(resp) <= 20000
    got = answers(resp)
    ok = [k for k, v in got.items() if v[0] == "Ok"]
    failed = [k for k, v in got.items() if v[0] == "ProcessingFailed"]
    assert len(ok) + len(failed) == 10 and 0 < len(ok) < 10
    assert fx.last_stats()["over_limit"] == len(failed)
    # the default limit is back for the next call
    assert {v[0] for v in answers(fx.transform(event)).values()} == {"Ok"}


def test_transformer_object_reuse_and_stats(small_event):
    t = fx.Transformer()
    for _ in range(3):
        first = t.transform(small_event, "ndjson")
    assert first == fx.transform(small_event, "ndjson")
    s = t.stats
    assert s["records"] == 20 and s["ok"] == 20
    assert s["bytes_in"] == len(small_event) and s["bytes_out"] == len(first)


def test_reentrant_use_of_a_busy_transformer_fails_the_record(small_event,
                                                              caplog):
    t = fx.Transformer()

    def handler(record_id, data, arrival, metadata):
        return t.transform(small_event)   # t is running this handler

    with caplog.at_level(logging.ERROR, logger="firehose_xform"):
        got = answers(t.transform(small_event, handler))
    assert {v[0] for v in got.values()} == {"ProcessingFailed"}
    assert "already in use" in caplog.records[0].getMessage()
    # nested use of another transformer is fine
    other = fx.Transformer()
    got = answers(t.transform(small_event,
                              lambda *a: other.transform(small_event)[:5]))
    assert {v for v in got.values()} == {("Ok", b'{"rec', None)}


def test_nested_transform_from_a_handler(small_event):
    inner = fx.transform(small_event, "drop")

    def handler(record_id, data, arrival, metadata):
        assert fx.transform(small_event, "drop") == inner
        return data

    assert fx.transform(small_event, handler) == fx.transform(small_event)


def _big_then_small():
    """Ten large records, then 200 small ones with long recordIds: once the
    large answers fill the response, the small ones could not even be
    answered ProcessingFailed without rewriting the large ones."""
    payloads = [b"x" * 3000] * 10 + [b"y"] * 200
    ids = ["b%d" % i for i in range(10)] + \
          ["s%03d-" % i + "z" * 200 for i in range(200)]
    return make_event(payloads, ids=ids), ids


@pytest.mark.parametrize("handler", ["identity", lambda i, d, t, m: d])
def test_response_limit_rewrites_to_make_room(handler):
    event, ids = _big_then_small()
    limit = 10 * 4050 + 200 * 200
    resp = fx.transform(event, handler, limit=limit)
    assert len(resp) <= limit
    got = answers(resp)
    assert sorted(got) == sorted(ids)
    failed = [k for k, v in got.items() if v[0] == "ProcessingFailed"]
    assert any(k.startswith("b") for k in failed)  # a large one rewritten
    assert fx.last_stats()["over_limit"] == len(failed)
    assert all(v == ("Ok", b"y", None) for k, v in got.items()
               if k.startswith("s") and v[0] == "Ok")


def test_response_builder_rewrites_to_make_room():
    event, ids = _big_then_small()
    limit = 10 * 4050 + 200 * 200
    b = fx.ResponseBuilder(event, limit=limit)
    for rec in b:
        b.ok(rec, rec.data)
    resp = b.finish()
    assert len(resp) <= limit
    got = answers(resp)
    assert sorted(got) == sorted(ids)
    assert b.rewritten > 0
    assert sum(1 for k, v in got.items() if k.startswith("b") and
               v[0] == "ProcessingFailed") >= b.rewritten


def test_response_limit_too_small_for_every_record():
    event, _ = _big_then_small()
    with pytest.raises(fx.LimitError):
        fx.transform(event, "identity", limit=1000)
