/*
 * Fuzz harness: the framer (fhx/frame.h).
 *
 * Input: FHXF_HEADER parameter bytes (byte 0: separator and flags), then
 * the payload. Checked, with the payload right before and right after a
 * guard page:
 *   - the framer ends (at most one message per byte) and never errors;
 *   - messages are non-empty, inside the payload, in order, disjoint;
 *   - without FHX_FRAME_SPLIT_JSON the messages are exactly those of a
 *     simple reference splitter;
 *   - with it, a message that starts with '{' or '[' and holds a separator
 *     is a balanced JSON value; every byte left out of the messages is a
 *     separator, JSON whitespace, or the '\r' of a "\r\n";
 *   - both placements give the same messages;
 *   - fhx_frame_append_line writes each message without its trailing
 *     "\r"/"\n" bytes followed by exactly one '\n'.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"

static const char seps[3] = {'\n', '\t', ','};

static int is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Message boundaries as (start, len) pairs, relative to the data. */
static void frame_all(const char *d, size_t n, fhx_separator sep,
                      unsigned flags, fhx_buf *out) {
    fhx_framer fr;
    fhx_slice msg;
    size_t count = 0, last_end = 0;
    int st;
    FHXF_CHECK_EQ(fhx_frame_init(&fr, d, n, sep, flags), FHX_OK);
    while ((st = fhx_frame_next(&fr, &msg)) == FHX_OK) {
        size_t start = (size_t)(msg.ptr - d);
        FHXF_CHECK(msg.ptr >= d && msg.len > 0 && start + msg.len <= n);
        FHXF_CHECK(start >= last_end);
        last_end = start + msg.len;
        FHXF_CHECK(++count <= n);
        fhxf_put_u64(out, start);
        fhxf_put_u64(out, msg.len);
    }
    FHXF_CHECK_EQ(st, FHX_END);
    FHXF_CHECK_EQ(fhx_frame_next(&fr, &msg), FHX_END);
}

/* The plain framing, written from the header's description. */
static void reference(const char *d, size_t n, fhx_separator sep,
                      fhx_buf *out) {
    size_t pos = 0;
    while (pos < n) {
        size_t end = pos, stop;
        while (end < n && d[end] != seps[sep]) end++;
        stop = end;
        if (end < n && sep == FHX_SEP_LINE && stop > pos && d[stop - 1] == '\r')
            stop--;
        if (stop > pos) {
            fhxf_put_u64(out, pos);
            fhxf_put_u64(out, stop - pos);
        }
        pos = end < n ? end + 1 : end;
    }
}

/* 1 when d[0, n) is one balanced JSON object or array (strings tracked). */
static int balanced(const char *d, size_t n) {
    size_t depth = 0, i;
    int in_str = 0;
    for (i = 0; i < n; i++) {
        char c = d[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) return 0;
            if (--depth == 0) return i == n - 1;
        }
    }
    return 0;
}

/* The k-th byte offset of a (start, len) pair written by fhxf_put_u64. */
static void get_pair(const fhx_buf *msgs, size_t k, size_t *start,
                     size_t *len) {
    uint64_t a, b;
    memcpy(&a, msgs->ptr + k, sizeof a);
    memcpy(&b, msgs->ptr + k + 8, sizeof b);
    *start = (size_t)a;
    *len = (size_t)b;
}

static void check_split(const char *d, size_t n, fhx_separator sep,
                        const fhx_buf *msgs) {
    char *covered = calloc(n ? n : 1, 1);
    size_t k, i;
    FHXF_CHECK(covered != NULL);
    for (k = 0; k < msgs->len; k += 16) {
        size_t start, len;
        get_pair(msgs, k, &start, &len);
        if ((d[start] == '{' || d[start] == '[') &&
            memchr(d + start, seps[sep], len))
            FHXF_CHECK(balanced(d + start, len));
        memset(covered + start, 1, len);
    }
    for (i = 0; i < n; i++)
        if (!covered[i])
            FHXF_CHECK(d[i] == seps[sep] || is_ws(d[i]));
    free(covered);
}

static void check_lines(const char *d, const fhx_buf *msgs) {
    fhx_buf out, want;
    size_t k;
    fhx_buf_init(&out, NULL);
    fhx_buf_init(&want, NULL);
    for (k = 0; k < msgs->len; k += 16) {
        size_t start, len;
        get_pair(msgs, k, &start, &len);
        FHXF_CHECK_EQ(fhx_frame_append_line(&out, d + start, len), FHX_OK);
        while (len && (d[start + len - 1] == '\n' || d[start + len - 1] == '\r'))
            len--;
        fhxf_put(&want, d + start, len);
        fhxf_put(&want, "\n", 1);
    }
    FHXF_CHECK_MEM(out.ptr, out.len, want.ptr, want.len);
    fhx_buf_free(&out);
    fhx_buf_free(&want);
}

int fhxf_frame(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    fhx_separator sep;
    unsigned flags;
    fhxf_guard a, b;
    fhx_buf ma, mb, ref;
    fhx_framer fr;

    fhxf_take_header(&data, &size, hdr);
    sep = (fhx_separator)(hdr[0] % 3u);
    flags = (hdr[0] >> 2) & 1u ? (unsigned)FHX_FRAME_SPLIT_JSON : 0u;
    FHXF_CHECK_EQ(fhx_frame_init(&fr, data, size, (fhx_separator)3, 0),
                  FHX_E_ARG);
    FHXF_CHECK_EQ(fhx_frame_init(&fr, data, size, sep, 2u), FHX_E_ARG);

    fhxf_guard_copy(&a, data, size, FHXF_GUARD_AFTER);
    fhxf_guard_copy(&b, data, size, FHXF_GUARD_BEFORE);
    fhx_buf_init(&ma, NULL);
    fhx_buf_init(&mb, NULL);
    fhx_buf_init(&ref, NULL);
    frame_all((const char *)a.ptr, size, sep, flags, &ma);
    frame_all((const char *)b.ptr, size, sep, flags, &mb);
    FHXF_CHECK_MEM(ma.ptr, ma.len, mb.ptr, mb.len);
    if (!flags) {
        reference((const char *)a.ptr, size, sep, &ref);
        FHXF_CHECK_MEM(ma.ptr, ma.len, ref.ptr, ref.len);
    } else {
        check_split((const char *)a.ptr, size, sep, &ma);
    }
    check_lines((const char *)a.ptr, &ma);

    fhx_buf_free(&ma);
    fhx_buf_free(&mb);
    fhx_buf_free(&ref);
    fhxf_guard_free(&a);
    fhxf_guard_free(&b);
    return 0;
}

FHXF_ENTRY(fhxf_frame)
