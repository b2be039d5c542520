/* libfirehose-xform tests: checking a response (fhx/verify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

#define MAX_PROBLEMS 32

typedef struct found {
    fhx_problem p[MAX_PROBLEMS];
    size_t n;
} found;

static void collect(void *ctx, const fhx_problem *pr) {
    found *f = ctx;
    ck_assert_ptr_nonnull(pr->msg);
    ck_assert_int_lt(pr->code, 0);
    if (f->n < MAX_PROBLEMS) f->p[f->n] = *pr;
    f->n++;
}

/* Problems point into the copies: check that, and rebase the id slices
 * onto the originals. */
static void rebase_ids(found *f, const char *ev, const char *event,
                       size_t event_len, const char *re,
                       const char *response, size_t response_len) {
    size_t i;
    for (i = 0; i < f->n && i < MAX_PROBLEMS; i++) {
        fhx_slice *id = &f->p[i].id;
        if (!id->ptr) continue;
        if (f->p[i].in_event) {
            ck_assert(id->ptr >= ev && id->ptr + id->len <= ev + event_len);
            id->ptr = event + (id->ptr - ev);
        } else {
            ck_assert(id->ptr >= re &&
                      id->ptr + id->len <= re + response_len);
            id->ptr = response + (id->ptr - re);
        }
    }
}

/*
 * Verify exact-size copies of event and response; returns the number of
 * problems (also in f).
 */
static size_t verify_n(const char *event, size_t event_len,
                       const char *response, size_t response_len,
                       size_t limit, found *f) {
    char *ev = fhxt_dup(event, event_len);
    char *re = fhxt_dup(response, response_len);
    size_t n = 12345;
    fhx_error err;
    int st;
    memset(f, 0, sizeof *f);
    st = fhx_verify_response(ev, event_len, re, response_len, limit, collect,
                             f, &n, NULL, &err);
    ck_assert_msg(st == FHX_OK, "verify: %s", fhx_status_name(st));
    ck_assert_int_eq(err.code, FHX_OK);
    ck_assert_uint_eq(n, f->n);
    rebase_ids(f, ev, event, event_len, re, response, response_len);
    free(ev);
    free(re);
    return f->n;
}

static size_t verify(const char *event, const char *response, found *f) {
    return verify_n(event, strlen(event), response, strlen(response), 0, f);
}

/* Problem k has this code and record, and its offset is where text
 * starts in the response (or in the event for in_event). */
static void expect(const found *f, size_t k, int code, size_t record,
                   const char *base, const char *at) {
    const fhx_problem *p;
    ck_assert_uint_lt(k, f->n);
    p = &f->p[k];
    ck_assert_msg(p->code == code, "problem %zu: %s, want %s (%s)", k,
                  fhx_status_name(p->code), fhx_status_name(code), p->msg);
    ck_assert_uint_eq(p->record, record);
    if (at) {
        ck_assert_uint_le(p->offset, strlen(base));
        ck_assert_msg(strncmp(base + p->offset, at, strlen(at)) == 0,
                      "problem %zu at '%.20s', want '%s'", k,
                      base + p->offset, at);
    }
}

static void expect_id(const found *f, size_t k, const char *id) {
    ck_assert_uint_lt(k, f->n);
    ck_assert_uint_eq(f->p[k].id.len, strlen(id));
    ck_assert_int_eq(memcmp(f->p[k].id.ptr, id, strlen(id)), 0);
}

static char *read_peer(const char *name, size_t *len) {
    char path[4096];
    const char *dir = fhxt_peers_dir();
    char *text;
    ck_assert_msg(dir != NULL, "peer fixtures not found");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    text = fhxt_read_file(path, len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return text;
}

/* A two-record Direct PUT event, and an MSK one. */
static const char ev2[] =
    "{\"records\":[{\"recordId\":\"r1\",\"data\":\"QUJD\"},"
    "{\"recordId\":\"r2\",\"data\":\"\"}]}";
static const char ev_msk[] =
    "{\"sourceMSKArn\":\"arn:aws:kafka:EXAMPLE\",\"records\":[{\"recordId\":"
    "\"m1\",\"kafkaRecordValue\":\"QUJD\"}]}";

/* ---- peer fixtures ------------------------------------------------------ */

START_TEST(test_peer_go) {
    size_t elen, rlen;
    char *ev = read_peer("aws-lambda-go/kinesis-firehose-event.json", &elen);
    char *re = read_peer("aws-lambda-go/kinesis-firehose-response.json",
                         &rlen);
    found f;
    ck_assert_uint_eq(verify_n(ev, elen, re, rlen, 0, &f), 4);
    expect(&f, 0, FHX_E_RESULT, 0, re, "\"TRANSFORMED_STATE_OK\"");
    expect_id(&f, 0, "record1");
    expect(&f, 1, FHX_E_RESULT, 1, re, "\"TRANSFORMED_STATE_DROPPED\"");
    expect_id(&f, 1, "record2");
    /* the invented record3, whose result is invalid too */
    expect(&f, 2, FHX_E_UNKNOWN_ID, 2, re, "\"record3\"");
    expect_id(&f, 2, "record3");
    expect(&f, 3, FHX_E_RESULT, 2, re, "\"TransformedStateOk\"");
    free(ev);
    free(re);
}
END_TEST

START_TEST(test_peer_rust) {
    size_t elen, rlen;
    char *ev = read_peer("aws-lambda-rust-runtime/"
                         "example-kinesis-firehose-event.json",
                         &elen);
    char *re = read_peer("aws-lambda-rust-runtime/"
                         "example-kinesis-firehose-response.json",
                         &rlen);
    found f;
    ck_assert_uint_eq(verify_n(ev, elen, re, rlen, 0, &f), 4);
    expect(&f, 0, FHX_E_RESULT, 0, re, "\"TRANSFORMED_STATE_OK\"");
    expect(&f, 1, FHX_E_RESULT, 1, re, "\"TRANSFORMED_STATE_DROPPED\"");
    expect(&f, 2, FHX_E_UNKNOWN_ID, 2, re, "\"record3\"");
    expect(&f, 3, FHX_E_RESULT, 2, re, "\"TransformedStateOk\"");
    free(ev);
    free(re);
}
END_TEST

START_TEST(test_peer_java_msk) {
    size_t elen, rlen;
    char *ev = read_peer("aws-lambda-java-libs/msk_firehose_event.json",
                         &elen);
    char *re = read_peer("aws-lambda-java-libs/msk_firehose_response.json",
                         &rlen);
    static const char matching[] =
        "{\"invocationId\":\"i\",\"sourceMSKArn\":\"arn:aws:kafka:EXAMPLE\","
        "\"records\":[{\"recordId\":\"record-1\",\"approximateArrival"
        "Timestamp\":1716369573887,\"mskRecordMetadata\":{\"offset\":\"0\","
        "\"partitionId\":\"1\"},\"kafkaRecordValue\":\"eyJOYW1lIjoiSGVsbG8g"
        "V29ybGQifQ==\"}]}";
    found f;
    /* against an MSK event that has its recordId: valid */
    ck_assert_uint_eq(
        verify_n(matching, sizeof matching - 1, re, rlen, 0, &f), 0);
    /* against the Java event fixture: the ids differ */
    ck_assert_uint_eq(verify_n(ev, elen, re, rlen, 0, &f), 2);
    expect(&f, 0, FHX_E_UNKNOWN_ID, 0, re, "\"record-1\"");
    ck_assert_int_eq(f.p[1].code, FHX_E_MISSING_ID);
    ck_assert_int_eq(f.p[1].in_event, 1);
    ck_assert_uint_eq(f.p[1].record, 0);
    ck_assert_int_eq(ev[f.p[1].offset], '{');
    expect_id(&f, 1,
              "00000000000000000000000000000000000000000000000000000000000000");
    free(ev);
    free(re);
}
END_TEST

START_TEST(test_peer_dotnet) {
    size_t rlen;
    char *re = read_peer("aws-lambda-dotnet/kinesis-firehose-response.json",
                         &rlen);
    static const char event[] =
        "{\"records\":[{\"recordId\":\"49572672223665514422805246926656954630"
        "972486059535892482\",\"data\":\"SEVMTE8gV09STEQ=\"}]}";
    found f;
    ck_assert_uint_eq(verify_n(event, sizeof event - 1, re, rlen, 0, &f), 0);
    free(re);
}
END_TEST

START_TEST(test_peer_event_error) {
    /* the SAM syslog template repeats a recordId: the event is invalid */
    size_t elen, n = 99;
    char *ev = read_peer("aws-sam-cli/KinesisFirehoseSyslog.json", &elen);
    fhx_error err;
    int st = fhx_verify_response(ev, elen, "{\"records\":[]}", 14, 0, NULL,
                                 NULL, &n, NULL, &err);
    ck_assert_int_eq(st, FHX_E_DUPLICATE_ID);
    ck_assert_int_eq(err.code, FHX_E_DUPLICATE_ID);
    ck_assert_ptr_nonnull(err.msg);
    ck_assert_uint_lt(err.offset, elen);
    ck_assert_uint_eq(n, 0);
    free(ev);
}
END_TEST

/* ---- problems, one kind at a time --------------------------------------- */

START_TEST(test_valid_minimal) {
    found f;
    ck_assert_uint_eq(
        verify(ev2, "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Ok\","
                    "\"data\":\"QUJD\"},{\"recordId\":\"r2\",\"result\":"
                    "\"Dropped\"}]}",
               &f),
        0);
    /* any order, whitespace, unknown members, empty partitionKeys */
    ck_assert_uint_eq(
        verify(ev2, " {\"x\":[1,{}],\"records\" : [ {\"result\":"
                    "\"ProcessingFailed\",\"recordId\":\"r2\",\"metadata\":"
                    "{\"partitionKeys\":{},\"otf\":1}} , {\"recordId\":\"r1\","
                    "\"result\":\"Ok\",\"data\":\"\",\"extra\":null}]}\n",
               &f),
        0);
    ck_assert_uint_eq(verify("{\"records\":[]}", "{\"records\":[]}", &f), 0);
}
END_TEST

START_TEST(test_malformed_json) {
    static const char re[] = "{\"records\":[}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 1);
    expect(&f, 0, FHX_E_JSON, FHX_NO_RECORD, re, "}");
    ck_assert_uint_eq(f.p[0].offset, 12);
    /* truncated, trailing garbage, empty: one problem, no missing ids */
    ck_assert_uint_eq(verify(ev2, "{\"records\":[", &f), 1);
    ck_assert_int_eq(f.p[0].code, FHX_E_TRUNCATED);
    ck_assert_uint_eq(f.p[0].offset, 12);
    ck_assert_uint_eq(verify(ev2, "{\"records\":[]} x", &f), 1);
    expect(&f, 0, FHX_E_JSON, FHX_NO_RECORD, "{\"records\":[]} x", "x");
    ck_assert_uint_eq(verify(ev2, "", &f), 1);
    ck_assert_int_eq(f.p[0].code, FHX_E_TRUNCATED);
    ck_assert_uint_eq(verify(ev2, "{\"records\":[\"\xff\"]}", &f), 1);
    ck_assert_int_eq(f.p[0].code, FHX_E_JSON);
    ck_assert_uint_eq(f.p[0].offset, 13);
}
END_TEST

START_TEST(test_top_level_shape) {
    static const char arr[] = "[{\"recordId\":\"r1\"}]";
    static const char none[] = "{\"Records\":[]}";
    static const char notarr[] = "{\"records\":{\"recordId\":\"r1\"}}";
    found f;
    /* not an object: then both ids are missing */
    ck_assert_uint_eq(verify(ev2, arr, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, FHX_NO_RECORD, arr, "[");
    expect(&f, 1, FHX_E_MISSING_ID, 0, ev2, "{\"recordId\":\"r1\"");
    ck_assert_int_eq(f.p[1].in_event, 1);
    expect_id(&f, 1, "r1");
    expect(&f, 2, FHX_E_MISSING_ID, 1, ev2, "{\"recordId\":\"r2\"");
    ck_assert_uint_eq(verify(ev2, none, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, FHX_NO_RECORD, none, "{");
    ck_assert_uint_eq(verify(ev2, notarr, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, FHX_NO_RECORD, notarr, "{\"recordId");
    ck_assert_uint_eq(verify(ev2, "\"records\"", &f), 3);
    ck_assert_int_eq(f.p[0].code, FHX_E_SCHEMA);
    ck_assert_uint_eq(verify(ev2, "{}", &f), 3);
}
END_TEST

START_TEST(test_repeated_records_member) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"r2\",\"result\":\"Dropped\"}],\"records\":[]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 1);
    expect(&f, 0, FHX_E_SCHEMA, FHX_NO_RECORD, re, "\"records\":[]");
}
END_TEST

START_TEST(test_element_not_object) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\"},\"r2\","
        "null]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, 1, re, "\"r2\"");
    expect(&f, 1, FHX_E_SCHEMA, 2, re, "null");
    expect(&f, 2, FHX_E_MISSING_ID, 1, ev2, "{\"recordId\":\"r2\"");
}
END_TEST

START_TEST(test_record_id_problems) {
    static const char re[] =
        "{\"records\":[{\"result\":\"Dropped\"},{\"recordId\":7,\"result\":"
        "\"Dropped\"},{\"recordId\":\"r1\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"r3\",\"result\":\"Dropped\"},{\"recordId\":\"r1\","
        "\"result\":\"Dropped\"},{\"recordId\":\"R2\",\"result\":"
        "\"Dropped\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 6);
    expect(&f, 0, FHX_E_SCHEMA, 0, re, "{\"result\"");
    expect(&f, 1, FHX_E_SCHEMA, 1, re, "7,");
    expect(&f, 2, FHX_E_UNKNOWN_ID, 3, re, "\"r3\"");
    expect_id(&f, 2, "r3");
    /* the second occurrence is the duplicate */
    expect(&f, 3, FHX_E_DUPLICATE_ID, 4, re, "\"r1\",\"result\":\"Dropped\"}"
                                             ",{\"recordId\":\"R2\"");
    expect_id(&f, 3, "r1");
    /* ids are case-sensitive */
    expect(&f, 4, FHX_E_UNKNOWN_ID, 5, re, "\"R2\"");
    expect(&f, 5, FHX_E_MISSING_ID, 1, ev2, "{\"recordId\":\"r2\"");
}
END_TEST

START_TEST(test_escaped_ids) {
    /* compared by decoded value, in both directions */
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\\u0042\",\"data\":\"\"},"
        "{\"recordId\":\"\\u00e9\\/\",\"data\":\"\"},"
        "{\"recordId\":\"\\ud83d\\ude00\",\"data\":\"\"}]}";
    static const char re[] =
        "{\"records\":[{\"recordId\":\"aB\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"\xc3\xa9/\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"\\uD83D\\uDE00\",\"result\":\"Dropped\"}]}";
    static const char re2[] =
        "{\"records\":[{\"recordId\":\"a\\u0042\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"aB\",\"result\":\"Dropped\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev, re, &f), 0);
    ck_assert_uint_eq(verify(ev, re2, &f), 3);
    expect(&f, 0, FHX_E_DUPLICATE_ID, 1, re2, "\"aB\"");
    expect(&f, 1, FHX_E_MISSING_ID, 1, ev, "{\"recordId\":\"\\u00e9");
    expect_id(&f, 1, "\\u00e9\\/");
    expect(&f, 2, FHX_E_MISSING_ID, 2, ev, "{\"recordId\":\"\\ud83d");
}
END_TEST

START_TEST(test_result_problems) {
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"\"},{\"recordId\":\"b\","
        "\"data\":\"\"},{\"recordId\":\"c\",\"data\":\"\"},{\"recordId\":"
        "\"d\",\"data\":\"\"},{\"recordId\":\"e\",\"data\":\"\"}]}";
    static const char re[] =
        "{\"records\":[{\"recordId\":\"a\"},{\"recordId\":\"b\",\"result\":"
        "1},{\"recordId\":\"c\",\"result\":\"ok\"},{\"recordId\":\"d\","
        "\"result\":\"TRANSFORMED_STATE_OK\"},{\"recordId\":\"e\",\"result\":"
        "\"\\u004fk\",\"data\":\"\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev, re, &f), 4);
    expect(&f, 0, FHX_E_RESULT, 0, re, "{\"recordId\":\"a\"}");
    expect_id(&f, 0, "a");
    expect(&f, 1, FHX_E_RESULT, 1, re, "1}");
    expect(&f, 2, FHX_E_RESULT, 2, re, "\"ok\"");
    expect(&f, 3, FHX_E_RESULT, 3, re, "\"TRANSFORMED_STATE_OK\"");
}
END_TEST

START_TEST(test_no_data) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Ok\"},{\"recordId\":"
        "\"r2\",\"result\":\"Dropped\"}]}";
    static const char re_null[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Ok\",\"data\":null},"
        "{\"recordId\":\"r2\",\"result\":\"ProcessingFailed\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 1);
    expect(&f, 0, FHX_E_NO_DATA, 0, re, "{\"recordId\":\"r1\"");
    ck_assert_uint_eq(verify(ev2, re_null, &f), 1);
    expect(&f, 0, FHX_E_BASE64, 0, re_null, "null");
}
END_TEST

START_TEST(test_base64_problems) {
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"a\",\"data\":\"\"},{\"recordId\":\"b\","
        "\"data\":\"\"},{\"recordId\":\"c\",\"data\":\"\"},{\"recordId\":"
        "\"d\",\"data\":\"\"},{\"recordId\":\"e\",\"data\":\"\"},"
        "{\"recordId\":\"f\",\"data\":\"\"}]}";
    static const char re[] =
        "{\"records\":[{\"recordId\":\"a\",\"result\":\"Ok\",\"data\":"
        "\"QU!D\"},{\"recordId\":\"b\",\"result\":\"Ok\",\"data\":\"QUJ\"},"
        "{\"recordId\":\"c\",\"result\":\"Ok\",\"data\":[]},{\"recordId\":"
        "\"d\",\"result\":\"Dropped\",\"data\":\"QUJ\\u0021\"},{\"recordId\":"
        "\"e\",\"result\":\"Ok\",\"data\":\"\\/\\/\\/\\/QU=D\"},"
        "{\"recordId\":\"f\",\"result\":\"Ok\",\"data\":\"\\/\\/\\/\\/\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev, re, &f), 5);
    expect(&f, 0, FHX_E_BASE64, 0, re, "!D\"");
    expect(&f, 1, FHX_E_BASE64, 1, re, "\"},{\"recordId\":\"c\"");
    expect(&f, 2, FHX_E_BASE64, 2, re, "[]");
    /* offsets of escaped content point at the escape */
    expect(&f, 3, FHX_E_BASE64, 3, re, "\\u0021\"");
    expect(&f, 4, FHX_E_BASE64, 4, re, "=D\"");
}
END_TEST

START_TEST(test_payload_key) {
    static const char re_msk[] =
        "{\"records\":[{\"recordId\":\"m1\",\"result\":\"Ok\",\"data\":"
        "\"QUJD\"}]}";
    static const char re_both[] =
        "{\"records\":[{\"recordId\":\"m1\",\"result\":\"Dropped\","
        "\"kafkaRecordValue\":\"QUJD\",\"data\":\"QUJD\"}]}";
    static const char re_kafka[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Ok\","
        "\"kafkaRecordValue\":\"QUJD\"},{\"recordId\":\"r2\",\"result\":"
        "\"Dropped\",\"kafkaRecordValue\":\"\"}]}";
    found f;
    /* MSK record answered with data: wrong key, and Ok has no payload */
    ck_assert_uint_eq(verify(ev_msk, re_msk, &f), 2);
    expect(&f, 0, FHX_E_SCHEMA, 0, re_msk, "\"data\"");
    expect_id(&f, 0, "m1");
    expect(&f, 1, FHX_E_NO_DATA, 0, re_msk, "{\"recordId\"");
    ck_assert_uint_eq(verify(ev_msk, re_both, &f), 1);
    expect(&f, 0, FHX_E_SCHEMA, 0, re_both, "\"data\"");
    /* data records answered with kafkaRecordValue */
    ck_assert_uint_eq(verify(ev2, re_kafka, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, 0, re_kafka, "\"kafkaRecordValue\":\"QUJD");
    expect(&f, 1, FHX_E_NO_DATA, 0, re_kafka, "{\"recordId\":\"r1\"");
    expect(&f, 2, FHX_E_SCHEMA, 1, re_kafka, "\"kafkaRecordValue\":\"\"");
}
END_TEST

START_TEST(test_repeated_member) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\","
        "\"result\":\"Ok\"},{\"recordId\":\"r2\",\"result\":\"Dropped\"}]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 1);
    expect(&f, 0, FHX_E_SCHEMA, 0, re, "\"result\":\"Ok\"");
}
END_TEST

START_TEST(test_metadata_problems) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\","
        "\"metadata\":[]},{\"recordId\":\"r2\",\"result\":\"Dropped\","
        "\"metadata\":{\"partitionKeys\":\"k\"}}]}";
    static const char re2[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\","
        "\"metadata\":{\"partitionKeys\":{\"a\":\"x\",\"b\":1,\"c\":{},"
        "\"d\":null}}},{\"recordId\":\"r2\",\"result\":\"Dropped\","
        "\"metadata\":{\"otfMetadata\":{\"operation\":1}}}]}";
    found f;
    ck_assert_uint_eq(verify(ev2, re, &f), 2);
    expect(&f, 0, FHX_E_SCHEMA, 0, re, "[]");
    expect(&f, 1, FHX_E_SCHEMA, 1, re, "\"k\"");
    ck_assert_uint_eq(verify(ev2, re2, &f), 3);
    expect(&f, 0, FHX_E_SCHEMA, 0, re2, "1,");
    expect(&f, 1, FHX_E_SCHEMA, 0, re2, "{},");
    expect(&f, 2, FHX_E_SCHEMA, 0, re2, "null");
}
END_TEST

START_TEST(test_limit) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r1\",\"result\":\"Dropped\"},"
        "{\"recordId\":\"r2\",\"result\":\"Dropped\"}]}";
    size_t len = sizeof re - 1;
    found f;
    ck_assert_uint_eq(verify_n(ev2, sizeof ev2 - 1, re, len, len, &f), 0);
    ck_assert_uint_eq(verify_n(ev2, sizeof ev2 - 1, re, len, len - 1, &f),
                      1);
    ck_assert_int_eq(f.p[0].code, FHX_E_LIMIT);
    ck_assert_uint_eq(f.p[0].offset, len - 1);
    ck_assert_uint_eq(f.p[0].record, FHX_NO_RECORD);
}
END_TEST

START_TEST(test_order_limit_then_missing) {
    static const char re[] =
        "{\"records\":[{\"recordId\":\"r2\",\"result\":\"Bad\"}]}";
    found f;
    ck_assert_uint_eq(verify_n(ev2, sizeof ev2 - 1, re, sizeof re - 1, 20,
                               &f),
                      3);
    expect(&f, 0, FHX_E_RESULT, 0, re, "\"Bad\"");
    ck_assert_int_eq(f.p[1].code, FHX_E_LIMIT);
    ck_assert_int_eq(f.p[1].in_event, 0);
    ck_assert_int_eq(f.p[2].code, FHX_E_MISSING_ID);
    ck_assert_int_eq(f.p[2].in_event, 1);
    ck_assert_uint_eq(f.p[2].record, 0);
}
END_TEST

/* ---- round trips with the writer --------------------------------------- */

static uint32_t rng_state;

static uint32_t rnd(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Answer every record of event (random results, payloads, keys) with the
 * writer and verify the response. */
static void roundtrip(const char *event, size_t len, uint32_t seed) {
    static const fhx_partition_key keys[] = {
        {{"k\"\\", 3}, {"\x01\xc3\xa9", 3}}, {{"p", 1}, {"", 0}}};
    static uint8_t pool[300];
    fhx_event_decoder *dec;
    fhx_response_writer *w;
    fhx_record rec;
    size_t cap = 1 << 16, i, n;
    char *out = malloc(cap);
    char *ev = fhxt_dup(event, len);
    found f;
    int st;
    fhx_error err;
    ck_assert_ptr_nonnull(out);
    rng_state = seed;
    for (i = 0; i < sizeof pool; i++) pool[i] = (uint8_t)rnd();
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_response_writer_new(&w, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, len), FHX_OK);
    ck_assert_int_eq(fhx_response_begin(w, dec, out, cap), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        fhx_answer a;
        memset(&a, 0, sizeof a);
        a.result = (fhx_result)(rnd() % 3);
        if (rec.status != FHX_OK) {
            a.result = FHX_RESULT_PROCESSING_FAILED;
        } else if (rnd() % 2) {
            a.data_b64 = rec.data.ptr; /* identity */
            a.data_b64_len = rec.data.len;
        } else if (rnd() % 2) {
            a.data = pool + rnd() % 100;
            a.data_len = rnd() % 200;
        }
        if (rnd() % 2) {
            a.keys = keys;
            a.n_keys = 1 + rnd() % 2;
        }
        ck_assert_int_eq(fhx_response_add(w, &rec, &a), FHX_OK);
    }
    ck_assert_int_eq(st, FHX_END);
    ck_assert_int_eq(fhx_response_end(w), FHX_OK);
    n = 99;
    st = fhx_verify_response(ev, len, out, fhx_response_size(w), 0, collect,
                             memset(&f, 0, sizeof f), &n, NULL, &err);
    ck_assert_int_eq(st, FHX_OK);
    ck_assert_msg(n == 0, "round trip: %zu problems, first %s at %zu (%s)",
                  n, fhx_status_name(f.p[0].code), f.p[0].offset,
                  f.p[0].msg);
    fhx_response_writer_free(w);
    fhx_event_decoder_free(dec);
    free(ev);
    free(out);
}

START_TEST(test_roundtrip_generated) {
    uint32_t seed;
    for (seed = 1; seed <= 30; seed++) {
        char ev[8192];
        size_t len = 0, n = seed % 20, i;
        int kafka = (int)(seed % 3 == 0);
        len += (size_t)snprintf(ev + len, sizeof ev - len,
                                "{\"records\":[");
        for (i = 0; i < n; i++)
            len += (size_t)snprintf(
                ev + len, sizeof ev - len,
                "%s{\"recordId\":\"%s%zu\",\"%s\":\"%s\"}", i ? "," : "",
                i % 4 == 1 ? "e\\u0078\\\"" : "id-", i,
                kafka ? "kafkaRecordValue" : "data",
                i % 5 == 2 ? "QU\\/D" : (i % 7 == 3 ? "bad!" : "QUJD"));
        len += (size_t)snprintf(ev + len, sizeof ev - len, "]}");
        ck_assert_uint_lt(len, sizeof ev);
        roundtrip(ev, len, seed);
    }
}
END_TEST

START_TEST(test_roundtrip_peers) {
    static const char *const names[] = {
        "aws-lambda-go/kinesis-firehose-event.json",
        "aws-lambda-java-libs/firehose_event.json",
        "aws-lambda-java-libs/msk_firehose_event.json",
        "aws-lambda-java-libs/msk_firehose_event_roundtrip.json",
        "aws-lambda-rust-runtime/example-firehose-event.json",
        "aws-sam-cli/KinesisFirehose.json",
        "aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json",
        "aws-sam-cli/KinesisFirehoseStreamsAsSource.json",
        "powertools-lambda-python/kinesisFirehoseKinesisEvent.json",
        "powertools-lambda-python/kinesisFirehosePutEvent.json",
        "powertools-lambda-python/kinesisFirehoseSQSEvent.json",
        "powertools-lambda-typescript/firehose-put.json",
        "powertools-lambda-typescript/firehose.json"};
    size_t k;
    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t len;
        char *ev = read_peer(names[k], &len);
        roundtrip(ev, len, (uint32_t)k + 7);
        free(ev);
    }
}
END_TEST

/* ---- arguments and memory ---------------------------------------------- */

START_TEST(test_args) {
    fhx_allocator partial = {NULL, NULL, NULL, NULL};
    fhxt_counter c;
    fhx_error err;
    size_t n = 5;
    memset(&c, 0, sizeof c);
    partial = fhxt_counting_allocator(&c);
    partial.realloc = NULL;
    ck_assert_int_eq(fhx_verify_response(NULL, 3, "{}", 2, 0, NULL, NULL, &n,
                                         NULL, &err),
                     FHX_E_ARG);
    ck_assert_int_eq(err.code, FHX_E_ARG);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(fhx_verify_response(ev2, sizeof ev2 - 1, NULL, 2, 0,
                                         NULL, NULL, NULL, NULL, NULL),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_verify_response(ev2, sizeof ev2 - 1, "{}", 2, 0,
                                         NULL, NULL, NULL, &partial, &err),
                     FHX_E_ARG);
    ck_assert_uint_eq(c.calls, 0);
    /* no callback, no counters: still runs */
    ck_assert_int_eq(fhx_verify_response(ev2, sizeof ev2 - 1, "{}", 2, 0,
                                         NULL, NULL, NULL, NULL, NULL),
                     FHX_OK);
    n = 0;
    ck_assert_int_eq(fhx_verify_response(ev2, sizeof ev2 - 1, "{}", 2, 0,
                                         NULL, NULL, &n, NULL, NULL),
                     FHX_OK);
    ck_assert_uint_eq(n, 3);
    /* an empty response is a malformed one */
    ck_assert_int_eq(fhx_verify_response(ev2, sizeof ev2 - 1, NULL, 0, 0,
                                         NULL, NULL, &n, NULL, NULL),
                     FHX_OK);
    ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(test_invalid_event) {
    fhx_error err;
    size_t n = 7;
    found f;
    memset(&f, 0, sizeof f);
    ck_assert_int_eq(fhx_verify_response("{\"records\":[{\"data\":\"\"}]}", 26,
                                         "{\"records\":[]}", 14, 0, collect,
                                         &f, &n, NULL, &err),
                     FHX_E_SCHEMA);
    ck_assert_int_eq(err.code, FHX_E_SCHEMA);
    ck_assert_ptr_nonnull(err.msg);
    ck_assert_uint_eq(err.record, 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(fhx_verify_response("{\"records\":[", 12, "{}", 2, 0,
                                         NULL, NULL, &n, NULL, &err),
                     FHX_E_TRUNCATED);
    ck_assert_uint_eq(err.offset, 12);
    ck_assert_int_eq(fhx_verify_response(NULL, 0, "{}", 2, 0, NULL, NULL, &n,
                                         NULL, &err),
                     FHX_E_TRUNCATED);
}
END_TEST

START_TEST(test_nomem) {
    /* every allocation failing in turn: NOMEM and no leak, until none */
    static const char re[] =
        "{\"records\":[{\"recordId\":\"\\u0061\",\"result\":\"Ok\",\"data\":"
        "\"Q\\u0055JD\"}]}";
    static const char ev[] =
        "{\"records\":[{\"recordId\":\"\\u0061\",\"data\":\"\"}]}";
    size_t fail_at;
    int done = 0;
    for (fail_at = 1; fail_at < 50 && !done; fail_at++) {
        fhxt_counter c;
        fhx_allocator a;
        fhx_error err;
        size_t n = 9;
        int st;
        memset(&c, 0, sizeof c);
        c.fail_at = fail_at;
        a = fhxt_counting_allocator(&c);
        st = fhx_verify_response(ev, sizeof ev - 1, re, sizeof re - 1, 0,
                                 NULL, NULL, &n, &a, &err);
        ck_assert_uint_eq(c.live, 0);
        if (st == FHX_OK) {
            ck_assert_uint_eq(n, 0);
            ck_assert_uint_lt(c.calls, fail_at);
            done = 1;
        } else {
            ck_assert_int_eq(st, FHX_E_NOMEM);
            ck_assert_int_eq(err.code, FHX_E_NOMEM);
        }
    }
    ck_assert_int_eq(done, 1);
    ck_assert_uint_gt(fail_at, 3);
}
END_TEST

START_TEST(test_many_records) {
    /* thousands of ids: hash table growth and lookups */
    size_t n = 3000, i, cap = n * 80 + 64, len = 0, rlen = 0;
    char *ev = malloc(cap), *re = malloc(cap);
    found f;
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(re);
    len += (size_t)snprintf(ev, cap, "{\"records\":[");
    rlen += (size_t)snprintf(re, cap, "{\"records\":[");
    for (i = 0; i < n; i++) {
        len += (size_t)snprintf(ev + len, cap - len,
                                "%s{\"recordId\":\"%zu\",\"data\":\"\"}",
                                i ? "," : "", i);
        /* answer in reverse, skipping 1234 */
        if (n - 1 - i != 1234)
            rlen += (size_t)snprintf(
                re + rlen, cap - rlen,
                "%s{\"recordId\":\"%zu\",\"result\":\"Dropped\"}",
                rlen > 12 ? "," : "", n - 1 - i);
    }
    len += (size_t)snprintf(ev + len, cap - len, "]}");
    rlen += (size_t)snprintf(re + rlen, cap - rlen, "]}");
    ck_assert_uint_eq(verify_n(ev, len, re, rlen, 0, &f), 1);
    ck_assert_int_eq(f.p[0].code, FHX_E_MISSING_ID);
    ck_assert_uint_eq(f.p[0].record, 1234);
    expect_id(&f, 0, "1234");
    free(ev);
    free(re);
}
END_TEST

static Suite *verify_suite(void) {
    Suite *s = suite_create("verify");
    TCase *tc;

    tc = tcase_create("peers");
    ADD_TEST(tc, test_peer_go);
    ADD_TEST(tc, test_peer_rust);
    ADD_TEST(tc, test_peer_java_msk);
    ADD_TEST(tc, test_peer_dotnet);
    ADD_TEST(tc, test_peer_event_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("problems");
    ADD_TEST(tc, test_valid_minimal);
    ADD_TEST(tc, test_malformed_json);
    ADD_TEST(tc, test_top_level_shape);
    ADD_TEST(tc, test_repeated_records_member);
    ADD_TEST(tc, test_element_not_object);
    ADD_TEST(tc, test_record_id_problems);
    ADD_TEST(tc, test_escaped_ids);
    ADD_TEST(tc, test_result_problems);
    ADD_TEST(tc, test_no_data);
    ADD_TEST(tc, test_base64_problems);
    ADD_TEST(tc, test_payload_key);
    ADD_TEST(tc, test_repeated_member);
    ADD_TEST(tc, test_metadata_problems);
    ADD_TEST(tc, test_limit);
    ADD_TEST(tc, test_order_limit_then_missing);
    suite_add_tcase(s, tc);

    tc = tcase_create("roundtrip");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_roundtrip_generated);
    ADD_TEST(tc, test_roundtrip_peers);
    suite_add_tcase(s, tc);

    tc = tcase_create("args_memory");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_args);
    ADD_TEST(tc, test_invalid_event);
    ADD_TEST(tc, test_nomem);
    ADD_TEST(tc, test_many_records);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(verify_suite()); }
