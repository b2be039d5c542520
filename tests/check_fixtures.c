/*
 * Suite "fixtures": every file in shared/fixtures/peers (real Firehose
 * events and responses from AWS's own libraries' test suites) decodes, or
 * is rejected for the reason stated here (docs/contract.md says which are
 * deliberately odd).
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_util.h"

enum kind { EVENT, RESPONSE };

typedef struct fixture {
    const char *path;
    int kind;
    int status;          /* events: FHX_END or the event-level error */
    size_t records;      /* events: records produced */
    const char *statuses; /* per record: '.' ok, 'b' base64, 'k' kafka ok */
    const char *why;     /* the reason, for the odd ones */
} fixture;

static const fixture fixtures[] = {
    {"aws-lambda-dotnet/kinesis-firehose-response.json", RESPONSE, 0, 0, "",
     "a response (Ok with partitionKeys)"},
    {"aws-lambda-go/kinesis-firehose-event.json", EVENT, FHX_END, 2, "..",
     "Kinesis source"},
    {"aws-lambda-go/kinesis-firehose-response.json", RESPONSE, 0, 0, "",
     "marshalling test data: invalid result strings, invented record3"},
    {"aws-lambda-java-libs/firehose_event.json", EVENT, FHX_END, 1, ".",
     "Direct PUT"},
    {"aws-lambda-java-libs/msk_firehose_event.json", EVENT, FHX_END, 1, "k",
     "MSK source: kafkaRecordValue"},
    {"aws-lambda-java-libs/msk_firehose_event_roundtrip.json", EVENT, FHX_END,
     1, "k", "MSK source, inner timestamp as a string"},
    {"aws-lambda-java-libs/msk_firehose_response.json", RESPONSE, 0, 0, "",
     "MSK response with kafkaRecordValue"},
    {"aws-lambda-java-libs/samples/kinesis-firehose-event-handler/event.json",
     EVENT, FHX_END, 1, ".", "metadata type drift: ISO timestamp, \"\""},
    {"aws-lambda-java-libs/samples/msk-firehose-event-handler/event.json",
     EVENT, FHX_END, 1, "k", "MSK source with empty ARNs"},
    {"aws-lambda-rust-runtime/example-firehose-event.json", EVENT, FHX_END, 2,
     "..", "Kinesis source"},
    {"aws-lambda-rust-runtime/example-kinesis-firehose-event.json", EVENT,
     FHX_END, 2, "..", "Kinesis source"},
    {"aws-lambda-rust-runtime/example-kinesis-firehose-response.json",
     RESPONSE, 0, 0, "", "invalid result strings, 3 answers for 2 records"},
    {"aws-sam-cli/KinesisFirehose.json", EVENT, FHX_END, 1, "b",
     "template: data is the placeholder {{{data}}}, not base64"},
    {"aws-sam-cli/KinesisFirehoseApachelog.json", EVENT, FHX_END, 1, "b",
     "template: {{{data}}}; no deliveryStreamArn (optional)"},
    {"aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json", EVENT, FHX_END,
     4, "....", "gzip CloudWatch Logs payloads; records before the header"},
    {"aws-sam-cli/KinesisFirehoseStreamsAsSource.json", EVENT, FHX_END, 1, "b",
     "template: {{{data}}}; subsequenceNumber as a string"},
    {"aws-sam-cli/KinesisFirehoseSyslog.json", EVENT, FHX_E_DUPLICATE_ID, 1,
     "b", "template with a repeated recordId: no response could answer both"},
    {"powertools-lambda-python/kinesisFirehoseKinesisEvent.json", EVENT,
     FHX_END, 2, "..", "Kinesis source"},
    {"powertools-lambda-python/kinesisFirehosePutEvent.json", EVENT, FHX_END, 2,
     "..", "Direct PUT"},
    {"powertools-lambda-python/kinesisFirehoseSQSEvent.json", EVENT, FHX_END, 1,
     ".", "Direct PUT, 62-digit recordId"},
    {"powertools-lambda-typescript/firehose-put.json", EVENT, FHX_END, 2, "..",
     "Direct PUT"},
    {"powertools-lambda-typescript/firehose-sqs-invalid.json", EVENT, FHX_END,
     1, ".", "payload is not JSON, but it is valid base64"},
    {"powertools-lambda-typescript/firehose-sqs.json", EVENT, FHX_END, 1, ".",
     "Direct PUT"},
    {"powertools-lambda-typescript/firehose.json", EVENT, FHX_END, 2, "..",
     "Kinesis source"},
    {"powertools-lambda-typescript/stream-cloudwatch-logs.json", EVENT,
     FHX_E_SCHEMA, 0, "",
     "a Lambda Kinesis event (\"Records\"), not a Firehose event"},
};

#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

static char *load(const char *rel, size_t *len) {
    char path[4096];
    const char *dir = fhxt_peers_dir();
    char *buf;
    ck_assert_msg(dir != NULL, "no shared/fixtures/peers (FHX_SHARED_DIR)");
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    buf = fhxt_read_file(path, len);
    ck_assert_msg(buf != NULL, "cannot read %s", path);
    return buf;
}

START_TEST(test_fixture_decodes) {
    const fixture *f = &fixtures[_i];
    size_t len, n = 0;
    char *buf;
    fhx_event_decoder *dec;
    fhx_record rec;
    int st;
    if (f->kind != EVENT) return;
    buf = load(f->path, &len);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, buf, len), FHX_OK);
    while ((st = fhx_event_next(dec, &rec)) == FHX_OK) {
        char want;
        ck_assert_msg(n < strlen(f->statuses), "%s: too many records",
                      f->path);
        want = f->statuses[n];
        if (want == 'b')
            ck_assert_msg(rec.status == FHX_E_BASE64, "%s #%zu: %d", f->path,
                          n, rec.status);
        else
            ck_assert_msg(rec.status == FHX_OK, "%s #%zu: %d", f->path, n,
                          rec.status);
        ck_assert_int_eq((rec.flags & FHX_REC_KAFKA) != 0, want == 'k');
        n++;
    }
    ck_assert_msg(st == f->status, "%s: status %d, want %d (%s)", f->path, st,
                  f->status, f->why);
    ck_assert_uint_eq(n, f->records);
    if (st < 0) {
        const fhx_error *e = fhx_event_error(dec);
        ck_assert_int_eq(e->code, st);
        ck_assert_ptr_nonnull(e->msg);
        ck_assert_uint_le(e->offset, len);
    }
    fhx_event_decoder_free(dec);
    free(buf);
}
END_TEST

START_TEST(test_fixture_round_trip) {
    /* every valid event: each handler's response verifies clean, and the
     * chunked transform is byte-identical for every split */
    static const char *handlers[] = {"identity", "ndjson", "drop", "fail"};
    const fixture *f = &fixtures[_i];
    size_t len, h;
    char *buf;
    fhx_transformer *t;
    if (f->kind != EVENT || f->status != FHX_END) return;
    buf = load(f->path, &len);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    for (h = 0; h < 4; h++) {
        fhx_handler_fn fn = fhx_handler_find(handlers[h]);
        const char *out;
        char *whole;
        size_t out_len, whole_len, problems = 1, chunk;
        fhx_error err;
        ck_assert_int_eq(fhx_transform(t, buf, len, fn, NULL, &out, &out_len),
                         FHX_OK);
        ck_assert_int_eq(fhx_verify_response(buf, len, out, out_len, 0, NULL,
                                             NULL, &problems, NULL, &err),
                         FHX_OK);
        ck_assert_msg(problems == 0, "%s/%s: %zu problems", f->path,
                      handlers[h], problems);
        whole = fhxt_dup(out, out_len);
        whole_len = out_len;
        for (chunk = 1; chunk <= len; chunk += chunk < 64 ? 1 : 61) {
            size_t pos = 0;
            ck_assert_int_eq(fhx_transform_begin(t, fn, NULL), FHX_OK);
            while (pos < len) {
                size_t k = len - pos < chunk ? len - pos : chunk;
                ck_assert_int_eq(fhx_transform_feed(t, buf + pos, k), FHX_OK);
                pos += k;
            }
            ck_assert_int_eq(fhx_transform_finish(t, &out, &out_len), FHX_OK);
            ck_assert_uint_eq(out_len, whole_len);
            ck_assert_mem_eq(out, whole, whole_len);
        }
        free(whole);
    }
    fhx_transformer_free(t);
    free(buf);
}
END_TEST

/* ---- responses --------------------------------------------------------- */

typedef struct tally {
    size_t by_code[32];
    size_t total;
} tally;

static void count_problem(void *ctx, const fhx_problem *p) {
    tally *t = ctx;
    ck_assert_int_lt(p->code, 0);
    ck_assert_ptr_nonnull(p->msg);
    t->by_code[-p->code]++;
    t->total++;
}

static tally verify(const char *event_rel, const char *resp_rel) {
    size_t elen, rlen, n = 0;
    char *ev = load(event_rel, &elen), *resp = load(resp_rel, &rlen);
    fhx_error err;
    tally t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(fhx_verify_response(ev, elen, resp, rlen, 0,
                                         count_problem, &t, &n, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(n, t.total);
    free(ev);
    free(resp);
    return t;
}

START_TEST(test_go_response_is_invalid) {
    /* TRANSFORMED_STATE_OK, TRANSFORMED_STATE_DROPPED, TransformedStateOk
     * are not Firehose results; record3 is not in the event */
    tally t = verify("aws-lambda-go/kinesis-firehose-event.json",
                     "aws-lambda-go/kinesis-firehose-response.json");
    ck_assert_uint_eq(t.by_code[-FHX_E_RESULT], 3);
    ck_assert_uint_eq(t.by_code[-FHX_E_UNKNOWN_ID], 1);
    ck_assert_uint_eq(t.by_code[-FHX_E_MISSING_ID], 0);
}
END_TEST

START_TEST(test_rust_response_is_invalid) {
    tally t = verify("aws-lambda-rust-runtime/example-kinesis-firehose-event.json",
                     "aws-lambda-rust-runtime/example-kinesis-firehose-response.json");
    ck_assert_uint_eq(t.by_code[-FHX_E_RESULT], 3);
    ck_assert_uint_eq(t.by_code[-FHX_E_UNKNOWN_ID], 1);
}
END_TEST

START_TEST(test_msk_response_ids_differ) {
    /* the Java MSK response answers "record-1", the event's id is zeros */
    tally t = verify("aws-lambda-java-libs/msk_firehose_event.json",
                     "aws-lambda-java-libs/msk_firehose_response.json");
    ck_assert_uint_eq(t.by_code[-FHX_E_UNKNOWN_ID], 1);
    ck_assert_uint_eq(t.by_code[-FHX_E_MISSING_ID], 1);
    ck_assert_uint_eq(t.by_code[-FHX_E_RESULT], 0);
}
END_TEST

START_TEST(test_dotnet_response_is_valid) {
    /* no event ships with it: answer an event made of its own recordId */
    size_t rlen, n = 1;
    char *resp = load("aws-lambda-dotnet/kinesis-firehose-response.json", &rlen);
    const char *ev = "{\"records\":[{\"recordId\":"
                     "\"49572672223665514422805246926656954630972486059535892482\","
                     "\"data\":\"aGVsbG8gd29ybGQ=\"}]}";
    fhx_error err;
    ck_assert_int_eq(fhx_verify_response(ev, strlen(ev), resp, rlen, 0, NULL,
                                         NULL, &n, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(n, 0);
    free(resp);
}
END_TEST

/* ---- CloudWatch Logs payloads ------------------------------------------- */

START_TEST(test_cloudwatch_logs_payloads) {
    /* the SAM CLI event's records are gzip CloudWatch Logs documents:
     * a CONTROL_MESSAGE, then three DATA_MESSAGEs of three log events */
    static const int types[] = {FHX_CWLOGS_CONTROL, FHX_CWLOGS_DATA,
                                FHX_CWLOGS_DATA, FHX_CWLOGS_DATA};
    static const size_t events[] = {1, 3, 3, 3};
    size_t len, n = 0;
    char *buf = load("aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json",
                     &len);
    fhx_event_decoder *dec;
    fhx_record rec;
    fhx_buf payload, doc;
    fhx_buf_init(&payload, NULL);
    fhx_buf_init(&doc, NULL);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, buf, len), FHX_OK);
    while (fhx_event_next(dec, &rec) == FHX_OK) {
        fhx_cwlogs_doc d;
        fhx_error err;
        size_t k;
        ck_assert_uint_lt(n, 4);
        ck_assert_int_eq(fhx_buf_reserve(&payload, rec.data_len), FHX_OK);
        ck_assert_int_eq(fhx_record_decode(&rec, payload.ptr, payload.cap, &k),
                         FHX_OK);
        ck_assert_int_eq(fhx_gzip_is_gzip(payload.ptr, k), 1);
        doc.len = 0;
        ck_assert_int_eq(fhx_gunzip_append(NULL, &doc, payload.ptr, k,
                                           FHX_GUNZIP_RECORD_MAX, &err),
                         FHX_OK);
        ck_assert_int_eq(fhx_cwlogs_parse(&d, (const char *)doc.ptr, doc.len,
                                          &err),
                         FHX_OK);
        ck_assert_int_eq(d.type, types[n]);
        ck_assert_uint_eq(d.n_events, events[n]);
        ck_assert_uint_eq(d.n_filters, n == 0 ? 0 : 1);
        n++;
    }
    ck_assert_uint_eq(n, 4);
    fhx_event_decoder_free(dec);
    fhx_buf_free(&payload);
    fhx_buf_free(&doc);
    free(buf);
}
END_TEST

/* ---- coverage of the folder ------------------------------------------------- */

static void walk(const char *root, const char *rel, size_t *found) {
    char path[4096];
    DIR *d;
    struct dirent *e;
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    d = opendir(path);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        char sub[2048], full[4096 + 2048 + 2];
        struct stat st;
        size_t i, n = strlen(e->d_name);
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        ck_assert_int_eq(stat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            walk(root, sub, found);
            continue;
        }
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0) continue;
        for (i = 0; i < N_FIXTURES; i++)
            if (strcmp(fixtures[i].path, sub) == 0) break;
        ck_assert_msg(i < N_FIXTURES, "fixture %s is not in the table", sub);
        (*found)++;
    }
    closedir(d);
}

START_TEST(test_every_fixture_listed) {
    size_t found = 0;
    const char *dir = fhxt_peers_dir();
    ck_assert_msg(dir != NULL, "no shared/fixtures/peers (FHX_SHARED_DIR)");
    walk(dir, "", &found);
    ck_assert_uint_eq(found, N_FIXTURES);
}
END_TEST

static Suite *fixtures_suite(void) {
    Suite *s = suite_create("fixtures");
    TCase *tc = tcase_create("events");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_fixture_decodes, 0, (int)N_FIXTURES);
    tcase_add_loop_test(tc, test_fixture_round_trip, 0, (int)N_FIXTURES);
    ADD_TEST(tc, test_every_fixture_listed);
    suite_add_tcase(s, tc);
    tc = tcase_create("responses");
    ADD_TEST(tc, test_go_response_is_invalid);
    ADD_TEST(tc, test_rust_response_is_invalid);
    ADD_TEST(tc, test_msk_response_ids_differ);
    ADD_TEST(tc, test_dotnet_response_is_valid);
    suite_add_tcase(s, tc);
    tc = tcase_create("cloudwatch-logs");
    ADD_TEST(tc, test_cloudwatch_logs_payloads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    if (!fhxt_peers_dir()) {
        /* built from a tarball without shared/ beside it: nothing to read */
        fprintf(stderr, "fixtures: no shared/fixtures/peers; skipped\n");
        return 77;
    }
    return fhxt_run_suite(fixtures_suite());
}
