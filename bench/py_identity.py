#!/usr/bin/env python3
"""The identity transform in plain Python (json + base64): the baseline.

For each record of a Firehose transformation event: base64-decode data,
base64-encode it again, answer Ok. This is what a straightforward Python
Lambda does.

usage:
  py_identity.py EVENT > RESPONSE     one transform (time it as a process)
  py_identity.py --bench N EVENT      in-process: best of N, timing only
                                      the transform (time.perf_counter),
                                      not reading the file or starting up
"""
import base64
import json
import sys
import time


def transform(event_bytes):
    event = json.loads(event_bytes)
    records = []
    for rec in event["records"]:
        data = base64.b64decode(rec["data"], validate=True)
        records.append({"recordId": rec["recordId"], "result": "Ok",
                        "data": base64.b64encode(data).decode("ascii")})
    return json.dumps({"records": records}, separators=(",", ":"))


def main(argv):
    if len(argv) == 2:
        with open(argv[1], "rb") as f:
            event = f.read()
        sys.stdout.write(transform(event))
        return 0
    if len(argv) == 4 and argv[1] == "--bench" and argv[2].isdigit():
        runs = max(1, int(argv[2]))
        with open(argv[3], "rb") as f:
            event = f.read()
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            transform(event)
            best = min(best, time.perf_counter() - t0)
        mb = len(event) / 1e6
        print("python in-process: %d bytes, best of %d: %.3f ms, %.1f MB/s"
              % (len(event), runs, best * 1e3, mb / best))
        print("seconds %.9f" % best)
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
