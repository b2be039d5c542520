/*
 * Fuzz harness: the event decoder (fhx/event.h).
 *
 * Input: FHXF_HEADER parameter bytes (the chunk split), then the event.
 * The same event is decoded
 *   1. as a whole buffer placed right before a guard page, once per
 *      supported base64/JSON kernel;
 *   2. as a whole buffer placed right after a guard page;
 *   3. in chunks whose sizes come from the header, each piece an
 *      exact-size heap copy freed as soon as the decoder hands it back
 *      (FHX_NEED_INPUT), so a slice kept too long is a use after free;
 *   4. in place: each valid record's payload decoded over its own base64;
 *   5. as a whole buffer with the fast path for plain records turned off
 *      (fhxi_event_fast_path), so the general parser reads every record.
 * Records (content, offsets, flags, metadata, per-record errors), the final
 * status and the event error must be identical in every mode; payloads
 * must decode to exactly data_len bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"
#include "internal.h"

typedef struct run {
    fhx_event_decoder *dec;
    fhx_buf digest;
    size_t records;
    int status;
} run;

static void run_init(run *r, fhx_event_decoder *dec) {
    r->dec = dec;
    fhx_buf_init(&r->digest, NULL);
    r->records = 0;
    r->status = FHX_OK;
}

/* After the last fhx_event_next: the status, the error, the header. */
static void run_close(run *r, int st, size_t len) {
    const fhx_error *e = fhx_event_error(r->dec);
    fhx_record again;
    FHXF_CHECK(st == FHX_END || st < 0);
    r->status = st;
    fhxf_put_u64(&r->digest, (uint64_t)(int64_t)st);
    fhxf_put_error(&r->digest, e);
    if (st == FHX_END) {
        FHXF_CHECK_EQ(e->code, FHX_OK);
        FHXF_CHECK_EQ(fhx_event_offset(r->dec), len);
        fhxf_put_header(&r->digest, fhx_event_get_header(r->dec));
    } else {
        FHXF_CHECK_EQ(e->code, st);
        FHXF_CHECK(e->offset <= len);
        FHXF_CHECK(e->record == FHX_NO_RECORD || e->record <= r->records);
        FHXF_CHECK(st != FHX_E_NOMEM && st != FHX_E_STATE && st != FHX_E_ARG);
    }
    FHXF_CHECK_EQ(fhx_event_record_count(r->dec), r->records);
    /* sticky */
    FHXF_CHECK_EQ(fhx_event_next(r->dec, &again), st);
}

static void take_record(run *r, const fhx_record *rec) {
    FHXF_CHECK_EQ(rec->index, r->records);
    r->records++;
    fhxf_put_record(&r->digest, rec);
}

/* Whole-buffer decode of [p, p + len). */
static void decode_whole(run *r, const char *p, size_t len) {
    fhx_record rec;
    int st;
    FHXF_CHECK_EQ(fhx_event_begin(r->dec, p, len), FHX_OK);
    while ((st = fhx_event_next(r->dec, &rec)) == FHX_OK) {
        FHXF_CHECK(rec.id.ptr >= p && rec.id.ptr + rec.id.len <= p + len);
        take_record(r, &rec);
    }
    run_close(r, st, len);
}

/* Chunked decode: pieces are fresh exact-size heap copies. */
static void decode_chunked(run *r, const uint8_t *data, size_t len,
                           uint32_t param) {
    fhxf_splitter sp;
    size_t pos = 0;
    char *piece = NULL;
    int st;
    fhxf_split_init(&sp, param);
    FHXF_CHECK_EQ(fhx_event_begin_stream(r->dec), FHX_OK);
    for (;;) {
        fhx_record rec;
        st = fhx_event_next(r->dec, &rec);
        if (st == FHX_OK) {
            take_record(r, &rec);
            continue;
        }
        if (st != FHX_NEED_INPUT) break;
        free(piece); /* handed back: nothing may point into it any more */
        piece = NULL;
        if (pos == len) {
            FHXF_CHECK_EQ(fhx_event_finish(r->dec), FHX_OK);
            FHXF_CHECK_EQ(fhx_event_finish(r->dec), FHX_E_STATE);
            continue;
        }
        {
            size_t n = fhxf_split_next(&sp, len - pos);
            piece = malloc(n ? n : 1);
            FHXF_CHECK(piece != NULL);
            if (n) memcpy(piece, data + pos, n);
            FHXF_CHECK_EQ(fhx_event_feed(r->dec, piece, n), FHX_OK);
            if (n) /* the piece is busy until NEED_INPUT */
                FHXF_CHECK_EQ(fhx_event_feed(r->dec, piece, n), FHX_E_STATE);
            pos += n;
        }
    }
    free(piece);
    run_close(r, st, len);
}

/* In place: decode each valid payload over its own base64 text; the
 * decoded bytes must be those of the other modes. */
static void decode_inplace(run *r, uint8_t *buf, size_t len) {
    const char *p = (const char *)buf;
    fhx_record rec;
    int st;
    FHXF_CHECK_EQ(fhx_event_begin(r->dec, p, len), FHX_OK);
    while ((st = fhx_event_next(r->dec, &rec)) == FHX_OK) {
        FHXF_CHECK_EQ(rec.index, r->records);
        r->records++;
        fhxf_put_u64(&r->digest, (uint64_t)(int64_t)rec.status);
        if (rec.status == FHX_OK) {
            uint8_t *dst = buf + (rec.data.ptr - p);
            size_t n = 12345;
            FHXF_CHECK_EQ(fhx_record_decode(&rec, dst, rec.data.len, &n),
                          FHX_OK);
            FHXF_CHECK_EQ(n, rec.data_len);
            fhxf_put_bytes(&r->digest, dst, n);
        }
    }
    FHXF_CHECK(st == FHX_END || st < 0);
    fhxf_put_u64(&r->digest, (uint64_t)(int64_t)st);
}

/* The payloads and statuses of a full digest, in the in-place format. */
static void inplace_view(fhx_event_decoder *dec, const char *p, size_t len,
                         fhx_buf *out) {
    fhx_record rec;
    int st;
    FHXF_CHECK_EQ(fhx_event_begin(dec, p, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        fhxf_put_u64(out, (uint64_t)(int64_t)rec.status);
        if (rec.status == FHX_OK) {
            uint8_t *tmp = malloc(rec.data_len ? rec.data_len : 1);
            size_t n = 0;
            FHXF_CHECK(tmp != NULL);
            FHXF_CHECK_EQ(fhx_record_decode(&rec, tmp, rec.data_len, &n),
                          FHX_OK);
            fhxf_put_bytes(out, tmp, n);
            free(tmp);
        }
    }
    fhxf_put_u64(out, (uint64_t)(int64_t)st);
}

typedef struct isa_ctx {
    fhx_event_decoder *dec;
    const char *p;
    size_t len;
    fhx_buf first; /* the scalar kernel's digest */
} isa_ctx;

static void decode_with_isa(void *vctx, fhx_isa isa) {
    isa_ctx *c = vctx;
    run r;
    run_init(&r, c->dec);
    decode_whole(&r, c->p, c->len);
    if (isa == FHX_ISA_SCALAR) {
        c->first = r.digest; /* kept */
        return;
    }
    FHXF_CHECK_MEM(r.digest.ptr, r.digest.len, c->first.ptr, c->first.len);
    fhx_buf_free(&r.digest);
}

int fhxf_event(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    uint32_t param;
    fhx_event_decoder *dec;
    fhxf_guard after, before;
    isa_ctx ic;
    run r;
    fhx_buf view;

    fhxf_take_header(&data, &size, hdr);
    param = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
            (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);

    /* 1. whole buffer before a guard page, every kernel */
    fhxf_guard_copy(&after, data, size, FHXF_GUARD_AFTER);
    ic.dec = dec;
    ic.p = (const char *)after.ptr;
    ic.len = size;
    fhx_buf_init(&ic.first, NULL);
    fhxf_each_isa(decode_with_isa, &ic);

    /* 2. after a guard page */
    fhxf_guard_copy(&before, data, size, FHXF_GUARD_BEFORE);
    run_init(&r, dec);
    decode_whole(&r, (const char *)before.ptr, size);
    FHXF_CHECK_MEM(r.digest.ptr, r.digest.len, ic.first.ptr, ic.first.len);
    fhx_buf_free(&r.digest);

    /* 3. chunked */
    run_init(&r, dec);
    decode_chunked(&r, data, size, param);
    FHXF_CHECK_MEM(r.digest.ptr, r.digest.len, ic.first.ptr, ic.first.len);
    fhx_buf_free(&r.digest);

    /* 4. in place (in the guarded copy, which is writable) */
    fhx_buf_init(&view, NULL);
    inplace_view(dec, (const char *)after.ptr, size, &view);
    run_init(&r, dec);
    decode_inplace(&r, before.ptr, size);
    FHXF_CHECK_MEM(r.digest.ptr, r.digest.len, view.ptr, view.len);
    fhx_buf_free(&r.digest);
    fhx_buf_free(&view);

    /* 5. the general parser alone (the in-place pass changed only
     * `before`, so `after` still holds the event) */
    fhxi_event_fast_path(dec, 0);
    run_init(&r, dec);
    decode_whole(&r, (const char *)after.ptr, size);
    FHXF_CHECK_MEM(r.digest.ptr, r.digest.len, ic.first.ptr, ic.first.len);
    fhx_buf_free(&r.digest);

    fhx_buf_free(&ic.first);
    fhxf_guard_free(&after);
    fhxf_guard_free(&before);
    fhx_event_decoder_free(dec);
    return 0;
}

FHXF_ENTRY(fhxf_event)
