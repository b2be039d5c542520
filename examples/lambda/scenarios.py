#!/usr/bin/env python3
"""The real bootstrap against the Runtime API emulator (no AWS).

usage: scenarios.py --bootstrap B --fhx F --gen GEN_IOT_PY --messages NDJSON
                    [--wrap "valgrind -q --error-exitcode=99"] [NAME...]

Each scenario starts the bootstrap, queues events, and checks every answer:
responses with `fhx check EVENT RESPONSE` (every recordId once, valid
base64, within the limit) and by decoding them; errors by their type and
message; the process by its exit status and its log (one EMF line per
invocation). Deterministic: no assertion depends on time; waits only guard
against a hang.
"""
import argparse
import base64
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator import LIMIT, Emulator, emf_lines, events_from_messages  # noqa

A = None          # parsed arguments
TMP = None        # scratch directory
SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def run(emu, env=None, events=(), expect_exit=0, signal_at_end=True):
    """Queue events, run the bootstrap until it answered them all and waits
    again, SIGTERM it; returns (results, output lines, EMF objects)."""
    for ev in events:
        if isinstance(ev, dict):
            emu.queue(**ev)
        else:
            emu.queue(ev)
    argv = shlex.split(A.wrap) + [A.bootstrap] if A.wrap else [A.bootstrap]
    proc = emu.spawn(argv, env=env)
    try:
        results = emu.wait_results(len(events), proc)
        if signal_at_end:
            emu.wait_idle(proc)
            proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        emu.close()
    check(proc.returncode == expect_exit,
          "exit status %s, expected %s; output:\n%s"
          % (proc.returncode, expect_exit, out.decode(errors="replace")))
    return results, out, emf_lines(out)


def fhx_check(event, response):
    ev, resp = os.path.join(TMP, "ev.json"), os.path.join(TMP, "resp.json")
    with open(ev, "wb") as f:
        f.write(event)
    with open(resp, "wb") as f:
        f.write(response)
    p = subprocess.run([A.fhx, "check", ev, resp], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    check(p.returncode == 0, "fhx check: " + p.stdout.decode(errors="replace"))


def decoded(rec):
    return base64.b64decode(rec.get("data", ""))


def event_of(payloads, prefix="r"):
    recs = ",".join('{"recordId":"%s%d","approximateArrivalTimestamp":'
                    '1700000000000,"data":"%s"}'
                    % (prefix, i, base64.b64encode(p).decode())
                    for i, p in enumerate(payloads))
    return ('{"invocationId":"inv","deliveryStreamArn":"arn:aws:firehose:'
            'eu-west-1:123456789012:deliverystream/s","region":"eu-west-1",'
            '"records":[%s]}' % recs).encode()


def normalized(line):
    """What the iot handler must deliver for a compact message line."""
    obj = json.loads(line)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---- scenarios ----------------------------------------------------------------

@scenario
def many_invocations_in_a_row():
    """60 events in a row on one connection; every answer valid; the iot
    lines and partition keys exact; one EMF line each; warm = no alloc."""
    events = events_from_messages(A.fhx, A.messages, 700)
    events = (events * 60)[:60]
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot"}, events)
    check(len(results) == 60, "60 answers")
    msgs = [line for line in open(A.messages, "rb").read().split(b"\n")
            if line]
    seen = 0
    for i, (ev, r) in enumerate(zip(events, results)):
        check(r.kind == "response", "invocation %d: %s %r" % (i, r.kind,
                                                              r.body[:200]))
        check(r.request_id == "req-%04d" % (i + 1), "request ids in order")
        fhx_check(ev, r.body)
        for rec in r.json()["records"]:
            check(rec["result"] == "Ok", "record %s Ok" % rec["recordId"])
            line = decoded(rec).decode()
            check(line.endswith("\n") and line.count("\n") == 1,
                  "one line per record")
            obj = json.loads(line)
            want = normalized(msgs[seen % len(msgs)]).encode()
            check(line.rstrip("\n").encode() == want or
                  json.loads(want) == obj, "the message, normalized")
            lv = obj["topic"].split("/")
            check(rec["metadata"]["partitionKeys"] ==
                  {"topic": lv[0], "device": lv[1]}, "partition keys")
            seen += 1
    check(emu.connections == 1, "one keep-alive connection, not %d"
          % emu.connections)
    check(len(emf) == 60, "one EMF line per invocation (%d)" % len(emf))
    for e in emf:
        m = e["_aws"]["CloudWatchMetrics"][0]
        check(m["Namespace"] == "FirehoseTransform", "namespace")
        names = [x["Name"] for x in m["Metrics"]]
        for k in names:
            check(isinstance(e[k], int), "metric %s has a value" % k)
        check(e["Handler"] == "iot" and e["Kernel"] and
              e["FunctionName"] == "fhx-local", "properties")
        check(e["Ok"] == e["Records"] and e["Failed"] == 0, "counters")
    # the same events come round again: nothing allocated any more
    n_distinct = len(set(events))
    check(all(e["Allocations"] == 0 for e in emf[n_distinct + 1:]),
          "warm invocations allocate nothing: %s"
          % [e["Allocations"] for e in emf])


@scenario
def malformed_event_goes_to_error():
    """An event that cannot be parsed: /error with its type and offset;
    the next event is answered normally."""
    good = event_of([b'{"topic":"a/b","v":1}\n'])
    bad = b'{"records":[{"recordId":"x","data":"eyJ9"},]}'
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot"},
                          [bad, good, b"", b"[1,2]"])
    check([r.kind for r in results] == ["error", "response", "error",
                                         "error"], "kinds %s" %
          [r.kind for r in results])
    err = results[0].json()
    check(err["errorType"] == "Firehose.InvalidEvent", "errorType")
    check(results[0].headers.get("lambda-runtime-function-error-type") ==
          "Firehose.InvalidEvent", "error type header")
    check("FHX_E_JSON at byte %d" % bad.index(b"]}") in err["errorMessage"],
          "message names the offset: " + err["errorMessage"])
    check(err["stackTrace"] == [], "stackTrace")
    check("FHX_E_SCHEMA at byte 0" in results[3].json()["errorMessage"],
          results[3].json()["errorMessage"])
    fhx_check(good, results[1].body)
    check(emf[0]["Outcome"] == "error" and "FHX_E_JSON" in emf[0]["Message"],
          "the log says why")


@scenario
def handler_failure_is_alone():
    """Records the handler rejects, or with bad base64, are
    ProcessingFailed alone; the others Ok."""
    payloads = [b'{"topic":"t/d1","n":1}\n', b"Hello, world!\n",
                b'{"topic":"t/d2","n":2}\n', b'{"no":"topic"}\n',
                b'{"topic":"t/d3","n":3}']
    ev = event_of(payloads).replace(b'"data":"SGVsbG8', b'"data":"!GVsbG8')
    ev2 = event_of(payloads)
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot"}, [ev, ev2])
    for e, r in zip([ev, ev2], results):
        fhx_check(e, r.body)
        got = [rec["result"] for rec in r.json()["records"]]
        check(got == ["Ok", "ProcessingFailed", "Ok", "ProcessingFailed",
                      "Ok"], "results %s" % got)
        check(decoded(r.json()["records"][4]) == b'{"topic":"t/d3","n":3}\n',
              "a newline added")
    check(emf[0]["InvalidPayload"] == 1 and emf[0]["HandlerRejected"] == 1,
          "causes %s" % emf[0])
    check(emf[1]["InvalidPayload"] == 0 and emf[1]["HandlerRejected"] == 2,
          "causes")
    check("2 of 5 records ProcessingFailed" in emf[1]["Message"],
          emf[1]["Message"])


def six_mb_event():
    path = os.path.join(TMP, "six.ndjson")
    with open(path, "wb") as f:
        subprocess.run([sys.executable, A.gen, "6000000", "1"], check=True,
                       stdout=f)
    return events_from_messages(A.fhx, path)[0]


@scenario
def six_mb_event_identity():
    """A ~6 MB event (just under the limit): every record Ok, twice (warm,
    no allocation), chunked the second time."""
    ev = six_mb_event()
    check(len(ev) > 6000000 and len(ev) <= LIMIT, "size %d" % len(ev))
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "identity"},
                          [ev, {"body": ev, "chunked": True}])
    for r in results:
        check(r.kind == "response" and len(r.body) <= LIMIT, "a response")
        fhx_check(ev, r.body)
    check(results[0].body == results[1].body, "chunked: same answer")
    check(emf[0]["Failed"] == 0 and emf[0]["Records"] > 15000, "all Ok")
    check(emf[1]["Allocations"] == 0, "warm: %d allocations"
          % emf[1]["Allocations"])


@scenario
def response_over_the_limit():
    """The iot handler adds partition keys to every record of a ~6 MB
    event: the response would pass 6,291,556 bytes. It never does: the
    records past the limit are ProcessingFailed, and the log says so."""
    ev = six_mb_event()
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot"}, [ev])
    r = results[0]
    check(r.kind == "response", "a response, not %s" % r.kind)
    check(len(r.body) <= LIMIT, "size %d within the limit" % len(r.body))
    fhx_check(ev, r.body)
    recs = r.json()["records"]
    failed = [x for x in recs if x["result"] == "ProcessingFailed"]
    check(len(failed) > 0 and len(failed) == emf[0]["OverLimit"],
          "over the limit: %d, logged %d" % (len(failed),
                                             emf[0]["OverLimit"]))
    check(all("data" not in x for x in failed), "failed records carry "
          "no data (Firehose keeps the originals)")
    first = recs.index(failed[0])
    check(all(x["result"] == "Ok" for x in recs[:first]), "Ok before")
    check("over the response limit" in emf[0]["Message"], emf[0]["Message"])


@scenario
def response_limit_setting():
    """FHX_RESPONSE_LIMIT lowers the limit (never raises it)."""
    ev = event_of([b'{"topic":"a/b","pad":"%s"}\n' % (b"x" * 600)] * 10)
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot",
                                "FHX_RESPONSE_LIMIT": "4000"}, [ev])
    check(len(results[0].body) <= 4000, "within 4000")
    fhx_check(ev, results[0].body)
    check(0 < emf[0]["OverLimit"] < 10, "some over: %d" % emf[0]["OverLimit"])
    emu = Emulator()
    results, out, _ = run(emu, {"FHX_RESPONSE_LIMIT": "7000000"}, [],
                          expect_exit=1, signal_at_end=False)
    check(results == [] and emu.results()[0].kind == "init-error",
          "init error")


@scenario
def deadline_guard():
    """A deadline already passed: every record ProcessingFailed, a valid
    response still goes out; an ample deadline: all processed."""
    ev = event_of([b'{"topic":"a/b","n":%d}\n' % i for i in range(200)])
    emu = Emulator()
    results, _, emf = run(emu, {"FHX_HANDLER": "iot"},
                          [{"body": ev, "deadline_ms": -1000},
                           {"body": ev, "deadline_ms": 600000}])
    fhx_check(ev, results[0].body)
    check(all(x["result"] == "ProcessingFailed"
              for x in results[0].json()["records"]), "all failed")
    check(emf[0]["DeadlineFailed"] == 200 and emf[0]["HandlerRejected"] == 0,
          "counted as deadline: %s" % emf[0])
    check(all(x["result"] == "Ok" for x in results[1].json()["records"]),
          "all Ok with time")
    check(emf[1]["DeadlineFailed"] == 0, "no deadline failures")


@scenario
def invocation_id_echoed_and_reconnects():
    """Lambda-Runtime-Invocation-Id is echoed on /response and /error; a
    server that closes the connection after every answer and sends chunked
    bodies is handled."""
    good = event_of([b'{"topic":"a/b"}\n'])
    emu = Emulator()
    results, _, _ = run(emu, {"FHX_HANDLER": "iot"}, [
        {"body": good, "inv_id": "inv-1", "close": True, "chunked": True},
        {"body": b"{", "inv_id": "inv-2", "close": True},
        {"body": good, "close": True}])
    check(results[0].headers.get("lambda-runtime-invocation-id") == "inv-1",
          "echo on /response")
    check(results[1].headers.get("lambda-runtime-invocation-id") == "inv-2",
          "echo on /error")
    check("lambda-runtime-invocation-id" not in results[2].headers,
          "no echo when absent")
    check(emu.connections >= 4, "reconnected (%d)" % emu.connections)
    fhx_check(good, results[2].body)


@scenario
def unknown_handler_is_an_init_error():
    emu = Emulator()
    results, out, _ = run(emu, {"FHX_HANDLER": "nope"}, [], expect_exit=1,
                          signal_at_end=False)
    r = emu.results()
    check(len(r) == 1 and r[0].kind == "init-error", "one init error")
    check(r[0].json()["errorType"] == "Runtime.InvalidConfig", "type")
    check("unknown handler" in r[0].json()["errorMessage"], "message")


@scenario
def runtime_api_500_exits():
    """HTTP 500 from /response means non-recoverable: exit promptly."""
    emu = Emulator()
    emu.respond_status = 500
    run(emu, {"FHX_HANDLER": "identity"}, [event_of([b"x"])],
        expect_exit=1, signal_at_end=False)


@scenario
def sigterm_clean_exit():
    """SIGTERM while waiting for the next invocation: exit 0, logged."""
    emu = Emulator()
    _, out, _ = run(emu, {"FHX_HANDLER": "iot"}, [event_of([b"{}"])])
    check(b"signal received: exiting after 1 invocations" in out, out)


@scenario
def no_runtime_api():
    argv = shlex.split(A.wrap) + [A.bootstrap] if A.wrap else [A.bootstrap]
    for env in ({}, {"AWS_LAMBDA_RUNTIME_API": "runtime.example:9001"},
                {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:99999"}):
        p = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        check(p.returncode == 1 and b'"level":"fatal"' in p.stdout,
              "exit 1 with a fatal log line: %r" % p.stdout)


def main():
    global A, TMP
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--fhx", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--messages", required=True)
    ap.add_argument("--wrap", default=os.environ.get("FHX_LAMBDA_WRAP", ""))
    ap.add_argument("names", nargs="*")
    A = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as TMP:
        for fn in SCENARIOS:
            if A.names and fn.__name__ not in A.names:
                continue
            try:
                fn()
                print("ok - %s" % fn.__name__)
            except Exception as e:  # noqa: BLE001 - report and go on
                failed += 1
                print("FAIL - %s: %s" % (fn.__name__, str(e)[:2000]))
    n = len([f for f in SCENARIOS if not A.names or f.__name__ in A.names])
    print("%d passed, %d failed" % (n - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
