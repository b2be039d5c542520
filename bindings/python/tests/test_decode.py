"""decode() and ResponseBuilder: records out, answers in, the guard."""
import json

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads, answers


def test_decode_yields_records_in_order(small_event):
    recs = list(fx.decode(small_event))
    src = json.loads(small_event)["records"]
    assert [r.index for r in recs] == list(range(20))
    assert [r.record_id for r in recs] == [s["recordId"] for s in src]
    assert [r.data for r in recs] == iot_payloads(20)
    assert all(r.ok and r.error is None and not r.kafka for r in recs)
    for r in recs:   # offset: the record's '{' in the event
        assert small_event[r.offset:r.offset + 1] == b"{"
        assert json.loads(small_event[r.offset:].split(b"}", 1)[0] + b"}")[
            "recordId"] == r.record_id


def test_invalid_record_carries_its_error():
    doc = json.loads(make_event([b"a", b"b"]))
    doc["records"][1]["data"] = "YW=="      # non-zero trailing bits
    raw = json.dumps(doc).encode()
    recs = list(fx.decode(raw))
    assert recs[0].ok and not recs[1].ok and recs[1].data is None
    err = recs[1].error
    assert isinstance(err, fx.Base64Error) and err.code == -8
    assert err.record == 1
    data_at = raw.index(b'"YW=="') + 1
    assert err.offset == data_at + 1        # the 'W' carries the bits


def test_builder_answers_in_any_order(small_event):
    b = fx.ResponseBuilder(small_event)
    recs = list(b)
    for r in reversed(recs):
        if r.index % 3 == 0:
            assert b.ok(r, r.data.upper(), {"idx": str(r.index)}) is True
        elif r.index % 3 == 1:
            b.dropped(r)
        else:
            b.failed(r)
    got = answers(b.finish())
    assert list(got) == [r.record_id for r in reversed(recs)]
    for r in recs:
        want = [("Ok", r.data.upper(), {"idx": str(r.index)}),
                ("Dropped", None, None),
                ("ProcessingFailed", None, None)][r.index % 3]
        assert got[r.record_id] == want


def test_builder_answer_by_result_name(small_event):
    b = fx.ResponseBuilder(small_event)
    for r in b:
        b.answer(r, "Ok" if r.index % 2 else "Dropped",
                 r.data if r.index % 2 else None)
    got = answers(b.finish())
    assert [v[0] for v in got.values()] == ["Dropped", "Ok"] * 10
    with pytest.raises(fx.ResultError):
        fx.ResponseBuilder(small_event).answer(r, "OK")


def test_builder_guard_duplicate_and_unknown(small_event):
    other = make_event([b"x"] * 20, ids=["o%d" % i for i in range(20)])
    foreign = next(iter(fx.decode(other)))
    b = fx.ResponseBuilder(small_event)
    recs = list(b)
    b.ok(recs[0], b"x")
    with pytest.raises(fx.DuplicateRecordIdError) as info:
        b.ok(recs[0], b"y")
    assert info.value.record == 0 and info.value.offset == recs[0].offset
    with pytest.raises(fx.UnknownRecordIdError):
        b.ok(foreign, b"z")              # same index, another event
    for r in recs[1:]:                   # still usable
        b.ok(r, r.data)
    got = answers(b.finish())
    assert got[recs[0].record_id] == ("Ok", b"x", None)
    assert len(got) == 20
    with pytest.raises(fx.StateError):
        b.finish()


def test_builder_refuses_to_finish_with_a_missing_record(small_event):
    b = fx.ResponseBuilder(small_event)
    it = iter(b)
    first = next(it)
    b.ok(first, first.data)
    with pytest.raises(fx.MissingRecordIdError) as info:
        b.finish()            # records 1.. never read, never answered
    assert info.value.record == 1
    assert small_event[info.value.offset:info.value.offset + 1] == b"{"


def test_builder_record_not_decoded_yet(small_event):
    recs = list(fx.decode(small_event))
    b = fx.ResponseBuilder(small_event)
    with pytest.raises(fx.UnknownRecordIdError):
        b.ok(recs[5], b"x")


def test_builder_limit_turns_big_answers_into_failures():
    event = make_event([b"a"] * 4)
    # the size of the answer "one Ok, three ProcessingFailed", unlimited
    b = fx.ResponseBuilder(event)
    for r in b:
        if r.index == 0:
            b.ok(r, b"y" * 100)
        else:
            b.failed(r)
    limit = len(b.finish()) + 10
    b = fx.ResponseBuilder(event, limit=limit)
    fitted = [b.ok(r, b"y" * 100) for r in b]
    resp = b.finish()
    assert len(resp) <= limit
    assert fitted == [True, False, False, False]
    got = answers(resp)
    assert [v[0] for v in got.values()] == ["Ok"] + ["ProcessingFailed"] * 3


def test_builder_set_limit_errors(small_event):
    with pytest.raises(fx.ArgumentError):
        fx.ResponseBuilder(small_event, limit=3)


def test_partition_keys_are_escaped_and_must_be_str(small_event):
    b = fx.ResponseBuilder(small_event)
    recs = list(b)
    b.ok(recs[0], b"x", {"q\"uote": "\u00e9\n"})
    with pytest.raises(TypeError):
        b.ok(recs[1], b"x", {"k": b"bytes"})
    with pytest.raises(TypeError):
        b.ok(recs[1], b"x", [("k", "v")])
    with pytest.raises(UnicodeEncodeError):
        b.ok(recs[1], b"x", {"k": "\ud800"})
    for r in recs[1:]:
        b.dropped(r)
    got = answers(b.finish())
    assert got[recs[0].record_id][2] == {"q\"uote": "\u00e9\n"}
