#!/usr/bin/env python3
"""The Python binding against plain json+base64 Python, in one run.

make python-bench builds a ~6 MB IoT event (bench/gen_iot.py, then
`fhx event`, exactly as make bench does) and times, in-process, best of
RUNS (perf_counter around the call only, the event already in memory):

  baseline   bench/py_identity.py's transform(): json.loads, b64decode,
             b64encode, json.dumps (the plain Python identity transform)
  C path     firehose_xform.transform(event, "identity" | "ndjson"): the
             whole transform in C, GIL released
  Python     firehose_xform.transform(event, handler) with a per-record
             Python handler that returns its data (the same identity)
  enrich     a handler doing real work per record (json.loads the message,
             add a field, json.dumps), against the same work in the
             baseline's shape
  Lambda     the shape of the Python runtime: the event arrives as a dict
             (the runtime's json.loads is not timed, it is the same for
             everyone) and the runtime serialises a returned dict (timed
             here with json.dumps: the real runtime uses simplejson).

Every binding response is checked against the baseline's (byte-identical
for identity, same answers for the rest) before anything is timed.
Numbers, not assertions: they move with the machine's load; the ratios,
measured in the same run, are what to compare.
"""
import argparse
import base64
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

# The script's directory holds the package's sources, not the built
# extension: import the installed (or staged, PYTHONPATH) package instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
import firehose_xform as fx  # noqa: E402


def load_baseline(path):
    spec = importlib.util.spec_from_file_location("py_identity", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_event(fhx, gen, size):
    with tempfile.TemporaryDirectory() as tmp:
        msgs = os.path.join(tmp, "messages.ndjson")
        with open(msgs, "wb") as f:
            subprocess.run([sys.executable, gen, str(size), "1"], stdout=f,
                           check=True)
        out = subprocess.run([fhx, "event", msgs], check=True,
                             stdout=subprocess.PIPE,
                             env=dict(os.environ,
                                      SOURCE_DATE_EPOCH="1700000000")).stdout
    return out.split(b"\n", 1)[0]


def best(fn, runs):
    fn()  # warm: caches, the thread's reused transformer
    t = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def identity_handler(record_id, data, arrival, metadata):
    return data


def enrich_message(line):
    msg = json.loads(line)
    msg["enriched"] = True
    return json.dumps(msg, separators=(",", ":")).encode() + b"\n"


def enrich_handler(record_id, data, arrival, metadata):
    return enrich_message(data)


def baseline_enrich(event_bytes):
    event = json.loads(event_bytes)
    records = []
    for rec in event["records"]:
        data = base64.b64decode(rec["data"], validate=True)
        records.append({"recordId": rec["recordId"], "result": "Ok",
                        "data": base64.b64encode(enrich_message(data))
                        .decode("ascii")})
    return json.dumps({"records": records}, separators=(",", ":"))


def baseline_lambda(event, context=None):
    """A plain Python Firehose Lambda handler (the blueprint's shape)."""
    records = []
    for rec in event["records"]:
        data = base64.b64decode(rec["data"], validate=True)
        records.append({"recordId": rec["recordId"], "result": "Ok",
                        "data": base64.b64encode(data).decode("ascii")})
    return {"records": records}


def answers(resp):
    return [(r["recordId"], r["result"], r.get("data"))
            for r in json.loads(resp)["records"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fhx", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--size", type=int, default=6000000)
    ap.add_argument("--runs", type=int,
                    default=int(os.environ.get("RUNS", "15")))
    a = ap.parse_args()
    py = load_baseline(a.baseline)
    event = make_event(a.fhx, a.gen, a.size)
    n = len(json.loads(event)["records"])
    mb = len(event) / 1e6
    print("event: %d bytes, %d records; best of %d; Python %s; %s"
          % (len(event), n, a.runs, sys.version.split()[0], sys.executable))

    # ---- same answers first ----
    base = py.transform(event).encode()
    if fx.transform(event, "identity") != base:
        sys.exit("identity: binding and baseline responses DIFFER")
    if fx.transform(event, identity_handler) != base:
        sys.exit("Python handler: binding and baseline responses DIFFER")
    if answers(fx.transform(event, enrich_handler)) != answers(
            baseline_enrich(event)):
        sys.exit("enrich: binding and baseline answers DIFFER")
    ev_dict = json.loads(event)
    lam_raw = fx.lambda_handler("identity", raw=True)
    lam_dict = fx.lambda_handler("identity")
    lam_py = fx.lambda_handler(identity_handler, raw=True)
    if (answers(lam_raw(ev_dict)) != answers(base)
            or answers(json.dumps(lam_dict(ev_dict))) != answers(base)
            or answers(json.dumps(baseline_lambda(ev_dict))) != answers(base)):
        sys.exit("Lambda shapes: answers DIFFER")
    print("responses: identical to the baseline's (%d bytes)" % len(base))
    print()

    rows = []

    def row(group, name, fn, vs):
        t = best(fn, a.runs)
        rows.append((group, name, t, vs))
        return t

    b_id = row("identity", "baseline: json+base64 Python",
               lambda: py.transform(event), None)
    row("identity", "binding, C handler identity",
        lambda: fx.transform(event, "identity"), b_id)
    row("identity", "binding, C handler ndjson",
        lambda: fx.transform(event, "ndjson"), b_id)
    row("identity", "binding, Python handler (returns data)",
        lambda: fx.transform(event, identity_handler), b_id)
    b_en = row("enrich", "baseline: json+base64 Python + enrich",
               lambda: baseline_enrich(event), None)
    row("enrich", "binding, Python handler enrich",
        lambda: fx.transform(event, enrich_handler), b_en)
    b_la = row("lambda", "baseline handler + runtime json.dumps",
               lambda: json.dumps(baseline_lambda(ev_dict)), None)
    row("lambda", "lambda_handler('identity') dict + json.dumps",
        lambda: json.dumps(lam_dict(ev_dict)), b_la)
    row("lambda", "lambda_handler('identity', raw=True)",
        lambda: lam_raw(ev_dict), b_la)
    row("lambda", "lambda_handler(python identity, raw=True)",
        lambda: lam_py(ev_dict), b_la)
    row("lambda", "  its dict -> JSON step (native.event_json)",
        lambda: fx.native.event_json(ev_dict), None)
    row("lambda", "  the same step with json.dumps",
        lambda: json.dumps(ev_dict, separators=(",", ":")).encode("ascii"),
        None)

    print("%-48s %9s %9s %8s" % ("in-process, best of %d" % a.runs, "ms",
                                 "MB/s", "speedup"))
    group = None
    for g, name, t, vs in rows:
        if g != group and group is not None:
            print()
        group = g
        print("%-48s %9.2f %9.1f %8s" % (name, t * 1e3, mb / t,
                                          "%.1fx" % (vs / t) if vs else ""))
    print()
    print("targets: C path >= 20x, per-record Python handler >= 3x "
          "(identity group)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
