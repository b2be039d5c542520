/*
 * Suite "replay": reading Firehose processing-failed error objects
 * (docs/contract.md section 2.4): the observed real line (lambdaARN), the
 * documented key set (lambdaArn), case-insensitive keys, escapes, and
 * every way a line can be wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* The shape of the captured real object: key order rawData, errorCode,
 * errorMessage, attemptsMade, arrivalTimestamp, attemptEndingTimestamp,
 * lambdaARN (values made up here). */
static const char real_line[] =
    "{\"rawData\":\"eyJ0b3BpYyI6ImlvdC10ZXN0LXRvcGljL2EifQo=\","
    "\"errorCode\":\"Lambda.ProcessingFailedStatus\","
    "\"errorMessage\":\"ProcessingFailed status set for record\","
    "\"attemptsMade\":1,\"arrivalTimestamp\":1700000000000,"
    "\"attemptEndingTimestamp\":1700000060000,"
    "\"lambdaARN\":\"arn:aws:lambda:us-west-2:123456789012:function:f:$LATEST\"}"
    "\n";

/* The documented key set, different case and order, with an unknown key. */
static const char doc_line[] =
    "{\"attemptsMade\":\"4\",\"arrivalTimestamp\":\"1\",\"errorCode\":"
    "\"Lambda.FunctionError\",\"errorMessage\":\"x\",\"lambdaArn\":null,"
    "\"future\":{\"a\":[1]},\"RAWDATA\":\"aGk=\"}\n";

static int raw_eq(const fhx_slice *s, const char *t) {
    return s->len == strlen(t) && memcmp(s->ptr, t, s->len) == 0;
}

START_TEST(test_real_and_documented) {
    size_t len = strlen(real_line) + strlen(doc_line) + 2;
    char *text = malloc(len + 1);
    char *exact;
    fhx_failed_reader r;
    fhx_failed_record rec;
    fhx_error err;
    snprintf(text, len + 1, "%s\n%s ", real_line, doc_line);
    len = strlen(text);
    exact = fhxt_dup(text, len);
    ck_assert_int_eq(fhx_failed_begin(&r, exact, len, NULL), FHX_OK);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_OK);
    ck_assert_uint_eq(rec.index, 0);
    ck_assert_uint_eq(rec.offset, 0);
    ck_assert_uint_eq(rec.length, strlen(real_line) - 1);
    ck_assert(raw_eq(&rec.raw_data, "eyJ0b3BpYyI6ImlvdC10ZXN0LXRvcGljL2EifQo="));
    ck_assert_uint_eq(rec.raw_data_offset, 12);
    ck_assert_uint_eq(rec.data_len, 29);
    ck_assert_int_eq(rec.error_code.kind, FHX_META_STRING);
    ck_assert(raw_eq(&rec.error_code.raw, "Lambda.ProcessingFailedStatus"));
    ck_assert_int_eq(rec.attempts_made.kind, FHX_META_NUMBER);
    ck_assert(raw_eq(&rec.attempts_made.raw, "1"));
    ck_assert(raw_eq(&rec.arrival_timestamp.raw, "1700000000000"));
    ck_assert(raw_eq(&rec.attempt_ending_timestamp.raw, "1700000060000"));
    ck_assert_int_eq(rec.lambda_arn.kind, FHX_META_STRING);
    ck_assert_int_eq(strncmp(rec.lambda_arn.raw.ptr, "arn:aws:lambda:", 15),
                     0);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_OK);
    ck_assert_uint_eq(rec.index, 1);
    ck_assert_uint_eq(rec.offset, strlen(real_line) + 1);
    ck_assert(raw_eq(&rec.raw_data, "aGk="));
    ck_assert_uint_eq(rec.data_len, 2);
    ck_assert_int_eq(rec.attempts_made.kind, FHX_META_STRING);
    ck_assert_int_eq(rec.lambda_arn.kind, FHX_META_OTHER);
    ck_assert(raw_eq(&rec.error_code.raw, "Lambda.FunctionError"));
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_END);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_END);
    free(exact);
    free(text);
}
END_TEST

START_TEST(test_escapes_and_layout) {
    /* "\/" in rawData (a writer that escapes '/'), glued objects, blank
     * lines, CRLF, empty rawData, empty text */
    const char *text = "\r\n{\"rawData\":\"YS9i\\/w==\"}{\"rawdata\":\"\"}\r\n\n";
    fhx_failed_reader r;
    fhx_failed_record rec;
    fhx_error err;
    fhx_buf scratch;
    fhx_buf_init(&scratch, NULL);
    ck_assert_int_eq(fhx_failed_begin(&r, text, strlen(text), &scratch),
                     FHX_OK);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_OK);
    ck_assert(raw_eq(&rec.raw_data, "YS9i/w=="));
    ck_assert_uint_eq(rec.data_len, 4);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_OK);
    ck_assert_uint_eq(rec.raw_data.len, 0);
    ck_assert_uint_eq(rec.data_len, 0);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_END);
    /* without a scratch buffer an escaped rawData cannot be resolved */
    ck_assert_int_eq(fhx_failed_begin(&r, text, strlen(text), NULL), FHX_OK);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_E_SCHEMA);
    ck_assert_uint_eq(err.offset, 14);
    fhx_buf_free(&scratch);
    ck_assert_int_eq(fhx_failed_begin(&r, "", 0, NULL), FHX_OK);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_END);
    ck_assert_int_eq(fhx_failed_begin(NULL, "", 0, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_failed_begin(&r, NULL, 3, NULL), FHX_E_ARG);
}
END_TEST

typedef struct bad_case {
    const char *text;
    int code;
    size_t offset;
    size_t record;
} bad_case;

static const bad_case bad_cases[] = {
    {"[1]", FHX_E_SCHEMA, 0, 0},
    {"{\"errorCode\":\"x\"}", FHX_E_SCHEMA, 0, 0},
    {"{\"rawData\":1}", FHX_E_SCHEMA, 11, 0},
    {"{\"rawData\":\"aGk\"}", FHX_E_BASE64, 15, 0},
    {"{\"rawData\":\"aG!=\"}", FHX_E_BASE64, 14, 0},
    {"{\"rawData\":\"aGk=\",\"RawData\":\"aGk=\"}", FHX_E_SCHEMA, 18, 0},
    {"{\"rawData\":\"aGk=\",\"lambdaArn\":1,\"LAMBDAARN\":2}", FHX_E_SCHEMA,
     32, 0},
    {"{\"rawData\":\"aGk=\"}\n{\"rawData\":\"aGk=\"", FHX_E_TRUNCATED, 36, 1},
    {"{\"rawData\":\"aGk=\"}\n{\"rawData\":\"aGk=\",}", FHX_E_JSON, 37, 1},
    {"{\"rawData\":\"aGk=\"}\nnull", FHX_E_SCHEMA, 19, 1},
    {"{\"rawData\":\"aGk=\"}, {\"rawData\":\"aGk=\"}", FHX_E_SCHEMA, 18, 1},
    /* bad UTF-8: found at the byte that breaks the sequence */
    {"{\"rawData\":\"\xc3\"}", FHX_E_JSON, 13, 0},
};

START_TEST(test_bad_objects) {
    /* all or nothing: the first bad object stops the reader, for good */
    const bad_case *b = &bad_cases[_i];
    size_t len = strlen(b->text), good = 0;
    char *text = fhxt_dup(b->text, len);
    fhx_failed_reader r;
    fhx_failed_record rec;
    fhx_error err;
    int st;
    ck_assert_int_eq(fhx_failed_begin(&r, text, len, NULL), FHX_OK);
    while ((st = fhx_failed_next(&r, &rec, &err)) == FHX_OK) good++;
    ck_assert_msg(st == b->code, "%s: %d, want %d", b->text, st, b->code);
    ck_assert_int_eq(err.code, b->code);
    ck_assert_msg(err.offset == b->offset, "%s: offset %zu, want %zu",
                  b->text, err.offset, b->offset);
    ck_assert_uint_eq(err.record, b->record);
    ck_assert_uint_eq(good, b->record);
    ck_assert_ptr_nonnull(err.msg);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), b->code);
    ck_assert_uint_eq(err.offset, b->offset);
    free(text);
}
END_TEST

START_TEST(test_scratch_allocation_failure) {
    const char *text = "{\"rawData\":\"YS9i\\/w==\"}";
    fhxt_counter c;
    fhx_allocator alc;
    fhx_buf scratch;
    fhx_failed_reader r;
    fhx_failed_record rec;
    fhx_error err;
    memset(&c, 0, sizeof c);
    c.fail_at = 1;
    alc = fhxt_counting_allocator(&c);
    fhx_buf_init(&scratch, &alc);
    fhx_failed_begin(&r, text, strlen(text), &scratch);
    ck_assert_int_eq(fhx_failed_next(&r, &rec, &err), FHX_E_NOMEM);
    ck_assert_uint_eq(c.live, 0);
}
END_TEST

static Suite *replay_suite(void) {
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("error objects");
    ADD_TEST(tc, test_real_and_documented);
    ADD_TEST(tc, test_escapes_and_layout);
    tcase_add_loop_test(tc, test_bad_objects, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    ADD_TEST(tc, test_scratch_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(replay_suite()); }
