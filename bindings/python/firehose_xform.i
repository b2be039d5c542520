/*
 * libfirehose-xform Python binding: the SWIG interface.
 *
 * SWIG generates the low-level extension firehose_xform._native (built
 * with -builtin: real extension types, no Python proxy layer) from the C
 * glue in src/fhxpy.h; the package firehose_xform (firehose_xform/*.py)
 * is the Pythonic API over it. Python objects cross as PyObject * and the
 * glue reads them through the buffer protocol itself, holding each
 * Py_buffer for as long as C points into it. (SWIG's own pybuffer.i
 * releases the buffer before the wrapped call runs, which is unsafe once
 * the GIL is released: another thread may resize a bytearray meanwhile.)
 */
%module(package="firehose_xform") native

%{
#include "fhxpy.h"
/* the class names SWIG sees (its helpers are named Class_method) */
typedef fhxpy_transformer Transformer;
typedef fhxpy_session Session;
%}

/* Every glue function reports failure as NULL / -1 with a Python exception
 * set; this turns it into the raised exception. */
%exception {
    $action
    if (PyErr_Occurred()) SWIG_fail;
}

/* ---- library facts ---------------------------------------------------- */
%rename(strerror) fhx_strerror;
%rename(status_name) fhx_status_name;
%rename(version) fhx_version;
const char *fhx_strerror(int code);
const char *fhx_status_name(int code);
const char *fhx_version(void);

%constant size_t LAMBDA_RESPONSE_LIMIT = FHX_LAMBDA_RESPONSE_LIMIT;

/* ---- module hooks, base64 ---------------------------------------------- */
%rename(setup) fhxpy_setup;
%rename(b64encode) fhxpy_b64encode;
%rename(b64decode) fhxpy_b64decode;
%rename(event_json) fhxpy_event_json;
PyObject *fhxpy_setup(PyObject *error_factory, PyObject *failed,
                      PyObject *record_type);
PyObject *fhxpy_b64encode(PyObject *data);
PyObject *fhxpy_b64decode(PyObject *text);
PyObject *fhxpy_event_json(PyObject *event);

/* ---- Transformer: one-shot transforms, memory reused between events ---- */
typedef struct {} Transformer;
%noexception Transformer::~Transformer;
%extend Transformer {
    Transformer() { return fhxpy_transformer_new(); }
    ~Transformer() { fhxpy_transformer_free($self); }
    PyObject *transform_builtin(PyObject *event, const char *name) {
        return fhxpy_transform_builtin($self, event, name);
    }
    PyObject *transform_python(PyObject *event, PyObject *handler,
                               PyObject *on_error) {
        return fhxpy_transform_python($self, event, handler, on_error);
    }
    PyObject *set_limit(size_t limit) {
        return fhxpy_transformer_set_limit($self, limit);
    }
    PyObject *stats() { return fhxpy_transformer_stats($self); }
}

/* ---- Session: decode an event, answer its records ---------------------- */
typedef struct {} Session;
%noexception Session::~Session;
%extend Session {
    Session(PyObject *event) { return fhxpy_session_new(event); }
    ~Session() { fhxpy_session_free($self); }
    PyObject *next() { return fhxpy_session_next($self); }
    PyObject *header() { return fhxpy_session_header($self); }
    PyObject *answer(size_t index, PyObject *record_id, int result,
                     PyObject *data, PyObject *keys) {
        return fhxpy_session_answer($self, index, record_id, result, data,
                                    keys);
    }
    PyObject *finish() { return fhxpy_session_finish($self); }
    PyObject *rewritten() { return fhxpy_session_rewritten($self); }
    PyObject *set_limit(size_t limit) {
        return fhxpy_session_set_limit($self, limit);
    }
}
