#!/usr/bin/env python3
"""Cold start and per-invocation overhead of the bootstrap (bench.sh).

usage: bench_runtime.py BOOTSTRAP FHX SIX_MB_EVENT RUNS COLD MESSAGES
Times come from the emulator's clock (time.monotonic_ns) and the bootstrap's
EMF line (TransformMicros). Numbers, not assertions.
"""
import os
import signal
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator import Emulator, emf_lines, events_from_messages  # noqa: E402


def cold(boot, n):
    times = []
    for _ in range(n):
        emu = Emulator()
        proc = emu.spawn([boot], env={"FHX_HANDLER": "iot"})
        emu.wait_idle(proc)
        times.append(emu.cold_start_ns() / 1e6)
        proc.send_signal(signal.SIGTERM)
        proc.communicate()
        emu.close()
    return times


def invocations(boot, handler, event, runs):
    emu = Emulator()
    for _ in range(runs + 1):
        emu.queue(event)
    proc = emu.spawn([boot], env={"FHX_HANDLER": handler})
    results = emu.wait_results(runs + 1, proc)
    emu.wait_idle(proc)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate()
    emu.close()
    emf = emf_lines(out)
    rows = []
    for r, e in list(zip(results, emf))[1:]:  # the first one warms up
        rows.append(((r.done_ns - r.sent_ns) / 1e3, e["TransformMicros"],
                     e["InvocationMicros"], e["Allocations"], e["Failed"]))
    return rows


def main(argv):
    boot, fhx, six, runs, n_cold, msgs = argv[1:7]
    runs, n_cold = int(runs), int(n_cold)
    c = cold(boot, n_cold)
    print("cold start, process start to first /next (%d runs): best %.2f ms,"
          " median %.2f ms" % (n_cold, min(c), statistics.median(c)))
    small = events_from_messages(fhx, msgs)[0]
    with open(six, "rb") as f:
        big = f.read()
    print("%-34s %10s %10s %10s %10s %6s %7s" % (
        "invocation (median of %d)" % runs, "event->ack", "transform",
        "in-runtime", "overhead", "allocs", "failed"))
    for name, handler, ev in (("small event (%d B), iot" % len(small),
                               "iot", small),
                              ("6 MB event, identity", "identity", big),
                              ("6 MB event, iot (limit fallback)", "iot",
                               big)):
        rows = invocations(boot, handler, ev, runs)
        rt = statistics.median(r[0] for r in rows)
        tr = statistics.median(r[1] for r in rows)
        inr = statistics.median(r[2] for r in rows)
        print("%-34s %8.0f us %7.0f us %7.0f us %7.0f us %6d %7d" % (
            name, rt, tr, inr, rt - tr, max(r[3] for r in rows),
            rows[0][4]))
        if handler == "iot" and len(ev) > 1000000:
            print("  iot end to end: %.1f MB/s of event JSON (transform "
                  "only, both passes: %.1f MB/s)" % (len(ev) / rt,
                                                    len(ev) / tr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
