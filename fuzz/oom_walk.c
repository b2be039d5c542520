/*
 * libfirehose-xform: the failing-allocator walk.
 *
 *   oom_walk [-v]
 *
 * Every allocating API (buffers, the framer's line writer, the event
 * decoder whole and chunked, the response writer, the transformer whole
 * and chunked with every built-in handler, the response checker, the gzip
 * writer and reader, the CloudWatch Logs handler) runs a
 * representative scenario through an allocator that counts its calls. A
 * first run counts the allocation points N (and must succeed); then for
 * every k in 1..N the scenario runs again twice: with only call k failing,
 * and with every call from k on failing. Each time
 *   - the scenario's first failing call must return FHX_E_NOMEM (never a
 *     crash, another code, or a success that lost data);
 *   - once the allocator works again, the same objects, reset, must give
 *     exactly the output of the run without failures (a failed allocation
 *     leaves no half-updated state behind);
 *   - after the objects are freed no byte is left allocated, and every
 *     free and realloc names the size that was allocated.
 * The walk prints one line per scenario (points walked) and exits 1 on the
 * first broken rule. It runs in `make check` and, under valgrind, as its
 * own CI stage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

/* ---- the allocator ------------------------------------------------------ */

typedef struct walk_alc {
    size_t calls;      /* alloc + realloc calls so far */
    size_t fail_at;    /* 0: never fail; else the first call that fails */
    int persistent;    /* fail every call from fail_at on, not just it */
    size_t failed;     /* calls failed */
    size_t live;       /* bytes allocated */
    size_t blocks;     /* blocks allocated */
} walk_alc;

#define HDR 16 /* room for the size in front of each block */

static int should_fail(walk_alc *a) {
    a->calls++;
    if (!a->fail_at) return 0;
    if (a->calls == a->fail_at || (a->persistent && a->calls > a->fail_at)) {
        a->failed++;
        return 1;
    }
    return 0;
}

static void *w_alloc(void *ctx, size_t size) {
    walk_alc *a = ctx;
    unsigned char *p;
    if (should_fail(a)) return NULL;
    FHXF_CHECK(size > 0);
    p = malloc(size + HDR);
    FHXF_CHECK(p != NULL);
    memcpy(p, &size, sizeof size);
    a->live += size;
    a->blocks++;
    return p + HDR;
}

static void *w_realloc(void *ctx, void *ptr, size_t old_size,
                       size_t new_size) {
    walk_alc *a = ctx;
    unsigned char *p = (unsigned char *)ptr - HDR, *q;
    size_t had;
    FHXF_CHECK(ptr != NULL);
    memcpy(&had, p, sizeof had);
    FHXF_CHECK_EQ(had, old_size); /* realloc names the allocated size */
    if (should_fail(a)) return NULL;
    q = realloc(p, new_size + HDR);
    FHXF_CHECK(q != NULL);
    memcpy(q, &new_size, sizeof new_size);
    a->live = a->live - old_size + new_size;
    return q + HDR;
}

static void w_free(void *ctx, void *ptr, size_t size) {
    walk_alc *a = ctx;
    unsigned char *p = (unsigned char *)ptr - HDR;
    size_t had;
    memcpy(&had, p, sizeof had);
    FHXF_CHECK_EQ(had, size); /* free names the allocated size */
    a->live -= size;
    a->blocks--;
    free(p);
}

/* ---- inputs ------------------------------------------------------------- */

static fhx_buf event_big;   /* 1,100 records: every table grows */
static fhx_buf event_small; /* escapes, metadata, a bad record */
static fhx_buf response_small;

static void put_lit(fhx_buf *b, const char *s) { fhxf_put(b, s, strlen(s)); }

static void make_inputs(void) {
    size_t i;
    char tmp[160];
    fhx_buf_init(&event_big, NULL);
    put_lit(&event_big, "{\"invocationId\":\"inv-1\",\"deliveryStreamArn\":"
                        "\"arn:aws:firehose:eu-west-1:1:deliverystream/x\","
                        "\"region\":\"eu-west-1\",\"records\":[");
    for (i = 0; i < 1100; i++) {
        /* payloads "m<i>\r\n\n" (framing work for ndjson), some long */
        char msg[64];
        size_t n = (size_t)snprintf(msg, sizeof msg, "m%zu\r\n\n", i), k = 0;
        char b64[96];
        FHXF_CHECK_EQ(fhx_b64_encode((const uint8_t *)msg, n, b64, sizeof b64,
                                     &k),
                      FHX_OK);
        b64[k] = '\0';
        snprintf(tmp, sizeof tmp, "%s{\"recordId\":\"id-%zu\",\"data\":\"%s\"}",
                 i ? "," : "", i, b64);
        put_lit(&event_big, tmp);
    }
    put_lit(&event_big, "]}\n");

    fhx_buf_init(&event_small, NULL);
    put_lit(&event_small,
            "{\"records\":[{\"recordId\":\"a\\u0062\",\"data\":\"YQpi\\/A==\"},"
            "{\"recordId\":\"k\",\"kafkaRecordValue\":\"QUJD\","
            "\"mskRecordMetadata\":{\"offset\":\"1\",\"partitionId\":2}},"
            "{\"recordId\":\"bad\",\"data\":\"QU!D\"},"
            "{\"recordId\":\"e\\u00e9\",\"data\":\"\"}],"
            "\"sourceMSKArn\":\"arn:aws:kafka:x\"}");
    fhx_buf_init(&response_small, NULL);
    put_lit(&response_small,
            "{\"records\":[{\"recordId\":\"ab\",\"result\":\"Ok\",\"data\":"
            "\"YQpi/A==\"},{\"recordId\":\"k\",\"result\":\"Dropped\"},"
            "{\"recordId\":\"bad\",\"result\":\"ProcessingFailed\","
            "\"metadata\":{\"partitionKeys\":{\"k\":\"v\"}}},"
            "{\"recordId\":\"e\\u00e9\",\"result\":\"Ok\",\"data\":\"\"}]}");
}

/* ---- scenarios ------------------------------------------------------------
 * Each scenario creates its objects with alc, runs, and on the first
 * negative status checks that it is FHX_E_NOMEM, lets the allocator work
 * again (a->fail_at = 0), resets the same objects and runs again. It
 * returns the first status seen and leaves its output in out. */

typedef int (*scenario_fn)(walk_alc *a, const fhx_allocator *alc,
                           fhx_buf *out);

/* The first failure must be NOMEM; then allocation works again. */
#define FIRST(st, first)                                                      \
    do {                                                                      \
        if ((st) < 0 && (first) == FHX_OK) {                                  \
            (first) = (st);                                                   \
            a->fail_at = 0;                                                   \
        }                                                                     \
    } while (0)

static int sc_buf(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    fhx_buf b;
    int first = FHX_OK, round;
    size_t i;
    fhx_buf_init(&b, alc);
    for (round = 0; round < 2; round++) {
        int st = FHX_OK;
        b.len = 0;
        for (i = 0; i < 300 && st == FHX_OK; i++) {
            uint8_t c = (uint8_t)i;
            st = fhx_buf_append(&b, &c, 1);
        }
        if (st == FHX_OK) st = fhx_buf_reserve(&b, 100000);
        if (st == FHX_OK) break;
        FIRST(st, first);
    }
    fhxf_put(out, b.ptr, b.len);
    fhx_buf_free(&b);
    return first;
}

static int sc_frame(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    fhx_buf b;
    fhx_framer fr;
    fhx_slice msg;
    int first = FHX_OK, round;
    fhx_buf_init(&b, alc);
    for (round = 0; round < 2; round++) {
        int st;
        b.len = 0;
        FHXF_CHECK_EQ(fhx_frame_init(&fr, event_big.ptr, event_big.len,
                                     FHX_SEP_COMMA, 0),
                      FHX_OK);
        while ((st = fhx_frame_next(&fr, &msg)) == FHX_OK) {
            st = fhx_frame_append_line(&b, msg.ptr, msg.len);
            if (st != FHX_OK) break;
        }
        if (st == FHX_END) break;
        FIRST(st, first);
    }
    fhxf_put(out, b.ptr, b.len);
    fhx_buf_free(&b);
    return first;
}

/* Decode ev whole (chunk 0) or in pieces of chunk bytes into out. */
static int decode_all(fhx_event_decoder *dec, const fhx_buf *ev, size_t chunk,
                      fhx_buf *out) {
    fhx_record rec;
    size_t pos = 0;
    int st;
    if (chunk == 0)
        st = fhx_event_begin(dec, (const char *)ev->ptr, ev->len);
    else
        st = fhx_event_begin_stream(dec);
    if (st != FHX_OK) return st;
    for (;;) {
        st = fhx_event_next(dec, &rec);
        if (st == FHX_OK) {
            fhxf_put_record(out, &rec);
            continue;
        }
        if (st != FHX_NEED_INPUT) break;
        if (pos == ev->len) {
            st = fhx_event_finish(dec);
        } else {
            size_t k = ev->len - pos < chunk ? ev->len - pos : chunk;
            st = fhx_event_feed(dec, (const char *)ev->ptr + pos, k);
            pos += k;
        }
        if (st != FHX_OK) return st;
    }
    if (st == FHX_END) fhxf_put_header(out, fhx_event_get_header(dec));
    return st == FHX_END ? FHX_OK : st;
}

static int decoder_scenario(walk_alc *a, const fhx_allocator *alc,
                            fhx_buf *out, const fhx_buf *ev, size_t chunk) {
    fhx_event_decoder *dec = NULL;
    int first = FHX_OK, st, round;
    st = fhx_event_decoder_new(&dec, alc);
    if (st != FHX_OK) {
        FHXF_CHECK(dec == NULL);
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, alc), FHX_OK);
    }
    for (round = 0; round < 2; round++) {
        size_t mark = out->len;
        st = decode_all(dec, ev, chunk, out);
        if (st == FHX_OK) break;
        out->len = mark; /* what the failed run produced is dropped */
        FIRST(st, first);
    }
    FHXF_CHECK_EQ(st, FHX_OK);
    fhx_event_decoder_free(dec);
    return first;
}

static int sc_decoder_whole(walk_alc *a, const fhx_allocator *alc,
                            fhx_buf *out) {
    int first = decoder_scenario(a, alc, out, &event_big, 0);
    int second = decoder_scenario(a, alc, out, &event_small, 0);
    return first != FHX_OK ? first : second;
}

static int sc_decoder_chunked(walk_alc *a, const fhx_allocator *alc,
                              fhx_buf *out) {
    int r1 = decoder_scenario(a, alc, out, &event_big, 7);
    int r2 = decoder_scenario(a, alc, out, &event_small, 1);
    int r3 = decoder_scenario(a, alc, out, &event_big, 4000);
    return r1 != FHX_OK ? r1 : r2 != FHX_OK ? r2 : r3;
}

static int sc_decoder_reserve(walk_alc *a, const fhx_allocator *alc,
                              fhx_buf *out) {
    fhx_event_decoder *dec = NULL;
    int first = FHX_OK, st;
    st = fhx_event_decoder_new(&dec, alc);
    if (st != FHX_OK) {
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, alc), FHX_OK);
    }
    st = fhx_event_decoder_reserve(dec, 5000);
    if (st != FHX_OK) {
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_event_decoder_reserve(dec, 5000), FHX_OK);
    }
    /* reserved, the recordId tables never grow: decoding the big event
     * allocates at most the copy of its header members, and once warm,
     * nothing at all */
    {
        size_t calls = a->calls;
        st = decode_all(dec, &event_big, 0, out);
        if (st != FHX_OK) {
            FIRST(st, first);
            out->len = 0;
            FHXF_CHECK_EQ(decode_all(dec, &event_big, 0, out), FHX_OK);
        } else {
            FHXF_CHECK(a->calls - calls <= 1);
        }
        calls = a->calls;
        out->len = 0;
        FHXF_CHECK_EQ(decode_all(dec, &event_big, 0, out), FHX_OK);
        FHXF_CHECK_EQ(a->calls, calls);
    }
    fhx_event_decoder_free(dec);
    return first;
}

/* Write an identity-ish response to ev with w; output grows in out. */
static int write_all(fhx_event_decoder *dec, fhx_response_writer *w,
                     const fhx_buf *ev, fhx_buf *out) {
    static const fhx_partition_key key = {{"k", 1}, {"v", 1}};
    char piece[512];
    fhx_record rec;
    int st;
    FHXF_CHECK_EQ(fhx_event_begin(dec, (const char *)ev->ptr, ev->len),
                  FHX_OK);
    st = fhx_response_begin(w, dec, piece, sizeof piece);
    if (st != FHX_OK) return st;
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        fhx_answer ans;
        memset(&ans, 0, sizeof ans);
        ans.result = rec.status == FHX_OK ? FHX_RESULT_OK
                                          : FHX_RESULT_PROCESSING_FAILED;
        if (rec.status == FHX_OK && !(rec.flags & FHX_REC_DATA_ESCAPED)) {
            ans.data_b64 = rec.data.ptr;
            ans.data_b64_len = rec.data.len;
        }
        if (rec.index % 3 == 0) {
            ans.keys = &key;
            ans.n_keys = 1;
        }
        st = fhx_response_add(w, &rec, &ans);
        while (st == FHX_NEED_OUTPUT) {
            fhxf_put(out, piece, fhx_response_output_len(w));
            FHXF_CHECK_EQ(fhx_response_set_output(w, piece, sizeof piece),
                          FHX_OK);
            st = fhx_response_add(w, &rec, &ans);
        }
        if (st != FHX_OK) return st;
    }
    if (st != FHX_END) return st;
    while ((st = fhx_response_end(w)) == FHX_NEED_OUTPUT) {
        fhxf_put(out, piece, fhx_response_output_len(w));
        FHXF_CHECK_EQ(fhx_response_set_output(w, piece, sizeof piece), FHX_OK);
    }
    fhxf_put(out, piece, fhx_response_output_len(w));
    return st;
}

static int sc_writer(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    fhx_event_decoder *dec;
    fhx_response_writer *w = NULL;
    int first = FHX_OK, st, round;
    /* the decoder is not under test here: reserved up front, then no
     * allocation of the walk is its */
    FHXF_CHECK_EQ(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_event_decoder_reserve(dec, 2000), FHX_OK);
    st = fhx_response_writer_new(&w, alc);
    if (st != FHX_OK) {
        FHXF_CHECK(w == NULL);
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_response_writer_new(&w, alc), FHX_OK);
    }
    for (round = 0; round < 2; round++) {
        size_t mark = out->len;
        st = write_all(dec, w, &event_big, out);
        if (st == FHX_OK) break;
        out->len = mark;
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_response_error(w)->code, st);
    }
    FHXF_CHECK_EQ(st, FHX_OK);
    fhx_response_writer_free(w);
    fhx_event_decoder_free(dec);
    return first;
}

/* A handler that allocates in its scratch buffer (and frames). */
static int grow_handler(void *ctx, const fhx_record *rec, const uint8_t *data,
                        size_t len, fhx_buf *outb, fhx_answer *ans) {
    size_t i;
    int st;
    (void)ctx;
    (void)rec;
    for (i = 0; i < 3; i++) {
        st = fhx_buf_append(outb, data, len);
        if (st != FHX_OK) return st;
    }
    ans->result = FHX_RESULT_OK;
    return FHX_OK;
}

static int transform_scenario(walk_alc *a, const fhx_allocator *alc,
                              fhx_buf *out, fhx_handler_fn fn, size_t chunk,
                              int small_only) {
    fhx_transformer *t = NULL;
    int first = FHX_OK, st, round, ev;
    st = fhx_transformer_new(&t, alc);
    if (st != FHX_OK) {
        FHXF_CHECK(t == NULL);
        FIRST(st, first);
        FHXF_CHECK_EQ(fhx_transformer_new(&t, alc), FHX_OK);
    }
    for (ev = small_only; ev < 2; ev++) {
        const fhx_buf *e = ev ? &event_small : &event_big;
        for (round = 0; round < 2; round++) {
            const char *resp = NULL;
            size_t len = 0, pos = 0;
            if (chunk == 0) {
                st = fhx_transform(t, (const char *)e->ptr, e->len, fn, NULL,
                                   &resp, &len);
            } else {
                st = fhx_transform_begin(t, fn, NULL);
                while (st == FHX_OK && pos < e->len) {
                    size_t k = e->len - pos < chunk ? e->len - pos : chunk;
                    st = fhx_transform_feed(t, (const char *)e->ptr + pos, k);
                    pos += k;
                }
                if (st == FHX_OK) st = fhx_transform_finish(t, &resp, &len);
            }
            if (st == FHX_OK) {
                fhxf_put(out, resp, len);
                break;
            }
            FHXF_CHECK_EQ(fhx_transform_error(t)->code, st);
            FIRST(st, first);
            /* a response, if any, was not handed out: nothing to drop */
        }
        FHXF_CHECK_EQ(st, FHX_OK);
    }
    fhx_transformer_free(t);
    return first;
}

static int sc_transform(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    static const fhx_handler_fn fns[] = {fhx_handler_identity,
                                         fhx_handler_ndjson, grow_handler};
    int first = FHX_OK;
    size_t i;
    for (i = 0; i < 3; i++) {
        int st = transform_scenario(a, alc, out, fns[i], 0, 0);
        if (first == FHX_OK) first = st;
    }
    return first;
}

static int sc_transform_chunked(walk_alc *a, const fhx_allocator *alc,
                                fhx_buf *out) {
    int r1 = transform_scenario(a, alc, out, fhx_handler_ndjson, 13, 0);
    int r2 = transform_scenario(a, alc, out, fhx_handler_identity, 1, 1);
    return r1 != FHX_OK ? r1 : r2;
}

static void on_problem(void *ctx, const fhx_problem *p) {
    fhx_buf *out = ctx;
    fhxf_put_u64(out, (uint64_t)(int64_t)p->code);
    fhxf_put_u64(out, p->offset);
}

static int sc_verify(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    int first = FHX_OK, round, which;
    for (which = 0; which < 2; which++) {
        const fhx_buf *ev = which ? &event_big : &event_small;
        const fhx_buf *resp = &response_small;
        for (round = 0; round < 2; round++) {
            size_t n = 0, mark = out->len;
            fhx_error err;
            int st = fhx_verify_response(
                (const char *)ev->ptr, ev->len, (const char *)resp->ptr,
                resp->len, 0, on_problem, out, &n, alc, &err);
            if (st == FHX_OK) {
                fhxf_put_u64(out, n);
                break;
            }
            out->len = mark;
            FHXF_CHECK_EQ(err.code, st);
            FIRST(st, first);
        }
    }
    return first;
}

/* gzip: the one-shot writer and reader (own and reused reader) and the
 * streaming objects, on the big event's bytes. */
static int sc_gzip(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    fhx_gzip_writer *w = NULL;
    fhx_gunzip_reader *r = NULL;
    fhx_buf gz, back;
    fhx_error err;
    int first = FHX_OK, round;
    fhx_buf_init(&gz, alc);
    fhx_buf_init(&back, alc);
    for (round = 0; round < 2; round++) {
        int st = FHX_OK;
        gz.len = back.len = 0;
        if (!w) st = fhx_gzip_writer_new(&w, 6, alc);
        if (st == FHX_OK && !r) st = fhx_gunzip_reader_new(&r, alc);
        if (st == FHX_OK)
            st = fhx_gzip_append(&gz, event_big.ptr, event_big.len, 6);
        if (st == FHX_OK)
            st = fhx_gunzip_append(NULL, &back, gz.ptr, gz.len, SIZE_MAX,
                                   &err);
        if (st == FHX_OK) {
            back.len = 0;
            st = fhx_gunzip_append(r, &back, gz.ptr, gz.len, SIZE_MAX, &err);
        }
        if (st == FHX_OK) {
            FHXF_CHECK_MEM(back.ptr, back.len, event_big.ptr, event_big.len);
            break;
        }
        if (st != FHX_E_NOMEM) FHXF_CHECK_EQ(err.code, st);
        FIRST(st, first);
    }
    fhxf_put(out, gz.ptr, gz.len);
    fhx_gzip_writer_free(w);
    fhx_gunzip_reader_free(r);
    fhx_buf_free(&gz);
    fhx_buf_free(&back);
    return first;
}

/* The CloudWatch Logs handler on a gzip document, text and JSON lines,
 * with its own reader and scratch and with reused ones. */
static int sc_cwlogs(walk_alc *a, const fhx_allocator *alc, fhx_buf *out) {
    static const char doc[] =
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\","
        "\"logGroup\":\"g\",\"logStream\":\"s\",\"subscriptionFilters\":[\"f\"],"
        "\"logEvents\":[{\"id\":\"1\",\"timestamp\":1,\"message\":\"one\\n\"},"
        "{\"id\":\"2\",\"timestamp\":2,\"message\":\"t\\u00e9o\"}]}";
    fhx_gunzip_reader *r = NULL;
    fhx_buf gz, res, scratch;
    fhx_record rec;
    int first = FHX_OK, mode;
    fhx_buf_init(&gz, NULL);
    FHXF_CHECK_EQ(fhx_gzip_append(&gz, doc, sizeof doc - 1, 6), FHX_OK);
    fhx_buf_init(&res, alc);
    fhx_buf_init(&scratch, alc);
    memset(&rec, 0, sizeof rec);
    for (mode = 0; mode < 4; mode++) {
        int round;
        for (round = 0; round < 2; round++) {
            fhx_cwlogs_opts o;
            fhx_answer ans;
            int st = FHX_OK;
            memset(&o, 0, sizeof o);
            memset(&ans, 0, sizeof ans);
            o.flags = (mode & 1) ? (unsigned)FHX_CWLOGS_JSON_LINES : 0u;
            if ((mode & 2) && !r) st = fhx_gunzip_reader_new(&r, alc);
            if (mode & 2) {
                o.reader = r;
                o.scratch = &scratch;
            }
            res.len = 0;
            if (st == FHX_OK)
                st = fhx_handler_cloudwatch_logs(&o, &rec, gz.ptr, gz.len,
                                                 &res, &ans);
            if (st == FHX_OK) {
                FHXF_CHECK_EQ(ans.result, FHX_RESULT_OK);
                fhxf_put(out, res.ptr, res.len);
                break;
            }
            FIRST(st, first);
        }
    }
    fhx_gunzip_reader_free(r);
    fhx_buf_free(&gz);
    fhx_buf_free(&res);
    fhx_buf_free(&scratch);
    return first;
}

/* ---- the walk ----------------------------------------------------------- */

typedef struct scenario {
    const char *name;
    scenario_fn fn;
} scenario;

static const scenario scenarios[] = {
    {"fhx_buf_append/reserve", sc_buf},
    {"fhx_frame_append_line", sc_frame},
    {"event decoder, whole", sc_decoder_whole},
    {"event decoder, chunked", sc_decoder_chunked},
    {"event decoder, reserve", sc_decoder_reserve},
    {"response writer", sc_writer},
    {"transformer, whole", sc_transform},
    {"transformer, chunked", sc_transform_chunked},
    {"fhx_verify_response", sc_verify},
    {"gzip writer and reader", sc_gzip},
    {"cloudwatch-logs handler", sc_cwlogs},
};

/* One run; returns its first status, checks the leak and size rules. */
static int run(const scenario *s, size_t fail_at, int persistent,
               fhx_buf *out, size_t *calls) {
    walk_alc a;
    fhx_allocator alc;
    int st;
    memset(&a, 0, sizeof a);
    a.fail_at = fail_at;
    a.persistent = persistent;
    alc.alloc = w_alloc;
    alc.realloc = w_realloc;
    alc.free = w_free;
    alc.ctx = &a;
    st = s->fn(&a, &alc, out);
    if (a.live != 0 || a.blocks != 0)
        fhxf_fail(__FILE__, __LINE__,
                  "%s: failing call %zu%s: %zu bytes in %zu blocks leaked",
                  s->name, fail_at, persistent ? " on" : "", a.live, a.blocks);
    if (calls) *calls = a.calls;
    return st;
}

int main(int argc, char **argv) {
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    size_t i, total = 0;
    make_inputs();
    for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        fhx_buf ref;
        size_t n = 0, k;
        int persistent;
        fhx_buf_init(&ref, NULL);
        FHXF_CHECK_EQ(run(s, 0, 0, &ref, &n), FHX_OK);
        FHXF_CHECK(n > 0);
        for (k = 1; k <= n; k++) {
            for (persistent = 0; persistent < 2; persistent++) {
                fhx_buf out;
                int st;
                fhx_buf_init(&out, NULL);
                st = run(s, k, persistent, &out, NULL);
                if (st != FHX_E_NOMEM)
                    fhxf_fail(__FILE__, __LINE__,
                              "%s: allocation %zu of %zu failing%s: status "
                              "%s, not FHX_E_NOMEM",
                              s->name, k, n, persistent ? " on" : "",
                              fhx_status_name(st));
                if (out.len != ref.len ||
                    (out.len && memcmp(out.ptr, ref.ptr, out.len) != 0))
                    fhxf_fail(__FILE__, __LINE__,
                              "%s: allocation %zu failing%s: the retry after "
                              "FHX_E_NOMEM gave another result",
                              s->name, k, persistent ? " on" : "");
                fhx_buf_free(&out);
                if (verbose) printf("  %s: point %zu%s ok\n", s->name, k,
                                    persistent ? "+" : "");
            }
        }
        printf("%-26s %4zu allocation points, each failed once and from "
               "there on: FHX_E_NOMEM, no leak, retry identical\n",
               s->name, n);
        total += n;
        fhx_buf_free(&ref);
    }
    printf("oom_walk: %zu allocation points walked\n", total);
    fhx_buf_free(&event_big);
    fhx_buf_free(&event_small);
    fhx_buf_free(&response_small);
    return 0;
}
