/*
 * libfirehose-xform Python binding: helpers shared by the glue modules
 * (not part of what SWIG wraps).
 */
#ifndef FHXPY_INTERNAL_H
#define FHXPY_INTERNAL_H

#include "fhxpy.h"

/* The hooks registered by fhxpy_setup (borrowed by everyone else). */
extern PyObject *fhxpy_error_factory;
extern PyObject *fhxpy_failed;
extern PyObject *fhxpy_record_type;

/* Raise the package's exception for an error; always returns NULL. */
PyObject *fhxpy_raise(int code, size_t offset, size_t record,
                      const char *msg);
PyObject *fhxpy_raise_error(const fhx_error *err);

/* The exception instance for an error, not raised (NULL on failure). */
PyObject *fhxpy_error_object(const fhx_error *err);

/* A JSON string's raw content (escapes kept) as str. */
PyObject *fhxpy_raw_str(const char *raw, size_t len, int escaped);

/* A metadata value as json.loads would give it; NULL on error. */
PyObject *fhxpy_meta_value(const fhx_meta_value *v);

/* The record's recordId as str. */
PyObject *fhxpy_record_id(const fhx_record *rec);

/* approximateArrivalTimestamp: int (epoch ms), the drifted value as
 * json.loads gives it, or None. */
PyObject *fhxpy_arrival(const fhx_record *rec);

/* kinesisRecordMetadata / mskRecordMetadata as a dict, or None. */
PyObject *fhxpy_metadata(const fhx_record *rec);

/* Partition keys from a dict of str to str (or None).
 * Fills *keys (grown with PyMem_Realloc, *cap entries) and *n. The
 * slices point into the dict's strings: keep the dict alive and unchanged
 * while they are used. Returns 0, or -1 with an exception. */
int fhxpy_keys(PyObject *dict, fhx_partition_key **keys, size_t *cap,
               size_t *n);

/* A held buffer of a bytes-like object (PyBUF_SIMPLE). */
int fhxpy_get_buffer(PyObject *obj, Py_buffer *view, const char *what);

/* The "in use" guard of the objects: 0, or -1 with RuntimeError. */
int fhxpy_enter(int *busy, const char *what);

#endif /* FHXPY_INTERNAL_H */
