/*
 * libfirehose-xform Python binding: strict base64 (the library's kernels),
 * the GIL released for inputs large enough to be worth it.
 */
#include "fhxpy_internal.h"

/* Below this many input bytes, releasing the GIL costs more than it frees
 * (the same threshold order as CPython's hashlib). */
#define FHXPY_NOGIL_MIN 65536

PyObject *fhxpy_b64encode(PyObject *data) {
    Py_buffer view;
    PyObject *out;
    size_t need, n = 0;
    int st;
    if (fhxpy_get_buffer(data, &view, "data") != 0) return NULL;
    need = fhx_b64_encoded_len((size_t)view.len);
    if (view.len > 0 && (need == 0 || need > PY_SSIZE_T_MAX)) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)need);
    if (!out) {
        PyBuffer_Release(&view);
        return NULL;
    }
    if (view.len >= FHXPY_NOGIL_MIN) {
        Py_BEGIN_ALLOW_THREADS
        st = fhx_b64_encode(view.buf, (size_t)view.len,
                            PyBytes_AS_STRING(out), need, &n);
        Py_END_ALLOW_THREADS
    } else {
        st = fhx_b64_encode(view.buf, (size_t)view.len,
                            PyBytes_AS_STRING(out), need, &n);
    }
    PyBuffer_Release(&view);
    if (st != FHX_OK) {
        Py_DECREF(out);
        return fhxpy_raise(st, 0, FHX_NO_RECORD, fhx_strerror(st));
    }
    return out;
}

static PyObject *decode(const char *src, size_t len) {
    fhx_error err;
    size_t n = 0, cap = fhx_b64_decoded_max(len);
    int st;
    PyObject *out;
    /* validate first: the exact length, and no oversized bytes object */
    if (len >= FHXPY_NOGIL_MIN) {
        Py_BEGIN_ALLOW_THREADS
        st = fhx_b64_validate(src, len, &cap, &err);
        Py_END_ALLOW_THREADS
    } else {
        st = fhx_b64_validate(src, len, &cap, &err);
    }
    if (st != FHX_OK) return fhxpy_raise_error(&err);
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
    if (!out) return NULL;
    if (len >= FHXPY_NOGIL_MIN) {
        Py_BEGIN_ALLOW_THREADS
        st = fhx_b64_decode(src, len, (uint8_t *)PyBytes_AS_STRING(out), cap,
                            &n, &err);
        Py_END_ALLOW_THREADS
    } else {
        st = fhx_b64_decode(src, len, (uint8_t *)PyBytes_AS_STRING(out), cap,
                            &n, &err);
    }
    if (st != FHX_OK) {
        Py_DECREF(out);
        return fhxpy_raise_error(&err);
    }
    return out;
}

PyObject *fhxpy_b64decode(PyObject *text) {
    Py_buffer view;
    PyObject *out;
    if (PyUnicode_Check(text)) {
        /* str: its UTF-8 form is cached in the object (no copy for ASCII);
         * a non-ASCII character is an invalid base64 character anyway */
        Py_ssize_t n;
        const char *p = PyUnicode_AsUTF8AndSize(text, &n);
        if (!p) return NULL;
        return decode(p, (size_t)n);
    }
    if (fhxpy_get_buffer(text, &view, "text") != 0) return NULL;
    out = decode(view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return out;
}
