"""Threads calling transform at once: each gets its own answers."""
import threading

import pytest

import firehose_xform as fx
from conftest import make_event, iot_payloads, answers

N_THREADS = 8
ROUNDS = 40


def tagger(tag):
    def handler(record_id, data, arrival, metadata):
        return tag + data
    return handler


def test_concurrent_transforms_are_independent():
    events = [make_event(iot_payloads(30 + t, seed=t),
                         ids=["t%d-%d" % (t, i) for i in range(30 + t)])
              for t in range(N_THREADS)]
    expect = {}
    for t, ev in enumerate(events):
        expect[t] = (fx.transform(ev, "ndjson"),
                     fx.transform(ev, tagger(b"%d:" % t)))
    failures = []
    barrier = threading.Barrier(N_THREADS)

    def work(t):
        try:
            barrier.wait()
            for i in range(ROUNDS):
                if i % 2:
                    got = fx.transform(events[t], "ndjson")
                    want = expect[t][0]
                else:
                    got = fx.transform(events[t], tagger(b"%d:" % t))
                    want = expect[t][1]
                if got != want:
                    failures.append((t, i))
        except Exception as e:  # report, don't hang the barrier
            failures.append((t, repr(e)))

    threads = [threading.Thread(target=work, args=(t,))
               for t in range(N_THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    # and the answers are the right ones, not merely stable
    got = answers(expect[3][1])
    assert all(v[1].startswith(b"3:") for v in got.values())


def test_one_transformer_shared_by_threads_refuses_overlap():
    """A Transformer serves one call at a time: an overlapping call raises
    RuntimeError, never corrupts the other's response."""
    t = fx.Transformer()
    event = make_event(iot_payloads(50))
    want = fx.transform(event, "identity")
    inside = threading.Event()
    release = threading.Event()
    results = {}

    def slow(record_id, data, arrival, metadata):
        inside.set()
        release.wait(timeout=30)
        return data

    def first():
        results["first"] = t.transform(event, slow)

    th = threading.Thread(target=first)
    th.start()
    assert inside.wait(timeout=30)
    with pytest.raises(RuntimeError, match="already in use"):
        t.transform(event, "identity")
    release.set()
    th.join()
    assert answers(results["first"]) == answers(want)
    assert t.transform(event, "identity") == want
