/* libfirehose-xform tests: the response writer (fhx/response.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* ---- events decoded with the real decoder ------------------------------ */

typedef struct event_fx {
    char *json;       /* exact-size copy of the event */
    size_t len;
    fhx_event_decoder *dec;
    fhx_record *recs;
    size_t n;
} event_fx;

/* Decode the whole event; records are kept (views into json). */
static void fx_load_n(event_fx *fx, const char *json, size_t len,
                      const fhx_allocator *alc) {
    size_t cap = 8;
    int st;
    fx->len = len;
    fx->json = fhxt_dup(json, len);
    fx->n = 0;
    fx->recs = malloc(cap * sizeof *fx->recs);
    ck_assert_ptr_nonnull(fx->json);
    ck_assert_ptr_nonnull(fx->recs);
    ck_assert_int_eq(fhx_event_decoder_new(&fx->dec, alc), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(fx->dec, fx->json, len), FHX_OK);
    for (;;) {
        if (fx->n == cap) {
            cap *= 2;
            fx->recs = realloc(fx->recs, cap * sizeof *fx->recs);
            ck_assert_ptr_nonnull(fx->recs);
        }
        st = fhx_event_next(fx->dec, &fx->recs[fx->n]);
        if (st != FHX_OK) break;
        fx->n++;
    }
    ck_assert_msg(st == FHX_END, "event decode: %s at %zu",
                  fhx_status_name(st), fhx_event_error(fx->dec)->offset);
}

static void fx_load(event_fx *fx, const char *json) {
    fx_load_n(fx, json, strlen(json), NULL);
}

static void fx_free(event_fx *fx) {
    fhx_event_decoder_free(fx->dec);
    free(fx->recs);
    free(fx->json);
}

/* A growable string for building events and collecting output. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->p = realloc(b->p, cap);
        ck_assert_ptr_nonnull(b->p);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* An event of n records with ids "id-<i>"; kafka selects kafkaRecordValue. */
static char *make_event(size_t n, int kafka) {
    sbuf b = {NULL, 0, 0};
    size_t i;
    char tmp[160];
    sb_str(&b, "{\"invocationId\":\"inv\",\"records\":[");
    for (i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp,
                 "%s{\"recordId\":\"id-%zu\",\"approximateArrival"
                 "Timestamp\":1700000000000,\"%s\":\"aGVsbG8=\"}",
                 i ? "," : "", i, kafka ? "kafkaRecordValue" : "data");
        sb_str(&b, tmp);
    }
    sb_str(&b, "]}");
    return b.p;
}

/* ---- writing ----------------------------------------------------------- */

static uint32_t rng_state;

static uint32_t rnd(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/*
 * Write the response for fx with answers ans[i] (for record i), giving the
 * writer output buffers of the sizes produced by next_cap, and return the
 * concatenated output. cap_fixed > 0: every buffer has that size; 0:
 * random sizes 0..40.
 */
static char *write_response(const event_fx *fx, const fhx_answer *ans,
                            size_t cap_fixed, size_t *out_len) {
    fhx_response_writer *w;
    sbuf acc = {NULL, 0, 0};
    char buf[4096];
    size_t i, cap;
    int st;
    sb_add(&acc, "", 0);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    cap = cap_fixed ? cap_fixed : rnd() % 41;
    ck_assert_uint_le(cap, sizeof buf);
    ck_assert_int_eq(fhx_response_begin(w, fx->dec, buf, cap), FHX_OK);
    for (i = 0; i <= fx->n; i++) {
        for (;;) {
            st = i < fx->n ? fhx_response_add(w, &fx->recs[i], &ans[i])
                           : fhx_response_end(w);
            if (st != FHX_NEED_OUTPUT) break;
            ck_assert_uint_le(fhx_response_output_len(w), cap);
            sb_add(&acc, buf, fhx_response_output_len(w));
            cap = cap_fixed ? cap_fixed : rnd() % 41;
            ck_assert_int_eq(fhx_response_set_output(w, buf, cap), FHX_OK);
        }
        ck_assert_int_eq(st, FHX_OK);
    }
    sb_add(&acc, buf, fhx_response_output_len(w));
    ck_assert_uint_eq(fhx_response_size(w), acc.len);
    fhx_response_writer_free(w);
    *out_len = acc.len;
    return acc.p;
}

/* One-shot write into a large buffer, compared with want. */
static void check_golden(const event_fx *fx, const fhx_answer *ans,
                         const char *want) {
    size_t len;
    char *got = write_response(fx, ans, 4096, &len);
    ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
                  "got  %s\nwant %s", got, want);
    free(got);
}

static fhx_answer answer(fhx_result r, const char *data) {
    fhx_answer a;
    memset(&a, 0, sizeof a);
    a.result = r;
    if (data) {
        a.data = (const uint8_t *)data;
        a.data_len = strlen(data);
    }
    return a;
}

/* ---- golden output ------------------------------------------------------ */

START_TEST(test_golden_results) {
    event_fx fx;
    fhx_answer ans[3];
    char *ev = make_event(3, 0);
    fx_load(&fx, ev);
    ans[0] = answer(FHX_RESULT_OK, "hello");
    ans[1] = answer(FHX_RESULT_DROPPED, NULL);
    ans[2] = answer(FHX_RESULT_PROCESSING_FAILED, NULL);
    check_golden(&fx, ans,
                 "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\","
                 "\"data\":\"aGVsbG8=\"},{\"recordId\":\"id-1\",\"result\":"
                 "\"Dropped\"},{\"recordId\":\"id-2\",\"result\":"
                 "\"ProcessingFailed\"}]}");
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_golden_payload_forms) {
    event_fx fx;
    fhx_answer ans[4];
    char *ev = make_event(4, 0);
    fx_load(&fx, ev);
    ans[0] = answer(FHX_RESULT_OK, NULL); /* Ok without payload */
    ans[1] = answer(FHX_RESULT_OK, "");   /* empty payload */
    ans[2] = answer(FHX_RESULT_PROCESSING_FAILED, "ab");
    ans[3] = answer(FHX_RESULT_OK, NULL);
    ans[3].data_b64 = "QUJD";
    ans[3].data_b64_len = 4;
    ans[3].data = (const uint8_t *)"ignored";
    ans[3].data_len = 7;
    check_golden(&fx, ans,
                 "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\","
                 "\"data\":\"\"},{\"recordId\":\"id-1\",\"result\":\"Ok\","
                 "\"data\":\"\"},{\"recordId\":\"id-2\",\"result\":"
                 "\"ProcessingFailed\",\"data\":\"YWI=\"},{\"recordId\":"
                 "\"id-3\",\"result\":\"Ok\",\"data\":\"QUJD\"}]}");
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_golden_partition_keys) {
    static const fhx_partition_key keys[] = {
        {{"customer", 8}, {"c-1", 3}},
        {{"q\"b\\s", 5}, {"n\nr\rt\tb\bf\f", 10}},
        {{"ctl", 3}, {"\x01\x1f\x7f", 3}},
        {{"utf8 \xc3\xa9\xe2\x82\xac", 10}, {"", 0}},
    };
    event_fx fx;
    fhx_answer ans[2];
    char *ev = make_event(2, 0);
    fx_load(&fx, ev);
    ans[0] = answer(FHX_RESULT_OK, "x");
    ans[0].keys = keys;
    ans[0].n_keys = 4;
    ans[1] = answer(FHX_RESULT_DROPPED, NULL);
    ans[1].keys = keys;
    ans[1].n_keys = 1;
    check_golden(
        &fx, ans,
        "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\",\"data\":"
        "\"eA==\",\"metadata\":{\"partitionKeys\":{\"customer\":\"c-1\","
        "\"q\\\"b\\\\s\":\"n\\nr\\rt\\tb\\bf\\f\",\"ctl\":\"\\u0001\\u001f"
        "\x7f\",\"utf8 \xc3\xa9\xe2\x82\xac\":\"\"}}},{\"recordId\":\"id-1\","
        "\"result\":\"Dropped\",\"metadata\":{\"partitionKeys\":{"
        "\"customer\":\"c-1\"}}}]}");
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_golden_kafka) {
    event_fx fx;
    fhx_answer ans[2];
    char *ev = make_event(2, 1);
    fx_load(&fx, ev);
    ck_assert(fx.recs[0].flags & FHX_REC_KAFKA);
    ans[0] = answer(FHX_RESULT_OK, "hi");
    ans[1] = answer(FHX_RESULT_OK, NULL);
    check_golden(&fx, ans,
                 "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\","
                 "\"kafkaRecordValue\":\"aGk=\"},{\"recordId\":\"id-1\","
                 "\"result\":\"Ok\",\"kafkaRecordValue\":\"\"}]}");
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_golden_escaped_ids) {
    event_fx fx;
    fhx_answer ans[2];
    fx_load(&fx, "{\"records\":[{\"recordId\":\"a\\u0041\\\"\\\\/\","
                 "\"data\":\"\"},{\"recordId\":\"\\ud83d\\ude00\\/\","
                 "\"data\":\"\"}]}");
    ck_assert_uint_eq(fx.n, 2);
    ck_assert(fx.recs[0].flags & FHX_REC_ID_ESCAPED);
    ans[0] = answer(FHX_RESULT_DROPPED, NULL);
    ans[1] = answer(FHX_RESULT_DROPPED, NULL);
    check_golden(&fx, ans,
                 "{\"records\":[{\"recordId\":\"a\\u0041\\\"\\\\/\","
                 "\"result\":\"Dropped\"},{\"recordId\":\"\\ud83d\\ude00"
                 "\\/\",\"result\":\"Dropped\"}]}");
    fx_free(&fx);
}
END_TEST

START_TEST(test_golden_empty) {
    event_fx fx;
    fx_load(&fx, "{\"records\":[]}");
    ck_assert_uint_eq(fx.n, 0);
    check_golden(&fx, NULL, "{\"records\":[]}");
    fx_free(&fx);
}
END_TEST

START_TEST(test_golden_long_payload) {
    /* every length 0..40 round-trips through the writer's base64 */
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t data[40];
    size_t n, i;
    for (i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 37 + 11);
    for (n = 0; n <= sizeof data; n++) {
        event_fx fx;
        fhx_answer ans[1];
        char want[256], enc[64];
        size_t k = 0, j;
        for (j = 0; j < n; j += 3) {
            uint32_t v = (uint32_t)data[j] << 16;
            if (j + 1 < n) v |= (uint32_t)data[j + 1] << 8;
            if (j + 2 < n) v |= data[j + 2];
            enc[k++] = b64[(v >> 18) & 63];
            enc[k++] = b64[(v >> 12) & 63];
            enc[k++] = j + 1 < n ? b64[(v >> 6) & 63] : '=';
            enc[k++] = j + 2 < n ? b64[v & 63] : '=';
        }
        enc[k] = '\0';
        snprintf(want, sizeof want,
                 "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\","
                 "\"data\":\"%s\"}]}",
                 enc);
        fx_load(&fx, "{\"records\":[{\"recordId\":\"id-0\",\"data\":\"\"}]}");
        memset(ans, 0, sizeof ans);
        ans[0].data = data;
        ans[0].data_len = n;
        check_golden(&fx, ans, want);
        fx_free(&fx);
    }
}
END_TEST

START_TEST(test_result_name) {
    ck_assert_str_eq(fhx_result_name(FHX_RESULT_OK), "Ok");
    ck_assert_str_eq(fhx_result_name(FHX_RESULT_DROPPED), "Dropped");
    ck_assert_str_eq(fhx_result_name(FHX_RESULT_PROCESSING_FAILED),
                     "ProcessingFailed");
    ck_assert_ptr_null(fhx_result_name((fhx_result)3));
    ck_assert_ptr_null(fhx_result_name((fhx_result)-1));
}
END_TEST

/* ---- resumable output --------------------------------------------------- */

static const fhx_partition_key mixed_keys[] = {
    {{"k\"1", 3}, {"v\\1\n", 4}},
    {{"\xc3\xa9t\xc3\xa9", 6}, {"\x02x\x1f", 3}},
    {{"plain", 5}, {"value", 5}},
};

/* Random answers for n records; data points into pool. */
static void random_answers(fhx_answer *ans, size_t n, const uint8_t *pool,
                           size_t pool_len) {
    size_t i;
    for (i = 0; i < n; i++) {
        size_t len = rnd() % 50;
        memset(&ans[i], 0, sizeof ans[i]);
        ans[i].result = (fhx_result)(rnd() % 3);
        switch (rnd() % 4) {
        case 0:
            break; /* no payload */
        case 1:
            ans[i].data_b64 = "SGVsbG8gV29ybGQ=";
            ans[i].data_b64_len = 16;
            break;
        default:
            ans[i].data = pool + rnd() % (pool_len - len);
            ans[i].data_len = len;
            break;
        }
        if (rnd() % 3 == 0) {
            ans[i].keys = mixed_keys;
            ans[i].n_keys = 1 + rnd() % 3;
        }
    }
}

static void resume_case(size_t n_records, int kafka, uint32_t seed) {
    uint8_t pool[256];
    fhx_answer ans[12];
    event_fx fx;
    char *ev = make_event(n_records, kafka), *one, *got;
    size_t one_len, got_len, cap, i, round;
    ck_assert_uint_le(n_records, 12);
    rng_state = seed;
    for (i = 0; i < sizeof pool; i++) pool[i] = (uint8_t)rnd();
    random_answers(ans, n_records, pool, sizeof pool);
    fx_load(&fx, ev);
    one = write_response(&fx, ans, 4096, &one_len);
    for (cap = 1; cap <= one_len + 1; cap++) {
        got = write_response(&fx, ans, cap, &got_len);
        ck_assert_msg(got_len == one_len && memcmp(got, one, one_len) == 0,
                      "cap %zu:\n got %s\nwant %s", cap, got, one);
        free(got);
    }
    for (round = 0; round < 50; round++) {
        got = write_response(&fx, ans, 0, &got_len);
        ck_assert_uint_eq(got_len, one_len);
        ck_assert_int_eq(memcmp(got, one, one_len), 0);
        free(got);
    }
    free(one);
    fx_free(&fx);
    free(ev);
}

START_TEST(test_resume_every_size) {
    resume_case(5, 0, 1);
    resume_case(3, 1, 2);
    resume_case(1, 0, 3);
}
END_TEST

START_TEST(test_resume_random) {
    uint32_t seed;
    for (seed = 10; seed < 30; seed++)
        resume_case(1 + seed % 12, (int)(seed & 1), seed);
}
END_TEST

START_TEST(test_resume_empty_response) {
    event_fx fx;
    char *got;
    size_t cap, len;
    fx_load(&fx, "{\"records\":[]}");
    for (cap = 1; cap <= 15; cap++) {
        got = write_response(&fx, NULL, cap, &len);
        ck_assert_uint_eq(len, 14);
        ck_assert_int_eq(memcmp(got, "{\"records\":[]}", 14), 0);
        free(got);
    }
    fx_free(&fx);
}
END_TEST

START_TEST(test_resume_zero_capacity) {
    /* a call with no room writes nothing and asks again */
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_OK, "abc");
    char buf[128];
    char *ev = make_event(1, 0);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, NULL, 0), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_NEED_OUTPUT);
    ck_assert_uint_eq(fhx_response_output_len(w), 0);
    ck_assert_uint_eq(fhx_response_size(w), 0);
    ck_assert_int_eq(fhx_response_set_output(w, buf, 5), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_NEED_OUTPUT);
    ck_assert_uint_eq(fhx_response_output_len(w), 5);
    ck_assert_int_eq(memcmp(buf, "{\"rec", 5), 0);
    ck_assert_int_eq(fhx_response_set_output(w, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    ck_assert_uint_eq(fhx_response_output_len(w), 56);
    ck_assert_int_eq(memcmp(buf,
                            "ords\":[{\"recordId\":\"id-0\",\"result\":\"Ok\","
                            "\"data\":\"YWJj\"}]}",
                            56),
                     0);
    ck_assert_uint_eq(fhx_response_size(w), 61);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_resume_other_record) {
    /* a different record (or answer) while one is half written */
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_OK, "abc");
    fhx_answer b = answer(FHX_RESULT_OK, "abcdef");
    char buf[8];
    char *ev = make_event(2, 0);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_NEED_OUTPUT);
    ck_assert_int_eq(fhx_response_end(w), FHX_E_STATE);
    ck_assert_int_eq(fhx_response_error(w)->code, FHX_E_STATE);

    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_NEED_OUTPUT);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[1], &a), FHX_E_STATE);

    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_NEED_OUTPUT);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &b), FHX_E_STATE);
    /* sticky */
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_E_STATE);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

/* ---- sizes and the limit ------------------------------------------------ */

START_TEST(test_answer_size_exact) {
    uint8_t pool[256];
    fhx_answer ans[12];
    event_fx fx;
    fhx_response_writer *w;
    char *buf = malloc(1 << 16);
    char *ev = make_event(12, 0);
    size_t i, round, before;
    ck_assert_ptr_nonnull(buf);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    for (round = 0; round < 20; round++) {
        rng_state = (uint32_t)round + 100;
        for (i = 0; i < sizeof pool; i++) pool[i] = (uint8_t)rnd();
        random_answers(ans, 12, pool, sizeof pool);
        ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 16),
                         FHX_OK);
        for (i = 0; i < 12; i++) {
            size_t size;
            ck_assert_int_eq(
                fhx_response_answer_size(&fx.recs[i], &ans[i], &size),
                FHX_OK);
            before = fhx_response_size(w);
            ck_assert_int_eq(fhx_response_add(w, &fx.recs[i], &ans[i]),
                             FHX_OK);
            /* separator: the 12-byte prefix, then a comma */
            ck_assert_uint_eq(fhx_response_size(w) - before,
                              size + (i ? 1 : 12));
            ck_assert_int_eq(buf[before + (i ? 1 : 12)], '{');
            ck_assert_int_eq(buf[fhx_response_size(w) - 1], '}');
        }
        ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    }
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
    free(buf);
}
END_TEST

START_TEST(test_answer_size_values) {
    fhx_record rec;
    fhx_answer a = answer(FHX_RESULT_OK, NULL);
    size_t size;
    memset(&rec, 0, sizeof rec);
    rec.id.ptr = "abc";
    rec.id.len = 3;
    /* {"recordId":"abc","result":"Ok","data":""} */
    ck_assert_int_eq(fhx_response_answer_size(&rec, &a, &size), FHX_OK);
    ck_assert_uint_eq(size, 42);
    a.result = FHX_RESULT_PROCESSING_FAILED;
    /* {"recordId":"abc","result":"ProcessingFailed"} */
    ck_assert_int_eq(fhx_response_answer_size(&rec, &a, &size), FHX_OK);
    ck_assert_uint_eq(size, 46);
    rec.flags = FHX_REC_KAFKA;
    a.data = (const uint8_t *)"abcd";
    a.data_len = 4; /* 8 base64 chars */
    ck_assert_int_eq(fhx_response_answer_size(&rec, &a, &size), FHX_OK);
    ck_assert_uint_eq(size, 46 + 21 + 8 + 1);
}
END_TEST

/* Size of the whole response of fx with ans (one-shot). */
static size_t response_len(const event_fx *fx, const fhx_answer *ans) {
    size_t len;
    free(write_response(fx, ans, 4096, &len));
    return len;
}

START_TEST(test_limit_boundary) {
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer ans[2], pf;
    char buf[1024];
    char *ev = make_event(2, 0);
    size_t exact;
    fx_load(&fx, ev);
    ans[0] = answer(FHX_RESULT_OK, "0123456789012345678901234567890");
    ans[1] = answer(FHX_RESULT_OK, "abcdefghijabcdefghijabcdefghija");
    pf = answer(FHX_RESULT_PROCESSING_FAILED, NULL);
    exact = response_len(&fx, ans);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);

    /* limit = exact size: everything fits */
    ck_assert_int_eq(fhx_response_set_limit(w, exact), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &ans[0]), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[1], &ans[1]), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    ck_assert_uint_eq(fhx_response_size(w), exact);

    /* limit = exact - 1: the second answer is FULL, nothing written */
    ck_assert_int_eq(fhx_response_set_limit(w, exact - 1), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &ans[0]), FHX_OK);
    {
        size_t before = fhx_response_size(w);
        ck_assert_int_eq(fhx_response_add(w, &fx.recs[1], &ans[1]),
                         FHX_FULL);
        ck_assert_uint_eq(fhx_response_size(w), before);
        ck_assert_uint_eq(fhx_response_output_len(w), before);
        ck_assert_int_eq(fhx_response_error(w)->code, FHX_OK);
    }
    /* still usable: a ProcessingFailed answer without data fits */
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[1], &pf), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    ck_assert_uint_le(fhx_response_size(w), exact - 1);
    ck_assert_int_eq(memcmp(buf + fhx_response_size(w) - 50,
                            ",{\"recordId\":\"id-1\",\"result\":"
                            "\"ProcessingFailed\"}]}",
                            50),
                     0);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_limit_first_record) {
    /* the prefix and the closing bytes count for the first answer */
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_DROPPED, NULL);
    char buf[256];
    char *ev = make_event(1, 0);
    /* {"records":[{"recordId":"id-0","result":"Dropped"}]} = 52 bytes */
    fx_load(&fx, ev);
    ck_assert_uint_eq(response_len(&fx, &a), 52);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_set_limit(w, 51), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_FULL);
    ck_assert_uint_eq(fhx_response_size(w), 0);
    /* nothing was added yet: the limit may still change */
    ck_assert_int_eq(fhx_response_set_limit(w, 52), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    ck_assert_uint_eq(fhx_response_size(w), 52);
    /* after the first answer the limit is fixed */
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_set_limit(w, 100), FHX_E_STATE);
    ck_assert_int_eq(fhx_response_error(w)->code, FHX_E_STATE);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_limit_args) {
    fhx_response_writer *w;
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_set_limit(w, 14), FHX_OK);
    ck_assert_int_eq(fhx_response_set_limit(w, 13), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_set_limit(NULL, 100), FHX_E_ARG);
    fhx_response_writer_free(w);
}
END_TEST

START_TEST(test_limit_default) {
    /* the default limit is the Lambda one: a response just under it fits,
     * one record more does not */
    size_t payload = 1000000;
    uint8_t *data = calloc(payload, 1);
    char *out = malloc(FHX_LAMBDA_RESPONSE_LIMIT);
    char *ev = make_event(8, 0);
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer a;
    size_t i;
    int st = FHX_OK;
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(out);
    fx_load(&fx, ev);
    memset(&a, 0, sizeof a);
    a.data = data;
    a.data_len = payload;
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(
        fhx_response_begin(w, fx.dec, out, FHX_LAMBDA_RESPONSE_LIMIT),
        FHX_OK);
    /* each answer is about 1,333,380 bytes: 4 fit in 6,291,556, 5 do not */
    for (i = 0; i < 8; i++) {
        st = fhx_response_add(w, &fx.recs[i], &a);
        if (st != FHX_OK) break;
    }
    ck_assert_int_eq(st, FHX_FULL);
    ck_assert_uint_eq(i, 4);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
    free(out);
    free(data);
}
END_TEST

/* ---- the bound ---------------------------------------------------------- */

START_TEST(test_bound_values) {
    ck_assert_uint_eq(fhx_response_bound(0, 0, 0), 14);
    ck_assert_uint_eq(fhx_response_bound(SIZE_MAX, 0, 0), SIZE_MAX);
    ck_assert_uint_eq(fhx_response_bound(SIZE_MAX / 66 + 1, 0, 0), SIZE_MAX);
    ck_assert_uint_eq(fhx_response_bound(1, SIZE_MAX, 0), SIZE_MAX);
    ck_assert_uint_eq(fhx_response_bound(1, 0, SIZE_MAX), SIZE_MAX);
    ck_assert_uint_eq(fhx_response_bound(1, 0, SIZE_MAX - 1), SIZE_MAX);
    /* one record, no id, no data: {"records":[{"recordId":"","result":
     * "ProcessingFailed","kafkaRecordValue":""}]} is 79 bytes, and the
     * bound reserves base64 of 2 bytes (4) for it */
    ck_assert_uint_eq(fhx_response_bound(1, 0, 0), 79 + 4);
}
END_TEST

START_TEST(test_bound_random) {
    uint8_t pool[256];
    fhx_answer ans[12];
    size_t i, round;
    for (i = 0; i < sizeof pool; i++) pool[i] = (uint8_t)i;
    for (round = 0; round < 40; round++) {
        size_t n = 1 + round % 12, ids = 0, data = 0, len;
        event_fx fx;
        char *ev = make_event(n, (int)(round & 1));
        rng_state = (uint32_t)round * 7 + 3;
        fx_load(&fx, ev);
        for (i = 0; i < n; i++) {
            ans[i] = answer((fhx_result)(rnd() % 3), NULL);
            ans[i].data = pool;
            ans[i].data_len = rnd() % 100;
            ids += fx.recs[i].id.len;
            data += ans[i].data_len;
        }
        len = response_len(&fx, ans);
        ck_assert_uint_ge(fhx_response_bound(n, ids, data), len);
        /* worst case: MSK, ProcessingFailed with data of 3k+1 bytes */
        if (round & 1) {
            data = 0;
            for (i = 0; i < n; i++) {
                ans[i].result = FHX_RESULT_PROCESSING_FAILED;
                ans[i].data_len = 3 * (rnd() % 30) + 1;
                data += ans[i].data_len;
            }
            len = response_len(&fx, ans);
            ck_assert_uint_eq(fhx_response_bound(n, ids, data), len);
        }
        fx_free(&fx);
        free(ev);
    }
}
END_TEST

/* ---- the guard ---------------------------------------------------------- */

typedef struct guard_fx {
    event_fx fx;
    char *ev;
    fhx_response_writer *w;
    char buf[1024];
    fhx_answer ok;
} guard_fx;

static void guard_setup(guard_fx *g, size_t n) {
    g->ev = make_event(n, 0);
    fx_load(&g->fx, g->ev);
    ck_assert_int_eq(fhx_response_writer_new(&g->w, NULL), FHX_OK);
    ck_assert_int_eq(
        fhx_response_begin(g->w, g->fx.dec, g->buf, sizeof g->buf), FHX_OK);
    g->ok = answer(FHX_RESULT_OK, "x");
}

static void guard_teardown(guard_fx *g) {
    fhx_response_writer_free(g->w);
    fx_free(&g->fx);
    free(g->ev);
}

static void assert_error(const fhx_response_writer *w, int code,
                         size_t record) {
    const fhx_error *e = fhx_response_error(w);
    ck_assert_int_eq(e->code, code);
    ck_assert_uint_eq(e->record, record);
    ck_assert_ptr_nonnull(e->msg);
}

START_TEST(test_guard_unknown_index) {
    guard_fx g;
    fhx_record rec;
    guard_setup(&g, 3);
    rec = g.fx.recs[2];
    rec.index = 3;
    ck_assert_int_eq(fhx_response_add(g.w, &rec, &g.ok), FHX_E_UNKNOWN_ID);
    assert_error(g.w, FHX_E_UNKNOWN_ID, 3);
    /* sticky: the writer is dead, even for a valid answer */
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok),
                     FHX_E_UNKNOWN_ID);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_E_UNKNOWN_ID);
    ck_assert_uint_eq(fhx_response_size(g.w), 0);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_invented_record) {
    guard_fx g;
    fhx_record rec;
    guard_setup(&g, 2);
    memset(&rec, 0, sizeof rec);
    rec.id.ptr = "id-7";
    rec.id.len = 4;
    rec.index = 1;
    ck_assert_int_eq(fhx_response_add(g.w, &rec, &g.ok), FHX_E_UNKNOWN_ID);
    assert_error(g.w, FHX_E_UNKNOWN_ID, 1);
    ck_assert_uint_eq(fhx_response_error(g.w)->offset, g.fx.recs[1].offset);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_altered_id) {
    guard_fx g;
    fhx_record rec;
    char id[8];
    guard_setup(&g, 2);
    /* same index, one id byte changed */
    rec = g.fx.recs[0];
    memcpy(id, rec.id.ptr, rec.id.len);
    id[rec.id.len - 1] = '9';
    rec.id.ptr = id;
    ck_assert_int_eq(fhx_response_add(g.w, &rec, &g.ok), FHX_E_UNKNOWN_ID);
    assert_error(g.w, FHX_E_UNKNOWN_ID, 0);
    /* another record's id under this index */
    ck_assert_int_eq(
        fhx_response_begin(g.w, g.fx.dec, g.buf, sizeof g.buf), FHX_OK);
    rec = g.fx.recs[0];
    rec.id = g.fx.recs[1].id;
    ck_assert_int_eq(fhx_response_add(g.w, &rec, &g.ok), FHX_E_UNKNOWN_ID);
    /* a truncated id */
    ck_assert_int_eq(
        fhx_response_begin(g.w, g.fx.dec, g.buf, sizeof g.buf), FHX_OK);
    rec = g.fx.recs[0];
    rec.id.len--;
    ck_assert_int_eq(fhx_response_add(g.w, &rec, &g.ok), FHX_E_UNKNOWN_ID);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_last_record) {
    /* the record fhx_event_next produced last is known without hashing
     * while its id slice is untouched; any change is still caught */
    char *ev = make_event(3, 0);
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    fhx_record rec, alt;
    fhx_answer ok = answer(FHX_RESULT_OK, "x");
    char buf[1024], id[64];
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_uint_lt(rec.id.len, sizeof id);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    alt = rec;
    alt.id.len--; /* same place, shorter */
    ck_assert_int_eq(fhx_response_add(w, &alt, &ok), FHX_E_UNKNOWN_ID);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    memcpy(id, rec.id.ptr, rec.id.len);
    id[0] = (char)(id[0] == 'x' ? 'y' : 'x');
    alt = rec;
    alt.id.ptr = id; /* elsewhere, altered */
    ck_assert_int_eq(fhx_response_add(w, &alt, &ok), FHX_E_UNKNOWN_ID);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    id[0] = rec.id.ptr[0];
    alt.id.ptr = id; /* elsewhere, the same bytes: the same record */
    ck_assert_int_eq(fhx_response_add(w, &alt, &ok), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &rec, &ok), FHX_OK);
    /* once the decoder has moved on, the old record is hashed again */
    ck_assert_int_eq(fhx_event_next(dec, &alt), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &alt, &ok), FHX_OK);
    alt = rec;
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    alt.id.len--;
    ck_assert_int_eq(fhx_response_add(w, &alt, &ok), FHX_E_UNKNOWN_ID);
    fhx_response_writer_free(w);
    fhx_event_decoder_free(dec);
    free(ev);
}
END_TEST

START_TEST(test_guard_escaped_id_equivalence) {
    /* the same id spelled without escapes is the same record */
    event_fx fx;
    fhx_response_writer *w;
    fhx_record rec;
    fhx_answer a = answer(FHX_RESULT_DROPPED, NULL);
    char buf[256];
    fx_load(&fx, "{\"records\":[{\"recordId\":\"\\u0041B\",\"data\":\"\"}]}");
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    rec = fx.recs[0];
    rec.id.ptr = "AB";
    rec.id.len = 2;
    rec.flags &= ~(unsigned)FHX_REC_ID_ESCAPED;
    ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    fhx_response_writer_free(w);
    fx_free(&fx);
}
END_TEST

START_TEST(test_guard_duplicate) {
    guard_fx g;
    guard_setup(&g, 3);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok),
                     FHX_E_DUPLICATE_ID);
    assert_error(g.w, FHX_E_DUPLICATE_ID, 1);
    ck_assert_uint_eq(fhx_response_error(g.w)->offset, g.fx.recs[1].offset);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_E_DUPLICATE_ID);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_duplicate_after_full) {
    /* a FULL answer is not an answer: the record can be answered again */
    guard_fx g;
    fhx_answer big = answer(FHX_RESULT_OK, NULL);
    static uint8_t data[2000];
    big.data = data;
    big.data_len = sizeof data;
    guard_setup(&g, 1);
    ck_assert_int_eq(fhx_response_begin(g.w, g.fx.dec, g.buf, sizeof g.buf),
                     FHX_OK);
    ck_assert_int_eq(fhx_response_set_limit(g.w, 100), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &big), FHX_FULL);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_OK);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_missing) {
    guard_fx g;
    guard_setup(&g, 4);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[3], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[2], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_E_MISSING_ID);
    assert_error(g.w, FHX_E_MISSING_ID, 1);
    ck_assert_uint_eq(fhx_response_error(g.w)->offset, g.fx.recs[1].offset);
    ck_assert_int_eq(g.fx.json[fhx_response_error(g.w)->offset], '{');
    /* sticky */
    ck_assert_int_eq(fhx_response_end(g.w), FHX_E_MISSING_ID);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok),
                     FHX_E_MISSING_ID);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_missing_many) {
    /* a missing record far into the event (bitset of several words) */
    event_fx fx;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_DROPPED, NULL);
    char *ev = make_event(300, 0);
    char *buf = malloc(1 << 16);
    size_t i, skip;
    ck_assert_ptr_nonnull(buf);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    for (skip = 0; skip < 300; skip += 37) {
        ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 16),
                         FHX_OK);
        for (i = 300; i-- > 0;)
            if (i != skip)
                ck_assert_int_eq(fhx_response_add(w, &fx.recs[i], &a),
                                 FHX_OK);
        ck_assert_int_eq(fhx_response_end(w), FHX_E_MISSING_ID);
        assert_error(w, FHX_E_MISSING_ID, skip);
        ck_assert_uint_eq(fhx_response_error(w)->offset,
                          fx.recs[skip].offset);
    }
    /* and all answered (in reverse order) ends fine */
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 16), FHX_OK);
    for (i = 300; i-- > 0;)
        ck_assert_int_eq(fhx_response_add(w, &fx.recs[i], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
    free(buf);
}
END_TEST

START_TEST(test_guard_end_before_done) {
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    fhx_record rec;
    fhx_answer a = answer(FHX_RESULT_OK, "x");
    char *ev = make_event(2, 0);
    char buf[512];
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_E_STATE);
    assert_error(w, FHX_E_STATE, FHX_NO_RECORD);

    /* every produced record answered but the decoder not at FHX_END */
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_OK);
    ck_assert_int_eq(fhx_event_next(dec, &rec), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_E_STATE);

    /* a record the decoder has not produced yet is unknown */
    ck_assert_int_eq(fhx_event_begin(dec, ev, strlen(ev)), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_E_UNKNOWN_ID);
    fhx_response_writer_free(w);
    fhx_event_decoder_free(dec);
    free(ev);
}
END_TEST

START_TEST(test_guard_new_begin_on_decoder) {
    guard_fx g;
    guard_setup(&g, 2);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    /* the decoder starts over (same bytes): the writer's event is gone */
    ck_assert_int_eq(fhx_event_begin(g.fx.dec, g.fx.json, g.fx.len), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok),
                     FHX_E_STATE);
    assert_error(g.w, FHX_E_STATE, FHX_NO_RECORD);

    /* and at end */
    {
        fhx_record rec;
        while (fhx_event_next(g.fx.dec, &rec) == FHX_OK) continue;
    }
    ck_assert_int_eq(
        fhx_response_begin(g.w, g.fx.dec, g.buf, sizeof g.buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(g.fx.dec, g.fx.json, g.fx.len), FHX_OK);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_E_STATE);
    guard_teardown(&g);
}
END_TEST

START_TEST(test_guard_reuse_after_error) {
    /* begin revives a dead writer; answered set is cleared */
    guard_fx g;
    guard_setup(&g, 2);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok),
                     FHX_E_DUPLICATE_ID);
    ck_assert_int_eq(
        fhx_response_begin(g.w, g.fx.dec, g.buf, sizeof g.buf), FHX_OK);
    ck_assert_int_eq(fhx_response_error(g.w)->code, FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[0], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_add(g.w, &g.fx.recs[1], &g.ok), FHX_OK);
    ck_assert_int_eq(fhx_response_end(g.w), FHX_OK);
    ck_assert_uint_eq(fhx_response_size(g.w), strlen(
        "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\",\"data\":"
        "\"eA==\"},{\"recordId\":\"id-1\",\"result\":\"Ok\",\"data\":"
        "\"eA==\"}]}"));
    guard_teardown(&g);
}
END_TEST

/* ---- memory ------------------------------------------------------------- */

/* Write a Dropped answer for every record of fx with writer w. */
static void write_all_dropped(fhx_response_writer *w, const event_fx *fx,
                              char *buf, size_t cap) {
    fhx_answer a = answer(FHX_RESULT_DROPPED, NULL);
    size_t i;
    ck_assert_int_eq(fhx_response_begin(w, fx->dec, buf, cap), FHX_OK);
    for (i = 0; i < fx->n; i++)
        ck_assert_int_eq(fhx_response_add(w, &fx->recs[i], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
}

START_TEST(test_alloc_no_growth_per_record) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_response_writer *w;
    event_fx fx;
    size_t n = 5000, calls_cold, calls_warm;
    char *ev = make_event(n, 0);
    char *buf = malloc(1 << 20);
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    ck_assert_ptr_nonnull(buf);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, &alc), FHX_OK);
    ck_assert_uint_eq(c.calls, 1);
    write_all_dropped(w, &fx, buf, 1 << 20);
    calls_cold = c.calls;
    /* geometric growth: 5000 bits = 79 words from 16: 16, 32, 64, 128 */
    ck_assert_uint_le(calls_cold, 1 + 4);
    write_all_dropped(w, &fx, buf, 1 << 20);
    write_all_dropped(w, &fx, buf, 1 << 20);
    calls_warm = c.calls;
    ck_assert_uint_eq(calls_warm, calls_cold);
    fhx_response_writer_free(w);
    ck_assert_uint_eq(c.live, 0);
    ck_assert_uint_eq(c.frees, c.allocs);
    fx_free(&fx);
    free(ev);
    free(buf);
}
END_TEST

START_TEST(test_alloc_fail_new) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_response_writer *w, *keep;
    ck_assert_int_eq(fhx_response_writer_new(&keep, NULL), FHX_OK);
    w = keep;
    memset(&c, 0, sizeof c);
    c.fail_at = 1;
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_response_writer_new(&w, &alc), FHX_E_NOMEM);
    ck_assert_ptr_null(w);
    ck_assert_uint_eq(c.live, 0);
    fhx_response_writer_free(keep);
}
END_TEST

START_TEST(test_alloc_fail_add) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_OK, "x");
    event_fx fx;
    char *ev = make_event(100, 0);
    char *buf = malloc(1 << 16);
    size_t i;
    int st = FHX_OK;
    ck_assert_ptr_nonnull(buf);
    fx_load(&fx, ev);
    memset(&c, 0, sizeof c);
    c.fail_at = 2; /* the answered-record set */
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_response_writer_new(&w, &alc), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 16), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_E_NOMEM);
    assert_error(w, FHX_E_NOMEM, 0);
    ck_assert_uint_eq(fhx_response_size(w), 0);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_E_NOMEM);
    /* begin revives it; the set is allocated now and the answers fit */
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 16), FHX_OK);
    for (i = 0; i < fx.n; i++) {
        st = fhx_response_add(w, &fx.recs[i], &a);
        if (st != FHX_OK) break;
    }
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    fhx_response_writer_free(w);
    ck_assert_uint_eq(c.live, 0);
    fx_free(&fx);
    free(ev);
    free(buf);
}
END_TEST

START_TEST(test_alloc_fail_growth) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_DROPPED, NULL);
    event_fx fx;
    char *ev = make_event(1100, 0);
    char *buf = malloc(1 << 17);
    size_t i;
    int st = FHX_OK;
    ck_assert_ptr_nonnull(buf);
    fx_load(&fx, ev);
    memset(&c, 0, sizeof c);
    c.fail_at = 3; /* new, first set, then the growth past 1024 bits */
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_response_writer_new(&w, &alc), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, 1 << 17), FHX_OK);
    for (i = 0; i < fx.n; i++) {
        st = fhx_response_add(w, &fx.recs[i], &a);
        if (st != FHX_OK) break;
    }
    ck_assert_int_eq(st, FHX_E_NOMEM);
    ck_assert_uint_eq(i, 1024);
    assert_error(w, FHX_E_NOMEM, 1024);
    fhx_response_writer_free(w);
    ck_assert_uint_eq(c.live, 0);
    fx_free(&fx);
    free(ev);
    free(buf);
}
END_TEST

/* ---- arguments ---------------------------------------------------------- */

START_TEST(test_args_writer) {
    fhx_response_writer *w;
    fhx_allocator partial = {NULL, NULL, NULL, NULL};
    event_fx fx;
    char buf[64];
    char *ev = make_event(1, 0);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(NULL, NULL), FHX_E_ARG);
    {
        fhxt_counter c;
        fhx_allocator a;
        memset(&c, 0, sizeof c);
        a = fhxt_counting_allocator(&c);
        a.free = NULL;
        ck_assert_int_eq(fhx_response_writer_new(&w, &a), FHX_E_ARG);
        ck_assert_uint_eq(c.calls, 0);
    }
    /* an all-NULL allocator means the C library */
    ck_assert_int_eq(fhx_response_writer_new(&w, &partial), FHX_OK);
    fhx_response_writer_free(w);
    fhx_response_writer_free(NULL);

    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(NULL, fx.dec, buf, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_begin(w, NULL, buf, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, NULL, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_set_output(NULL, buf, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_set_output(w, NULL, 1), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_add(NULL, &fx.recs[0], NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_end(NULL), FHX_E_ARG);
    ck_assert_ptr_null(fhx_response_error(NULL));
    ck_assert_uint_eq(fhx_response_output_len(NULL), 0);
    ck_assert_uint_eq(fhx_response_size(NULL), 0);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_args_state) {
    fhx_response_writer *w;
    fhx_answer a = answer(FHX_RESULT_OK, "x");
    event_fx fx;
    char buf[256];
    char *ev = make_event(1, 0);
    fx_load(&fx, ev);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    /* add and end before begin */
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_E_STATE);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_error(w)->code, FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    /* add after end, end after end */
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_E_STATE);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &a), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    ck_assert_int_eq(fhx_response_end(w), FHX_E_STATE);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

START_TEST(test_args_answer) {
    static const fhx_partition_key bad_utf8[] = {{{"k", 1}, {"\xff", 1}}};
    static const fhx_partition_key surrogate[] = {
        {{"\xed\xa0\x80", 3}, {"v", 1}}};
    static const fhx_partition_key null_key[] = {{{NULL, 2}, {"v", 1}}};
    static const fhx_partition_key truncated[] = {{{"k", 1}, {"\xc3", 1}}};
    fhx_response_writer *w;
    fhx_answer bad[8];
    event_fx fx;
    char buf[256];
    char *ev = make_event(1, 0);
    size_t i, size;
    fx_load(&fx, ev);
    for (i = 0; i < 8; i++) bad[i] = answer(FHX_RESULT_OK, NULL);
    bad[0].result = (fhx_result)3;
    bad[1].data_len = 3; /* NULL data with a length */
    bad[2].data_b64_len = 4;
    bad[3].n_keys = 1; /* NULL keys */
    bad[4].keys = bad_utf8;
    bad[4].n_keys = 1;
    bad[5].keys = surrogate;
    bad[5].n_keys = 1;
    bad[6].keys = null_key;
    bad[6].n_keys = 1;
    bad[7].keys = truncated;
    bad[7].n_keys = 1;
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    for (i = 0; i < 8; i++) {
        ck_assert_int_eq(fhx_response_answer_size(&fx.recs[0], &bad[i],
                                                  &size),
                         FHX_E_ARG);
        ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf),
                         FHX_OK);
        ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], &bad[i]),
                         FHX_E_ARG);
        assert_error(w, FHX_E_ARG, 0);
        ck_assert_uint_eq(fhx_response_size(w), 0);
    }
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, NULL, &bad[0]), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_begin(w, fx.dec, buf, sizeof buf), FHX_OK);
    ck_assert_int_eq(fhx_response_add(w, &fx.recs[0], NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_response_answer_size(NULL, &bad[0], &size),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_response_answer_size(&fx.recs[0], NULL, &size),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_response_answer_size(&fx.recs[0], &bad[0], NULL),
                     FHX_E_ARG);
    fhx_response_writer_free(w);
    fx_free(&fx);
    free(ev);
}
END_TEST

static Suite *response_suite(void) {
    Suite *s = suite_create("response");
    TCase *tc;

    tc = tcase_create("golden");
    ADD_TEST(tc, test_golden_results);
    ADD_TEST(tc, test_golden_payload_forms);
    ADD_TEST(tc, test_golden_partition_keys);
    ADD_TEST(tc, test_golden_kafka);
    ADD_TEST(tc, test_golden_escaped_ids);
    ADD_TEST(tc, test_golden_empty);
    ADD_TEST(tc, test_golden_long_payload);
    ADD_TEST(tc, test_result_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("resume");
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_resume_every_size);
    ADD_TEST(tc, test_resume_random);
    ADD_TEST(tc, test_resume_empty_response);
    ADD_TEST(tc, test_resume_zero_capacity);
    ADD_TEST(tc, test_resume_other_record);
    suite_add_tcase(s, tc);

    tc = tcase_create("size_limit");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_answer_size_exact);
    ADD_TEST(tc, test_answer_size_values);
    ADD_TEST(tc, test_limit_boundary);
    ADD_TEST(tc, test_limit_first_record);
    ADD_TEST(tc, test_limit_args);
    ADD_TEST(tc, test_limit_default);
    ADD_TEST(tc, test_bound_values);
    ADD_TEST(tc, test_bound_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("guard");
    ADD_TEST(tc, test_guard_unknown_index);
    ADD_TEST(tc, test_guard_invented_record);
    ADD_TEST(tc, test_guard_altered_id);
    ADD_TEST(tc, test_guard_last_record);
    ADD_TEST(tc, test_guard_escaped_id_equivalence);
    ADD_TEST(tc, test_guard_duplicate);
    ADD_TEST(tc, test_guard_duplicate_after_full);
    ADD_TEST(tc, test_guard_missing);
    ADD_TEST(tc, test_guard_missing_many);
    ADD_TEST(tc, test_guard_end_before_done);
    ADD_TEST(tc, test_guard_new_begin_on_decoder);
    ADD_TEST(tc, test_guard_reuse_after_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    ADD_TEST(tc, test_alloc_no_growth_per_record);
    ADD_TEST(tc, test_alloc_fail_new);
    ADD_TEST(tc, test_alloc_fail_add);
    ADD_TEST(tc, test_alloc_fail_growth);
    suite_add_tcase(s, tc);

    tc = tcase_create("args");
    ADD_TEST(tc, test_args_writer);
    ADD_TEST(tc, test_args_state);
    ADD_TEST(tc, test_args_answer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(response_suite()); }
