"""Decoding an event record by record, and building its response."""

import collections

from . import native

#: What a handler returns to answer its record ProcessingFailed without
#: raising (nothing is logged).
class _Failed:
    __slots__ = ()

    def __repr__(self):
        return "firehose_xform.FAILED"


FAILED = _Failed()

OK, DROPPED, PROCESSING_FAILED = 0, 1, 2
_RESULTS = {"Ok": OK, "Dropped": DROPPED, "ProcessingFailed": PROCESSING_FAILED,
            OK: OK, DROPPED: DROPPED, PROCESSING_FAILED: PROCESSING_FAILED}


class Record(collections.namedtuple("Record", (
        "index", "record_id", "data", "approximate_arrival_timestamp",
        "metadata", "error", "offset", "kafka"))):
    """One record of an event.

    index       0-based position in the event's records array
    record_id   the recordId (str, JSON escapes resolved)
    data        the decoded payload (bytes), None when the record is invalid
    approximate_arrival_timestamp
                epoch milliseconds (int); a drifted value as json.loads
                gives it; None when absent
    metadata    kinesisRecordMetadata or mskRecordMetadata as a dict (values
                as json.loads gives them), None for Direct PUT
    error       None, or the FirehoseXformError (code, byte offset) that
                makes the record invalid: answer it ProcessingFailed
    offset      byte offset of the record's '{' in the event
    kafka       True when the payload came as kafkaRecordValue (MSK)
    """

    __slots__ = ()

    @property
    def ok(self):
        """True when the record is valid (its data decoded)."""
        return self.error is None


def decode(event):
    """Iterate the records of an event (a bytes-like object, read in place).

    Raises the event-level FirehoseXformError (JSONError, SchemaError, ...)
    when the event is not a valid Firehose event; an invalid record is
    yielded with its error instead.
    """
    session = native.Session(event)
    while True:
        rec = session.next()
        if rec is None:
            return
        yield rec


class ResponseBuilder:
    """Answer the records of an event, in any order, then finish().

        builder = ResponseBuilder(event)
        for rec in builder:
            if rec.ok:
                builder.ok(rec, rec.data.upper())
            else:
                builder.failed(rec)
        body = builder.finish()           # bytes: the response JSON

    The library's guard makes a wrong response impossible to finish: an
    answer for a record of another event raises UnknownRecordIdError, a
    second answer DuplicateRecordIdError (both leave the builder usable),
    and finish() with a record unanswered raises MissingRecordIdError. An
    answer that would take the response past the limit (6,291,556 bytes by
    default) is written as ProcessingFailed instead: ok() then returns
    False. When even a ProcessingFailed answer does not fit, the latest
    answers are rewritten in their smallest form to make room (an Ok one
    becomes ProcessingFailed: Firehose keeps that record in its error
    output); `rewritten` counts those Ok answers. LimitError is raised only
    when ProcessingFailed answers to all the records cannot fit.
    """

    def __init__(self, event, limit=None):
        self._session = native.Session(event)
        if limit is not None:
            self._session.set_limit(limit)

    def __iter__(self):
        session = self._session
        while True:
            rec = session.next()
            if rec is None:
                return
            yield rec

    @property
    def header(self):
        """The event's top-level members (complete once iterated)."""
        return self._session.header()

    def answer(self, record, result, data=None, partition_keys=None):
        """Answer a record: result "Ok", "Dropped", "ProcessingFailed".

        data is a bytes-like object (Ok only); partition_keys a dict of
        str to str (written as metadata.partitionKeys). Returns True when
        written as asked, False when replaced by ProcessingFailed because
        of the size limit.
        """
        try:
            code = _RESULTS[result]
        except (KeyError, TypeError):
            from .errors import ResultError, E_RESULT
            raise ResultError(E_RESULT, 0, record.index,
                              "result must be Ok, Dropped or "
                              "ProcessingFailed, not %r" % (result,))
        return self._session.answer(record.index, record.record_id, code,
                                    data, partition_keys)

    def ok(self, record, data, partition_keys=None):
        """Answer Ok with data (bytes-like)."""
        return self._session.answer(record.index, record.record_id, OK, data,
                                    partition_keys)

    def dropped(self, record):
        """Answer Dropped."""
        self._session.answer(record.index, record.record_id, DROPPED, None,
                             None)

    def failed(self, record):
        """Answer ProcessingFailed (Firehose keeps the original record)."""
        self._session.answer(record.index, record.record_id,
                             PROCESSING_FAILED, None, None)

    @property
    def rewritten(self):
        """Ok answers since rewritten as ProcessingFailed to make room."""
        return self._session.rewritten()

    def finish(self):
        """Close the response and return it (bytes)."""
        return self._session.finish()
