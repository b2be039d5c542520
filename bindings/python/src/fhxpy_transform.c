/*
 * libfirehose-xform Python binding: the one-shot transform, with a
 * built-in C handler (GIL released for the whole call) or a Python handler
 * called per record.
 */
/* Python.h first, as the C API asks (it sets feature macros) */
#include "fhxpy_internal.h"

#include <string.h>

struct fhxpy_transformer {
    fhx_transformer *t;
    int busy;
};

/* What a Python handler's record leaves behind until the writer has copied
 * its answer (the start of the next record, or the end of the event). */
typedef struct py_ctx {
    PyObject *handler;
    PyObject *on_error;
    PyObject *keep;      /* the handler's return value */
    Py_buffer view;      /* ... the buffer of its data */
    int has_view;
    fhx_partition_key *keys;
    size_t keys_cap;
    int aborted;         /* a BaseException stopped the transform */
    PyObject *exc;       /* ... and here it is */
} py_ctx;

fhxpy_transformer *fhxpy_transformer_new(void) {
    fhxpy_transformer *t = PyMem_Calloc(1, sizeof *t);
    if (!t) {
        PyErr_NoMemory();
        return NULL;
    }
    if (fhx_transformer_new(&t->t, NULL) != FHX_OK) {
        PyMem_Free(t);
        PyErr_NoMemory();
        return NULL;
    }
    return t;
}

void fhxpy_transformer_free(fhxpy_transformer *t) {
    if (!t) return;
    fhx_transformer_free(t->t);
    PyMem_Free(t);
}

PyObject *fhxpy_transformer_set_limit(fhxpy_transformer *t, size_t limit) {
    if (t->busy) return PyErr_Format(PyExc_RuntimeError, "transformer busy");
    if (fhx_transformer_set_limit(t->t, limit) != FHX_OK)
        return fhxpy_raise(FHX_E_ARG, 0, FHX_NO_RECORD,
                           "the limit is smaller than an empty response");
    Py_RETURN_NONE;
}

PyObject *fhxpy_transformer_stats(fhxpy_transformer *t) {
    const fhx_transform_stats *s = fhx_transform_get_stats(t->t);
    return Py_BuildValue(
        "{sn,sn,sn,sn,sn,sn,sn,sn,sn}", "records", (Py_ssize_t)s->records,
        "ok", (Py_ssize_t)s->ok, "dropped", (Py_ssize_t)s->dropped, "failed",
        (Py_ssize_t)s->failed, "invalid", (Py_ssize_t)s->invalid,
        "handler_errors", (Py_ssize_t)s->handler_errors, "over_limit",
        (Py_ssize_t)s->over_limit, "bytes_in", (Py_ssize_t)s->bytes_in,
        "bytes_out", (Py_ssize_t)s->bytes_out);
}

/* Responses at least this big are copied out with the GIL released. */
#define FHXPY_NOGIL_COPY 65536

/* The response of a finished transform, or the exception for its error.
 * The response lives in the transformer's reused buffer: it is copied
 * into the bytes object returned (one memcpy; a view could not outlive
 * the next transform safely). */
static PyObject *result(fhxpy_transformer *t, int st, const char *resp,
                        size_t len) {
    PyObject *out;
    if (st != FHX_OK) return fhxpy_raise_error(fhx_transform_error(t->t));
    if (len < FHXPY_NOGIL_COPY)
        return PyBytes_FromStringAndSize(resp, (Py_ssize_t)len);
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
    if (!out) return NULL;
    Py_BEGIN_ALLOW_THREADS
    memcpy(PyBytes_AS_STRING(out), resp, len);
    Py_END_ALLOW_THREADS
    return out;
}

PyObject *fhxpy_transform_builtin(fhxpy_transformer *t, PyObject *event,
                                  const char *name) {
    fhx_handler_fn fn = fhx_handler_find(name);
    Py_buffer view;
    const char *resp = NULL;
    size_t len = 0;
    int st;
    PyObject *out;
    if (!fn)
        return PyErr_Format(PyExc_ValueError,
                            "unknown built-in handler %.80s (identity, "
                            "ndjson, drop, fail)",
                            name);
    if (fhxpy_get_buffer(event, &view, "event") != 0) return NULL;
    if (fhxpy_enter(&t->busy, "transformer") != 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    st = fhx_transform(t->t, view.buf, (size_t)view.len, fn, NULL, &resp,
                       &len);
    Py_END_ALLOW_THREADS
    out = result(t, st, resp, len);
    t->busy = 0;
    PyBuffer_Release(&view);
    return out;
}

/* Drop what the previous record's answer pointed at. */
static void release_answer(py_ctx *c) {
    if (c->has_view) {
        PyBuffer_Release(&c->view);
        c->has_view = 0;
    }
    Py_CLEAR(c->keep);
}

/* The handler (or the conversion of its arguments or answer) raised: an
 * Exception fails this record alone, after on_error has logged it; any other
 * BaseException (KeyboardInterrupt, SystemExit) is kept and stops the
 * transform. */
static int handler_raised(py_ctx *c, PyObject *id) {
    PyObject *type, *value, *tb, *r;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && tb) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (!value) return FHX_E_HANDLER;
    if (!PyErr_GivenExceptionMatches(value, PyExc_Exception)) {
        c->aborted = 1;
        c->exc = value;
        return FHX_E_HANDLER;
    }
    if (c->on_error != Py_None) {
        r = PyObject_CallFunctionObjArgs(c->on_error, id, value, NULL);
        if (r) {
            Py_DECREF(r);
        } else if (PyErr_ExceptionMatches(PyExc_Exception)) {
            PyErr_WriteUnraisable(c->on_error); /* logging broke: say so */
        } else {                                /* interrupted while logging */
            Py_DECREF(value);
            return handler_raised(c, id);
        }
    }
    Py_DECREF(value);
    return FHX_E_HANDLER;
}

/* Turn the handler's return value into the answer (res is kept until the
 * writer has copied it). Returns FHX_OK, or -1 with an exception. */
static int take_answer(py_ctx *c, PyObject *res, fhx_answer *ans) {
    PyObject *data = res, *keys = Py_None;
    size_t n = 0;
    c->keep = res;
    if (res == Py_None) {
        ans->result = FHX_RESULT_DROPPED;
        return FHX_OK;
    }
    if (res == fhxpy_failed) {
        ans->result = FHX_RESULT_PROCESSING_FAILED;
        return FHX_OK;
    }
    if (PyTuple_Check(res)) {
        if (PyTuple_GET_SIZE(res) != 2) {
            PyErr_SetString(PyExc_TypeError,
                            "a handler's tuple must be (data, partition_keys)");
            return -1;
        }
        data = PyTuple_GET_ITEM(res, 0);
        keys = PyTuple_GET_ITEM(res, 1);
    }
    if (PyUnicode_Check(data) || data == Py_None ||
        !PyObject_CheckBuffer(data)) {
        PyErr_Format(PyExc_TypeError,
                     "a handler returns a bytes-like object, None, FAILED or "
                     "(data, partition_keys), not %.80s",
                     Py_TYPE(data)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(data, &c->view, PyBUF_SIMPLE) != 0) return -1;
    c->has_view = 1;
    if (fhxpy_keys(keys, &c->keys, &c->keys_cap, &n) != 0) return -1;
    ans->result = FHX_RESULT_OK;
    ans->data = c->view.buf;
    ans->data_len = (size_t)c->view.len;
    ans->keys = n ? c->keys : NULL;
    ans->n_keys = n;
    return FHX_OK;
}

static int py_handler(void *ctx, const fhx_record *rec, const uint8_t *data,
                      size_t len, fhx_buf *out, fhx_answer *ans) {
    py_ctx *c = ctx;
    PyObject *args[4] = {NULL, NULL, NULL, NULL}, *res;
    int st = FHX_OK;
    size_t i;
    (void)out;
    release_answer(c);
    if (c->aborted) return FHX_E_HANDLER; /* answered, never called */
    args[0] = fhxpy_record_id(rec);
    if (args[0])
        args[1] = PyBytes_FromStringAndSize((const char *)data,
                                            (Py_ssize_t)len);
    if (args[1]) args[2] = fhxpy_arrival(rec);
    if (args[2]) args[3] = fhxpy_metadata(rec);
    if (!args[3]) {
        st = handler_raised(c, args[0] ? args[0] : Py_None);
    } else if (!(res = PyObject_Vectorcall(c->handler, args, 4, NULL))) {
        st = handler_raised(c, args[0]);
    } else if (take_answer(c, res, ans) != FHX_OK) {
        release_answer(c);
        st = handler_raised(c, args[0]);
    }
    for (i = 0; i < 4; i++) Py_XDECREF(args[i]);
    return st;
}

PyObject *fhxpy_transform_python(fhxpy_transformer *t, PyObject *event,
                                 PyObject *handler, PyObject *on_error) {
    py_ctx c;
    Py_buffer view;
    const char *resp = NULL;
    size_t len = 0;
    int st;
    PyObject *out;
    if (!PyCallable_Check(handler))
        return PyErr_Format(PyExc_TypeError,
                            "the handler must be callable or a built-in "
                            "handler's name, not %.80s",
                            Py_TYPE(handler)->tp_name);
    if (fhxpy_get_buffer(event, &view, "event") != 0) return NULL;
    if (fhxpy_enter(&t->busy, "transformer") != 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    memset(&c, 0, sizeof c);
    c.handler = handler;
    c.on_error = on_error;
    st = fhx_transform(t->t, view.buf, (size_t)view.len, py_handler, &c,
                       &resp, &len);
    release_answer(&c);
    PyMem_Free(c.keys);
    if (c.aborted) {
        /* the response is dropped: the caller gets the interruption */
        PyErr_SetObject((PyObject *)Py_TYPE(c.exc), c.exc);
        Py_DECREF(c.exc);
        out = NULL;
    } else {
        out = result(t, st, resp, len);
    }
    t->busy = 0;
    PyBuffer_Release(&view);
    return out;
}
