"""The one-shot transform: event in, a handler per record, response out."""

import json
import logging
import threading

from . import native

log = logging.getLogger("firehose_xform")

BUILTIN_HANDLERS = ("identity", "ndjson", "drop", "fail")


def _log_failure(record_id, exc):
    """Called by the native module when a handler raised an Exception."""
    log.error("record %s: the handler raised %s: %s; answered "
              "ProcessingFailed", record_id, type(exc).__name__, exc,
              exc_info=(type(exc), exc, exc.__traceback__))


def event_bytes(event):
    """The event as something the buffer protocol can read.

    bytes-like objects pass as they are (no copy). A str is encoded (one
    copy). A dict (what the Python Lambda runtime hands a handler) is
    serialised once, by the native module's compact JSON writer (several
    times faster than json.dumps; see lambda_handler for the whole cost).
    """
    if isinstance(event, dict):
        try:
            return native.event_json(event)
        except UnicodeEncodeError:
            # a lone surrogate (from a "\\ud800" escape): json.dumps
            # writes it back as that escape
            return json.dumps(event, separators=(",", ":")).encode("ascii")
    if isinstance(event, str):
        return event.encode("utf-8")
    return event


class Transformer:
    """A transformer that keeps its memory from event to event.

    One object serves one call at a time (a second concurrent call raises
    RuntimeError); transform() keeps one per thread for you.
    """

    def __init__(self, limit=None):
        self._native = native.Transformer()
        self._limit = native.LAMBDA_RESPONSE_LIMIT
        if limit is not None:
            self.limit = limit

    @property
    def limit(self):
        """The response size limit in bytes (default 6,291,556)."""
        return self._limit

    @limit.setter
    def limit(self, value):
        self._native.set_limit(value)
        self._limit = value

    def transform(self, event, handler="identity"):
        """Transform one event; return the response JSON as bytes.

        event: a bytes-like object (bytes, bytearray, memoryview, mmap: read
        in place, not copied; don't change it during the call), or a str or
        dict (serialised first).

        handler: the name of a built-in C handler ("identity", "ndjson",
        "drop", "fail": the whole transform runs in C without the GIL), or a
        callable handler(record_id, data, approximate_arrival_timestamp,
        metadata) called for each valid record, returning:
          - a bytes-like object: Ok with that data;
          - None: Dropped;
          - FAILED: ProcessingFailed;
          - (data, partition_keys): Ok with metadata.partitionKeys, a dict
            of str to str (dynamic partitioning).
        A handler that raises an Exception fails that record alone
        (ProcessingFailed; the exception is logged on the "firehose_xform"
        logger). KeyboardInterrupt, SystemExit and other BaseExceptions stop
        the transform: no response, the exception propagates.

        Raises FirehoseXformError (InvalidEventError, ...) when the event
        cannot be answered at all.
        """
        event = event_bytes(event)
        if isinstance(handler, str):
            return self._native.transform_builtin(event, handler)
        return self._native.transform_python(event, handler, _log_failure)

    @property
    def stats(self):
        """Counters of the last transform (records, ok, dropped, ...)."""
        return self._native.stats()


_local = threading.local()


def _transformer():
    t = getattr(_local, "transformer", None)
    if t is None:
        t = _local.transformer = Transformer()
    return t


def transform(event, handler="identity", limit=None):
    """Transform one event with this thread's reused Transformer.

    See Transformer.transform. limit overrides the response size limit for
    this call. Called again from inside a handler (a nested transform), it
    uses a fresh Transformer: the thread's own is busy with the outer one.
    """
    if getattr(_local, "busy", False):
        return Transformer(limit).transform(event, handler)
    t = _transformer()
    if limit is None:
        if t.limit != native.LAMBDA_RESPONSE_LIMIT:
            t.limit = native.LAMBDA_RESPONSE_LIMIT
    elif limit != t.limit:
        t.limit = limit
    _local.busy = True
    try:
        return t.transform(event, handler)
    finally:
        _local.busy = False


def last_stats():
    """Counters of this thread's last transform()."""
    return _transformer().stats
