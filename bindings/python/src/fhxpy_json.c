/*
 * libfirehose-xform Python binding: a compact JSON serialiser for the
 * event dict the Python Lambda runtime hands a handler, so that the C
 * engine can read it. It writes what json.dumps(separators=(",", ":"),
 * ensure_ascii=False) writes, in one pass over the objects, copying the
 * runs of a str that need no escaping as they are (a record's base64 data
 * is one such run). dict (str keys), list, tuple, str, int, float, bool
 * and None; anything else is a TypeError, NaN and infinities a ValueError
 * (JSON has no such numbers).
 */
/* Python.h first, as the C API asks (it sets feature macros) */
#include "fhxpy_internal.h"

#include <string.h>

/* Deeper than the library accepts is an error anyway: stop early. */
#define FHXPY_JSON_DEPTH (FHX_MAX_DEPTH + 8)

typedef struct out {
    char *p;
    size_t len, cap;
} out;

static int grow(out *o, size_t extra) {
    size_t cap;
    char *p;
    if (o->cap - o->len >= extra) return 0;
    cap = o->cap ? o->cap : 4096;
    while (cap - o->len < extra) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    p = PyMem_Realloc(o->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    o->p = p;
    o->cap = cap;
    return 0;
}

static int put(out *o, const char *s, size_t n) {
    if (grow(o, n) != 0) return -1;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return 0;
}

static int put_str(out *o, PyObject *s) {
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(s, &n);
    size_t i, run = 0;
    if (!p) return -1;
    if (grow(o, (size_t)n + 2) != 0) return -1;
    o->p[o->len++] = '"';
    for (i = 0; i < (size_t)n; i++) {
        unsigned char c = (unsigned char)p[i];
        char esc[6];
        size_t k = 2;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (put(o, p + run, i - run) != 0) return -1;
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        if (put(o, esc, k) != 0) return -1;
    }
    if (put(o, p + run, (size_t)n - run) != 0) return -1;
    return put(o, "\"", 1);
}

/* int's own repr, as json.dumps writes it (not a subclass's __str__) */
static int put_int(out *o, PyObject *num) {
    PyObject *s = PyLong_Type.tp_repr(num);
    Py_ssize_t n;
    const char *p;
    int st;
    if (!s) return -1;
    p = PyUnicode_AsUTF8AndSize(s, &n);
    st = p ? put(o, p, (size_t)n) : -1;
    Py_DECREF(s);
    return st;
}

static int put_float(out *o, PyObject *f) {
    double d = PyFloat_AS_DOUBLE(f);
    char *s;
    int st;
    if (!(d - d == 0.0)) { /* NaN or an infinity */
        PyErr_SetString(PyExc_ValueError,
                        "NaN and infinities are not JSON numbers");
        return -1;
    }
    s = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (!s) return -1;
    st = put(o, s, strlen(s));
    PyMem_Free(s);
    return st;
}

static int value(out *o, PyObject *v, int depth);

static int put_dict(out *o, PyObject *d, int depth) {
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    int first = 1;
    if (put(o, "{", 1) != 0) return -1;
    while (PyDict_Next(d, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) {
            PyErr_Format(PyExc_TypeError,
                         "event keys must be str, not %.80s",
                         Py_TYPE(k)->tp_name);
            return -1;
        }
        if ((!first && put(o, ",", 1) != 0) || put_str(o, k) != 0 ||
            put(o, ":", 1) != 0 || value(o, v, depth + 1) != 0)
            return -1;
        first = 0;
    }
    return put(o, "}", 1);
}

static int put_seq(out *o, PyObject *seq, int depth) {
    Py_ssize_t i, n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    if (put(o, "[", 1) != 0) return -1;
    for (i = 0; i < n; i++)
        if ((i && put(o, ",", 1) != 0) || value(o, items[i], depth + 1) != 0)
            return -1;
    return put(o, "]", 1);
}

static int value(out *o, PyObject *v, int depth) {
    if (depth > FHXPY_JSON_DEPTH) {
        PyErr_SetString(PyExc_ValueError, "event nested too deeply");
        return -1;
    }
    if (PyUnicode_Check(v)) return put_str(o, v);
    if (PyDict_Check(v)) {
        /* a dict is not changed by this pass, and no Python code runs */
        return put_dict(o, v, depth);
    }
    if (PyList_Check(v) || PyTuple_Check(v)) return put_seq(o, v, depth);
    if (v == Py_True) return put(o, "true", 4);
    if (v == Py_False) return put(o, "false", 5);
    if (v == Py_None) return put(o, "null", 4);
    if (PyLong_Check(v)) return put_int(o, v);
    if (PyFloat_Check(v)) return put_float(o, v);
    PyErr_Format(PyExc_TypeError, "%.80s is not a JSON value of an event",
                 Py_TYPE(v)->tp_name);
    return -1;
}

PyObject *fhxpy_event_json(PyObject *event) {
    out o = {NULL, 0, 0};
    PyObject *bytes = NULL;
    if (!PyDict_Check(event))
        return PyErr_Format(PyExc_TypeError, "an event dict expected, not "
                            "%.80s", Py_TYPE(event)->tp_name);
    if (value(&o, event, 0) == 0)
        bytes = PyBytes_FromStringAndSize(o.p, (Py_ssize_t)o.len);
    PyMem_Free(o.p);
    return bytes;
}
