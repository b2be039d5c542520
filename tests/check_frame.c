/* libfirehose-xform tests: message framing (fhx/frame.h). */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"

#define MAX_MSGS 64

/*
 * Frame an exact-size heap copy of the first len bytes of input and compare
 * the messages with the NULL-terminated list want. Messages must point
 * into the copy.
 */
static void check_frames_n(const char *input, size_t len, fhx_separator sep,
                           unsigned flags, const char *const *want) {
    char *buf = fhxt_dup(input, len);
    fhx_framer fr;
    fhx_slice msg;
    size_t n = 0;
    int st;
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fhx_frame_init(&fr, buf, len, sep, flags), FHX_OK);
    while ((st = fhx_frame_next(&fr, &msg)) == FHX_OK) {
        ck_assert_msg(want[n] != NULL, "extra message %zu: '%.*s'", n,
                      (int)msg.len, msg.ptr);
        ck_assert_msg(msg.ptr >= buf && msg.ptr + msg.len <= buf + len,
                      "message %zu outside the input", n);
        ck_assert_uint_gt(msg.len, 0);
        ck_assert_msg(msg.len == strlen(want[n]) &&
                          memcmp(msg.ptr, want[n], msg.len) == 0,
                      "message %zu: got '%.*s', want '%s'", n, (int)msg.len,
                      msg.ptr, want[n]);
        n++;
        ck_assert_uint_lt(n, MAX_MSGS);
    }
    ck_assert_int_eq(st, FHX_END);
    ck_assert_msg(want[n] == NULL, "missing message %zu: '%s'", n, want[n]);
    /* FHX_END is sticky */
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_END);
    free(buf);
}

static void check_frames(const char *input, fhx_separator sep,
                         unsigned flags, const char *const *want) {
    check_frames_n(input, strlen(input), sep, flags, want);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})
#define SPLIT FHX_FRAME_SPLIT_JSON

/* ---- separators ------------------------------------------------------ */

START_TEST(test_line) {
    check_frames("a\nbb\nccc\n", FHX_SEP_LINE, 0, L("a", "bb", "ccc"));
    check_frames("a\nbb", FHX_SEP_LINE, 0, L("a", "bb"));
    check_frames("{\"x\":1}\n", FHX_SEP_LINE, 0, L("{\"x\":1}"));
}
END_TEST

START_TEST(test_crlf) {
    check_frames("a\r\nbb\r\n", FHX_SEP_LINE, 0, L("a", "bb"));
    check_frames("a\r\nbb\nc", FHX_SEP_LINE, 0, L("a", "bb", "c"));
    /* a lone CR is data; only the CR before LF belongs to the separator */
    check_frames("a\rb\n", FHX_SEP_LINE, 0, L("a\rb"));
    check_frames("a\r\r\n", FHX_SEP_LINE, 0, L("a\r"));
    /* a CR at the very end without LF is kept */
    check_frames("a\nb\r", FHX_SEP_LINE, 0, L("a", "b\r"));
    /* CRLF only messages are empty */
    check_frames("\r\n\r\na\r\n\r\n", FHX_SEP_LINE, 0, L("a"));
}
END_TEST

START_TEST(test_tab) {
    check_frames("a\tb\tc", FHX_SEP_TAB, 0, L("a", "b", "c"));
    check_frames("a\nb\tc\t", FHX_SEP_TAB, 0, L("a\nb", "c"));
    /* CR is not part of the tab separator */
    check_frames("a\r\tb", FHX_SEP_TAB, 0, L("a\r", "b"));
}
END_TEST

START_TEST(test_comma) {
    check_frames("1,22,333,", FHX_SEP_COMMA, 0, L("1", "22", "333"));
    check_frames("a\nb,c", FHX_SEP_COMMA, 0, L("a\nb", "c"));
    /* without SPLIT_JSON a comma inside an object cuts it */
    check_frames("{\"a\":1,\"b\":2}", FHX_SEP_COMMA, 0,
                 L("{\"a\":1", "\"b\":2}"));
}
END_TEST

START_TEST(test_leading_trailing_double) {
    check_frames("\na\n", FHX_SEP_LINE, 0, L("a"));
    check_frames("\n\na\n\n\nb\n\n", FHX_SEP_LINE, 0, L("a", "b"));
    check_frames(",,a,,b,,", FHX_SEP_COMMA, 0, L("a", "b"));
    check_frames("\t\ta\t\tb", FHX_SEP_TAB, 0, L("a", "b"));
}
END_TEST

START_TEST(test_only_separators) {
    check_frames("\n", FHX_SEP_LINE, 0, NONE);
    check_frames("\n\n\n", FHX_SEP_LINE, 0, NONE);
    check_frames("\r\n\r\n", FHX_SEP_LINE, 0, NONE);
    check_frames(",,,", FHX_SEP_COMMA, 0, NONE);
    check_frames("\t", FHX_SEP_TAB, 0, NONE);
    check_frames("\n\n", FHX_SEP_LINE, SPLIT, NONE);
    check_frames(" \n \r\n\t", FHX_SEP_LINE, SPLIT, NONE);
}
END_TEST

START_TEST(test_empty_input) {
    fhx_framer fr;
    fhx_slice msg;
    ck_assert_int_eq(fhx_frame_init(&fr, NULL, 0, FHX_SEP_LINE, 0), FHX_OK);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_END);
    ck_assert_int_eq(fhx_frame_init(&fr, NULL, 0, FHX_SEP_COMMA, SPLIT),
                     FHX_OK);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_END);
    check_frames("", FHX_SEP_LINE, 0, NONE);
    check_frames("", FHX_SEP_LINE, SPLIT, NONE);
}
END_TEST

START_TEST(test_no_separator) {
    check_frames("hello world", FHX_SEP_LINE, 0, L("hello world"));
    check_frames("hello", FHX_SEP_COMMA, 0, L("hello"));
    check_frames("x", FHX_SEP_TAB, 0, L("x"));
    check_frames("x", FHX_SEP_TAB, SPLIT, L("x"));
}
END_TEST

/* Embedded NUL bytes are data: compare by hand (want lists are C strings). */
START_TEST(test_embedded_nul_bytes) {
    static const char in[] = "a\0b\nc\0";
    char *buf = fhxt_dup(in, sizeof in - 1);
    fhx_framer fr;
    fhx_slice msg;
    ck_assert_int_eq(fhx_frame_init(&fr, buf, sizeof in - 1, FHX_SEP_LINE,
                                    0),
                     FHX_OK);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_OK);
    ck_assert_uint_eq(msg.len, 3);
    ck_assert_int_eq(memcmp(msg.ptr, "a\0b", 3), 0);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_OK);
    ck_assert_uint_eq(msg.len, 2);
    ck_assert_int_eq(memcmp(msg.ptr, "c\0", 2), 0);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_END);
    free(buf);
}
END_TEST

/* ---- SPLIT_JSON ------------------------------------------------------ */

START_TEST(test_split_concat) {
    check_frames("{\"a\":1}{\"b\":2}", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}"));
    check_frames("{\"a\":1}{\"b\":2}{}", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}", "{}"));
    /* without the flag: one message */
    check_frames("{\"a\":1}{\"b\":2}", FHX_SEP_LINE, 0,
                 L("{\"a\":1}{\"b\":2}"));
}
END_TEST

START_TEST(test_split_space) {
    check_frames("{\"a\":1} {\"b\":2}", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}"));
    check_frames("  {\"a\":1}  \t {\"b\":2}  ", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}"));
}
END_TEST

START_TEST(test_split_newline) {
    check_frames("{\"a\":1}\n{\"b\":2}\n", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}"));
    check_frames("{\"a\":1}\r\n{\"b\":2}{\"c\":3}\r\n", FHX_SEP_LINE,
                 SPLIT, L("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"));
    check_frames("{\"a\":1}\t{\"b\":2}\t", FHX_SEP_TAB, SPLIT,
                 L("{\"a\":1}", "{\"b\":2}"));
}
END_TEST

START_TEST(test_split_separator_inside_value) {
    /* pretty-printed JSON: newlines inside the object never cut it */
    check_frames("{\n  \"a\": 1,\n  \"b\": [1,\n 2]\n}\n{\"c\":3}\n",
                 FHX_SEP_LINE, SPLIT,
                 L("{\n  \"a\": 1,\n  \"b\": [1,\n 2]\n}", "{\"c\":3}"));
    check_frames("{\"a\":1,\"b\":2},{\"c\":3}", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":1,\"b\":2}", "{\"c\":3}"));
    check_frames("{\"a\":\"x\ty\"}\t{\"b\":\"\t\"}", FHX_SEP_TAB, SPLIT,
                 L("{\"a\":\"x\ty\"}", "{\"b\":\"\t\"}"));
}
END_TEST

START_TEST(test_split_strings) {
    /* commas, braces and brackets inside strings */
    check_frames("{\"a\":\"},{\"},{\"b\":\"[,]\"}", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":\"},{\"}", "{\"b\":\"[,]\"}"));
    check_frames("{\"k}{\":\"{{{\"}{\"x\":\"]]]\"}", FHX_SEP_LINE, SPLIT,
                 L("{\"k}{\":\"{{{\"}", "{\"x\":\"]]]\"}"));
}
END_TEST

START_TEST(test_split_escaped_quotes) {
    /* \" inside a string does not end it */
    check_frames("{\"a\":\"x\\\"}{\"}{\"b\":1}", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":\"x\\\"}{\"}", "{\"b\":1}"));
    /* \\ before the closing quote: the quote does end the string */
    check_frames("{\"a\":\"x\\\\\"}{\"b\":\"\\\\\\\"}\"}", FHX_SEP_LINE,
                 SPLIT,
                 L("{\"a\":\"x\\\\\"}", "{\"b\":\"\\\\\\\"}\"}"));
    check_frames("{\"a\":\"\\\"\",\"c\":2},{\"b\":1}", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":\"\\\"\",\"c\":2}", "{\"b\":1}"));
}
END_TEST

START_TEST(test_split_nested_arrays) {
    check_frames("{\"a\":{\"b\":{\"c\":[1,{\"d\":2}]}}}{\"e\":[]}",
                 FHX_SEP_LINE, SPLIT,
                 L("{\"a\":{\"b\":{\"c\":[1,{\"d\":2}]}}}", "{\"e\":[]}"));
    check_frames("[1,2,3][4,[5,6]]", FHX_SEP_COMMA, SPLIT,
                 L("[1,2,3]", "[4,[5,6]]"));
    check_frames("[{\"a\":1},{\"b\":2}]{\"c\":3}", FHX_SEP_COMMA, SPLIT,
                 L("[{\"a\":1},{\"b\":2}]", "{\"c\":3}"));
}
END_TEST

START_TEST(test_split_non_json_passthrough) {
    check_frames("hello,world", FHX_SEP_COMMA, SPLIT, L("hello", "world"));
    check_frames("abc{\"a\":1}\nxyz\n", FHX_SEP_LINE, SPLIT,
                 L("abc{\"a\":1}", "xyz"));
    check_frames("{\"a\":1}tail\n42\n", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1}", "tail", "42"));
    /* leading whitespace of a non-JSON message is kept, as without flag */
    check_frames("  abc\n", FHX_SEP_LINE, SPLIT, L("  abc"));
    check_frames("\"str\"\n", FHX_SEP_LINE, SPLIT, L("\"str\""));
}
END_TEST

START_TEST(test_split_unbalanced) {
    /* never closes: the bytes pass through, framed on the separator */
    check_frames("{\"a\":1\n{\"b\":2}\n", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":1", "{\"b\":2}"));
    check_frames("{", FHX_SEP_LINE, SPLIT, L("{"));
    check_frames("[[[", FHX_SEP_COMMA, SPLIT, L("[[["));
    check_frames("{\"a\":\"unterminated}", FHX_SEP_LINE, SPLIT,
                 L("{\"a\":\"unterminated}"));
    /* string ending in a backslash at the very end of the data */
    check_frames("{\"a\":\"\\", FHX_SEP_LINE, SPLIT, L("{\"a\":\"\\"));
    check_frames("{\"a\":\"x\\\"}", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":\"x\\\"}"));
    /* a closed value first, then an unclosed one */
    check_frames("{\"a\":1}{\"b\":,2\n", FHX_SEP_COMMA, SPLIT,
                 L("{\"a\":1}", "{\"b\":", "2\n"));
    /* stray closing brackets are plain bytes */
    check_frames("}}{}\n]", FHX_SEP_LINE, SPLIT, L("}}{}", "]"));
}
END_TEST

START_TEST(test_split_unbalanced_many) {
    /* many unclosed openers: linear time, every message returned */
    size_t n = 20000, i, count = 0;
    char *in = malloc(2 * n);
    fhx_framer fr;
    fhx_slice msg;
    ck_assert_ptr_nonnull(in);
    for (i = 0; i < n; i++) {
        in[2 * i] = '{';
        in[2 * i + 1] = '\n';
    }
    ck_assert_int_eq(fhx_frame_init(&fr, in, 2 * n, FHX_SEP_LINE, SPLIT),
                     FHX_OK);
    while (fhx_frame_next(&fr, &msg) == FHX_OK) {
        ck_assert_uint_eq(msg.len, 1);
        ck_assert_int_eq(msg.ptr[0], '{');
        count++;
    }
    ck_assert_uint_eq(count, n);
    free(in);
}
END_TEST

/* Every prefix of a tricky input is framed inside its bounds (ASan). */
START_TEST(test_split_every_prefix) {
    static const char in[] =
        "{\"a\":\"x\\\"}{\\\\\",\"b\":[1,{\"c\":\"]\"}]}\r\n[\"\\\\\"],{";
    size_t len = sizeof in - 1, cut;
    unsigned flags;
    int sep;
    for (cut = 0; cut <= len; cut++)
        for (sep = 0; sep < 3; sep++)
            for (flags = 0; flags < 2; flags++) {
                char *buf = fhxt_dup(in, cut);
                fhx_framer fr;
                fhx_slice msg;
                size_t total = 0;
                int st;
                ck_assert_int_eq(fhx_frame_init(&fr, buf, cut,
                                                (fhx_separator)sep, flags),
                                 FHX_OK);
                while ((st = fhx_frame_next(&fr, &msg)) == FHX_OK) {
                    ck_assert(msg.ptr >= buf);
                    ck_assert(msg.ptr + msg.len <= buf + cut);
                    ck_assert_uint_gt(msg.len, 0);
                    total += msg.len;
                }
                ck_assert_int_eq(st, FHX_END);
                ck_assert_uint_le(total, cut);
                free(buf);
            }
}
END_TEST

/* Messages of a random mix never overlap and come in order. */
START_TEST(test_split_random_roundtrip) {
    static const char *const pieces[] = {
        "{\"a\":1}", "{\"s\":\"}{,\\\"\"}", "[1,[2]]", "{}", "[]",
        "{\"n\":{\"m\":[\"x\",\"y\"]}}"};
    static const char *const gaps[] = {"", " ", "\n", "\r\n", "\n\n", " \n "};
    uint32_t seed = 12345;
    int round;
    for (round = 0; round < 200; round++) {
        char in[1024];
        size_t len = 0, n = 0, k, count;
        const char *want[40];
        count = 1 + (seed % 30);
        for (k = 0; k < count; k++) {
            const char *p, *g;
            seed = seed * 1103515245u + 12345u;
            p = pieces[(seed >> 16) % 6];
            seed = seed * 1103515245u + 12345u;
            g = gaps[(seed >> 16) % 6];
            memcpy(in + len, p, strlen(p));
            len += strlen(p);
            memcpy(in + len, g, strlen(g));
            len += strlen(g);
            want[n++] = p;
        }
        want[n] = NULL;
        check_frames_n(in, len, FHX_SEP_LINE, SPLIT, want);
    }
}
END_TEST

/* ---- append_line ----------------------------------------------------- */

START_TEST(test_append_line) {
    fhx_buf b;
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_frame_append_line(&b, "abc", 3), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(&b, "de\n", 3), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(&b, "f\r\n", 3), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(&b, "g\n\r\n\n", 5), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(&b, "h\rx", 3), FHX_OK);
    ck_assert_uint_eq(b.len, 15);
    ck_assert_int_eq(memcmp(b.ptr, "abc\nde\nf\ng\nh\rx\n", 15), 0);
    fhx_buf_free(&b);
}
END_TEST

START_TEST(test_append_line_empty) {
    fhx_buf b;
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_frame_append_line(&b, NULL, 0), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(&b, "\r\n", 2), FHX_OK);
    ck_assert_uint_eq(b.len, 2);
    ck_assert_int_eq(memcmp(b.ptr, "\n\n", 2), 0);
    fhx_buf_free(&b);
}
END_TEST

START_TEST(test_append_line_frames) {
    /* framing then append_line gives NDJSON with exactly one LF each */
    static const char in[] = "{\"a\":1}\r\n\r\n{\"b\":2}{\"c\":3}\n";
    fhx_framer fr;
    fhx_slice msg;
    fhx_buf b;
    const char want[] = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
    fhx_buf_init(&b, NULL);
    ck_assert_int_eq(fhx_frame_init(&fr, in, sizeof in - 1, FHX_SEP_LINE,
                                    SPLIT),
                     FHX_OK);
    while (fhx_frame_next(&fr, &msg) == FHX_OK)
        ck_assert_int_eq(fhx_frame_append_line(&b, msg.ptr, msg.len),
                         FHX_OK);
    ck_assert_uint_eq(b.len, sizeof want - 1);
    ck_assert_int_eq(memcmp(b.ptr, want, b.len), 0);
    fhx_buf_free(&b);
}
END_TEST

START_TEST(test_append_line_nomem) {
    fhxt_counter c = {0, 0, 0, 0, 0, 1};
    fhx_allocator a = fhxt_counting_allocator(&c);
    fhx_buf b;
    fhx_buf_init(&b, &a);
    ck_assert_int_eq(fhx_frame_append_line(&b, "abc", 3), FHX_E_NOMEM);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(fhx_frame_append_line(&b, "abc", 3), FHX_OK);
    ck_assert_uint_eq(b.len, 4);
    fhx_buf_free(&b);
    ck_assert_uint_eq(c.live, 0);
}
END_TEST

/* ---- arguments ------------------------------------------------------- */

START_TEST(test_args) {
    fhx_framer fr;
    fhx_slice msg;
    ck_assert_int_eq(fhx_frame_init(NULL, "a", 1, FHX_SEP_LINE, 0),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, NULL, 1, FHX_SEP_LINE, 0),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, "a", 1, (fhx_separator)3, 0),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, "a", 1, (fhx_separator)-1, 0),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, "a", 1, FHX_SEP_LINE, 2u),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, "a", 1, FHX_SEP_LINE, 1u << 31),
                     FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_init(&fr, "a", 1, FHX_SEP_LINE, 0), FHX_OK);
    ck_assert_int_eq(fhx_frame_next(NULL, &msg), FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_next(&fr, NULL), FHX_E_ARG);
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_OK);
    ck_assert_int_eq(fhx_frame_append_line(NULL, "a", 1), FHX_E_ARG);
    {
        fhx_buf b;
        fhx_buf_init(&b, NULL);
        ck_assert_int_eq(fhx_frame_append_line(&b, NULL, 1), FHX_E_ARG);
        ck_assert_uint_eq(b.len, 0);
    }
}
END_TEST

START_TEST(test_corrupt_framer) {
    fhx_framer fr;
    fhx_slice msg;
    ck_assert_int_eq(fhx_frame_init(&fr, "abc", 3, FHX_SEP_LINE, 0),
                     FHX_OK);
    fr.pos = 10; /* a framer whose state was overwritten */
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_E_ARG);
    fr.pos = 0;
    fr.data = NULL;
    ck_assert_int_eq(fhx_frame_next(&fr, &msg), FHX_E_ARG);
}
END_TEST

static Suite *frame_suite(void) {
    Suite *s = suite_create("frame");
    TCase *tc;

    tc = tcase_create("separators");
    ADD_TEST(tc, test_line);
    ADD_TEST(tc, test_crlf);
    ADD_TEST(tc, test_tab);
    ADD_TEST(tc, test_comma);
    ADD_TEST(tc, test_leading_trailing_double);
    ADD_TEST(tc, test_only_separators);
    ADD_TEST(tc, test_empty_input);
    ADD_TEST(tc, test_no_separator);
    ADD_TEST(tc, test_embedded_nul_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("split_json");
    ADD_TEST(tc, test_split_concat);
    ADD_TEST(tc, test_split_space);
    ADD_TEST(tc, test_split_newline);
    ADD_TEST(tc, test_split_separator_inside_value);
    ADD_TEST(tc, test_split_strings);
    ADD_TEST(tc, test_split_escaped_quotes);
    ADD_TEST(tc, test_split_nested_arrays);
    ADD_TEST(tc, test_split_non_json_passthrough);
    ADD_TEST(tc, test_split_unbalanced);
    ADD_TEST(tc, test_split_unbalanced_many);
    ADD_TEST(tc, test_split_every_prefix);
    ADD_TEST(tc, test_split_random_roundtrip);
    suite_add_tcase(s, tc);

    tc = tcase_create("append_line");
    ADD_TEST(tc, test_append_line);
    ADD_TEST(tc, test_append_line_empty);
    ADD_TEST(tc, test_append_line_frames);
    ADD_TEST(tc, test_append_line_nomem);
    suite_add_tcase(s, tc);

    tc = tcase_create("args");
    ADD_TEST(tc, test_args);
    ADD_TEST(tc, test_corrupt_framer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return fhxt_run_suite(frame_suite()); }
