"""KeyboardInterrupt (and other BaseExceptions) inside a handler abort the
transform cleanly and propagate; the transformer stays usable."""
import signal

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads


@pytest.fixture
def event():
    return make_event(iot_payloads(50))


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit,
                                 GeneratorExit])
def test_base_exception_aborts_and_propagates(event, exc):
    t = fx.Transformer()
    calls = []

    def handler(record_id, data, arrival, metadata):
        calls.append(record_id)
        if len(calls) == 7:
            raise exc("stop")
        return data

    with pytest.raises(exc) as info:
        t.transform(event, handler)
    assert str(info.value) == "stop"
    assert info.value.__traceback__ is not None
    assert len(calls) == 7              # never called again after it
    assert t.transform(event) == fx.transform(event)   # still usable


def test_real_sigint_inside_a_handler(event):
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        calls = []

        def handler(record_id, data, arrival, metadata):
            calls.append(record_id)
            if len(calls) == 3:
                signal.raise_signal(signal.SIGINT)
            return data

        with pytest.raises(KeyboardInterrupt):
            fx.transform(event, handler)
        assert 3 <= len(calls) < 50
    finally:
        signal.signal(signal.SIGINT, old)
    assert fx.transform(event, lambda *a: a[1]) == fx.transform(event)


def test_interrupt_while_logging_a_failure(event, monkeypatch):
    """A KeyboardInterrupt raised by the logging of a failed record also
    aborts (the logger is Python code too)."""
    import sys
    tmod = sys.modules["firehose_xform.transform"]

    def interrupted_log(record_id, exc):
        raise KeyboardInterrupt("while logging")

    monkeypatch.setattr(tmod, "_log_failure", interrupted_log)
    with pytest.raises(KeyboardInterrupt, match="while logging"):
        fx.transform(event, lambda *a: 1 / 0)
