/* libfirehose-xform: private helpers shared between modules (not installed). */
#ifndef FHX_INTERNAL_H
#define FHX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "firehose-xform.h"

#if defined(__GNUC__)
#define FHXI_LIKELY(x) __builtin_expect(!!(x), 1)
#define FHXI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FHXI_PREFETCH(p) __builtin_prefetch(p)
#else
#define FHXI_LIKELY(x) (x)
#define FHXI_UNLIKELY(x) (x)
#define FHXI_PREFETCH(p) ((void)(p))
#endif

/* Fill err (when not NULL). */
static inline void fhxi_set_error(fhx_error *err, int code, size_t offset,
                                  size_t record, const char *msg) {
    if (err) {
        err->code = code;
        err->offset = offset;
        err->record = record;
        err->msg = msg;
    }
}

/* A cleared error: code FHX_OK, record FHX_NO_RECORD, msg NULL. */
static inline void fhxi_clear_error(fhx_error *err) {
    fhxi_set_error(err, FHX_OK, 0, FHX_NO_RECORD, NULL);
}

/* a + b into *out; returns 0 on overflow. */
static inline int fhxi_add(size_t a, size_t b, size_t *out) {
    if (a > SIZE_MAX - b) return 0;
    *out = a + b;
    return 1;
}

/* ---- allocator (alloc.c) ---- */

/* 1 when alc is NULL or complete, 0 when only partly filled. */
int fhxi_alc_valid(const fhx_allocator *alc);
void *fhxi_alloc(const fhx_allocator *alc, size_t size);
void *fhxi_realloc(const fhx_allocator *alc, void *ptr, size_t old_size,
                   size_t new_size);
void fhxi_free(const fhx_allocator *alc, void *ptr, size_t size);

/* Library objects keep a copy of the caller's allocator inside them. */
/* A zeroed object of size bytes from alc (NULL when alc fails). */
void *fhxi_obj_alloc(const fhx_allocator *alc, size_t size);
/* Copy alc into *store; the allocator the object uses (NULL: libc). */
const fhx_allocator *fhxi_alc_keep(fhx_allocator *store,
                                   const fhx_allocator *alc);
/* Free obj, whose allocator (kept, or NULL) may live inside obj itself. */
void fhxi_obj_free(const fhx_allocator *kept, void *obj, size_t size);

/* ---- recordId identity (event.c), used by the response guard ---- */

/* 64-bit hash of a recordId's decoded value, from its raw JSON content. */
uint64_t fhxi_id_hash(const char *raw, size_t len, int escaped);

/* Hash and offset of record `index` of the current event; 0 when index is
 * not a record produced so far. */
int fhxi_event_record_info(const fhx_event_decoder *dec, size_t index,
                           uint64_t *hash, size_t *offset);

/* 1 when the decoder has returned FHX_END for its current event. */
int fhxi_event_done(const fhx_event_decoder *dec);

/* Generation counter of the decoder: bumped by every begin, so a writer
 * can tell that its decoder moved on to another event. */
uint64_t fhxi_event_generation(const fhx_event_decoder *dec);

/* 1 when rec has the index and the very id slice (same bytes, same place)
 * of the record fhx_event_next produced last: the guard then knows its id
 * without hashing it again. */
int fhxi_event_is_last(const fhx_event_decoder *dec, const fhx_record *rec);

/* Turn the decoder's fast path for plain records on (the default) or off,
 * so that tests can compare it with the general parser. */
void fhxi_event_fast_path(fhx_event_decoder *dec, int on);
/* How many records of the current event the fast path has read. */
size_t fhxi_event_fast_records(const fhx_event_decoder *dec);

/* ---- the response writer, for the transformer (response.c) ---- */

/* fhx_response_add, except that an invalid answer (bad result, NULL with
 * a length, partition keys that are not UTF-8) is refused with FHX_E_ARG,
 * nothing written and no sticky error: the caller answers otherwise. */
int fhxi_response_try_add(fhx_response_writer *w, const fhx_record *rec,
                          const fhx_answer *ans);

/* The writer's size limit. */
size_t fhxi_response_limit(const fhx_response_writer *w);

/* The owner of the output rewrote the response it holds (room.h): it is
 * now `total` bytes (at most what was written) and continues in out.
 * @return FHX_OK, FHX_E_STATE (not between answers, or total larger). */
int fhxi_response_truncate(fhx_response_writer *w, size_t total, char *out,
                           size_t cap);

/* ---- UTF-8 (json.c) ---- */

/* Length of the valid UTF-8 prefix of s (RFC 3629: no overlongs, no
 * surrogates, max U+10FFFF). */
size_t fhxi_utf8_valid_prefix(const char *s, size_t len);

#endif /* FHX_INTERNAL_H */
