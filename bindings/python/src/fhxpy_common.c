/*
 * libfirehose-xform Python binding: module hooks, errors, and the
 * conversion of record fields to Python objects.
 */
/* Python.h first, as the C API asks (it sets feature macros) */
#include "fhxpy_internal.h"

#include <string.h>

PyObject *fhxpy_error_factory;
PyObject *fhxpy_failed;
PyObject *fhxpy_record_type;

static PyObject *replace(PyObject **slot, PyObject *value) {
    Py_XSETREF(*slot, Py_NewRef(value));
    return *slot;
}

PyObject *fhxpy_setup(PyObject *error_factory, PyObject *failed,
                      PyObject *record_type) {
    if (!PyCallable_Check(error_factory) || !PyCallable_Check(record_type)) {
        PyErr_SetString(PyExc_TypeError, "setup: callables expected");
        return NULL;
    }
    replace(&fhxpy_error_factory, error_factory);
    replace(&fhxpy_failed, failed);
    replace(&fhxpy_record_type, record_type);
    Py_RETURN_NONE;
}

PyObject *fhxpy_error_object(const fhx_error *err) {
    PyObject *record, *exc;
    const char *msg = err->msg ? err->msg : fhx_strerror(err->code);
    if (!fhxpy_error_factory) {
        PyErr_SetString(PyExc_RuntimeError,
                        "firehose_xform: the native module is not set up");
        return NULL;
    }
    if (err->record == FHX_NO_RECORD)
        record = Py_NewRef(Py_None);
    else
        record = PyLong_FromSize_t(err->record);
    if (!record) return NULL;
    exc = PyObject_CallFunction(fhxpy_error_factory, "inOs", err->code,
                                (Py_ssize_t)err->offset, record, msg);
    Py_DECREF(record);
    return exc;
}

PyObject *fhxpy_raise_error(const fhx_error *err) {
    PyObject *exc = fhxpy_error_object(err);
    if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

PyObject *fhxpy_raise(int code, size_t offset, size_t record,
                      const char *msg) {
    fhx_error err;
    err.code = code;
    err.offset = offset;
    err.record = record;
    err.msg = msg;
    return fhxpy_raise_error(&err);
}

PyObject *fhxpy_raw_str(const char *raw, size_t len, int escaped) {
    char small[256];
    char *tmp = small;
    size_t n = 0;
    fhx_error err;
    PyObject *s;
    if (!escaped)
        return PyUnicode_DecodeUTF8(raw, (Py_ssize_t)len, "surrogateescape");
    if (len > sizeof small) {
        tmp = PyMem_Malloc(len);
        if (!tmp) return PyErr_NoMemory();
    }
    if (fhx_json_unescape(raw, len, tmp, len, &n, &err) != FHX_OK) {
        if (tmp != small) PyMem_Free(tmp);
        return fhxpy_raise_error(&err);
    }
    /* lone surrogates (\ud800) are kept as they came: surrogatepass */
    s = PyUnicode_DecodeUTF8(tmp, (Py_ssize_t)n, "surrogatepass");
    if (tmp != small) PyMem_Free(tmp);
    return s;
}

/* A JSON number token: int when it has no fraction or exponent. */
static PyObject *number(const char *raw, size_t len) {
    char buf[128];
    PyObject *v;
    if (len == 0 || len >= sizeof buf) {
        PyObject *s = PyUnicode_DecodeUTF8(raw, (Py_ssize_t)len, "strict");
        if (!s) return NULL;
        v = memchr(raw, '.', len) || memchr(raw, 'e', len) ||
                    memchr(raw, 'E', len)
                ? PyFloat_FromString(s)
                : PyLong_FromUnicodeObject(s, 10);
        Py_DECREF(s);
        return v;
    }
    memcpy(buf, raw, len);
    buf[len] = '\0';
    if (memchr(buf, '.', len) || memchr(buf, 'e', len) ||
        memchr(buf, 'E', len)) {
        double d = PyOS_string_to_double(buf, NULL, NULL);
        if (d == -1.0 && PyErr_Occurred()) return NULL;
        return PyFloat_FromDouble(d);
    }
    return PyLong_FromString(buf, NULL, 10);
}

PyObject *fhxpy_meta_value(const fhx_meta_value *v) {
    const char *p = v->raw.ptr ? v->raw.ptr : "";
    size_t n = v->raw.len;
    switch (v->kind) {
    case FHX_META_STRING:
        return fhxpy_raw_str(p, n, memchr(p, '\\', n) != NULL);
    case FHX_META_NUMBER:
        return number(p, n);
    case FHX_META_OTHER:
        if (n == 4 && memcmp(p, "true", 4) == 0) Py_RETURN_TRUE;
        if (n == 5 && memcmp(p, "false", 5) == 0) Py_RETURN_FALSE;
        if (n == 4 && memcmp(p, "null", 4) == 0) Py_RETURN_NONE;
        /* an object or an array: its JSON text */
        return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "surrogateescape");
    default:
        Py_RETURN_NONE;
    }
}

PyObject *fhxpy_record_id(const fhx_record *rec) {
    return fhxpy_raw_str(rec->id.ptr ? rec->id.ptr : "", rec->id.len,
                         (rec->flags & FHX_REC_ID_ESCAPED) != 0);
}

PyObject *fhxpy_arrival(const fhx_record *rec) {
    if (rec->flags & FHX_REC_ARRIVAL_MS)
        return PyLong_FromLongLong((long long)rec->arrival_ms);
    if (rec->flags & FHX_REC_HAS_ARRIVAL) return fhxpy_meta_value(&rec->arrival);
    Py_RETURN_NONE;
}

typedef struct meta_field {
    const char *name;
    size_t offset; /* of the fhx_meta_value in the record */
} meta_field;

static const meta_field kinesis_fields[] = {
    {"shardId", offsetof(fhx_record, kinesis.shard_id)},
    {"partitionKey", offsetof(fhx_record, kinesis.partition_key)},
    {"approximateArrivalTimestamp",
     offsetof(fhx_record, kinesis.approximate_arrival_timestamp)},
    {"sequenceNumber", offsetof(fhx_record, kinesis.sequence_number)},
    {"subsequenceNumber", offsetof(fhx_record, kinesis.subsequence_number)},
};

static const meta_field msk_fields[] = {
    {"offset", offsetof(fhx_record, msk.offset)},
    {"partitionId", offsetof(fhx_record, msk.partition_id)},
    {"approximateArrivalTimestamp",
     offsetof(fhx_record, msk.approximate_arrival_timestamp)},
};

static PyObject *meta_dict(const fhx_record *rec, const meta_field *fields,
                           size_t n) {
    PyObject *d = PyDict_New();
    size_t i;
    if (!d) return NULL;
    for (i = 0; i < n; i++) {
        const fhx_meta_value *v =
            (const fhx_meta_value *)(const void *)((const char *)rec +
                                                   fields[i].offset);
        PyObject *value;
        int st;
        if (v->kind == FHX_META_ABSENT) continue;
        value = fhxpy_meta_value(v);
        if (!value) {
            Py_DECREF(d);
            return NULL;
        }
        st = PyDict_SetItemString(d, fields[i].name, value);
        Py_DECREF(value);
        if (st != 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

PyObject *fhxpy_metadata(const fhx_record *rec) {
    if (rec->flags & FHX_REC_KINESIS)
        return meta_dict(rec, kinesis_fields,
                         sizeof kinesis_fields / sizeof kinesis_fields[0]);
    if (rec->flags & FHX_REC_MSK)
        return meta_dict(rec, msk_fields,
                         sizeof msk_fields / sizeof msk_fields[0]);
    Py_RETURN_NONE;
}

/* UTF-8 of a str partition key or value (valid: no lone surrogates). */
static int key_text(PyObject *s, fhx_slice *out) {
    Py_ssize_t n;
    const char *p;
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError,
                     "partition keys and values must be str, not %.80s",
                     Py_TYPE(s)->tp_name);
        return -1;
    }
    p = PyUnicode_AsUTF8AndSize(s, &n);
    if (!p) return -1;
    out->ptr = p;
    out->len = (size_t)n;
    return 0;
}

int fhxpy_keys(PyObject *dict, fhx_partition_key **keys, size_t *cap,
               size_t *n) {
    Py_ssize_t pos = 0, size;
    PyObject *k, *v;
    *n = 0;
    if (dict == Py_None) return 0;
    if (!PyDict_Check(dict)) {
        PyErr_Format(PyExc_TypeError,
                     "partition keys must be a dict, not %.80s",
                     Py_TYPE(dict)->tp_name);
        return -1;
    }
    size = PyDict_Size(dict);
    if ((size_t)size > *cap) {
        fhx_partition_key *grown =
            PyMem_Realloc(*keys, (size_t)size * sizeof **keys);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        *keys = grown;
        *cap = (size_t)size;
    }
    while (PyDict_Next(dict, &pos, &k, &v)) {
        if (key_text(k, &(*keys)[*n].key) != 0 ||
            key_text(v, &(*keys)[*n].value) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int fhxpy_get_buffer(PyObject *obj, Py_buffer *view, const char *what) {
    if (PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be a bytes-like object, not str (encode it, "
                     "or pass bytes to avoid the copy)",
                     what);
        return -1;
    }
    return PyObject_GetBuffer(obj, view, PyBUF_SIMPLE);
}

int fhxpy_enter(int *busy, const char *what) {
    if (*busy) {
        PyErr_Format(PyExc_RuntimeError,
                     "this %s is already in use (by another thread, or by "
                     "the handler it is running)",
                     what);
        return -1;
    }
    *busy = 1;
    return 0;
}
