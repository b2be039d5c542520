#!/usr/bin/env python3
"""A local Lambda Runtime API (docs/contract.md section 7) for the bootstrap.

No AWS: it serves queued events on GET /2018-06-01/runtime/invocation/next,
records what comes back on .../response, .../error and /init/error, and runs
the real bootstrap binary against itself. Standard library only.

Library use (scenarios.py):
    emu = Emulator()                      # listens on 127.0.0.1:<free port>
    emu.queue(event_bytes, deadline_ms=60000, chunked=False, close=False)
    proc = emu.spawn(["./bootstrap"], env={"FHX_HANDLER": "iot"})
    results = emu.wait_results(n)         # [Result(kind, body, ...)]
    emu.wait_idle()                       # the bootstrap waits on /next
    proc.send_signal(SIGTERM); proc.wait()
    emu.close()

Command line:
    emulator.py demo --bootstrap B --fhx F [--handler H] MESSAGES.ndjson
        runs the messages (as Firehose events built by `fhx event`) through
        the bootstrap and shows what each invocation answered.

Timestamps: spawn() notes the monotonic clock just before the process is
started, and the first /next request is stamped on arrival, so
cold_start_ns() is process start to first /next.
"""
import base64
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

LIMIT = 6291556  # Lambda's response payload limit, bytes
BASE = "/2018-06-01/runtime"


class Result:
    """One answer from the bootstrap."""

    def __init__(self, kind, request_id, body, headers, sent_ns, done_ns):
        self.kind = kind            # "response", "error" or "init-error"
        self.request_id = request_id
        self.body = body            # bytes
        self.headers = headers      # dict, names lower-cased
        self.sent_ns = sent_ns      # the event was sent (0 for init errors)
        self.done_ns = done_ns      # the answer was complete

    def json(self):
        return json.loads(self.body)


class Emulator:
    def __init__(self):
        self._cv = threading.Condition()
        self._events = []           # queued invocations
        self._results = []
        self._pending = {}          # request id -> (sent_ns, invocation id)
        self._seq = 0
        self._waiting = 0           # /next requests waiting for an event
        self._closed = False
        self.first_next_ns = None
        self.spawn_ns = None
        self.connections = 0
        self.respond_status = 202   # status for /response (tests: 500)
        emu = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # headers and body are separate writes: without this,
                # Nagle + delayed ACK add 40 ms to every answer
                self.connection.setsockopt(socket.IPPROTO_TCP,
                                           socket.TCP_NODELAY, 1)
                with emu._cv:
                    emu.connections += 1

            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                if self.path != BASE + "/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                now = time.monotonic_ns()
                with emu._cv:
                    if emu.first_next_ns is None:
                        emu.first_next_ns = now
                    emu._waiting += 1
                    emu._cv.notify_all()
                    while not emu._events and not emu._closed:
                        emu._cv.wait(0.5)
                    emu._waiting -= 1
                    if emu._closed:
                        self.close_connection = True
                        return
                    ev = emu._events.pop(0)
                    emu._seq += 1
                    rid = "req-%04d" % emu._seq
                    emu._pending[rid] = (time.monotonic_ns(), ev["inv_id"])
                body = ev["body"]
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
                deadline = int(time.time() * 1000) + ev["deadline_ms"]
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:eu-west-1:123456789012:"
                                 "function:fhx-local")
                self.send_header("Lambda-Runtime-Trace-Id",
                                 "Root=1-00000000-000000000000000000000000")
                if ev["inv_id"]:
                    self.send_header("Lambda-Runtime-Invocation-Id",
                                     ev["inv_id"])
                self.send_header("Content-Type", "application/json")
                if ev["close"]:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                if ev["chunked"]:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    step = max(1, len(body) // 7)
                    for i in range(0, len(body), step):
                        piece = body[i:i + step]
                        self.wfile.write(b"%x;ext=1\r\n" % len(piece) +
                                         piece + b"\r\n")
                    self.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
                else:
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                self.wfile.flush()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                done = time.monotonic_ns()
                headers = {k.lower(): v for k, v in self.headers.items()}
                parts = self.path.split("/")
                if self.path == BASE + "/init/error":
                    kind, rid, sent = "init-error", None, 0
                elif (len(parts) == 6 and parts[3] == "invocation" and
                      parts[5] in ("response", "error")):
                    rid, kind = parts[4], parts[5]
                    with emu._cv:
                        if rid not in emu._pending:
                            return self._reply(400, b'{"errorType":'
                                               b'"InvalidRequestID"}')
                        sent, _ = emu._pending.pop(rid)
                    if kind == "response" and length > LIMIT:
                        self._record(Result("too-large", rid, body, headers,
                                            sent, done))
                        return self._reply(413, b'{"errorMessage":"Exceeded '
                                           b'maximum allowed payload size '
                                           b'(6291556 bytes).","errorType":'
                                           b'"RequestEntityTooLarge"}')
                else:
                    return self._reply(404, b'{"errorType":"NotFound"}')
                status = emu.respond_status if kind == "response" else 202
                self._record(Result(kind, rid, body, headers, sent, done))
                self._reply(status, b'{"status":"OK"}')

            def _record(self, result):
                with emu._cv:
                    emu._results.append(result)
                    emu._cv.notify_all()

            def _reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                       Handler)
        self._server.daemon_threads = True
        self.address = "127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)
        self._thread.start()

    # ---- driving ------------------------------------------------------------
    def queue(self, body, deadline_ms=60000, chunked=False, close=False,
              inv_id=None):
        with self._cv:
            self._events.append({"body": body, "deadline_ms": deadline_ms,
                                 "chunked": chunked, "close": close,
                                 "inv_id": inv_id})
            self._cv.notify_all()

    def spawn(self, argv, env=None, stdout=subprocess.PIPE):
        full = {"AWS_LAMBDA_RUNTIME_API": self.address,
                "AWS_LAMBDA_FUNCTION_NAME": "fhx-local",
                "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        full.update(env or {})
        self.spawn_ns = time.monotonic_ns()
        return subprocess.Popen(argv, env=full, stdout=stdout,
                                stderr=subprocess.STDOUT)

    def _wait(self, pred, what, proc=None, timeout=120):
        # a hang guard, not a timing assertion: it only turns a stuck
        # bootstrap into a failure instead of a stuck test
        end = time.monotonic() + timeout
        with self._cv:
            while not pred():
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError("bootstrap exited (%s) while waiting "
                                       "for %s" % (proc.returncode, what))
                left = end - time.monotonic()
                if left <= 0:
                    raise RuntimeError("gave up waiting for %s" % what)
                self._cv.wait(min(left, 0.2))

    def wait_results(self, n, proc=None):
        """The first n answers (waits for them)."""
        self._wait(lambda: len(self._results) >= n, "%d answers" % n, proc)
        with self._cv:
            return list(self._results[:n])

    def wait_idle(self, proc=None):
        """Wait until every queued event was taken and /next waits again."""
        self._wait(lambda: not self._events and self._waiting > 0,
                   "the bootstrap to wait on /next", proc)

    def results(self):
        with self._cv:
            return list(self._results)

    def cold_start_ns(self):
        if self.first_next_ns is None or self.spawn_ns is None:
            return None
        return self.first_next_ns - self.spawn_ns

    def close(self):
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._server.shutdown()
        self._server.server_close()


def events_from_messages(fhx, path, max_bytes=None):
    """Firehose events (bytes) made by `fhx event` from ndjson messages."""
    cmd = [fhx, "event"]
    if max_bytes:
        cmd += ["--max-bytes", str(max_bytes)]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    out = subprocess.run(cmd + [path], check=True, stdout=subprocess.PIPE,
                         env=env).stdout
    return [line for line in out.split(b"\n") if line]


def emf_lines(output):
    """The EMF log lines among the bootstrap's output lines."""
    lines = []
    for raw in output.decode("utf-8", "replace").splitlines():
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict) and "_aws" in obj:
            lines.append(obj)
    return lines


def demo(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="emulator.py demo")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--fhx", required=True)
    ap.add_argument("--handler", default="iot")
    ap.add_argument("--max-bytes", type=int, default=2048)
    ap.add_argument("messages")
    a = ap.parse_args(argv)
    events = events_from_messages(a.fhx, a.messages, a.max_bytes)
    emu = Emulator()
    for ev in events:
        emu.queue(ev)
    print("== Runtime API emulator on %s, handler %s: %d events from %s"
          % (emu.address, a.handler, len(events), a.messages))
    proc = emu.spawn([a.bootstrap], env={"FHX_HANDLER": a.handler})
    try:
        results = emu.wait_results(len(events), proc)
        emu.wait_idle(proc)
        proc.send_signal(15)
        out, _ = proc.communicate()
    finally:
        emu.close()
    for i, r in enumerate(results, 1):
        print("\n== invocation %d (%s): %s, %d bytes in %.3f ms"
              % (i, r.request_id, r.kind, len(r.body),
                 (r.done_ns - r.sent_ns) / 1e6))
        if r.kind != "response":
            print("   " + r.body.decode())
            continue
        for rec in r.json()["records"]:
            keys = rec.get("metadata", {}).get("partitionKeys", {})
            line = base64.b64decode(rec.get("data", "")).decode("utf-8",
                                                               "replace")
            print("   %-16s %-8s %-40s %s" % (
                rec["recordId"][-16:], rec["result"],
                "/".join("%s=%s" % kv for kv in keys.items()),
                line.rstrip("\n")[:60]))
    print("\n== the bootstrap's log (EMF, one line per invocation):")
    for line in out.decode("utf-8", "replace").splitlines():
        print("   " + (line if len(line) < 400 else line[:400] + "..."))
    print("\n== exit status %d after SIGTERM; cold start (process start to "
          "first /next) %.2f ms" % (proc.returncode,
                                    emu.cold_start_ns() / 1e6))
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        sys.exit(demo(sys.argv[2:]))
    sys.stderr.write(__doc__)
    sys.exit(64)
