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
