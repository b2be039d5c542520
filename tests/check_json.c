/* Suite "json": strict JSON scanners, UTF-8 and unescaping (internal). */
#include <string.h>

#include "check_util.h"
#include "../src/internal.h"
#include "../src/json.h"

/* Scan the whole of s as one value; every proper prefix must say MORE
 * (non-final) or TRUNCATED (final), never OK or another error, unless the
 * prefix already holds the error. */
static int scan_value(const char *s, size_t len, int final, size_t *pos) {
    const char *msg = NULL;
    *pos = 0;
    return fhxi_json_skip_value(s, len, pos, final, 0, &msg);
}

START_TEST(test_values_ok) {
    static const char *ok[] = {
        "0", "-0", "123", "-1.5e+3", "1E-2", "0.25", "true", "false", "null",
        "\"\"", "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
        "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"", "[]", "{}", "[1,[2,[3]]]",
        "{\"a\":{\"b\":[true,{\"c\":null}]},\"d\":\"e\"}", "[ 1 , 2 ]",
        "{ \"a\" : 1 }"};
    size_t i;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t len = strlen(ok[i]), pos, cut;
        ck_assert_msg(scan_value(ok[i], len, 1, &pos) == FHXI_J_OK, "%s",
                      ok[i]);
        ck_assert_uint_eq(pos, len);
        for (cut = 0; cut < len; cut++) {
            int st = scan_value(ok[i], cut, 0, &pos);
            /* numbers may be complete early, everything else needs more */
            ck_assert_msg(st == FHXI_J_MORE, "%s cut %zu: %d", ok[i], cut, st);
            st = scan_value(ok[i], cut, 1, &pos);
            if (st != FHXI_J_OK) {
                ck_assert_int_eq(st, FHX_E_TRUNCATED);
                ck_assert_uint_eq(pos, cut);
            }
        }
    }
}
END_TEST

typedef struct bad_case {
    const char *json;
    int code;
    size_t at;
} bad_case;

START_TEST(test_values_bad) {
    static const bad_case cases[] = {
        {"-", FHX_E_TRUNCATED, 1},      {"-a", FHX_E_JSON, 1},
        {"1.", FHX_E_TRUNCATED, 2},     {"1.e", FHX_E_JSON, 2},
        {"1e", FHX_E_TRUNCATED, 2},     {"1e+", FHX_E_TRUNCATED, 3},
        {"1e+x", FHX_E_JSON, 3},        {"+1", FHX_E_JSON, 0},
        {"tru", FHX_E_TRUNCATED, 3},    {"trUe", FHX_E_JSON, 2},
        {"nul1", FHX_E_JSON, 3},        {"\"abc", FHX_E_TRUNCATED, 4},
        {"\"a\x1f\"", FHX_E_JSON, 2},   {"\"\\q\"", FHX_E_JSON, 2},
        {"\"\\u12\"", FHX_E_JSON, 5},   {"\"\xC0\xAF\"", FHX_E_JSON, 1},
        {"\"\xED\xA0\x80\"", FHX_E_JSON, 2}, {"\"\xF4\x90\x80\x80\"", FHX_E_JSON, 2},
        {"\"\xE2\x82\"", FHX_E_JSON, 3}, {"\"\x80\"", FHX_E_JSON, 1},
        {"[1,]", FHX_E_JSON, 3},        {"[1 2]", FHX_E_JSON, 3},
        {"{\"a\" 1}", FHX_E_JSON, 5},   {"{\"a\":1,}", FHX_E_JSON, 7},
        {"{1:2}", FHX_E_JSON, 1},       {"[", FHX_E_TRUNCATED, 1},
        {"{\"a\":", FHX_E_TRUNCATED, 5}, {"]", FHX_E_JSON, 0},
        {"'a'", FHX_E_JSON, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t pos;
        int st = scan_value(cases[i].json, strlen(cases[i].json), 1, &pos);
        ck_assert_msg(st == cases[i].code, "%s: %d want %d", cases[i].json, st,
                      cases[i].code);
        ck_assert_msg(pos == cases[i].at, "%s: at %zu want %zu",
                      cases[i].json, pos, cases[i].at);
    }
}
END_TEST

START_TEST(test_depth) {
    char buf[200];
    size_t pos, i;
    const char *msg;
    for (i = 0; i < 70; i++) buf[i] = '[';
    for (i = 0; i < 70; i++) buf[70 + i] = ']';
    /* at depth 10 already, 55 more containers fit, the 56th does not */
    pos = 0;
    ck_assert_int_eq(fhxi_json_skip_value(buf, 140, &pos, 1, 10, &msg),
                     FHX_E_DEPTH);
    ck_assert_uint_eq(pos, FHX_MAX_DEPTH - 10);
    memset(buf, '[', 54);
    memset(buf + 54, ']', 54);
    pos = 0;
    ck_assert_int_eq(fhxi_json_skip_value(buf, 108, &pos, 1, 10, &msg),
                     FHXI_J_OK);
    ck_assert_uint_eq(pos, 108);
}
END_TEST

START_TEST(test_string_token) {
    const char *s = "\"ab\\ncd\" tail";
    fhxi_jstr str;
    const char *msg;
    size_t pos = 0;
    ck_assert_int_eq(fhxi_json_string(s, strlen(s), &pos, 1, 1, &str, &msg),
                     FHXI_J_OK);
    ck_assert_uint_eq(str.start, 1);
    ck_assert_uint_eq(str.end, 7);
    ck_assert_int_eq(str.escaped, 1);
    ck_assert_uint_eq(pos, 8);
    /* without UTF-8 validation, high bytes pass (base64 checks them) */
    pos = 0;
    ck_assert_int_eq(fhxi_json_string("\"\xff\"", 3, &pos, 1, 0, &str, &msg),
                     FHXI_J_OK);
    pos = 0;
    ck_assert_int_eq(fhxi_json_string("\"\xff\"", 3, &pos, 1, 1, &str, &msg),
                     FHX_E_JSON);
}
END_TEST

START_TEST(test_utf8_prefix) {
    ck_assert_uint_eq(fhxi_utf8_valid_prefix("abc", 3), 3);
    ck_assert_uint_eq(fhxi_utf8_valid_prefix("a\xC3\xA9z", 4), 4);
    ck_assert_uint_eq(fhxi_utf8_valid_prefix("a\xC3", 2), 1);
    ck_assert_uint_eq(fhxi_utf8_valid_prefix("ab\xFF", 3), 2);
    ck_assert_uint_eq(fhxi_utf8_valid_prefix("\xED\xBF\xBF", 3), 0);
    /* the ASCII words: a bad byte in each place of the first three */
    {
        char buf[32];
        size_t k;
        memset(buf, 'a', sizeof buf);
        ck_assert_uint_eq(fhxi_utf8_valid_prefix(buf, sizeof buf), 32);
        for (k = 0; k < 24; k++) {
            buf[k] = '\xFF';
            ck_assert_uint_eq(fhxi_utf8_valid_prefix(buf, sizeof buf), k);
            buf[k] = '\xC3';
            buf[k + 1] = '\xA9';
            ck_assert_uint_eq(fhxi_utf8_valid_prefix(buf, sizeof buf), 32);
            ck_assert_uint_eq(fhxi_utf8_valid_prefix(buf, k + 1), k);
            buf[k] = buf[k + 1] = 'a';
        }
    }
}
END_TEST

START_TEST(test_unescape) {
    char out[64];
    size_t n = 0;
    fhx_error err;
    char inplace[] = "x\\u00e9\\n\\uD83D\\uDE00y";
    ck_assert_int_eq(fhx_json_unescape("a\\\"b\\/c", 7, out, sizeof out, &n,
                                       &err),
                     FHX_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_mem_eq(out, "a\"b/c", 5);
    ck_assert_int_eq(fhx_json_unescape(inplace, strlen(inplace), inplace,
                                       sizeof inplace, &n, &err),
                     FHX_OK);
    ck_assert_uint_eq(n, 9);
    ck_assert_mem_eq(inplace, "x\xC3\xA9\n\xF0\x9F\x98\x80y", 9);
    ck_assert_int_eq(fhx_json_unescape("ab\\", 3, out, sizeof out, &n, &err),
                     FHX_E_JSON);
    ck_assert_uint_eq(err.offset, 2);
    ck_assert_int_eq(fhx_json_unescape("abcd", 4, out, 3, &n, &err),
                     FHX_E_OUTPUT);
    ck_assert_int_eq(fhx_json_unescape(NULL, 1, out, 3, &n, &err), FHX_E_ARG);
}
END_TEST


/* ---- the walker ---------------------------------------------------------- */

START_TEST(test_walk_stops) {
    /* offsets: the key of "x" at 18, the escaped key at 34, its '[' at 47 */
    const char *s = "{ \"topic\" :\"a/b\", \"x\":{\"topic\":1},\"t\\u006fpic\":[ ]}";
    size_t len = strlen(s);
    fhxi_jwalk w;
    fhxi_jstr str;
    fhxi_jwalk_init(&w, s, len, 0, 1, 0);
    w.stop_ws = 1;
    w.watch = "topic";
    w.watch_len = 5;
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_WS);
    ck_assert_uint_eq(w.tok, 1);
    ck_assert_uint_eq(w.pos, 2);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_KEY);
    ck_assert_uint_eq(w.tok, 2);
    ck_assert_uint_eq(w.key.start, 3);
    ck_assert_uint_eq(w.key.end, 8);
    ck_assert_int_eq(w.key.escaped, 0);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_WS);
    ck_assert_uint_eq(w.tok, 9);
    ck_assert_uint_eq(w.pos, 10);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_VALUE);
    ck_assert_uint_eq(w.pos, 11);
    ck_assert_int_eq(fhxi_jwalk_string(&w, &str), FHXI_J_OK);
    ck_assert_uint_eq(str.start, 12);
    ck_assert_uint_eq(str.end, 15);
    ck_assert_uint_eq(w.pos, 16);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_WS);
    ck_assert_uint_eq(w.tok, 17);
    /* the nested "topic" is not watched; the escaped one is */
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_KEY);
    ck_assert_uint_eq(w.tok, 34);
    ck_assert_int_eq(w.key.escaped, 1);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_VALUE);
    ck_assert_uint_eq(w.pos, 47);
    /* not taken: the walk reads the value itself */
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_WS);
    ck_assert_uint_eq(w.tok, 48);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_J_OK);
    ck_assert_uint_eq(w.pos, len);
    /* the walk is over */
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHX_E_STATE);
    /* an array at the top: its objects' keys are not watched */
    fhxi_jwalk_init(&w, "[{\"topic\":1}]", 13, 0, 1, 0);
    w.watch = "topic";
    w.watch_len = 5;
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_J_OK);
    ck_assert_uint_eq(w.pos, 13);
}
END_TEST

START_TEST(test_walk_errors) {
    fhxi_jwalk w;
    fhxi_jstr str;
    /* without stop_ws, whitespace is skipped silently */
    fhxi_jwalk_init(&w, "[ 1 ,\t2 ]", 9, 0, 1, 0);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_J_OK);
    ck_assert_uint_eq(w.pos, 9);
    /* not final: MORE, wherever the buffer ends */
    fhxi_jwalk_init(&w, "{\"a\": ", 6, 0, 0, 0);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_J_MORE);
    fhxi_jwalk_init(&w, "{\"a\": ", 6, 0, 1, 0);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHX_E_TRUNCATED);
    ck_assert_uint_eq(w.pos, 6);
    ck_assert_ptr_nonnull(w.msg);
    /* an error inside the watched value's string */
    fhxi_jwalk_init(&w, "{\"k\":\"a\\x\"}", 11, 0, 1, 0);
    w.watch = "k";
    w.watch_len = 1;
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_KEY);
    ck_assert_int_eq(fhxi_jwalk_run(&w), FHXI_JW_VALUE);
    ck_assert_int_eq(fhxi_jwalk_string(&w, &str), FHX_E_JSON);
    ck_assert_uint_eq(w.pos, 8);
    /* a string can only be taken at a value */
    fhxi_jwalk_init(&w, "\"x\"", 3, 0, 1, 0);
    ck_assert_int_eq(fhxi_jwalk_string(&w, &str), FHX_E_STATE);
}
END_TEST

/* The inline look at a string's first 32 bytes and the kernel after it
 * must agree on every length, and on where a byte to look at sits, also
 * close to the end of the buffer. */
START_TEST(test_walk_string_lengths) {
    char buf[128];
    size_t n, k, tail;
    for (n = 0; n < 80; n++) {
        for (tail = 0; tail < 20; tail += 19) {
            size_t len = 0, pos;
            const char *msg;
            int st;
            buf[len++] = '"';
            memset(buf + len, 'a', n);
            len += n;
            buf[len++] = '"';
            memset(buf + len, ' ', tail);
            pos = 0;
            st = fhxi_json_skip_value(buf, len + tail, &pos, 1, 0, &msg);
            ck_assert_int_eq(st, FHXI_J_OK);
            ck_assert_uint_eq(pos, n + 2);
            /* without its closing quote */
            pos = 0;
            ck_assert_int_eq(fhxi_json_skip_value(buf, n + 1, &pos, 1, 0, &msg),
                             FHX_E_TRUNCATED);
            ck_assert_uint_eq(pos, n + 1);
            for (k = 0; k < n; k++) {
                /* a control byte or a bad UTF-8 byte at content offset k:
                 * an error there; an escape or valid UTF-8: fine */
                static const char *const bad[] = {"\x01", "\xff"};
                static const char *const good[] = {"\\n", "\xc3\xa9"};
                size_t t;
                for (t = 0; t < 2; t++) {
                    buf[1 + k] = bad[t][0];
                    pos = 0;
                    st = fhxi_json_skip_value(buf, len + tail, &pos, 1, 0,
                                              &msg);
                    ck_assert_int_eq(st, FHX_E_JSON);
                    ck_assert_uint_eq(pos, 1 + k);
                    buf[1 + k] = 'a';
                    if (k + 1 == n) continue;
                    memcpy(buf + 1 + k, good[t], 2);
                    pos = 0;
                    st = fhxi_json_skip_value(buf, len + tail, &pos, 1, 0,
                                              &msg);
                    ck_assert_int_eq(st, FHXI_J_OK);
                    ck_assert_uint_eq(pos, n + 2);
                    memcpy(buf + 1 + k, "aa", 2);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_str_eq) {
    ck_assert_int_eq(fhxi_json_str_eq("topic", 5, 0, "topic", 5), 1);
    ck_assert_int_eq(fhxi_json_str_eq("topics", 6, 0, "topic", 5), 0);
    ck_assert_int_eq(fhxi_json_str_eq("\\u0074opic", 10, 1, "topic", 5), 1);
    ck_assert_int_eq(fhxi_json_str_eq("\\u0074opix", 10, 1, "topic", 5), 0);
    /* 5 escapes of 6 bytes: still "topic" */
    ck_assert_int_eq(fhxi_json_str_eq("\\u0074\\u006f\\u0070\\u0069\\u0063",
                                      30, 1, "topic", 5),
                     1);
    ck_assert_int_eq(fhxi_json_str_eq("\\u0074\\u006f\\u0070\\u0069\\u0063x",
                                      31, 1, "topic", 5),
                     0);
    /* the longest name, every byte escaped */
    {
        char raw[6 * FHXI_JSON_EQ_MAX + 1], want[FHXI_JSON_EQ_MAX];
        size_t k;
        for (k = 0; k < FHXI_JSON_EQ_MAX; k++) {
            want[k] = 'a';
            memcpy(raw + 6 * k, "\\u0061", 6);
        }
        ck_assert_int_eq(fhxi_json_str_eq(raw, 6 * FHXI_JSON_EQ_MAX, 1, want,
                                          FHXI_JSON_EQ_MAX),
                         1);
    }
}
END_TEST

static Suite *json_suite(void) {
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("scanners");
    ADD_TEST(tc, test_values_ok);
    ADD_TEST(tc, test_values_bad);
    ADD_TEST(tc, test_depth);
    ADD_TEST(tc, test_string_token);
    suite_add_tcase(s, tc);
    tc = tcase_create("walker");
    ADD_TEST(tc, test_walk_stops);
    ADD_TEST(tc, test_walk_errors);
    ADD_TEST(tc, test_walk_string_lengths);
    ADD_TEST(tc, test_str_eq);
    suite_add_tcase(s, tc);
    tc = tcase_create("text");
    ADD_TEST(tc, test_utf8_prefix);
    ADD_TEST(tc, test_unescape);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(json_suite()); }
