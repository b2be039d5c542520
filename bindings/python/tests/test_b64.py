"""b64encode / b64decode: strict RFC 4648, against the base64 module."""
import base64
import random

import pytest

import firehose_xform as fx


def test_round_trip_against_the_stdlib():
    rng = random.Random(4648)
    for n in list(range(0, 70)) + [1000, 65535, 65536, 65537, 300001]:
        data = bytes(rng.randrange(256) for _ in range(n))
        enc = fx.b64encode(data)
        assert enc == base64.b64encode(data)
        assert fx.b64decode(enc) == data
        assert fx.b64decode(enc.decode()) == data
        assert fx.b64decode(bytearray(enc)) == data
        assert fx.b64decode(memoryview(enc)) == data
        assert fx.b64encode(bytearray(data)) == enc


@pytest.mark.parametrize("text,offset,why", [
    (b"aGVsbG8", 7, "multiple of 4"),
    (b"aGVs bG8=", 4, "invalid base64 character"),
    (b"aGVs\nbG8=", 4, "invalid base64 character"),
    (b"aGVsbG8_", 7, "invalid base64 character"),
    (b"a=Vs", 1, "padding"),
    (b"YW==", 1, "trailing bits"),
    (b"aGVs" * 40000 + b"bG8!", 160003, "invalid base64 character"),
])
def test_strict_rejections_carry_the_offset(text, offset, why):
    with pytest.raises(fx.Base64Error) as info:
        fx.b64decode(text)
    assert info.value.offset == offset
    assert why in info.value.message
    assert isinstance(info.value, ValueError)
    assert info.value.code == -8


def test_non_ascii_str_is_invalid_at_its_utf8_offset():
    with pytest.raises(fx.Base64Error) as info:
        fx.b64decode("ab\u00e9=")
    assert info.value.offset == 2


def test_types():
    with pytest.raises(TypeError):
        fx.b64encode("str")
    with pytest.raises(TypeError):
        fx.b64decode(1)
