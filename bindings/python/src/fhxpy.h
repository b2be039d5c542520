/*
 * libfirehose-xform Python binding: the C glue that firehose_xform.i hands
 * to SWIG. Everything here speaks the CPython C API; SWIG generates the
 * module, the argument conversion and the classes around it.
 *
 * Model:
 *   - Input comes through the buffer protocol (bytes, bytearray, memoryview,
 *     mmap, ...): the exporter's memory is read in place, never copied, and
 *     the Py_buffer is held for as long as the C side points into it.
 *   - The GIL is released while only C runs: the whole transform with a
 *     built-in handler, the copy of a large response, base64 on large
 *     inputs. A transform with a Python handler keeps the GIL: between two
 *     handler calls the C work is one record's decoding and answer, too
 *     short to pay for dropping and retaking the GIL per record; other
 *     threads still get their turns, the interpreter switches threads
 *     inside the handler's own bytecode.
 *   - Errors raise the exception that the package's error factory builds
 *     from (code, offset, record, message); see fhxpy_setup.
 *   - Objects (transformer, decoder, response builder) are not
 *     thread-safe; each refuses a second concurrent or re-entrant call with
 *     RuntimeError instead of corrupting itself.
 */
#ifndef FHXPY_H
#define FHXPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <firehose-xform.h>

/* ---- module setup (fhxpy_common.c) ---------------------------------- */

/**
 * Register the package's hooks, once, at import.
 * @param error_factory callable(code, offset, record, message) returning
 *        the exception instance to raise (record is None for no record).
 * @param failed the sentinel a handler returns for ProcessingFailed.
 * @param record_type the class of decoded records: called with keyword
 *        arguments (see fhxpy_record_new).
 * @return None, or NULL with an exception.
 */
PyObject *fhxpy_setup(PyObject *error_factory, PyObject *failed,
                      PyObject *record_type);

/* ---- base64 (fhxpy_b64.c) ------------------------------------------- */

/** Strict base64 of a bytes-like object, as bytes. */
PyObject *fhxpy_b64encode(PyObject *data);

/** Strict base64 decoding of a bytes-like object or an ASCII str. */
PyObject *fhxpy_b64decode(PyObject *text);

/* ---- the event dict of the Python runtime (fhxpy_json.c) ---------- */

/**
 * Serialise an event dict to compact JSON (UTF-8) for the engine: what
 * json.dumps(event, separators=(",", ":"), ensure_ascii=False) gives,
 * without its per-object overhead.
 * @return bytes, or NULL with TypeError (not JSON data), ValueError (NaN,
 *         too deep) or UnicodeEncodeError (a lone surrogate).
 */
PyObject *fhxpy_event_json(PyObject *event);

/* ---- one-shot transform (fhxpy_transform.c) ------------------------- */

/** A reusable transformer (Python class Transformer). */
typedef struct fhxpy_transformer fhxpy_transformer;

fhxpy_transformer *fhxpy_transformer_new(void);
void fhxpy_transformer_free(fhxpy_transformer *t);

/**
 * Transform an event (a bytes-like object) with a built-in handler by name
 * ("identity", "ndjson", "drop", "fail"), the GIL released.
 * @return the response as bytes, or NULL with an exception.
 */
PyObject *fhxpy_transform_builtin(fhxpy_transformer *t, PyObject *event,
                                  const char *name);

/**
 * Transform an event with a Python handler, called per valid record as
 * handler(record_id, data, approximate_arrival_timestamp, metadata).
 * on_error(record_id, exc) is called (to log) for a handler that raised an
 * Exception; the record is then answered ProcessingFailed. Any other
 * BaseException (KeyboardInterrupt, SystemExit) stops calling the handler,
 * discards the response and propagates.
 */
PyObject *fhxpy_transform_python(fhxpy_transformer *t, PyObject *event,
                                 PyObject *handler, PyObject *on_error);

/** Set the response size limit (bytes). */
PyObject *fhxpy_transformer_set_limit(fhxpy_transformer *t, size_t limit);

/** Counters of the last transform, as a dict. */
PyObject *fhxpy_transformer_stats(fhxpy_transformer *t);

/* ---- decoding and the response builder (fhxpy_response.c) ----------- */

/** An event being decoded and, optionally, answered (class Session). */
typedef struct fhxpy_session fhxpy_session;

/** Start on an event (bytes-like; its buffer is held until free). */
fhxpy_session *fhxpy_session_new(PyObject *event);
void fhxpy_session_free(fhxpy_session *s);

/**
 * The next record, as the record class; None at the end of the event.
 * Raises the event-level error when the event is invalid.
 */
PyObject *fhxpy_session_next(fhxpy_session *s);

/** The event's top-level members, as a dict (complete after the end). */
PyObject *fhxpy_session_header(fhxpy_session *s);

/**
 * Answer record `index` (whose recordId must be record_id) with result
 * 0 (Ok), 1 (Dropped) or 2 (ProcessingFailed), data (a bytes-like object
 * or None) and partition keys (a dict of str to str, or None).
 * @return True when written as asked; False when the answer would have
 *         taken the response past its limit, so the record was answered
 *         ProcessingFailed instead. When even ProcessingFailed does not
 *         fit, the latest answers are rewritten in their smallest form
 *         (src/room.h) to make room; LimitError only when there is none.
 */
PyObject *fhxpy_session_answer(fhxpy_session *s, size_t index,
                               PyObject *record_id, int result,
                               PyObject *data, PyObject *keys);

/** Ok answers written earlier and rewritten ProcessingFailed since, to make
 * room for a later record's ProcessingFailed answer under the limit. */
PyObject *fhxpy_session_rewritten(fhxpy_session *s);

/** Close the response: every record answered. @return bytes. */
PyObject *fhxpy_session_finish(fhxpy_session *s);

/** Set the response size limit before the first answer. */
PyObject *fhxpy_session_set_limit(fhxpy_session *s, size_t limit);

#endif /* FHXPY_H */
