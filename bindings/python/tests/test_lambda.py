"""lambda_handler: the decorator for the Lambda Python runtime."""
import json

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads, answers


def upper(record_id, data, arrival, metadata):
    """Upper-case every record."""
    return data.upper()


def test_dict_event_dict_response(small_event):
    fn = fx.lambda_handler(upper)
    got = fn(json.loads(small_event), None)   # what the runtime passes
    assert isinstance(got, dict)
    assert answers(json.dumps(got)) == answers(fx.transform(small_event,
                                                            upper))
    assert fn.__name__ == "upper" and fn.__doc__ == upper.__doc__


def test_raw_returns_the_response_bytes(small_event):
    fn = fx.lambda_handler(raw=True)(upper)
    got = fn(json.loads(small_event), None)
    assert isinstance(got, bytes)
    assert answers(got) == answers(fx.transform(small_event, upper))
    assert fn(small_event, None) == fx.transform(small_event, upper)


def test_builtin_by_name(small_event):
    fn = fx.lambda_handler("ndjson", raw=True)
    assert fn(json.loads(small_event), object()) == fx.transform(
        small_event, "ndjson")


def test_non_ascii_ids_survive_the_dict_round_trip():
    event = make_event([b"x", b"y"], ids=["\u00e9t\u00e9", "\U0001f600"])
    got = fx.lambda_handler(upper)(json.loads(event), None)
    assert [r["recordId"] for r in got["records"]] == ["\u00e9t\u00e9",
                                                        "\U0001f600"]


def test_invalid_event_raises():
    with pytest.raises(fx.SchemaError):
        fx.lambda_handler(upper)({"Records": []}, None)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("obj", [
    {},
    {"records": []},
    {"a": "q\"uote\\back\nline\ttab\x00\x1f\x7f\u00e9\u2028\U0001f600",
     "b": [1, -2, 10 ** 30, 1.5, -0.0, 1e300, 2.5e-7, True, False, None],
     "c": {"d": [[], {}, ("t", 1)], "": ""}},
])
def test_event_json_writes_what_json_dumps_writes(obj):
    assert fx.native.event_json(obj) == dumps(obj)


def test_event_json_on_the_fixtures():
    from conftest import PEERS
    for path in sorted(PEERS.rglob("*.json")):
        obj = json.loads(path.read_bytes())
        if isinstance(obj, dict):
            assert fx.native.event_json(obj) == dumps(obj), path


@pytest.mark.parametrize("obj,exc", [
    ({"x": float("nan")}, ValueError),
    ({"x": float("inf")}, ValueError),
    ({"x": {1, 2}}, TypeError),
    ({1: "x"}, TypeError),
    ({"x": b"bytes"}, TypeError),
    ({"x": "\ud800"}, UnicodeEncodeError),
])
def test_event_json_refuses_what_is_not_json(obj, exc):
    with pytest.raises(exc):
        fx.native.event_json(obj)


def test_event_json_depth_is_bounded():
    deep = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="deeply"):
        fx.native.event_json({"x": deep})


def test_lone_surrogate_record_id_goes_through_the_escape():
    event = {"records": [{"recordId": "a\ud800", "data": "eA=="}]}
    got = fx.lambda_handler(upper)(event, None)
    assert got == {"records": [{"recordId": "a\ud800", "result": "Ok",
                                "data": "WA=="}]}
