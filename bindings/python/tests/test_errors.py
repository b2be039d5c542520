"""Errors are exceptions carrying code, name, offset, record and message."""
import pickle

import pytest

import firehose_xform as fx
from firehose_xform import errors, native
from conftest import make_event


REC = b'{"recordId":"a","data":"eA=="}'


@pytest.mark.parametrize("event,cls,offset", [
    # the ']' after a trailing comma
    (b'{"records":[' + REC + b',]}', fx.JSONError, 12 + len(REC) + 1),
    # truncated: the offset is the input's length
    (b'{"records":[' + REC, fx.TruncatedError, 12 + len(REC)),
    # "records" is not an array: its value
    (b'{"records":{}}', fx.SchemaError, 11),
    (b'{"nope":[]}', fx.SchemaError, None),
    (b'{"records":[{"data":"eA=="}]}', fx.SchemaError, None),
    (b'{"records":[{"recordId":"a","data":"eA=="},'
     b'{"recordId":"a","data":"eA=="}]}', fx.DuplicateRecordIdError, None),
    (b'{"records":[{"recordId":"a","x":' + b'[' * 70 + b']' * 70 + b'}]}',
     fx.DepthError, None),
    (b'', fx.TruncatedError, 0),
    (b'\xff', fx.JSONError, 0),
])
def test_event_errors(event, cls, offset):
    for run in (lambda: fx.transform(event), lambda: list(fx.decode(event)),
                lambda: fx.transform(event, lambda *a: b"")):
        with pytest.raises(cls) as info:
            run()
        e = info.value
        assert isinstance(e, fx.FirehoseXformError)
        assert isinstance(e, fx.InvalidEventError)
        assert isinstance(e, ValueError)
        assert e.code < 0 and e.name.startswith("FHX_E_")
        assert e.message and e.message in str(e)
        assert 0 <= e.offset <= len(event)
        if offset is not None:
            assert e.offset == offset
        assert "at byte %d" % e.offset in str(e)


def test_every_status_code_has_a_class_and_a_name():
    for code in range(-1, -19, -1):
        cls = fx.error_class(code)
        assert cls is not fx.FirehoseXformError
        e = errors._from_native(code, 7, 3, "m")
        assert type(e) is cls and (e.code, e.offset, e.record, e.message) == (
            code, 7, 3, "m")
        assert e.name == native.status_name(code) != "FHX_UNKNOWN"
        assert native.strerror(code) != "unknown status"
        names = {n for n in dir(errors) if n.startswith("E_")}
        assert any(getattr(errors, n) == code for n in names)
    assert fx.error_class(-99) is fx.FirehoseXformError


def test_errors_pickle():
    e = errors._from_native(-4, 12, None, "unexpected character")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is fx.JSONError
    assert (back.code, back.offset, back.record, back.message) == (
        -4, 12, None, "unexpected character")


def test_no_record_means_none():
    with pytest.raises(fx.SchemaError) as info:
        fx.transform(b'{"nope":1}')
    assert info.value.record is None


def test_event_type_errors():
    with pytest.raises(TypeError):
        fx.transform(12345)
    with pytest.raises(TypeError):
        list(fx.decode("a str is not bytes"))
