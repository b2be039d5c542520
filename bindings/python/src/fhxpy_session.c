/*
 * libfirehose-xform Python binding: decoding an event record by record,
 * and answering those records through the response writer (whose guard
 * makes a response with a missing, repeated or invented recordId
 * impossible to finish).
 */
/* Python.h first, as the C API asks (it sets feature macros) */
#include "fhxpy_internal.h"

#include <string.h>

#include "../../../src/room.h"

/* What the writer needs of a record produced earlier: its slices point
 * into the event, which the session holds. */
typedef struct entry {
    fhx_slice id;
    size_t offset;
    unsigned flags;
    int answered;
} entry;

struct fhxpy_session {
    Py_buffer view;
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    fhx_buf out;
    entry *recs;
    size_t n, cap;
    fhx_partition_key *keys;
    size_t keys_cap;
    int done;     /* the decoder returned FHX_END */
    int begun;    /* the writer is bound to the event */
    int finished; /* the response is closed */
    int busy;
    size_t slack;     /* the next room to make beyond the need (room.h) */
    size_t rewritten; /* Ok answers rewritten ProcessingFailed for room */
};

fhxpy_session *fhxpy_session_new(PyObject *event) {
    fhxpy_session *s = PyMem_Calloc(1, sizeof *s);
    if (!s) {
        PyErr_NoMemory();
        return NULL;
    }
    if (fhxpy_get_buffer(event, &s->view, "event") != 0) {
        PyMem_Free(s);
        return NULL;
    }
    fhx_buf_init(&s->out, NULL);
    if (fhx_event_decoder_new(&s->dec, NULL) != FHX_OK ||
        fhx_response_writer_new(&s->w, NULL) != FHX_OK ||
        fhx_event_begin(s->dec, s->view.buf, (size_t)s->view.len) != FHX_OK) {
        fhxpy_session_free(s);
        PyErr_NoMemory();
        return NULL;
    }
    return s;
}

void fhxpy_session_free(fhxpy_session *s) {
    if (!s) return;
    fhx_response_writer_free(s->w);
    fhx_event_decoder_free(s->dec);
    fhx_buf_free(&s->out);
    PyMem_Free(s->recs);
    PyMem_Free(s->keys);
    if (s->view.obj) PyBuffer_Release(&s->view);
    PyMem_Free(s);
}

static int remember(fhxpy_session *s, const fhx_record *rec) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        entry *grown = PyMem_Realloc(s->recs, cap * sizeof *grown);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        s->recs = grown;
        s->cap = cap;
    }
    s->recs[s->n].id = rec->id;
    s->recs[s->n].offset = rec->offset;
    s->recs[s->n].flags = rec->flags;
    s->recs[s->n].answered = 0;
    s->n++;
    return 0;
}

/* The decoded payload, or the record-level error. */
static int payload(const fhx_record *rec, PyObject **data, PyObject **error) {
    size_t n = 0;
    int st;
    if (rec->status != FHX_OK) {
        *data = Py_NewRef(Py_None);
        *error = fhxpy_error_object(&rec->err);
        return *error ? 0 : -1;
    }
    *error = Py_NewRef(Py_None);
    *data = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)rec->data_len);
    if (!*data) return -1;
    st = fhx_record_decode(rec, (uint8_t *)PyBytes_AS_STRING(*data),
                           rec->data_len, &n);
    if (st != FHX_OK) {
        fhxpy_raise(st, rec->data_offset, rec->index, "decoding the payload");
        return -1;
    }
    return 0;
}

static PyObject *record_object(const fhx_record *rec) {
    PyObject *f[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    PyObject *obj = NULL;
    size_t i;
    f[0] = PyLong_FromSize_t(rec->index);
    if (f[0]) f[1] = fhxpy_record_id(rec);
    if (f[1] && payload(rec, &f[2], &f[5]) == 0 && (f[3] = fhxpy_arrival(rec)) &&
        (f[4] = fhxpy_metadata(rec)) && (f[6] = PyLong_FromSize_t(rec->offset))) {
        f[7] = PyBool_FromLong((rec->flags & FHX_REC_KAFKA) != 0);
        obj = PyObject_Vectorcall(fhxpy_record_type, f, 8, NULL);
    }
    for (i = 0; i < 8; i++) Py_XDECREF(f[i]);
    return obj;
}

/* Step the decoder: 1 a record, 0 the end, -1 an exception. */
static int step(fhxpy_session *s, fhx_record *rec) {
    int st = fhx_event_next(s->dec, rec);
    if (st == FHX_END) {
        s->done = 1;
        return 0;
    }
    if (st != FHX_OK) {
        fhxpy_raise_error(fhx_event_error(s->dec));
        return -1;
    }
    return remember(s, rec) == 0 ? 1 : -1;
}

PyObject *fhxpy_session_next(fhxpy_session *s) {
    fhx_record rec;
    int st;
    PyObject *out;
    if (fhxpy_enter(&s->busy, "event session") != 0) return NULL;
    st = step(s, &rec);
    out = st > 0 ? record_object(&rec) : st == 0 ? Py_NewRef(Py_None) : NULL;
    s->busy = 0;
    return out;
}

static int put(PyObject *d, const char *name, const fhx_meta_value *v) {
    PyObject *value;
    int st;
    if (v->kind == FHX_META_ABSENT) return 0;
    value = fhxpy_meta_value(v);
    if (!value) return -1;
    st = PyDict_SetItemString(d, name, value);
    Py_DECREF(value);
    return st;
}

PyObject *fhxpy_session_header(fhxpy_session *s) {
    const fhx_event_header *h = fhx_event_get_header(s->dec);
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    if (put(d, "invocationId", &h->invocation_id) != 0 ||
        put(d, "deliveryStreamArn", &h->delivery_stream_arn) != 0 ||
        put(d, "region", &h->region) != 0 ||
        put(d, "sourceKinesisStreamArn", &h->source_kinesis_stream_arn) != 0 ||
        put(d, "sourceMSKArn", &h->source_msk_arn) != 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyObject *fhxpy_session_set_limit(fhxpy_session *s, size_t limit) {
    if (s->begun)
        return fhxpy_raise(FHX_E_STATE, 0, FHX_NO_RECORD,
                           "the limit is set before the first answer");
    if (fhx_response_set_limit(s->w, limit) != FHX_OK)
        return fhxpy_raise_error(fhx_response_error(s->w));
    Py_RETURN_NONE;
}

/* Give the writer room after FHX_NEED_OUTPUT (or before the first write). */
static int more_output(fhxpy_session *s) {
    int st;
    if (s->begun) s->out.len += fhx_response_output_len(s->w);
    st = fhx_buf_reserve(&s->out, s->out.cap > 65536 ? s->out.cap : 65536);
    if (st != FHX_OK) return st;
    return fhx_response_set_output(s->w, (char *)s->out.ptr + s->out.len,
                                   s->out.cap - s->out.len);
}

static int begin(fhxpy_session *s) {
    int st;
    if (s->begun) return 0;
    /* an answer is usually about the size of its record */
    if (fhx_buf_reserve(&s->out, (size_t)s->view.len + 64) != FHX_OK) {
        PyErr_NoMemory();
        return -1;
    }
    st = fhx_response_begin(s->w, s->dec, (char *)s->out.ptr, s->out.cap);
    if (st != FHX_OK) {
        fhxpy_raise_error(fhx_response_error(s->w));
        return -1;
    }
    s->begun = 1;
    return 0;
}

static int add(fhxpy_session *s, const fhx_record *rec, const fhx_answer *a) {
    int st = fhx_response_add(s->w, rec, a);
    while (st == FHX_NEED_OUTPUT) {
        st = more_output(s);
        if (st == FHX_OK) st = fhx_response_add(s->w, rec, a);
    }
    return st;
}

/* The checks that would kill the writer, done first so that a mistake
 * raises and leaves the response usable. */
static int check_answer(fhxpy_session *s, size_t index, PyObject *record_id,
                        int result) {
    PyObject *id;
    int same;
    const entry *e;
    if (s->finished) {
        fhxpy_raise(FHX_E_STATE, 0, FHX_NO_RECORD,
                    "the response is already finished");
        return -1;
    }
    if (result < FHX_RESULT_OK || result > FHX_RESULT_PROCESSING_FAILED) {
        fhxpy_raise(FHX_E_RESULT, 0, index, "unknown result");
        return -1;
    }
    if (index >= s->n) {
        fhxpy_raise(FHX_E_UNKNOWN_ID, 0, index,
                    "no such record of this event (not decoded yet)");
        return -1;
    }
    e = &s->recs[index];
    id = fhxpy_raw_str(e->id.ptr ? e->id.ptr : "", e->id.len,
                       (e->flags & FHX_REC_ID_ESCAPED) != 0);
    if (!id) return -1;
    same = PyUnicode_Check(record_id) &&
           PyUnicode_Compare(id, record_id) == 0;
    Py_DECREF(id);
    if (!same) {
        if (PyErr_Occurred()) return -1;
        fhxpy_raise(FHX_E_UNKNOWN_ID, e->offset, index,
                    "recordId is not the one of this event's record");
        return -1;
    }
    if (e->answered) {
        fhxpy_raise(FHX_E_DUPLICATE_ID, e->offset, index,
                    "record already answered");
        return -1;
    }
    return 0;
}

/* Rewrite the latest answers smaller until a ProcessingFailed answer to
 * rec fits (room.h), then write it. */
static int make_room(fhxpy_session *s, const fhx_record *rec,
                     const fhx_answer *pf) {
    fhxi_room_stats rs;
    int st = fhxi_room_for_pf(s->w, &s->out, rec->id.len, &s->slack, &rs);
    if (st != FHX_OK) return st;
    s->rewritten += rs.ok;
    return add(s, rec, pf);
}

static PyObject *answer(fhxpy_session *s, size_t index, PyObject *record_id,
                        int result, PyObject *data, PyObject *keys) {
    fhx_record rec;
    fhx_answer a;
    Py_buffer view;
    int st, has_view = 0, fitted = 1;
    size_t n_keys = 0;
    if (check_answer(s, index, record_id, result) != 0 || begin(s) != 0)
        return NULL;
    memset(&rec, 0, sizeof rec);
    rec.index = index;
    rec.id = s->recs[index].id;
    rec.offset = s->recs[index].offset;
    rec.flags = s->recs[index].flags;
    memset(&a, 0, sizeof a);
    a.result = (fhx_result)result;
    if (data != Py_None) {
        if (fhxpy_get_buffer(data, &view, "data") != 0) return NULL;
        has_view = 1;
        a.data = view.buf;
        a.data_len = (size_t)view.len;
    }
    if (fhxpy_keys(keys, &s->keys, &s->keys_cap, &n_keys) != 0) {
        if (has_view) PyBuffer_Release(&view);
        return NULL;
    }
    a.keys = n_keys ? s->keys : NULL;
    a.n_keys = n_keys;
    st = add(s, &rec, &a);
    if (st == FHX_FULL) {
        /* over the limit: Firehose keeps the record in its error output */
        memset(&a, 0, sizeof a);
        a.result = FHX_RESULT_PROCESSING_FAILED;
        fitted = 0;
        st = add(s, &rec, &a);
        if (st == FHX_FULL) st = make_room(s, &rec, &a);
    }
    if (has_view) PyBuffer_Release(&view);
    if (st == FHX_FULL)
        return fhxpy_raise(FHX_E_LIMIT, fhx_response_size(s->w), index,
                           "even a ProcessingFailed answer passes the limit");
    if (st != FHX_OK) return fhxpy_raise_error(fhx_response_error(s->w));
    s->recs[index].answered = 1;
    return PyBool_FromLong(fitted);
}

PyObject *fhxpy_session_answer(fhxpy_session *s, size_t index,
                               PyObject *record_id, int result,
                               PyObject *data, PyObject *keys) {
    PyObject *out;
    if (fhxpy_enter(&s->busy, "event session") != 0) return NULL;
    out = answer(s, index, record_id, result, data, keys);
    s->busy = 0;
    return out;
}

static PyObject *finish(fhxpy_session *s) {
    fhx_record rec;
    int st;
    if (s->finished)
        return fhxpy_raise(FHX_E_STATE, 0, FHX_NO_RECORD,
                           "the response is already finished");
    while (!s->done) /* records never read are unanswered: say which */
        if (step(s, &rec) < 0) return NULL;
    if (begin(s) != 0) return NULL;
    st = fhx_response_end(s->w);
    while (st == FHX_NEED_OUTPUT) {
        st = more_output(s);
        if (st == FHX_OK) st = fhx_response_end(s->w);
    }
    if (st != FHX_OK) return fhxpy_raise_error(fhx_response_error(s->w));
    s->out.len += fhx_response_output_len(s->w);
    s->finished = 1;
    return PyBytes_FromStringAndSize((const char *)s->out.ptr,
                                     (Py_ssize_t)s->out.len);
}

PyObject *fhxpy_session_rewritten(fhxpy_session *s) {
    return PyLong_FromSize_t(s->rewritten);
}

PyObject *fhxpy_session_finish(fhxpy_session *s) {
    PyObject *out;
    if (fhxpy_enter(&s->busy, "event session") != 0) return NULL;
    out = finish(s);
    s->busy = 0;
    return out;
}
