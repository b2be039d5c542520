/* Suite "iot": fhx_iot_normalize and the "iot" handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

/* Normalize s (an exact-size heap copy) into a fresh buffer; returns the
 * status; *line gets a NUL-terminated copy of the line on success. */
static int norm(const char *s, fhx_iot_message *m, fhx_error *err,
                char **line) {
    size_t n = strlen(s);
    char *copy = fhxt_dup(s, n);
    fhx_buf out;
    int st;
    fhx_buf_init(&out, NULL);
    st = fhx_iot_normalize((const uint8_t *)copy, n, &out, m, err);
    *line = NULL;
    if (st == FHX_OK) {
        *line = malloc(m->line.len + 1);
        memcpy(*line, m->line.ptr, m->line.len);
        (*line)[m->line.len] = '\0';
        /* unchanged: the line is the input itself */
        ck_assert_int_eq(m->unchanged, m->line.ptr == copy);
    }
    fhx_buf_free(&out);
    free(copy);
    return st;
}

static void assert_line(const char *in, const char *want, int unchanged) {
    fhx_iot_message m;
    fhx_error err;
    char *line;
    ck_assert_int_eq(norm(in, &m, &err, &line), FHX_OK);
    ck_assert_str_eq(line, want);
    ck_assert_int_eq(m.unchanged, unchanged);
    ck_assert_int_eq(err.code, FHX_OK);
    free(line);
}

static void assert_rejected(const char *in, int code, size_t offset) {
    fhx_iot_message m;
    fhx_error err;
    char *line;
    ck_assert_int_eq(norm(in, &m, &err, &line), code);
    ck_assert_int_eq(err.code, code);
    ck_assert_uint_eq(err.offset, offset);
    ck_assert_uint_eq(err.record, FHX_NO_RECORD);
    ck_assert_ptr_nonnull(err.msg);
    ck_assert_ptr_null(line);
}

static void assert_rejected_msg(const char *in, size_t offset,
                                const char *msg) {
    fhx_iot_message m;
    fhx_error err;
    char *line;
    assert_rejected(in, FHX_E_SCHEMA, offset);
    ck_assert_int_eq(norm(in, &m, &err, &line), FHX_E_SCHEMA);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_compact_unchanged) {
    assert_line("{\"topic\":\"iot-test-topic/dev-1\",\"message\":\"Hello, "
                "world!\"}\n",
                "{\"topic\":\"iot-test-topic/dev-1\",\"message\":\"Hello, "
                "world!\"}\n",
                1);
    /* every value kind, nested, compact: still no copy */
    assert_line("{\"a\":[1,-2.5e+3,true,false,null,{},[],\"x\"],"
                "\"topic\":\"t/d\",\"b\":{\"c\":{\"d\":[[\"\\u00e9\"]]}}}\n",
                "{\"a\":[1,-2.5e+3,true,false,null,{},[],\"x\"],"
                "\"topic\":\"t/d\",\"b\":{\"c\":{\"d\":[[\"\\u00e9\"]]}}}\n",
                1);
}
END_TEST

START_TEST(test_whitespace_removed) {
    /* whitespace between tokens goes; inside strings it stays */
    assert_line(" \t{ \"topic\" : \"t/d\" ,\r\n  \"m\" : [ 1 , { \"k\" : "
                "\"a b \\\" c\" } ] , \"n\" : null }\r\n",
                "{\"topic\":\"t/d\",\"m\":[1,{\"k\":\"a b \\\" c\"}],"
                "\"n\":null}\n",
                0);
    /* the four IoT separators, and none */
    assert_line("{\"topic\":\"t/d\"}", "{\"topic\":\"t/d\"}\n", 0);
    assert_line("{\"topic\":\"t/d\"}\r\n", "{\"topic\":\"t/d\"}\n", 0);
    assert_line("{\"topic\":\"t/d\"}\t", "{\"topic\":\"t/d\"}\n", 0);
    assert_line("{\"topic\":\"t/d\"},", "{\"topic\":\"t/d\"}\n", 0);
    assert_line("{\"topic\":\"t/d\"} , \n", "{\"topic\":\"t/d\"}\n", 0);
    /* two newlines: the second is dropped */
    assert_line("{\"topic\":\"t/d\"}\n\n", "{\"topic\":\"t/d\"}\n", 0);
    /* UTF-8 and escapes are kept byte for byte */
    assert_line("{ \"topic\":\"t/d\", \"m\":\"caf\xc3\xa9 \\/ \\n\" }\n",
                "{\"topic\":\"t/d\",\"m\":\"caf\xc3\xa9 \\/ \\n\"}\n", 0);
}
END_TEST

static void assert_keys(const char *in, size_t n, const char *topic,
                        const char *device, const char *subtopic) {
    fhx_iot_message m;
    const char *want[3];
    static const char *names[3] = {"topic", "device", "subtopic"};
    size_t i, len = strlen(in);
    char *copy = fhxt_dup(in, len);
    fhx_buf out;
    want[0] = topic;
    want[1] = device;
    want[2] = subtopic;
    fhx_buf_init(&out, NULL);
    ck_assert_int_eq(fhx_iot_normalize((const uint8_t *)copy, len, &out, &m,
                                       NULL),
                     FHX_OK);
    ck_assert_uint_eq(m.n_keys, n);
    for (i = 0; i < n; i++) {
        ck_assert_uint_eq(m.keys[i].key.len, strlen(names[i]));
        ck_assert_mem_eq(m.keys[i].key.ptr, names[i], strlen(names[i]));
        ck_assert_uint_eq(m.keys[i].value.len, strlen(want[i]));
        ck_assert_mem_eq(m.keys[i].value.ptr, want[i], strlen(want[i]));
    }
    fhx_buf_free(&out);
    free(copy);
}

START_TEST(test_topic_keys) {
    assert_keys("{\"topic\":\"iot-test-topic/dev-1\"}\n", 2, "iot-test-topic",
                "dev-1", NULL);
    assert_keys("{\"topic\":\"solo\"}\n", 1, "solo", NULL, NULL);
    assert_keys("{\"topic\":\"a/b/c\"}\n", 3, "a", "b", "c");
    assert_keys("{\"topic\":\"a/b/c/d/e\"}\n", 3, "a", "b", "c/d/e");
    assert_keys("{\"topic\":\"a\\/b/c\\/d/e\"}\n", 3, "a", "b", "c/d/e");
    /* escapes in the value and in the key are decoded first */
    assert_keys("{\"topic\":\"caf\\u00e9\\/d\\u00e9v\"}\n", 2, "caf\xc3\xa9",
                "d\xc3\xa9v", NULL);
    assert_keys("{\"\\u0074opic\":\"x/y\"}\n", 2, "x", "y", NULL);
    /* only the top-level member counts */
    assert_keys("{\"m\":{\"topic\":\"no/no\"},\"topic\":\"yes/yes\","
                "\"l\":[{\"topic\":1}]}\n",
                2, "yes", "yes", NULL);
    /* "topics" and "topic " are other keys */
    assert_keys("{\"topics\":1,\"topic \":2,\"topic\":\"p/q\"}\n", 2, "p",
                "q", NULL);
}
END_TEST

START_TEST(test_not_an_object) {
    assert_rejected("", FHX_E_SCHEMA, 0);
    assert_rejected(" \n", FHX_E_SCHEMA, 2);
    assert_rejected("[{\"topic\":\"a/b\"}]", FHX_E_SCHEMA, 0);
    assert_rejected("\"topic\"", FHX_E_SCHEMA, 0);
    assert_rejected("  42", FHX_E_SCHEMA, 2);
    assert_rejected("Hello, world!", FHX_E_SCHEMA, 0);
    /* two messages in one record: partition keys are per record */
    assert_rejected("{\"topic\":\"a/b\"}\n{\"topic\":\"a/c\"}\n", FHX_E_SCHEMA,
                    16);
    assert_rejected("{\"topic\":\"a/b\"},,", FHX_E_SCHEMA, 16);
    assert_rejected("{\"topic\":\"a/b\"} x", FHX_E_SCHEMA, 16);
}
END_TEST

START_TEST(test_malformed) {
    /*                0123456789012345 */
    assert_rejected("{\"topic\":\"a/b\",}", FHX_E_JSON, 15);
    assert_rejected("{\"topic\" \"a/b\"}", FHX_E_JSON, 9);
    assert_rejected("{\"topic\":\"a/b\" \"x\":1}", FHX_E_JSON, 15);
    assert_rejected("{\"a\":[1 2]}", FHX_E_JSON, 8);
    assert_rejected("{\"a\":01}", FHX_E_JSON, 6);
    assert_rejected("{\"a\":tru}", FHX_E_JSON, 8);
    assert_rejected("{\"a\":\"x\\q\"}", FHX_E_JSON, 8);
    assert_rejected("{\"a\":\"\x01\"}", FHX_E_JSON, 6);
    assert_rejected("{\"a\":\"\xc3\x28\"}", FHX_E_JSON, 7);
    assert_rejected("{1:2}", FHX_E_JSON, 1);
    assert_rejected("{\"a\":}", FHX_E_JSON, 5);
    assert_rejected("{\"topic\":\"a/b\"", FHX_E_TRUNCATED, 14);
    assert_rejected("{\"a\":[1,", FHX_E_TRUNCATED, 8);
    assert_rejected("{\"a\":\"abc", FHX_E_TRUNCATED, 9);
    assert_rejected("{\"a\":fals", FHX_E_TRUNCATED, 9);
}
END_TEST

START_TEST(test_depth) {
    /* the object and 63 arrays: 64 levels are fine, 65 are not */
    char s[256];
    size_t i, n = 0;
    n += (size_t)sprintf(s, "{\"topic\":\"a/b\",\"x\":");
    for (i = 0; i < 63; i++) s[n++] = '[';
    for (i = 0; i < 63; i++) s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    assert_keys(s, 2, "a", "b", NULL);
    n = (size_t)sprintf(s, "{\"topic\":\"a/b\",\"x\":");
    for (i = 0; i < 64; i++) s[n++] = '[';
    for (i = 0; i < 64; i++) s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    assert_rejected(s, FHX_E_DEPTH, 19 + 63);
}
END_TEST

START_TEST(test_bad_topic) {
    /*                0         1         2 */
    /*                0123456789012345678901234 */
    assert_rejected("{\"m\":1}\n", FHX_E_SCHEMA, 0);
    assert_rejected("{\"topic\":1}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":null}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":[\"a/b\"]}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":{}}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":\"a/b\",\"topic\":\"a/c\"}\n", FHX_E_SCHEMA,
                    15);
    assert_rejected("{\"topic\":\"\"}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":\"a//b\"}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":\"/a\"}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":\"a/\"}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"topic\":\"a/b/\"}\n", FHX_E_SCHEMA, 9);
    assert_rejected("{\"x\":0, \"topic\":\"a\\u0000b\"}\n", FHX_E_SCHEMA, 16);
    assert_rejected("{\"topic\":\"a\\nb\"}\n", FHX_E_SCHEMA, 9);
    /* a lone surrogate is valid JSON but not UTF-8 */
    assert_rejected("{\"topic\":\"a/\\ud800\"}\n", FHX_E_SCHEMA, 9);
    /* escaped: a level's control byte is seen before an empty level after
     * it, an empty level before a control byte in a later level */
    assert_rejected_msg("{\"topic\":\"a\\u0001//b\"}", 9,
                        "the topic holds a control character");
    assert_rejected_msg("{\"topic\":\"a//\\u0001\"}", 9,
                        "the topic has an empty level");
    assert_rejected_msg("{\"topic\":\"a/b/c//\"}", 9,
                        "the topic has an empty level");
}
END_TEST

START_TEST(test_appends_after_existing) {
    /* out already holds bytes: they stay, the line comes after them */
    const char *in = "{ \"topic\":\"a\\/b\" }";
    fhx_buf out;
    fhx_iot_message m;
    fhx_buf_init(&out, NULL);
    ck_assert_int_eq(fhx_buf_append(&out, "xyz", 3), FHX_OK);
    ck_assert_int_eq(fhx_iot_normalize((const uint8_t *)in, strlen(in), &out,
                                       &m, NULL),
                     FHX_OK);
    ck_assert_mem_eq(out.ptr, "xyz", 3);
    ck_assert_ptr_eq(m.line.ptr, (const char *)out.ptr + 3);
    ck_assert_uint_eq(m.line.len, 17);
    ck_assert_mem_eq(m.line.ptr, "{\"topic\":\"a\\/b\"}\n", 17);
    ck_assert_uint_eq(m.topic.len, 3);
    ck_assert_mem_eq(m.topic.ptr, "a/b", 3);
    ck_assert_uint_eq(out.len, 3 + 17 + 3);
    fhx_buf_free(&out);
}
END_TEST

/* ---- the handler through fhx_transform ---------------------------------- */

/* An event with one record per message (data = base64 of the message). */
static char *make_event(const char *const *msgs, size_t n) {
    size_t cap = 256, len = 0, i;
    char *ev;
    for (i = 0; i < n; i++) cap += 64 + FHX_B64_ENCODED_LEN(strlen(msgs[i]));
    ev = malloc(cap);
    len += (size_t)sprintf(ev, "{\"invocationId\":\"inv\",\"records\":[");
    for (i = 0; i < n; i++) {
        size_t k = 0;
        len += (size_t)sprintf(ev + len, "%s{\"recordId\":\"r%zu\",\"data\":\"",
                               i ? "," : "", i);
        ck_assert_int_eq(fhx_b64_encode((const uint8_t *)msgs[i],
                                        strlen(msgs[i]), ev + len, cap - len,
                                        &k),
                         FHX_OK);
        len += k;
        len += (size_t)sprintf(ev + len, "\"}");
    }
    sprintf(ev + len, "]}");
    return ev;
}

/* A NUL-terminated copy of a response (which is not terminated). */
static char *cstr(const char *p, size_t n) {
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static char *b64(const char *s) {
    size_t n = strlen(s), k = 0;
    char *out = malloc(FHX_B64_ENCODED_LEN(n) + 1);
    ck_assert_int_eq(fhx_b64_encode((const uint8_t *)s, n, out,
                                    FHX_B64_ENCODED_LEN(n), &k),
                     FHX_OK);
    out[k] = '\0';
    return out;
}

START_TEST(test_handler_transform) {
    static const char *const msgs[] = {
        "{\"topic\":\"iot-test-topic/dev-1\",\"message\":\"Hello, world!\"}\n",
        "Hello, world!\n",
        "{ \"topic\" : \"iot-test-topic/dev-2\", \"t\" : 21.5 }",
        "{\"message\":\"no topic\"}\n",
        "{\"topic\":\"iot-test-topic/dev-3/door\",\"open\":true}\n",
    };
    char *ev = make_event(msgs, 5), *want;
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0, problems = 9;
    const fhx_transform_stats *stats;
    char expect[2048];
    char *d0 = b64(msgs[0]), *d4 = b64(msgs[4]);
    char *d2 = b64("{\"topic\":\"iot-test-topic/dev-2\",\"t\":21.5}\n");
    fhx_error err;
    ck_assert(fhx_handler_find("iot") == fhx_handler_iot);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), fhx_handler_iot, NULL,
                                   &out, &len),
                     FHX_OK);
    snprintf(expect, sizeof expect,
             "{\"records\":["
             "{\"recordId\":\"r0\",\"result\":\"Ok\",\"data\":\"%s\","
             "\"metadata\":{\"partitionKeys\":{\"topic\":\"iot-test-topic\","
             "\"device\":\"dev-1\"}}},"
             "{\"recordId\":\"r1\",\"result\":\"ProcessingFailed\"},"
             "{\"recordId\":\"r2\",\"result\":\"Ok\",\"data\":\"%s\","
             "\"metadata\":{\"partitionKeys\":{\"topic\":\"iot-test-topic\","
             "\"device\":\"dev-2\"}}},"
             "{\"recordId\":\"r3\",\"result\":\"ProcessingFailed\"},"
             "{\"recordId\":\"r4\",\"result\":\"Ok\",\"data\":\"%s\","
             "\"metadata\":{\"partitionKeys\":{\"topic\":\"iot-test-topic\","
             "\"device\":\"dev-3\",\"subtopic\":\"door\"}}}]}",
             d0, d2, d4);
    want = expect;
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_mem_eq(out, want, len);
    stats = fhx_transform_get_stats(t);
    ck_assert_uint_eq(stats->ok, 3);
    ck_assert_uint_eq(stats->failed, 2);
    ck_assert_uint_eq(stats->handler_errors, 2);
    ck_assert_int_eq(fhx_verify_response(ev, strlen(ev), out, len, 0, NULL,
                                         NULL, &problems, NULL, &err),
                     FHX_OK);
    ck_assert_uint_eq(problems, 0);
    fhx_transformer_free(t);
    free(d0);
    free(d2);
    free(d4);
    free(ev);
}
END_TEST

START_TEST(test_handler_escaped_data) {
    /* "\/" inside the event's base64: the echo fast path must not copy the
     * escaped text; the answer is re-encoded and still byte-exact */
    const char *msg = "{\"topic\":\"a/b\",\"v\":\"?\?>\"}\n";
    char *d = b64(msg), *ev, *p, *esc;
    fhx_transformer *t;
    const char *out = NULL;
    size_t len = 0, n, k = 0;
    p = strchr(d, '/');
    ck_assert_ptr_nonnull(p); /* the message was chosen to have one */
    n = strlen(d);
    esc = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '/') esc[k++] = '\\';
        esc[k++] = d[i];
    }
    esc[k] = '\0';
    ev = malloc(k + 128);
    sprintf(ev, "{\"records\":[{\"recordId\":\"x\",\"data\":\"%s\"}]}", esc);
    ck_assert_int_eq(fhx_transformer_new(&t, NULL), FHX_OK);
    ck_assert_int_eq(fhx_transform(t, ev, strlen(ev), fhx_handler_iot, NULL,
                                   &out, &len),
                     FHX_OK);
    p = cstr(out, len);
    ck_assert_ptr_nonnull(strstr(p, d));
    ck_assert_ptr_null(strstr(p, "\\/"));
    free(p);
    fhx_transformer_free(t);
    free(d);
    free(esc);
    free(ev);
}
END_TEST

START_TEST(test_handler_direct) {
    /* called on its own (no record): the line goes through data */
    const char *msg = "{\"topic\":\"a/b\"}\n";
    fhx_buf out;
    fhx_answer ans;
    memset(&ans, 0, sizeof ans);
    fhx_buf_init(&out, NULL);
    ck_assert_int_eq(fhx_handler_iot(NULL, NULL, (const uint8_t *)msg,
                                     strlen(msg), &out, &ans),
                     FHX_OK);
    ck_assert_int_eq(ans.result, FHX_RESULT_OK);
    ck_assert_ptr_eq(ans.data, (const uint8_t *)msg);
    ck_assert_uint_eq(ans.data_len, strlen(msg));
    ck_assert_uint_eq(ans.n_keys, 2);
    ck_assert_mem_eq(ans.keys[1].value.ptr, "b", 1);
    ck_assert_int_eq(fhx_handler_iot(NULL, NULL, (const uint8_t *)"[]", 2,
                                     &out, &ans),
                     FHX_E_SCHEMA);
    ck_assert_int_eq(fhx_handler_iot(NULL, NULL, NULL, 1, &out, &ans),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_handler_iot(NULL, NULL, NULL, 0, NULL, &ans),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_iot_normalize(NULL, 1, &out, NULL, NULL), FHX_E_ARG);
    fhx_buf_free(&out);
}
END_TEST

START_TEST(test_alloc_failures) {
    /* every allocation failing in turn: an error or the right answer,
     * never a crash or a leak */
    static const char *const msgs[] = {
        "{ \"topic\" : \"a\\/b\", \"m\" : [ 1, 2 ] }",
        "{\"topic\":\"a/c\"}\n",
    };
    char *ev = make_event(msgs, 2);
    char *good = NULL;
    size_t good_len = 0, at;
    for (at = 0; at < 60; at++) {
        fhxt_counter c;
        fhx_allocator alc;
        fhx_transformer *t = NULL;
        const char *out = NULL;
        size_t len = 0;
        int st;
        memset(&c, 0, sizeof c);
        c.fail_at = at;
        alc = fhxt_counting_allocator(&c);
        if (fhx_transformer_new(&t, &alc) != FHX_OK) {
            ck_assert_uint_eq(c.live, 0);
            continue;
        }
        st = fhx_transform(t, ev, strlen(ev), fhx_handler_iot, NULL, &out,
                           &len);
        if (at == 0) {
            ck_assert_int_eq(st, FHX_OK);
            good = fhxt_dup(out, len);
            good_len = len;
        } else if (st == FHX_OK) {
            /* a failed handler allocation may turn a record into
             * ProcessingFailed; a success is byte-identical */
            char *resp = cstr(out, len);
            if (!strstr(resp, "ProcessingFailed")) {
                ck_assert_uint_eq(len, good_len);
                ck_assert_mem_eq(out, good, len);
            }
            free(resp);
        } else {
            ck_assert_int_eq(st, FHX_E_NOMEM);
        }
        fhx_transformer_free(t);
        ck_assert_uint_eq(c.live, 0);
    }
    free(good);
    free(ev);
}
END_TEST

START_TEST(test_large_message) {
    /* a 1 MB message with whitespace everywhere */
    size_t n = 0, i, cap = 3u << 20;
    char *s = malloc(cap);
    fhx_iot_message m;
    fhx_buf out;
    n += (size_t)sprintf(s, "{ \"topic\" : \"big/one\" , \"v\" : [ ");
    for (i = 0; i < 100000; i++)
        n += (size_t)sprintf(s + n, "%s\"%05zu\"", i ? " , " : "", i);
    n += (size_t)sprintf(s + n, " ] }\n");
    fhx_buf_init(&out, NULL);
    ck_assert_int_eq(fhx_iot_normalize((const uint8_t *)s, n, &out, &m, NULL),
                     FHX_OK);
    ck_assert_int_eq(m.unchanged, 0);
    ck_assert_uint_eq(m.line.len, 24 + 100000 * 8 - 1 + 3);
    ck_assert_mem_eq(m.line.ptr, "{\"topic\":\"big/one\",\"v\":[\"00000\",", 32);
    ck_assert_mem_eq(m.line.ptr + m.line.len - 11, ",\"99999\"]}\n", 11);
    fhx_buf_free(&out);
    free(s);
}
END_TEST

static Suite *iot_suite(void) {
    Suite *s = suite_create("iot");
    TCase *tc = tcase_create("vectors");
    ADD_TEST(tc, test_compact_unchanged);
    ADD_TEST(tc, test_whitespace_removed);
    ADD_TEST(tc, test_topic_keys);
    ADD_TEST(tc, test_appends_after_existing);
    ADD_TEST(tc, test_large_message);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    ADD_TEST(tc, test_not_an_object);
    ADD_TEST(tc, test_malformed);
    ADD_TEST(tc, test_depth);
    ADD_TEST(tc, test_bad_topic);
    suite_add_tcase(s, tc);
    tc = tcase_create("handler");
    ADD_TEST(tc, test_handler_transform);
    ADD_TEST(tc, test_handler_escaped_data);
    ADD_TEST(tc, test_handler_direct);
    suite_add_tcase(s, tc);
    tc = tcase_create("alloc");
    ADD_TEST(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(iot_suite()); }
