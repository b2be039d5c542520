/*
 * Fuzz harness: the whole transform (fhx/transform.h).
 *
 * Input: FHXF_HEADER parameter bytes (byte 0: the handler, byte 1: the
 * size limit, 0 for the default, bytes 2-3: the chunk split), then the
 * event. Handlers: the four built-in ones, and a "mixed" one that picks per
 * record, from its payload, between a transformed Ok, an Ok echoing the
 * input, Dropped, ProcessingFailed, a handler error and an answer with a
 * partition key taken from the payload.
 *
 * One transformer (reused) runs the event whole (right before a guard
 * page, then right after one) and in chunks (each piece a heap copy freed
 * as soon as fhx_transform_feed returns). Checked:
 *   - every run gives the same status, error, statistics and, on success,
 *     a byte-identical response;
 *   - the transform fails exactly when the event decoder rejects the event
 *     (with its error), or with FHX_E_LIMIT under a tiny limit, and then
 *     (for a valid event) only when ProcessingFailed answers to all of its
 *     records would not fit;
 *   - every Ok response is valid for its event (fhx_verify_response, same
 *     limit), is within the limit, and the counters add up.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

/* ---- the mixed handler --------------------------------------------------- */

static int mixed(void *ctx, const fhx_record *rec, const uint8_t *data,
                 size_t len, fhx_buf *out, fhx_answer *ans) {
    static fhx_partition_key key;
    size_t i;
    unsigned h = 7;
    (void)ctx;
    for (i = 0; i < len; i++) h = h * 31u + data[i];
    switch (h % 7u) {
    case 0: /* transformed: the bytes reversed */
        if (fhx_buf_reserve(out, len) != FHX_OK) return FHX_E_NOMEM;
        for (i = 0; i < len; i++) out->ptr[i] = data[len - 1 - i];
        out->len = len;
        return FHX_OK;
    case 1: /* echo the input, as base64 when it came without escapes */
        if (!(rec->flags & FHX_REC_DATA_ESCAPED)) {
            ans->data_b64 = rec->data.ptr;
            ans->data_b64_len = rec->data.len;
        } else {
            ans->data = data;
            ans->data_len = len;
        }
        return FHX_OK;
    case 2:
        ans->result = FHX_RESULT_DROPPED;
        return FHX_OK;
    case 3:
        ans->result = FHX_RESULT_PROCESSING_FAILED;
        return FHX_OK;
    case 4:
        return FHX_E_HANDLER;
    case 5: /* dynamic partitioning on the payload's first bytes, which
             * need not be UTF-8 */
        key.key.ptr = "device";
        key.key.len = 6;
        key.value.ptr = (const char *)data;
        key.value.len = len < 8 ? len : 8;
        ans->keys = &key;
        ans->n_keys = 1;
        ans->data = data;
        ans->data_len = len;
        return FHX_OK;
    default: /* leave the payload unset: the empty scratch buffer */
        return FHX_OK;
    }
}

static fhx_handler_fn pick(unsigned k) {
    switch (k % 5u) {
    case 0: return fhx_handler_identity;
    case 1: return fhx_handler_ndjson;
    case 2: return fhx_handler_drop;
    case 3: return fhx_handler_fail;
    default: return mixed;
    }
}

/* ---- runs ---------------------------------------------------------------- */

typedef struct outcome {
    int rc;
    fhx_error err;
    fhx_transform_stats stats;
    uint8_t *resp;
    size_t len;
} outcome;

static void keep(outcome *o, fhx_transformer *t, int rc, const char *resp,
                 size_t len) {
    o->rc = rc;
    o->err = *fhx_transform_error(t);
    o->stats = *fhx_transform_get_stats(t);
    o->resp = NULL;
    o->len = 0;
    if (rc == FHX_OK) {
        o->resp = malloc(len ? len : 1);
        FHXF_CHECK(o->resp != NULL);
        if (len) memcpy(o->resp, resp, len);
        o->len = len;
    } else {
        FHXF_CHECK_EQ(o->err.code, rc);
    }
}

static void same(const outcome *a, const outcome *b) {
    FHXF_CHECK_EQ(a->rc, b->rc);
    FHXF_CHECK_ERR(&a->err, &b->err);
    FHXF_CHECK_EQ(a->stats.records, b->stats.records);
    FHXF_CHECK_EQ(a->stats.ok, b->stats.ok);
    FHXF_CHECK_EQ(a->stats.dropped, b->stats.dropped);
    FHXF_CHECK_EQ(a->stats.failed, b->stats.failed);
    FHXF_CHECK_EQ(a->stats.invalid, b->stats.invalid);
    FHXF_CHECK_EQ(a->stats.handler_errors, b->stats.handler_errors);
    FHXF_CHECK_EQ(a->stats.over_limit, b->stats.over_limit);
    /* a chunked run that failed was fed only up to the failing piece */
    if (a->rc == FHX_OK) FHXF_CHECK_EQ(a->stats.bytes_in, b->stats.bytes_in);
    FHXF_CHECK_EQ(a->stats.bytes_out, b->stats.bytes_out);
    FHXF_CHECK_MEM(a->resp, a->len, b->resp, b->len);
}

static void whole(outcome *o, fhx_transformer *t, const uint8_t *ev,
                  size_t len, int where, fhx_handler_fn fn) {
    fhxf_guard g;
    const char *resp = NULL;
    size_t rlen = 0;
    int rc;
    fhxf_guard_copy(&g, ev, len, where);
    rc = fhx_transform(t, (const char *)g.ptr, len, fn, NULL, &resp, &rlen);
    keep(o, t, rc, resp, rlen);
    fhxf_guard_free(&g);
}

static void chunked(outcome *o, fhx_transformer *t, const uint8_t *ev,
                    size_t len, uint32_t param, fhx_handler_fn fn) {
    fhxf_splitter sp;
    const char *resp = NULL;
    size_t rlen = 0, pos = 0;
    int rc;
    fhxf_split_init(&sp, param);
    FHXF_CHECK_EQ(fhx_transform_begin(t, fn, NULL), FHX_OK);
    rc = FHX_OK;
    while (pos < len) {
        size_t k = fhxf_split_next(&sp, len - pos);
        char *piece = malloc(k ? k : 1);
        FHXF_CHECK(piece != NULL);
        if (k) memcpy(piece, ev + pos, k);
        rc = fhx_transform_feed(t, piece, k);
        free(piece); /* consumed: may go at once */
        pos += k;
        if (rc != FHX_OK) break;
    }
    if (rc == FHX_OK)
        rc = fhx_transform_finish(t, &resp, &rlen);
    else /* the error is sticky */
        FHXF_CHECK_EQ(fhx_transform_finish(t, &resp, &rlen), rc);
    keep(o, t, rc, resp, rlen);
}

/* The decoder's own verdict on the event. */
/* The decoder's verdict on the event, and the size of the response that
 * answers every record ProcessingFailed without data. */
static int decoder_verdict(const uint8_t *ev, size_t len, fhx_error *err,
                           size_t *all_failed) {
    fhx_event_decoder *dec;
    fhx_record rec;
    int st;
    *all_failed = 14; /* {"records":[]} */
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)ev, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        /* {"recordId":"ID","result":"ProcessingFailed"} and a comma */
        *all_failed += 43 + rec.id.len + (rec.index ? 1 : 0);
    }
    *err = *fhx_event_error(dec);
    fhx_event_decoder_free(dec);
    return st;
}

static void no_problem(void *ctx, const fhx_problem *p) {
    (void)ctx;
    fhxf_fail(__FILE__, __LINE__, "response problem %d at %zu: %s", p->code,
              p->offset, p->msg ? p->msg : "(null)");
}

int fhxf_transform(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    fhx_handler_fn fn;
    size_t limit;
    fhx_transformer *t;
    outcome a, b, c;
    fhx_error derr;
    size_t all_failed;
    int dst;

    fhxf_take_header(&data, &size, hdr);
    fn = pick(hdr[0]);
    limit = hdr[1] ? 16 + (size_t)hdr[1] * 24 : FHX_LAMBDA_RESPONSE_LIMIT;

    FHXF_CHECK_EQ(fhx_transformer_new(&t, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_transformer_set_limit(t, limit), FHX_OK);
    whole(&a, t, data, size, FHXF_GUARD_AFTER, fn);
    whole(&b, t, data, size, FHXF_GUARD_BEFORE, fn);
    chunked(&c, t, data, size, (uint32_t)hdr[2] | (uint32_t)hdr[3] << 8, fn);
    same(&a, &b);
    same(&a, &c);

    dst = decoder_verdict(data, size, &derr, &all_failed);
    if (a.rc == FHX_OK) {
        size_t problems = 99;
        fhx_error verr;
        const fhx_transform_stats *s = &a.stats;
        FHXF_CHECK_EQ(dst, FHX_END);
        FHXF_CHECK(a.len <= limit);
        FHXF_CHECK_EQ(s->records, s->ok + s->dropped + s->failed);
        FHXF_CHECK(s->failed >= s->invalid && s->failed >= s->handler_errors);
        FHXF_CHECK_EQ(s->bytes_in, size);
        FHXF_CHECK_EQ(s->bytes_out, a.len);
        FHXF_CHECK_EQ(fhx_verify_response((const char *)data, size,
                                          (const char *)a.resp, a.len, limit,
                                          no_problem, NULL, &problems, NULL,
                                          &verr),
                      FHX_OK);
        FHXF_CHECK_EQ(problems, 0);
        if (fn == fhx_handler_drop || fn == fhx_handler_fail)
            FHXF_CHECK_EQ(s->ok, 0);
    } else if (a.rc == FHX_E_LIMIT) {
        /* ProcessingFailed answers to all the records cannot fit (before
         * the decoder found anything wrong, if it does): only under a tiny
         * limit; for a valid event, only when they really cannot */
        FHXF_CHECK(limit < FHX_LAMBDA_RESPONSE_LIMIT);
        if (dst == FHX_END) FHXF_CHECK(all_failed > limit);
    } else {
        /* otherwise the transform fails exactly when the event does */
        FHXF_CHECK(dst != FHX_END);
        FHXF_CHECK_EQ(a.rc, dst);
        FHXF_CHECK_ERR(&a.err, &derr);
    }
    free(a.resp);
    free(b.resp);
    free(c.resp);
    fhx_transformer_free(t);
    return 0;
}

FHXF_ENTRY(fhxf_transform)
