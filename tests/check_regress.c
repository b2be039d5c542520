/* Suite "regress": the bugs fuzzing and the failing-allocator walk found,
 * one test each, named after what was wrong (fuzz/README.md lists them). */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* Decode ev whole (chunk 0) or in pieces; the offset after FHX_END. */
static size_t offset_after_end(const char *ev, size_t chunk) {
    fhx_event_decoder *dec;
    fhx_record rec;
    size_t len = strlen(ev), pos = 0, off;
    int st;
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    if (chunk == 0)
        ck_assert_int_eq(fhx_event_begin(dec, ev, len), FHX_OK);
    else
        ck_assert_int_eq(fhx_event_begin_stream(dec), FHX_OK);
    for (;;) {
        st = fhx_event_next(dec, &rec);
        if (st == FHX_OK) continue;
        if (st != FHX_NEED_INPUT) break;
        if (pos == len) {
            ck_assert_int_eq(fhx_event_finish(dec), FHX_OK);
        } else {
            size_t k = len - pos < chunk ? len - pos : chunk;
            ck_assert_int_eq(fhx_event_feed(dec, ev + pos, k), FHX_OK);
            pos += k;
        }
    }
    ck_assert_int_eq(st, FHX_END);
    off = fhx_event_offset(dec);
    fhx_event_decoder_free(dec);
    return off;
}

/* fuzz_event: after FHX_END, fhx_event_offset left out the trailing
 * whitespace of a whole buffer (but not of some chunked splits), so the
 * "bytes consumed" answer depended on the split. */
START_TEST(test_offset_after_end_counts_trailing_space) {
    static const char *const evs[] = {
        "{\"records\":[]}\n",
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QUJD\"}]} \t\r\n  ",
        "{\"records\":[]}",
    };
    size_t i, chunk;
    for (i = 0; i < sizeof evs / sizeof evs[0]; i++)
        for (chunk = 0; chunk < 8; chunk++)
            ck_assert_uint_eq(offset_after_end(evs[i], chunk), strlen(evs[i]));
}
END_TEST

static int nomem_handler(void *ctx, const fhx_record *rec, const uint8_t *data,
                         size_t len, fhx_buf *out, fhx_answer *ans) {
    (void)ctx, (void)data, (void)len, (void)out, (void)ans;
    return rec->index == 1 ? FHX_E_NOMEM : FHX_OK;
}

/* oom_walk: a handler whose buffer could not grow (FHX_E_NOMEM from
 * fhx_buf_append, e.g. in the ndjson handler) got its record answered
 * ProcessingFailed and the transform reported success: an out-of-memory
 * path that never returned FHX_E_NOMEM and sent a good record to
 * Firehose's error output. */
START_TEST(test_handler_nomem_fails_the_transform) {
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QUJD\"},"
        "{\"recordId\":\"b\",\"data\":\"QUJD\"}]}";
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0, i;
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    for (i = 0; i < 2; i++) {
        if (i == 0) {
            ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), nomem_handler,
                                           NULL, &out, &len),
                             FHX_E_NOMEM);
        } else {
            size_t k;
            ck_assert_int_eq(fhx_transform_begin(t, nomem_handler, NULL),
                             FHX_OK);
            for (k = 0; k < strlen(ev); k++) {
                int st = fhx_transform_feed(t, ev + k, 1);
                if (st != FHX_OK) {
                    ck_assert_int_eq(st, FHX_E_NOMEM);
                    break;
                }
            }
            ck_assert_int_eq(fhx_transform_finish(t, &out, &len), FHX_E_NOMEM);
        }
        ck_assert_int_eq(fhx_transform_error(t)->code, FHX_E_NOMEM);
        ck_assert_uint_eq(fhx_transform_error(t)->record, 1);
        ck_assert_uint_eq(fhx_transform_get_stats(t)->handler_errors, 0);
    }
    /* the transformer is reusable */
    ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), NULL, NULL, &out, &len),
                     FHX_OK);
    fhx_transformer_free(t);
}
END_TEST

/* A handler that tags record 1 with a partition key that is not UTF-8. */
static int bad_key_handler(void *ctx, const fhx_record *rec,
                           const uint8_t *data, size_t len, fhx_buf *out,
                           fhx_answer *ans) {
    static const fhx_partition_key key = {{"device", 6}, {"\xe0W", 2}};
    (void)ctx, (void)out;
    ans->data = data;
    ans->data_len = len;
    if (rec->index == 1) {
        ans->keys = &key;
        ans->n_keys = 1;
    }
    return FHX_OK;
}

/* fuzz_transform (mixed handler): a handler answer the writer refuses -- a
 * partition key taken from a payload that is not UTF-8 -- made
 * fhx_response_add return FHX_E_ARG and the whole transform fail with it:
 * one record's answer sank its batch. */
START_TEST(test_invalid_answer_fails_only_its_record) {
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"QUJD\"},"
        "{\"recordId\":\"b\",\"data\":\"4Fc=\"},"
        "{\"recordId\":\"c\",\"data\":\"QUJD\"}]}";
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0, problems = 9;
    fhx_error err;
    const fhx_transform_stats *s;
    char *copy;
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), bad_key_handler, NULL,
                                   &out, &len),
                     FHX_OK);
    s = fhx_transform_get_stats(t);
    ck_assert_uint_eq(s->ok, 2);
    ck_assert_uint_eq(s->failed, 1);
    ck_assert_uint_eq(s->handler_errors, 1);
    copy = malloc(len + 1); /* NUL-terminated, for strstr */
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, out, len);
    copy[len] = '\0';
    ck_assert_int_eq(fhx_verify_response(ev, strlen(ev), copy, len, 0, NULL,
                                         NULL, &problems, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    ck_assert_ptr_nonnull(strstr(copy, "{\"recordId\":\"b\",\"result\":"
                                      "\"ProcessingFailed\"}"));
    free(copy);
    fhx_transformer_free(t);
}
END_TEST

/* fuzz_transform (UBSan): the ndjson handler computed data + len with
 * data NULL and len 0 -- the transformer's payload buffer is still NULL
 * when the first payload it decodes is empty -- which is undefined
 * behaviour ("applying zero offset to null pointer"). Meaningful in the
 * sanitizer build. */
START_TEST(test_ndjson_empty_payload_as_null) {
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"\"},"
        "{\"recordId\":\"b\",\"data\":\"YQo=\"}]}";
    fhx_transformer *t;
    fhx_answer ans;
    fhx_record rec;
    fhx_buf out;
    const char *resp = NULL;
    size_t len = 0;
    memset(&ans, 0, sizeof ans);
    memset(&rec, 0, sizeof rec);
    fhx_buf_init(&out, NULL);
    ck_assert_int_eq(fhx_handler_ndjson(NULL, &rec, NULL, 0, &out, &ans),
                     FHX_OK);
    ck_assert_int_eq(ans.result, FHX_RESULT_DROPPED);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), fhx_handler_ndjson,
                                   NULL, &resp, &len),
                     FHX_OK);
    ck_assert_uint_eq(fhx_transform_get_stats(t)->dropped, 1);
    ck_assert_uint_eq(fhx_transform_get_stats(t)->ok, 1);
    fhx_transformer_free(t);
}
END_TEST

static Suite *regress_suite(void) {
    Suite *s = suite_create("regress");
    TCase *tc = tcase_create("core");
    ADD_TEST(tc, test_offset_after_end_counts_trailing_space);
    ADD_TEST(tc, test_handler_nomem_fails_the_transform);
    ADD_TEST(tc, test_invalid_answer_fails_only_its_record);
    ADD_TEST(tc, test_ndjson_empty_payload_as_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(regress_suite()); }
