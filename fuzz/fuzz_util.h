/*
 * libfirehose-xform fuzzing: helpers shared by every harness.
 *
 * A harness is a function
 *     int fhxf_NAME(const uint8_t *data, size_t size);
 * in fuzz/fuzz_NAME.c that returns 0 and calls fhxf_fail() (which aborts)
 * when an invariant breaks. The same function is driven by libFuzzer
 * (fuzz/build.sh compiles the file with -DFHXF_LIBFUZZER, which turns
 * FHXF_ENTRY into LLVMFuzzerTestOneInput) and by the plain replay driver
 * (fuzz/replay.c, run by `make check`), which lists every harness in
 * fuzz/harnesses.h.
 *
 * Guard pages: fhxf_guard_copy() puts a copy of the input right before
 * (FHXF_GUARD_AFTER) or right after (FHXF_GUARD_BEFORE) a PROT_NONE page,
 * so that a read one byte past the end, or one byte before the start,
 * faults at once -- also in builds without AddressSanitizer and for reads
 * that a vector load would make "safe" on a mapped page.
 */
#ifndef FHX_FUZZ_UTIL_H
#define FHX_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "firehose-xform.h"

/* ---- failing ----------------------------------------------------------- */

/* Print where and what, then abort (a crash for libFuzzer, a failed test
 * for the replay driver). */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
void fhxf_fail(const char *file, int line, const char *fmt, ...);

/* Abort unless cond holds. */
#define FHXF_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond)) fhxf_fail(__FILE__, __LINE__, "%s", #cond);              \
    } while (0)

/* Abort unless a == b (integers), printing both. */
#define FHXF_CHECK_EQ(a, b)                                                   \
    do {                                                                      \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                      \
        if (a_ != b_)                                                         \
            fhxf_fail(__FILE__, __LINE__, "%s == %s: %jd != %jd", #a, #b, a_, \
                      b_);                                                    \
    } while (0)

/* Abort unless the byte ranges are equal. */
#define FHXF_CHECK_MEM(a, alen, b, blen)                                      \
    do {                                                                      \
        size_t al_ = (size_t)(alen), bl_ = (size_t)(blen);                    \
        if (al_ != bl_ || (al_ && memcmp((a), (b), al_) != 0))                \
            fhxf_fail(__FILE__, __LINE__, "%s[%zu] != %s[%zu]", #a, al_, #b,  \
                      bl_);                                                   \
    } while (0)

/* Abort unless two errors agree on code, offset, record and message. */
#define FHXF_CHECK_ERR(a, b) fhxf_check_err((a), (b), __FILE__, __LINE__)
void fhxf_check_err(const fhx_error *a, const fhx_error *b, const char *file,
                    int line);

/* ---- guard pages ------------------------------------------------------- */

enum { FHXF_GUARD_AFTER = 0, FHXF_GUARD_BEFORE = 1 };

typedef struct fhxf_guard {
    void *map;      /* the whole mapping */
    size_t map_len;
    uint8_t *ptr;   /* the copy (writable) */
    size_t len;
    int where;      /* FHXF_GUARD_AFTER or _BEFORE */
} fhxf_guard;

/* Copy n bytes next to a PROT_NONE page (src NULL: n zero bytes).
 * With n == 0 the pointer is the first byte of the guard page (AFTER) or
 * the byte after it (BEFORE): a read of any byte faults (AFTER).
 * Returns g->ptr. */
uint8_t *fhxf_guard_copy(fhxf_guard *g, const void *src, size_t n, int where);

/* Release (safe on a zeroed guard); the mapping may be kept for reuse. */
void fhxf_guard_free(fhxf_guard *g);

/* ---- input-driven choices ---------------------------------------------- */

/* A tiny deterministic generator (splitmix64), seeded from the input. */
typedef struct fhxf_rng {
    uint64_t s;
} fhxf_rng;

void fhxf_rng_seed(fhxf_rng *r, uint64_t seed);
uint64_t fhxf_rng_next(fhxf_rng *r);
/* Uniform-ish in [0, n); 0 when n is 0. */
size_t fhxf_rng_below(fhxf_rng *r, size_t n);

/* Take the first FHXF_HEADER bytes of the input as parameters (zeros when
 * the input is shorter; it is then all payload). */
#define FHXF_HEADER 4
void fhxf_take_header(const uint8_t **data, size_t *size,
                      uint8_t hdr[FHXF_HEADER]);

/* Piece sizes for feeding an input in chunks, chosen by a parameter:
 *   mode 0: one byte at a time;
 *   mode 1: a fixed size 1..64;
 *   mode 2: random sizes 0..max (0: an empty feed, which must be harmless);
 *   mode 3: random sizes 1..remaining (few, uneven pieces). */
typedef struct fhxf_splitter {
    unsigned mode;
    size_t fixed;
    fhxf_rng rng;
} fhxf_splitter;

void fhxf_split_init(fhxf_splitter *sp, uint32_t param);
/* Size of the next piece when left bytes remain (may be 0 in mode 2). */
size_t fhxf_split_next(fhxf_splitter *sp, size_t left);

/* ---- canonical serialisation ("digests") -------------------------------- */

/* Append helpers over an fhx_buf (libc allocator); abort on NOMEM. */
void fhxf_put(fhx_buf *b, const void *p, size_t n);
void fhxf_put_u64(fhx_buf *b, uint64_t v);
/* Length-prefixed bytes. */
void fhxf_put_bytes(fhx_buf *b, const void *p, size_t n);
/* A static message (NULL allowed). */
void fhxf_put_msg(fhx_buf *b, const char *msg);
void fhxf_put_error(fhx_buf *b, const fhx_error *e);
/* Everything a record says (slices by content, offsets absolute), its
 * decoded payload when it is valid (checked against data_len and the
 * record's error when it is not). */
void fhxf_put_record(fhx_buf *b, const fhx_record *rec);
void fhxf_put_header(fhx_buf *b, const fhx_event_header *h);

/* ---- kernels ------------------------------------------------------------ */

/* Run fn(ctx) once per supported kernel (every fhx_isa for which
 * fhx_isa_supported is 1, scalar first), with that kernel forced, then
 * restore the kernel that was active. New kernels are picked up without
 * any change here. */
void fhxf_each_isa(void (*fn)(void *ctx, fhx_isa isa), void *ctx);

/* libFuzzer's entry point, defined by FHXF_ENTRY in libFuzzer builds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FHXF_LIBFUZZER
#define FHXF_ENTRY(fn)                                                        \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {           \
        return fn(data, size);                                                \
    }
#else
#define FHXF_ENTRY(fn)
#endif

#endif /* FHX_FUZZ_UTIL_H */
