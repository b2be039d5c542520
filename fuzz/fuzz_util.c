/* libfirehose-xform fuzzing: helpers shared by every harness. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "fuzz_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- failing ----------------------------------------------------------- */

void fhxf_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s:%d: fuzz invariant failed: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void fhxf_check_err(const fhx_error *a, const fhx_error *b, const char *file,
                    int line) {
    int same_msg = a->msg == b->msg ||
                   (a->msg && b->msg && strcmp(a->msg, b->msg) == 0);
    if (a->code != b->code || a->offset != b->offset ||
        a->record != b->record || !same_msg)
        fhxf_fail(file, line,
                  "errors differ: (%d, %zu, %zu, %s) vs (%d, %zu, %zu, %s)",
                  a->code, a->offset, a->record, a->msg ? a->msg : "-",
                  b->code, b->offset, b->record, b->msg ? b->msg : "-");
}

/* ---- guard pages ------------------------------------------------------- */

static size_t page_size(void) {
    static size_t page;
    if (!page) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

/* Unmapped guards are kept for reuse (mmap, mprotect and munmap per
 * buffer would cost most of an execution): a mapping is reused for the
 * same number of data pages and the same side of the guard page. */
#define POOL 16
static fhxf_guard pool[POOL];
static int pool_where[POOL];
static size_t pool_n;

uint8_t *fhxf_guard_copy(fhxf_guard *g, const void *src, size_t n, int where) {
    size_t page = page_size();
    size_t data_pages = n / page + (n % page != 0);
    size_t i;
    uint8_t *base;
    if (data_pages == 0) data_pages = 1;
    g->map = NULL;
    for (i = 0; i < pool_n; i++) {
        if (pool[i].map_len == (data_pages + 1) * page && pool_where[i] == where) {
            *g = pool[i];
            pool[i] = pool[--pool_n];
            pool_where[i] = pool_where[pool_n];
            break;
        }
    }
    if (!g->map) {
        g->map_len = (data_pages + 1) * page;
        g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (g->map == MAP_FAILED) fhxf_fail(__FILE__, __LINE__, "mmap failed");
        base = g->map;
        if (mprotect(where == FHXF_GUARD_BEFORE ? base : base + data_pages * page,
                     page, PROT_NONE) != 0)
            fhxf_fail(__FILE__, __LINE__, "mprotect failed");
    }
    base = g->map;
    g->ptr = where == FHXF_GUARD_BEFORE ? base + page
                                        : base + data_pages * page - n;
    g->len = n;
    g->where = where;
    if (n) {
        if (src)
            memcpy(g->ptr, src, n);
        else
            memset(g->ptr, 0, n);
    }
    return g->ptr;
}

void fhxf_guard_free(fhxf_guard *g) {
    if (g->map && g->map != MAP_FAILED) {
        if (pool_n < POOL) {
            pool[pool_n] = *g;
            pool_where[pool_n] = g->where;
            pool_n++;
        } else {
            munmap(g->map, g->map_len);
        }
    }
    g->map = NULL;
    g->ptr = NULL;
    g->len = g->map_len = 0;
}

/* ---- input-driven choices ---------------------------------------------- */

void fhxf_rng_seed(fhxf_rng *r, uint64_t seed) { r->s = seed; }

uint64_t fhxf_rng_next(fhxf_rng *r) {
    uint64_t z = (r->s += (uint64_t)0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * (uint64_t)0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * (uint64_t)0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

size_t fhxf_rng_below(fhxf_rng *r, size_t n) {
    return n ? (size_t)(fhxf_rng_next(r) % n) : 0;
}

void fhxf_take_header(const uint8_t **data, size_t *size,
                      uint8_t hdr[FHXF_HEADER]) {
    memset(hdr, 0, FHXF_HEADER);
    if (*size < FHXF_HEADER) return;
    memcpy(hdr, *data, FHXF_HEADER);
    *data += FHXF_HEADER;
    *size -= FHXF_HEADER;
}

void fhxf_split_init(fhxf_splitter *sp, uint32_t param) {
    sp->mode = param & 3u;
    sp->fixed = 1 + (size_t)((param >> 2) % 64u);
    fhxf_rng_seed(&sp->rng, param);
}

size_t fhxf_split_next(fhxf_splitter *sp, size_t left) {
    size_t n;
    switch (sp->mode) {
    case 0:
        n = 1;
        break;
    case 1:
        n = sp->fixed;
        break;
    case 2:
        n = fhxf_rng_below(&sp->rng, 4 * sp->fixed + 1);
        break;
    default:
        n = 1 + fhxf_rng_below(&sp->rng, left);
        break;
    }
    return n < left ? n : left;
}

/* ---- digests ----------------------------------------------------------- */

void fhxf_put(fhx_buf *b, const void *p, size_t n) {
    if (fhx_buf_append(b, p, n) != FHX_OK)
        fhxf_fail(__FILE__, __LINE__, "out of memory");
}

void fhxf_put_u64(fhx_buf *b, uint64_t v) { fhxf_put(b, &v, sizeof v); }

void fhxf_put_bytes(fhx_buf *b, const void *p, size_t n) {
    fhxf_put_u64(b, n);
    fhxf_put(b, p, n);
}

void fhxf_put_msg(fhx_buf *b, const char *msg) {
    if (!msg)
        fhxf_put_u64(b, UINT64_MAX);
    else
        fhxf_put_bytes(b, msg, strlen(msg));
}

void fhxf_put_error(fhx_buf *b, const fhx_error *e) {
    fhxf_put_u64(b, (uint64_t)(int64_t)e->code);
    fhxf_put_u64(b, e->offset);
    fhxf_put_u64(b, e->record);
    fhxf_put_msg(b, e->msg);
    if (e->code < 0) FHXF_CHECK(e->msg != NULL);
}

static void put_meta(fhx_buf *b, const fhx_meta_value *v) {
    fhxf_put_u64(b, (uint64_t)(int64_t)v->kind);
    FHXF_CHECK(v->kind >= FHX_META_ABSENT && v->kind <= FHX_META_OTHER);
    if (v->kind != FHX_META_ABSENT) fhxf_put_bytes(b, v->raw.ptr, v->raw.len);
}

void fhxf_put_record(fhx_buf *b, const fhx_record *rec) {
    fhxf_put_u64(b, rec->index);
    fhxf_put_u64(b, rec->offset);
    fhxf_put_u64(b, rec->length);
    fhxf_put_bytes(b, rec->id.ptr, rec->id.len);
    fhxf_put_u64(b, rec->flags);
    if (rec->flags & FHX_REC_HAS_DATA) {
        fhxf_put_bytes(b, rec->data.ptr, rec->data.len);
        fhxf_put_u64(b, rec->data_offset);
        /* the payload lies inside the record */
        FHXF_CHECK(rec->data_offset > rec->offset);
        FHXF_CHECK(rec->data_offset + rec->data.len < rec->offset + rec->length);
    }
    if (rec->flags & FHX_REC_ARRIVAL_MS) {
        FHXF_CHECK(rec->flags & FHX_REC_HAS_ARRIVAL);
        fhxf_put_u64(b, (uint64_t)rec->arrival_ms);
    }
    put_meta(b, &rec->arrival);
    if (rec->flags & FHX_REC_KINESIS) {
        put_meta(b, &rec->kinesis.shard_id);
        put_meta(b, &rec->kinesis.partition_key);
        put_meta(b, &rec->kinesis.approximate_arrival_timestamp);
        put_meta(b, &rec->kinesis.sequence_number);
        put_meta(b, &rec->kinesis.subsequence_number);
    }
    if (rec->flags & FHX_REC_MSK) {
        put_meta(b, &rec->msk.offset);
        put_meta(b, &rec->msk.partition_id);
        put_meta(b, &rec->msk.approximate_arrival_timestamp);
    }
    put_meta(b, &rec->result);
    fhxf_put_u64(b, (uint64_t)(int64_t)rec->status);
    fhxf_put_error(b, &rec->err);
    FHXF_CHECK_EQ(rec->err.code, rec->status);
    if (rec->status == FHX_OK) {
        /* a valid payload decodes to exactly data_len bytes, into a buffer
         * of exactly that size (a heap block: ASan sees any overrun) */
        uint8_t *out = malloc(rec->data_len ? rec->data_len : 1);
        size_t n = 12345;
        FHXF_CHECK(out != NULL);
        FHXF_CHECK(rec->flags & FHX_REC_HAS_DATA);
        FHXF_CHECK_EQ(fhx_record_decode(rec, out, rec->data_len, &n), FHX_OK);
        FHXF_CHECK_EQ(n, rec->data_len);
        fhxf_put_bytes(b, out, n);
        if (rec->data_len) {
            n = 12345;
            FHXF_CHECK_EQ(fhx_record_decode(rec, out, rec->data_len - 1, &n),
                          FHX_E_OUTPUT);
        }
        free(out);
    } else {
        uint8_t one[4];
        size_t n = 12345;
        int st = fhx_record_decode(rec, one, sizeof one, &n);
        FHXF_CHECK(st < 0);
        FHXF_CHECK_EQ(n, 0);
        FHXF_CHECK(rec->status == FHX_E_NO_DATA ||
                   rec->status == FHX_E_BASE64 ||
                   rec->status == FHX_E_SCHEMA);
        FHXF_CHECK_EQ(rec->err.record, rec->index);
        /* the error lies inside the record */
        FHXF_CHECK(rec->err.offset >= rec->offset);
        FHXF_CHECK(rec->err.offset < rec->offset + rec->length);
    }
}

void fhxf_put_header(fhx_buf *b, const fhx_event_header *h) {
    put_meta(b, &h->invocation_id);
    put_meta(b, &h->delivery_stream_arn);
    put_meta(b, &h->region);
    put_meta(b, &h->source_kinesis_stream_arn);
    put_meta(b, &h->source_msk_arn);
}

/* ---- kernels ------------------------------------------------------------ */

void fhxf_each_isa(void (*fn)(void *ctx, fhx_isa isa), void *ctx) {
    fhx_isa was = fhx_isa_active();
    unsigned i;
    for (i = 0; i < FHX_ISA_COUNT; i++) {
        fhx_isa isa = (fhx_isa)i;
        if (!fhx_isa_supported(isa)) continue;
        FHXF_CHECK_EQ(fhx_isa_force(isa), FHX_OK);
        FHXF_CHECK_EQ(fhx_isa_active(), isa);
        fn(ctx, isa);
    }
    FHXF_CHECK_EQ(fhx_isa_force(was), FHX_OK);
}
