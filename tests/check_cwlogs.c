/*
 * Suite "cwlogs": the CloudWatch Logs document reader and the
 * "cloudwatch-logs" handler, on the real payloads of the peer fixtures
 * (the SAM CLI Firehose event with its CONTROL_MESSAGE, and the Lambda log
 * payloads of the Powertools TypeScript Kinesis event), hostile documents,
 * bombs, corrupt gzip and allocation failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

#define SAM_CWL "aws-sam-cli/KinesisFirehoseCloudwatchLogsProcessor.json"
#define PT_CWL "powertools-lambda-typescript/stream-cloudwatch-logs.json"

static char *load_peer(const char *rel, size_t *len) {
    char path[4096];
    const char *dir = fhxt_peers_dir();
    char *buf;
    ck_assert_msg(dir != NULL, "no shared/fixtures/peers (FHX_SHARED_DIR)");
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    buf = fhxt_read_file(path, len);
    ck_assert_msg(buf != NULL, "cannot read %s", path);
    return buf;
}

/* The errors the handler reported. */
typedef struct seen {
    size_t calls;
    fhx_error last;
} seen;

static void on_error(void *user, const fhx_record *rec, const fhx_error *e) {
    seen *s = user;
    ck_assert_ptr_nonnull(rec);
    ck_assert_uint_eq(e->record, rec->index);
    ck_assert_ptr_nonnull(e->msg);
    s->calls++;
    s->last = *e;
}

/* Run the handler on one payload. Returns its status; the answer's bytes
 * (Ok) are copied into *text (NUL-terminated; free it). */
static int handle(const void *payload, size_t len, fhx_cwlogs_opts *o,
                  fhx_result *result, char **text) {
    fhx_record rec;
    fhx_answer ans;
    fhx_buf out;
    int st;
    memset(&rec, 0, sizeof rec);
    memset(&ans, 0, sizeof ans);
    rec.index = 7;
    rec.id.ptr = "rid";
    rec.id.len = 3;
    fhx_buf_init(&out, NULL);
    st = fhx_handler_cloudwatch_logs(o, &rec, payload, len, &out, &ans);
    *result = ans.result;
    *text = malloc(out.len + 1);
    if (out.len) memcpy(*text, out.ptr, out.len);
    (*text)[out.len] = '\0';
    fhx_buf_free(&out);
    return st;
}

static uint8_t *gz(const char *s, size_t *len) {
    fhx_buf b;
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_gzip_append(&b, s, strlen(s), 6), FHX_OK);
    *len = b.len;
    return b.ptr;
}

/* ==== The SAM CLI event: CONTROL_MESSAGE + 3 DATA_MESSAGE =============== */

static const char *const sam_expect[] = {
    NULL, /* CONTROL_MESSAGE: Dropped */
    "8499846a-88c1-4fb3-bfca-117ec023c5c3\n"
    "5615152f-ae3e-4163-bbd0-c26a241e4ca1\n"
    "bfacbeeb-e5ab-4bdd-b6fc-4f0bebd4fa09\n",
    "a24dd759-ce31-4ae0-8ef9-14c42a21f0d9\n"
    "ac8b4b50-429a-42ec-be00-63e5de169e94\n"
    "f1ec20c0-b864-4843-ae3f-5ff125a42c16\n",
    "e30b6f46-56ae-4703-949d-59f27f49c169\n"
    "65100cf2-0099-47a3-a2f2-789b7a8aafdb\n"
    "7401ce63-3563-4aa0-88f1-339c2e88ff8d\n"};

START_TEST(test_sam_fixture_records) {
    size_t len, n = 0;
    char *ev = load_peer(SAM_CWL, &len);
    fhx_event_decoder *dec;
    fhx_record rec;
    fhx_gunzip_reader *r;
    fhx_buf scratch;
    fhx_cwlogs_opts o;
    ck_assert_int_eq(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
    fhx_buf_init(&scratch, NULL);
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(fhx_event_decoder_new(&dec, NULL), FHX_OK);
    ck_assert_int_eq(fhx_event_begin(dec, ev, len), FHX_OK);
    while (fhx_event_next(dec, &rec) == FHX_OK) {
        uint8_t *p = malloc(rec.data_len + 1);
        size_t plen;
        fhx_result res;
        char *text;
        int reuse;
        ck_assert_int_eq(fhx_record_decode(&rec, p, rec.data_len, &plen),
                         FHX_OK);
        ck_assert_int_eq(fhx_gzip_is_gzip(p, plen), 1);
        for (reuse = 0; reuse < 2; reuse++) {
            o.reader = reuse ? r : NULL;
            o.scratch = reuse ? &scratch : NULL;
            ck_assert_int_eq(handle(p, plen, &o, &res, &text), FHX_OK);
            if (!sam_expect[n]) {
                ck_assert_int_eq(res, FHX_RESULT_DROPPED);
                ck_assert_str_eq(text, "");
            } else {
                ck_assert_int_eq(res, FHX_RESULT_OK);
                ck_assert_str_eq(text, sam_expect[n]);
            }
            free(text);
        }
        free(p);
        n++;
    }
    ck_assert_uint_eq(n, 4);
    fhx_event_decoder_free(dec);
    fhx_gunzip_reader_free(r);
    fhx_buf_free(&scratch);
    free(ev);
}
END_TEST

START_TEST(test_sam_fixture_transform) {
    /* the whole event through fhx_transform and the handler by name */
    size_t len, out_len, problems = 1;
    char *ev = load_peer(SAM_CWL, &len);
    fhx_transformer *t;
    const char *out;
    const fhx_transform_stats *s;
    fhx_error err;
    fhx_handler_fn fn = fhx_handler_find("cloudwatch-logs");
    ck_assert_ptr_eq((void *)(uintptr_t)fn,
                     (void *)(uintptr_t)fhx_handler_cloudwatch_logs);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, len, fn, NULL, &out, &out_len),
                     FHX_OK);
    s = fhx_transform_get_stats(t);
    ck_assert_uint_eq(s->records, 4);
    ck_assert_uint_eq(s->ok, 3);
    ck_assert_uint_eq(s->dropped, 1);
    ck_assert_uint_eq(s->failed, 0);
    ck_assert_int_eq(fhx_verify_response(ev, len, out, out_len, 0, NULL, NULL,
                                         &problems, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    /* the control message's record is Dropped, without data */
    ck_assert_ptr_nonnull(strstr(out, "{\"recordId\":\"4957873408644225903749749"
                                      "2980620233840400173390482112514000000"
                                      "\",\"result\":\"Dropped\"}"));
    fhx_transformer_free(t);
    free(ev);
}
END_TEST

START_TEST(test_sam_control_message_parsed) {
    /* the control message's document, as the reader sees it */
    static const char doc[] =
        "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\","
        "\"logGroup\":\"\",\"logStream\":\"\",\"subscriptionFilters\":[],"
        "\"logEvents\":[{\"id\":\"\",\"timestamp\":1510254469274,\"message\":"
        "\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";
    fhx_cwlogs_doc d;
    fhx_cwlogs_event e;
    fhx_error err;
    ck_assert_int_eq(fhx_cwlogs_parse(&d, doc, strlen(doc), &err), FHX_OK);
    ck_assert_int_eq(d.type, FHX_CWLOGS_CONTROL);
    ck_assert_uint_eq(d.owner.len, 14);
    ck_assert_uint_eq(d.log_group.len, 0);
    ck_assert_ptr_nonnull(d.log_group.ptr);
    ck_assert_uint_eq(d.n_filters, 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_int_eq(fhx_cwlogs_next(&d, &e), FHX_OK);
    ck_assert_uint_eq(e.id.len, 0);
    ck_assert_uint_eq(e.timestamp.len, 13);
    ck_assert_int_eq(strncmp(e.message.ptr, "CWL CONTROL MESSAGE", 19), 0);
    ck_assert_int_eq(fhx_cwlogs_next(&d, &e), FHX_END);
}
END_TEST

/* ==== Powertools: real Lambda log payloads ================================ */

/* The base64 "data" strings of the file, decoded (lengths in lens). */
static size_t kinesis_payloads(const char *text, uint8_t **out, size_t *lens,
                               size_t max) {
    const char *p = text;
    size_t n = 0;
    while (n < max && (p = strstr(p, "\"data\": \"")) != NULL) {
        const char *s = p + 9, *e = strchr(s, '"');
        size_t cap = FHX_B64_DECODED_MAX((size_t)(e - s));
        out[n] = malloc(cap + 1);
        ck_assert_int_eq(fhx_b64_decode(s, (size_t)(e - s), out[n], cap,
                                        &lens[n], NULL),
                         FHX_OK);
        n++;
        p = e;
    }
    return n;
}

START_TEST(test_powertools_lambda_logs) {
    size_t len, n, i, plens[4];
    char *text = load_peer(PT_CWL, &len);
    uint8_t *payloads[4];
    n = kinesis_payloads(text, payloads, plens, 4);
    ck_assert_uint_eq(n, 2);
    for (i = 0; i < n; i++) {
        size_t k, plen = plens[i], lines = 0;
        fhx_result res;
        char *out;
        fhx_cwlogs_opts o;
        memset(&o, 0, sizeof o);
        ck_assert_int_eq(handle(payloads[i], plen, &o, &res, &out), FHX_OK);
        ck_assert_int_eq(res, FHX_RESULT_OK);
        /* START and END end in "\n" in the log event: one "\n" each, not
         * two; the REPORT message holds a line break of its own (before
         * XRAY), which the text mode keeps */
        ck_assert_int_eq(strncmp(out, "START RequestId: ", 17), 0);
        ck_assert_ptr_null(strstr(out, "\n\n"));
        for (k = 0; out[k]; k++) lines += out[k] == '\n';
        ck_assert_uint_eq(lines, 4);
        ck_assert_ptr_nonnull(strstr(out, "\t\nXRAY TraceId: 1-636d1"));
        ck_assert_int_eq(out[strlen(out) - 1], '\n');
        ck_assert_int_eq(out[strlen(out) - 2], '\t');
        free(out);
        /* JSON lines: exactly one line per log event */
        o.flags = FHX_CWLOGS_JSON_LINES;
        ck_assert_int_eq(handle(payloads[i], plen, &o, &res, &out), FHX_OK);
        for (k = 0, lines = 0; out[k]; k++) lines += out[k] == '\n';
        ck_assert_uint_eq(lines, 3);
        ck_assert_int_eq(strncmp(out, "{\"logGroup\":\"/aws/lambda/pt-1488-"
                                      "DummyLogDataFunction-gnWXPvL6jJyG\","
                                      "\"logStream\":\"2022/11/10/[$LATEST]",
                             88),
                         0);
        ck_assert_ptr_nonnull(strstr(out, ",\"timestamp\":16680"));
        ck_assert_ptr_nonnull(strstr(out, "\\t\\nXRAY TraceId"));
        free(out);
        free(payloads[i]);
    }
    free(text);
}
END_TEST

/* ==== Documents ============================================================ */

START_TEST(test_escapes_and_empty_messages) {
    const char *doc =
        "{\"logEvents\":[{\"message\":\"a\\u0041\\tb\\r\\n\"},"
        "{\"message\":\"\\n\"},{\"message\":\"\"},"
        "{\"message\":\"two\\nlines\\n\\n\",\"id\":\"x\",\"timestamp\":1}],"
        "\"messageType\":\"DATA_MESSAGE\",\"extra\":{\"k\":[1,2]}}";
    size_t glen;
    uint8_t *g = gz(doc, &glen);
    fhx_result res;
    char *out;
    fhx_cwlogs_opts o;
    memset(&o, 0, sizeof o);
    /* gzip or not, the same answer */
    ck_assert_int_eq(handle(g, glen, NULL, &res, &out), FHX_OK);
    ck_assert_int_eq(res, FHX_RESULT_OK);
    ck_assert_str_eq(out, "aA\tb\ntwo\nlines\n");
    free(out);
    ck_assert_int_eq(handle(doc, strlen(doc), &o, &res, &out), FHX_OK);
    ck_assert_str_eq(out, "aA\tb\ntwo\nlines\n");
    free(out);
    o.flags = FHX_CWLOGS_JSON_LINES;
    ck_assert_int_eq(handle(doc, strlen(doc), &o, &res, &out), FHX_OK);
    ck_assert_str_eq(out,
                     "{\"logGroup\":\"\",\"logStream\":\"\",\"id\":\"\","
                     "\"timestamp\":null,\"message\":\"a\\u0041\\tb\\r\\n\"}\n"
                     "{\"logGroup\":\"\",\"logStream\":\"\",\"id\":\"\","
                     "\"timestamp\":null,\"message\":\"\\n\"}\n"
                     "{\"logGroup\":\"\",\"logStream\":\"\",\"id\":\"\","
                     "\"timestamp\":null,\"message\":\"\"}\n"
                     "{\"logGroup\":\"\",\"logStream\":\"\",\"id\":\"x\","
                     "\"timestamp\":1,\"message\":\"two\\nlines\\n\\n\"}\n");
    free(out);
    free(g);
    /* only empty messages, or none: Dropped */
    doc = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":"
          "[{\"message\":\"\\r\\n\"}]}";
    ck_assert_int_eq(handle(doc, strlen(doc), NULL, &res, &out), FHX_OK);
    ck_assert_int_eq(res, FHX_RESULT_DROPPED);
    free(out);
    doc = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[]}";
    ck_assert_int_eq(handle(doc, strlen(doc), NULL, &res, &out), FHX_OK);
    ck_assert_int_eq(res, FHX_RESULT_DROPPED);
    free(out);
}
END_TEST

typedef struct bad_doc {
    const char *doc;
    int code;
    size_t offset;
} bad_doc;

static const bad_doc bad_docs[] = {
    {"", FHX_E_TRUNCATED, 0},
    {"[]", FHX_E_SCHEMA, 0},
    {"not json", FHX_E_SCHEMA, 0},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[", FHX_E_TRUNCATED, 43},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":{}}", FHX_E_SCHEMA, 42},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[1]}", FHX_E_SCHEMA, 43},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\"}]}",
     FHX_E_SCHEMA, 43},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":1}]}",
     FHX_E_SCHEMA, 54},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"a\","
     "\"timestamp\":\"1\"}]}",
     FHX_E_SCHEMA, 70},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"a\","
     "\"message\":\"b\"}]}",
     FHX_E_SCHEMA, 58},
    {"{\"messageType\":\"DATA_MESSAGE\"}", FHX_E_SCHEMA, 0},
    {"{\"logEvents\":[]}", FHX_E_SCHEMA, 0},
    {"{\"messageType\":1,\"logEvents\":[]}", FHX_E_SCHEMA, 15},
    {"{\"messageType\":\"X\",\"messageType\":\"Y\"}", FHX_E_SCHEMA, 19},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[],\"subscriptionFilters\""
     ":[1]}",
     FHX_E_SCHEMA, 68},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[]} x", FHX_E_JSON, 46},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[],}", FHX_E_JSON, 45},
    {"{\"messageType\":\"FOO\",\"logEvents\":[]}", FHX_E_SCHEMA, 16},
    {"{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"\xff\"}]}",
     FHX_E_JSON, 55},
};

START_TEST(test_bad_documents) {
    /* each fails its record, names where, and calls on_error once */
    const bad_doc *b = &bad_docs[_i];
    fhx_result res;
    char *out;
    seen s;
    fhx_cwlogs_opts o;
    size_t glen;
    uint8_t *g = gz(b->doc, &glen);
    int st, zipped;
    memset(&o, 0, sizeof o);
    memset(&s, 0, sizeof s);
    o.on_error = on_error;
    o.user = &s;
    for (zipped = 0; zipped < 2; zipped++) {
        const void *p = zipped ? (const void *)g : (const void *)b->doc;
        size_t n = zipped ? glen : strlen(b->doc);
        char *copy = fhxt_dup(p, n);
        if (!zipped && n == 0) { /* an empty payload is not JSON */
            free(copy);
            continue;
        }
        st = handle(copy, n, &o, &res, &out);
        ck_assert_msg(st == b->code, "%s: %d, want %d", b->doc, st, b->code);
        ck_assert_int_eq(s.last.code, b->code);
        ck_assert_msg(s.last.offset == b->offset, "%s: offset %zu, want %zu",
                      b->doc, s.last.offset, b->offset);
        ck_assert_uint_eq(s.last.record, 7);
        free(out);
        free(copy);
    }
    ck_assert_uint_eq(s.calls, strlen(b->doc) ? 2 : 1);
    free(g);
}
END_TEST

START_TEST(test_next_without_parse) {
    /* Regression (fuzz_cwlogs): after a failed parse, fhx_cwlogs_next gave
     * FHX_END or FHX_E_ARG depending on whether the parse had reached
     * logEvents; the header says FHX_E_ARG (doc not parsed) in both. */
    static const char *const docs[] = {
        "{\"logEvents\":[{\"message\":\"a\"}],\"messageType\":1}",
        "{\"messageType\":1,\"logEvents\":[{\"message\":\"a\"}]}",
        "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"a\"}]",
        "[]"};
    fhx_cwlogs_doc doc;
    fhx_cwlogs_event ev;
    fhx_error err;
    size_t i;
    memset(&doc, 0, sizeof doc);
    ck_assert_int_eq(fhx_cwlogs_next(&doc, &ev), FHX_E_ARG);
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        ck_assert_int_lt(fhx_cwlogs_parse(&doc, docs[i], strlen(docs[i]),
                                          &err),
                         0);
        ck_assert_int_eq(fhx_cwlogs_next(&doc, &ev), FHX_E_ARG);
    }
    /* a parsed document without logEvents has no events */
    ck_assert_int_eq(fhx_cwlogs_parse(&doc, "{\"messageType\":\"X\"}", 19,
                                      &err),
                     FHX_OK);
    ck_assert_int_eq(fhx_cwlogs_next(&doc, &ev), FHX_END);
}
END_TEST

START_TEST(test_corrupt_gzip_and_bomb) {
    const char *doc = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":"
                      "[{\"message\":\"hello\"}]}";
    size_t glen, i;
    uint8_t *g = gz(doc, &glen);
    fhx_result res;
    char *out;
    seen s;
    fhx_cwlogs_opts o;
    fhx_buf bomb;
    char *zeros;
    memset(&o, 0, sizeof o);
    memset(&s, 0, sizeof s);
    o.on_error = on_error;
    o.user = &s;
    /* truncated: the offset is the payload length */
    for (i = 2; i < glen; i += 5) {
        char *cut = fhxt_dup(g, i);
        ck_assert_int_eq(handle(cut, i, &o, &res, &out), FHX_E_TRUNCATED);
        ck_assert_uint_eq(s.last.offset, i);
        free(out);
        free(cut);
    }
    /* corrupt CRC */
    g[glen - 6] ^= 0x40;
    ck_assert_int_eq(handle(g, glen, &o, &res, &out), FHX_E_ZLIB);
    ck_assert_uint_eq(s.last.offset, glen - 8);
    free(out);
    g[glen - 6] ^= 0x40;
    /* a maximum below the document's size */
    o.max_bytes = strlen(doc) - 1;
    ck_assert_int_eq(handle(g, glen, &o, &res, &out), FHX_E_LIMIT);
    free(out);
    o.max_bytes = strlen(doc);
    ck_assert_int_eq(handle(g, glen, &o, &res, &out), FHX_OK);
    ck_assert_str_eq(out, "hello\n");
    free(out);
    /* a bomb past the default 16 MiB: 20 MiB of spaces */
    zeros = malloc(20u << 20);
    memset(zeros, ' ', 20u << 20);
    fhx_buf_init(&bomb, NULL);
    ck_assert_int_eq(fhx_gzip_append(&bomb, zeros, 20u << 20, 9), FHX_OK);
    free(zeros);
    o.max_bytes = 0;
    ck_assert_int_eq(handle(bomb.ptr, bomb.len, &o, &res, &out), FHX_E_LIMIT);
    ck_assert_int_eq(s.last.code, FHX_E_LIMIT);
    ck_assert_uint_lt(s.last.offset, bomb.len);
    free(out);
    fhx_buf_free(&bomb);
    free(g);
}
END_TEST

START_TEST(test_one_bad_record_in_a_batch) {
    /* good, corrupt, control, not CloudWatch Logs: Ok, ProcessingFailed,
     * Dropped, ProcessingFailed; the others go through */
    const char *good = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":"
                       "[{\"message\":\"m1\"},{\"message\":\"m2\\n\"}]}";
    const char *ctl = "{\"messageType\":\"CONTROL_MESSAGE\",\"logEvents\":[]}";
    const char *docs[4];
    size_t lens[4], i, out_len, problems = 1;
    uint8_t *zs[4];
    fhx_buf ev;
    fhx_transformer *t;
    const char *out;
    fhx_error err;
    const fhx_transform_stats *st;
    docs[0] = good, docs[1] = good, docs[2] = ctl, docs[3] = "[1,2,3]";
    fhx_buf_init(&ev, NULL);
    fhx_buf_append(&ev, "{\"records\":[", 12);
    for (i = 0; i < 4; i++) {
        char b64[1024], head[64];
        size_t n;
        zs[i] = gz(docs[i], &lens[i]);
        if (i == 1) zs[i][lens[i] / 2] ^= 0xff;
        ck_assert_int_eq(fhx_b64_encode(zs[i], lens[i], b64, sizeof b64, &n),
                         FHX_OK);
        snprintf(head, sizeof head, "%s{\"recordId\":\"r%zu\",\"data\":\"",
                 i ? "," : "", i);
        fhx_buf_append(&ev, head, strlen(head));
        fhx_buf_append(&ev, b64, n);
        fhx_buf_append(&ev, "\"}", 2);
        free(zs[i]);
    }
    fhx_buf_append(&ev, "]}", 2);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, (const char *)ev.ptr, ev.len,
                                   fhx_handler_cloudwatch_logs, NULL, &out,
                                   &out_len),
                     FHX_OK);
    ck_assert_int_eq(fhx_verify_response((const char *)ev.ptr, ev.len, out,
                                         out_len, 0, NULL, NULL, &problems,
                                         NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    st = fhx_transform_get_stats(t);
    ck_assert_uint_eq(st->ok, 1);
    ck_assert_uint_eq(st->dropped, 1);
    ck_assert_uint_eq(st->failed, 2);
    ck_assert_uint_eq(st->handler_errors, 2);
    /* "m1\nm2\n" */
    ck_assert_ptr_nonnull(strstr(out, "{\"recordId\":\"r0\",\"result\":\"Ok\","
                                      "\"data\":\"bTEKbTIK\"}"));
    ck_assert_ptr_nonnull(
        strstr(out, "{\"recordId\":\"r1\",\"result\":\"ProcessingFailed\"}"));
    ck_assert_ptr_nonnull(
        strstr(out, "{\"recordId\":\"r2\",\"result\":\"Dropped\"}"));
    ck_assert_ptr_nonnull(
        strstr(out, "{\"recordId\":\"r3\",\"result\":\"ProcessingFailed\"}"));
    fhx_transformer_free(t);
    fhx_buf_free(&ev);
}
END_TEST

START_TEST(test_allocation_failures) {
    /* the handler's temporaries go through the output buffer's allocator:
     * each failure is FHX_E_NOMEM, and nothing leaks */
    const char *doc = "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":"
                      "[{\"message\":\"hello\"},{\"message\":\"world\"}]}";
    size_t glen, k;
    uint8_t *g = gz(doc, &glen);
    int st = FHX_E_NOMEM;
    for (k = 1; st != FHX_OK; k++) {
        fhxt_counter c;
        fhx_allocator alc;
        fhx_buf out;
        fhx_answer ans;
        fhx_record rec;
        memset(&c, 0, sizeof c);
        memset(&ans, 0, sizeof ans);
        memset(&rec, 0, sizeof rec);
        c.fail_at = k;
        alc = fhxt_counting_allocator(&c);
        fhx_buf_init(&out, &alc);
        st = fhx_handler_cloudwatch_logs(NULL, &rec, g, glen, &out, &ans);
        ck_assert_msg(st == FHX_OK || st == FHX_E_NOMEM, "call %zu: %d", k,
                      st);
        if (st == FHX_OK) {
            ck_assert_uint_eq(out.len, 12);
            ck_assert_mem_eq(out.ptr, "hello\nworld\n", 12);
        }
        fhx_buf_free(&out);
        ck_assert_uint_eq(c.live, 0);
        ck_assert_uint_lt(k, 100);
    }
    ck_assert_uint_gt(k, 3);
    free(g);
    {
        fhx_answer ans;
        fhx_buf out;
        fhx_buf_init(&out, NULL);
        ck_assert_int_eq(fhx_handler_cloudwatch_logs(NULL, NULL, NULL, 1, &out,
                                                     &ans),
                         FHX_E_ARG);
        ck_assert_int_eq(fhx_cwlogs_parse(NULL, "{}", 2, NULL), FHX_E_ARG);
        ck_assert_int_eq(fhx_cwlogs_next(NULL, NULL), FHX_E_ARG);
    }
}
END_TEST

static Suite *cwlogs_suite(void) {
    Suite *s = suite_create("cwlogs");
    TCase *tc = tcase_create("fixtures");
    tcase_set_timeout(tc, 60);
    ADD_TEST(tc, test_sam_fixture_records);
    ADD_TEST(tc, test_sam_fixture_transform);
    ADD_TEST(tc, test_sam_control_message_parsed);
    ADD_TEST(tc, test_powertools_lambda_logs);
    suite_add_tcase(s, tc);
    tc = tcase_create("documents");
    tcase_set_timeout(tc, 120);
    ADD_TEST(tc, test_escapes_and_empty_messages);
    tcase_add_loop_test(tc, test_bad_documents, 0,
                        (int)(sizeof bad_docs / sizeof bad_docs[0]));
    ADD_TEST(tc, test_next_without_parse);
    ADD_TEST(tc, test_corrupt_gzip_and_bomb);
    ADD_TEST(tc, test_one_bad_record_in_a_batch);
    ADD_TEST(tc, test_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    if (!fhxt_peers_dir()) {
        /* built from a tarball without shared/ beside it */
        fprintf(stderr, "cwlogs: no shared/fixtures/peers; skipped\n");
        return 77;
    }
    return fhxt_run_suite(cwlogs_suite());
}
