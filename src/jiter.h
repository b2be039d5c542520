/*
 * libfirehose-xform: members of a JSON object and elements of a JSON array
 * held whole in one buffer (private). Built on the strict scanners of
 * json.h; used by the CloudWatch Logs and error-object readers.
 *
 *     fhxi_jiter it;
 *     fhxi_jval key, v;
 *     fhxi_jiter_begin(&it, p, len, pos, 0, &err);   // p[pos] is '{' or '['
 *     while ((st = fhxi_jiter_next(&it, &key, &v, &err)) == FHXI_J_OK) ...
 *     // st == FHX_END: the container is closed; it.pos is past it
 *
 * Offsets in errors are relative to p. Values are scanned strictly (nested
 * containers are skipped with fhxi_json_skip_value, depth-checked).
 */
#ifndef FHX_JITER_H
#define FHX_JITER_H

#include <stddef.h>

#include "internal.h"
#include "json.h"

/* A value: its kind and its token [start, end). */
typedef struct fhxi_jval {
    char kind;      /* '"' string, '0' number, '{', '[', 't', 'f', 'n' */
    size_t start;   /* first byte of the token */
    size_t end;     /* one past its last byte */
    fhxi_jstr str;  /* kind '"' (and object keys): the content */
} fhxi_jval;

typedef struct fhxi_jiter {
    const char *p;
    size_t len;
    size_t pos;     /* next byte to read; past the container at the end */
    unsigned depth; /* containers open, this one included */
    int object;     /* 1: object, 0: array */
    int first;      /* no member read yet */
} fhxi_jiter;

/* Start iterating the container at p[pos] (depth: containers already open
 * around it). Returns FHXI_J_OK or FHX_E_JSON / FHX_E_DEPTH. */
int fhxi_jiter_begin(fhxi_jiter *it, const char *p, size_t len, size_t pos,
                     unsigned depth, fhx_error *err);

/* The next member (objects: key set) or element (arrays: key unused, may
 * be NULL). Returns FHXI_J_OK, FHX_END, or a negative JSON error. */
int fhxi_jiter_next(fhxi_jiter *it, fhxi_jval *key, fhxi_jval *val,
                    fhx_error *err);

/* Only whitespace from pos to len? Else FHX_E_JSON at the first byte. */
int fhxi_json_trailing(const char *p, size_t len, size_t pos,
                       fhx_error *err);

/* 1 when the key (a scanned string of p, escapes resolved) equals the
 * ASCII text t, compared case-insensitively (nocase 1) or exactly. */
int fhxi_jkey_is(const char *p, const fhxi_jval *key, const char *t,
                 int nocase);

#endif /* FHX_JITER_H */
