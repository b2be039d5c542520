/* Suite "transform": the one-shot transform and the built-in handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

static const char *ev2 =
    "{\"records\":[{\"recordId\":\"r1\",\"data\":\"SGVsbG8gV29ybGQ=\"},"
    "{\"recordId\":\"r2\",\"data\":\"bm90IGJhc2U2NA!=\"},"
    "{\"recordId\":\"r3\",\"data\":\"YQpiDQoKYw==\"}]}";

static char *run(const char *ev, fhx_handler_fn fn, void *ctx, int *status,
                 fhx_transform_stats *stats) {
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0;
    char *copy = NULL;
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    *status = fhx_transform(t, ev, strlen(ev), fn, ctx, &out, &len);
    if (*status == FHX_OK) {
        copy = malloc(len + 1);
        memcpy(copy, out, len);
        copy[len] = '\0';
    }
    if (stats) *stats = *fhx_transform_get_stats(t);
    fhx_transformer_free(t);
    return copy;
}

static void assert_verifies(const char *ev, const char *resp) {
    size_t n = 99;
    fhx_error err;
    ck_assert_int_eq(fhx_verify_response(ev, strlen(ev), resp, strlen(resp), 0,
                                         NULL, NULL, &n, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(n, 0);
}

START_TEST(test_identity) {
    int st;
    fhx_transform_stats stats;
    char *r = run(ev2, NULL, NULL, &st, &stats);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_str_eq(r, "{\"records\":["
                        "{\"recordId\":\"r1\",\"result\":\"Ok\",\"data\":"
                        "\"SGVsbG8gV29ybGQ=\"},"
                        "{\"recordId\":\"r2\",\"result\":\"ProcessingFailed\"},"
                        "{\"recordId\":\"r3\",\"result\":\"Ok\",\"data\":"
                        "\"YQpiDQoKYw==\"}]}");
    ck_assert_uint_eq(stats.records, 3);
    ck_assert_uint_eq(stats.ok, 2);
    ck_assert_uint_eq(stats.failed, 1);
    ck_assert_uint_eq(stats.invalid, 1);
    ck_assert_uint_eq(stats.bytes_in, strlen(ev2));
    ck_assert_uint_eq(stats.bytes_out, strlen(r));
    assert_verifies(ev2, r);
    free(r);
}
END_TEST

START_TEST(test_ndjson) {
    /* "a\nb\r\n\nc" → "a\nb\nc\n"; "Hello World" → "Hello World\n" */
    const char *ev =
        "{\"records\":[{\"recordId\":\"r1\",\"data\":\"SGVsbG8gV29ybGQ=\"},"
        "{\"recordId\":\"r3\",\"data\":\"YQpiDQoKYw==\"},"
        "{\"recordId\":\"r4\",\"data\":\"DQoKCg==\"},"
        "{\"recordId\":\"r5\",\"data\":\"eyJhIjoxfQo=\"}]}";
    int st;
    fhx_transform_stats stats;
    char *r = run(ev, fhx_handler_ndjson, NULL, &st, &stats);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_str_eq(r, "{\"records\":["
                        "{\"recordId\":\"r1\",\"result\":\"Ok\",\"data\":"
                        "\"SGVsbG8gV29ybGQK\"},"
                        "{\"recordId\":\"r3\",\"result\":\"Ok\",\"data\":"
                        "\"YQpiCmMK\"},"
                        "{\"recordId\":\"r4\",\"result\":\"Dropped\"},"
                        "{\"recordId\":\"r5\",\"result\":\"Ok\",\"data\":"
                        "\"eyJhIjoxfQo=\"}]}");
    ck_assert_uint_eq(stats.dropped, 1);
    assert_verifies(ev, r);
    free(r);
}
END_TEST

START_TEST(test_drop_fail) {
    int st;
    char *r = run(ev2, fhx_handler_drop, NULL, &st, NULL);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_str_eq(r, "{\"records\":[{\"recordId\":\"r1\",\"result\":"
                        "\"Dropped\"},{\"recordId\":\"r2\",\"result\":"
                        "\"ProcessingFailed\"},{\"recordId\":\"r3\","
                        "\"result\":\"Dropped\"}]}");
    free(r);
    r = run(ev2, fhx_handler_find("fail"), NULL, &st, NULL);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_ptr_null(strstr(r, "\"Ok\""));
    assert_verifies(ev2, r);
    free(r);
    ck_assert(fhx_handler_find("identity") == fhx_handler_identity);
    ck_assert(fhx_handler_find("ndjson") == fhx_handler_ndjson);
    ck_assert(fhx_handler_find("drop") == fhx_handler_drop);
    ck_assert(fhx_handler_find("nope") == NULL);
    ck_assert(fhx_handler_find(NULL) == NULL);
}
END_TEST

/* A handler that fails one record and tags the others. */
static int picky(void *ctx, const fhx_record *rec, const uint8_t *data,
                 size_t len, fhx_buf *out, fhx_answer *ans) {
    static const fhx_partition_key key = {{"device", 6}, {"dev-1", 5}};
    (*(int *)ctx)++;
    if (rec->index == 0) return FHX_E_HANDLER;
    ans->keys = &key;
    ans->n_keys = 1;
    return fhx_buf_append(out, data, len);
}

START_TEST(test_handler_failure_isolated) {
    int st, calls = 0;
    fhx_transform_stats stats;
    char *r = run(ev2, picky, &calls, &st, &stats);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_int_eq(calls, 2); /* the invalid record never reaches it */
    ck_assert_uint_eq(stats.handler_errors, 1);
    ck_assert_uint_eq(stats.invalid, 1);
    ck_assert_uint_eq(stats.ok, 1);
    ck_assert_ptr_nonnull(
        strstr(r, "{\"recordId\":\"r1\",\"result\":\"ProcessingFailed\"}"));
    ck_assert_ptr_nonnull(
        strstr(r, "\"metadata\":{\"partitionKeys\":{\"device\":\"dev-1\"}}"));
    assert_verifies(ev2, r);
    free(r);
}
END_TEST

/* A handler whose answers the writer must refuse, one way per record. */
static int bad_answers(void *ctx, const fhx_record *rec, const uint8_t *data,
                       size_t len, fhx_buf *out, fhx_answer *ans) {
    static const fhx_partition_key bad_key = {{"k", 1}, {"\xff", 1}};
    (void)ctx;
    (void)out;
    switch (rec->index % 4) {
    case 0: ans->result = (fhx_result)7; break; /* no such result */
    case 1: ans->keys = &bad_key; ans->n_keys = 1; break; /* not UTF-8 */
    case 2: /* a NULL base64 payload with a length */
        ans->data = data;
        ans->data_len = len;
        ans->data_b64_len = 3;
        break;
    default: ans->data = data; ans->data_len = len; break; /* fine */
    }
    return FHX_OK;
}

START_TEST(test_refused_answers_isolated) {
    static const char *ev =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QQ==\"},"
        "{\"recordId\":\"b\",\"data\":\"Qg==\"},"
        "{\"recordId\":\"c\",\"data\":\"Qw==\"},"
        "{\"recordId\":\"d\",\"data\":\"RA==\"}]}";
    int st;
    fhx_transform_stats stats;
    char *r = run(ev, bad_answers, NULL, &st, &stats);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_str_eq(r, "{\"records\":["
                        "{\"recordId\":\"a\",\"result\":\"ProcessingFailed\"},"
                        "{\"recordId\":\"b\",\"result\":\"ProcessingFailed\"},"
                        "{\"recordId\":\"c\",\"result\":\"ProcessingFailed\"},"
                        "{\"recordId\":\"d\",\"result\":\"Ok\",\"data\":"
                        "\"RA==\"}]}");
    ck_assert_uint_eq(stats.handler_errors, 3);
    ck_assert_uint_eq(stats.failed, 3);
    ck_assert_uint_eq(stats.ok, 1);
    assert_verifies(ev, r);
    free(r);
}
END_TEST

START_TEST(test_event_error) {
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0;
    const char *bad = "{\"records\":[{\"recordId\":\"a\"},{\"recordId\":1}]}";
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, bad, strlen(bad), NULL, NULL, &out, &len),
                     FHX_E_SCHEMA);
    ck_assert_int_eq(fhx_transform_error(t)->code, FHX_E_SCHEMA);
    ck_assert_uint_eq(fhx_transform_error(t)->offset,
                      (size_t)(strstr(bad, "1}") - bad));
    ck_assert_uint_eq(fhx_transform_error(t)->record, 1);
    /* the transformer is reusable after an error */
    ck_assert_int_eq(fhx_transform(t, ev2, strlen(ev2), NULL, NULL, &out, &len),
                     FHX_OK);
    ck_assert_int_eq(fhx_transform_error(t)->code, FHX_OK);
    fhx_transformer_free(t);
}
END_TEST

START_TEST(test_chunked_identical) {
    static const char *handlers[] = {"identity", "ndjson", "drop", "fail"};
    size_t h, chunk, len = strlen(ev2);
    for (h = 0; h < 4; h++) {
        fhx_handler_fn fn = fhx_handler_find(handlers[h]);
        int st;
        char *whole = run(ev2, fn, NULL, &st, NULL);
        fhx_transformer *t;
        ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
        for (chunk = 1; chunk <= len; chunk++) {
            size_t pos = 0, n = 0;
            const char *out = NULL;
            ck_assert_int_eq(fhx_transform_begin(t, fn, NULL), FHX_OK);
            while (pos < len) {
                size_t k = len - pos < chunk ? len - pos : chunk;
                char *piece = fhxt_dup(ev2 + pos, k);
                ck_assert_int_eq(fhx_transform_feed(t, piece, k), FHX_OK);
                free(piece); /* consumed: may go at once */
                pos += k;
            }
            ck_assert_int_eq(fhx_transform_finish(t, &out, &n), FHX_OK);
            ck_assert_uint_eq(n, strlen(whole));
            ck_assert_mem_eq(out, whole, n);
        }
        fhx_transformer_free(t);
        free(whole);
    }
}
END_TEST

START_TEST(test_limit_fallback) {
    /* 40 records of 3000 bytes; a 50,000-byte limit: the records that do
     * not fit become ProcessingFailed, the response stays valid */
    size_t cap = 200000, n = 0, i, resp_len = 0, problems = 9;
    char *ev = malloc(cap);
    fhx_transformer *t;
    const char *out = NULL;
    fhx_error err;
    const fhx_transform_stats *stats;
    n += (size_t)sprintf(ev, "{\"records\":[");
    for (i = 0; i < 40; i++) {
        size_t k;
        n += (size_t)sprintf(ev + n, "%s{\"recordId\":\"%zu\",\"data\":\"",
                             i ? "," : "", i);
        for (k = 0; k < 4000; k++) ev[n++] = 'A';
        n += (size_t)sprintf(ev + n, "\"}");
    }
    n += (size_t)sprintf(ev + n, "]}");
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transformer_set_limit(t, 50000), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, n, NULL, NULL, &out, &resp_len),
                     FHX_OK);
    ck_assert_uint_le(resp_len, 50000);
    stats = fhx_transform_get_stats(t);
    ck_assert_uint_eq(stats->ok + stats->over_limit, 40);
    ck_assert_uint_eq(stats->ok, 12); /* 12 x ~4030 bytes fit in 50,000 */
    ck_assert_uint_eq(stats->failed, 28);
    ck_assert_int_eq(fhx_verify_response(ev, n, out, resp_len, 50000, NULL,
                                         NULL, &problems, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    ck_assert_int_eq(fhx_transformer_set_limit(t, 3), FHX_E_ARG);
    fhx_transformer_free(t);
    free(ev);
}
END_TEST

START_TEST(test_warm_no_allocation) {
    fhxt_counter c;
    fhx_allocator alc;
    fhx_transformer *t;
    const char *out;
    size_t len, before, i;
    memset(&c, 0, sizeof c);
    alc = fhxt_counting_allocator(&c);
    ck_assert_int_eq(fhx_transformer_new(&t, &alc), FHX_OK);
    for (i = 0; i < 2; i++)
        ck_assert_int_eq(fhx_transform(t, ev2, strlen(ev2), fhx_handler_ndjson,
                                       NULL, &out, &len),
                         FHX_OK);
    before = c.allocs + c.reallocs;
    for (i = 0; i < 5; i++)
        ck_assert_int_eq(fhx_transform(t, ev2, strlen(ev2), fhx_handler_ndjson,
                                       NULL, &out, &len),
                         FHX_OK);
    ck_assert_uint_eq(c.allocs + c.reallocs, before);
    fhx_transformer_free(t);
    ck_assert_uint_eq(c.live, 0);
}
END_TEST

START_TEST(test_alloc_failures) {
    size_t k;
    for (k = 1; k < 30; k++) {
        fhxt_counter c;
        fhx_allocator alc;
        fhx_transformer *t = NULL;
        const char *out;
        size_t len;
        int st;
        memset(&c, 0, sizeof c);
        c.fail_at = k;
        alc = fhxt_counting_allocator(&c);
        st = fhx_transformer_new(&t, &alc);
        if (st == FHX_OK) {
            st = fhx_transform(t, ev2, strlen(ev2), fhx_handler_ndjson, NULL,
                               &out, &len);
            ck_assert(st == FHX_OK || st == FHX_E_NOMEM);
            fhx_transformer_free(t);
        } else {
            ck_assert_int_eq(st, FHX_E_NOMEM);
        }
        ck_assert_uint_eq(c.live, 0);
    }
}
END_TEST

START_TEST(test_misuse) {
    fhx_transformer *t;
    const char *out;
    size_t len;
    ck_assert_int_eq(fhx_transformer_new(NULL, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, NULL, 1, NULL, NULL, &out, &len),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_transform_feed(t, "{", 1), FHX_E_STATE);
    ck_assert_int_eq(fhx_transform_finish(t, &out, &len), FHX_E_STATE);
    ck_assert_int_eq(fhx_transform_begin(t, NULL, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform_feed(t, "{\"records\":[]}", 14), FHX_OK);
    ck_assert_int_eq(fhx_transform_finish(t, &out, &len), FHX_OK);
    ck_assert_uint_eq(len, 14);
    ck_assert_mem_eq(out, "{\"records\":[]}", 14);
    ck_assert_int_eq(fhx_transform_finish(t, &out, &len), FHX_E_STATE);
    fhx_transformer_free(t);
    fhx_transformer_free(NULL);
}
END_TEST

static Suite *transform_suite(void) {
    Suite *s = suite_create("transform");
    TCase *tc = tcase_create("handlers");
    ADD_TEST(tc, test_identity);
    ADD_TEST(tc, test_ndjson);
    ADD_TEST(tc, test_drop_fail);
    ADD_TEST(tc, test_handler_failure_isolated);
    ADD_TEST(tc, test_refused_answers_isolated);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    ADD_TEST(tc, test_event_error);
    ADD_TEST(tc, test_limit_fallback);
    suite_add_tcase(s, tc);
    tc = tcase_create("streaming");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_chunked_identical);
    suite_add_tcase(s, tc);
    tc = tcase_create("alloc");
    ADD_TEST(tc, test_warm_no_allocation);
    ADD_TEST(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    ADD_TEST(tc, test_misuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(transform_suite()); }
