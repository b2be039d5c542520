"""No leak over 10,000 transforms: Python objects (tracemalloc) and C
memory (the process's resident set, /proc/self/statm).

Each loop warms up first (the transformer keeps and reuses its buffers),
then runs 10,000 more calls. A leak of even 100 bytes per call would grow
tracemalloc's count by ~1 MB, and a leaked response or C buffer the RSS by
far more than the slack allowed here.
"""
import gc
import logging
import os
import tracemalloc

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads

N = 10_000
TRACED_SLACK = 64 * 1024       # bytes of Python objects
RSS_SLACK = 2 * 1024 * 1024    # bytes of resident memory


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth(fn, n=N, warm=300):
    for _ in range(warm):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        before_py = tracemalloc.get_traced_memory()[0]
        before_rss = rss()
        for _ in range(n):
            fn()
        gc.collect()
        after_py = tracemalloc.get_traced_memory()[0]
        after_rss = rss()
    finally:
        tracemalloc.stop()
    return after_py - before_py, after_rss - before_rss


EVENT = make_event(iot_payloads(8), kinesis=True)
BAD = EVENT.replace(b'"records"', b'"recs"')


def every_path(record_id, data, arrival, metadata):
    """Each kind of answer in turn: data, keys, None, FAILED, raising,
    a wrong type."""
    k = int(record_id[1:]) % 8
    if k == 0:
        return data
    if k == 1:
        return data, {"shard": metadata["shardId"]}
    if k == 2:
        return None
    if k == 3:
        return fx.FAILED
    if k == 4:
        raise ValueError("failing record")
    if k == 5:
        return "wrong type"
    if k == 6:
        return memoryview(bytearray(data))
    return data, {"bad": 1}


@pytest.fixture
def quiet_log():
    log = logging.getLogger("firehose_xform")
    old, log.disabled = log.disabled, True
    yield
    log.disabled = old


def check(fn, n=N):
    py, res = growth(fn, n)
    assert py < TRACED_SLACK, "Python objects grew by %d bytes" % py
    assert res < RSS_SLACK, "resident memory grew by %d bytes" % res


def test_builtin_transform_does_not_leak():
    check(lambda: fx.transform(EVENT, "ndjson"))


def test_python_handler_transform_does_not_leak(quiet_log):
    check(lambda: fx.transform(EVENT, every_path))


def test_event_errors_do_not_leak():
    def bad():
        try:
            fx.transform(BAD)
        except fx.SchemaError:
            pass
    check(bad)


def test_interrupts_do_not_leak():
    def interrupted():
        def h(record_id, data, arrival, metadata):
            if record_id == "r5":
                raise KeyboardInterrupt
            return data
        try:
            fx.transform(EVENT, h)
        except KeyboardInterrupt:
            pass
    check(interrupted)


def test_decode_builder_b64_do_not_leak():
    def builder():
        b = fx.ResponseBuilder(EVENT)
        for r in b:
            b.ok(r, fx.b64decode(fx.b64encode(r.data)), {"k": "v"})
        b.finish()
    check(builder, n=N // 2)
