/* libfirehose-xform: framing of the messages inside a record's payload. */
#include <string.h>

#include "internal.h"

/*
 * Private bit in fr->flags: a JSON value was found unbalanced (it never
 * closes before the end of the data), so the rest of the data is framed as
 * without FHX_FRAME_SPLIT_JSON. Without it a payload made of many unclosed
 * '{' would be scanned to its end once per message (quadratic time).
 */
#define FRAME_NO_SPLIT (1u << 31)

#define FRAME_PUBLIC_FLAGS ((unsigned)FHX_FRAME_SPLIT_JSON)

static char sep_char(int sep) {
    switch (sep) {
    case FHX_SEP_TAB:
        return '\t';
    case FHX_SEP_COMMA:
        return ',';
    default:
        return '\n';
    }
}

static int is_json_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int fhx_frame_init(fhx_framer *fr, const void *data, size_t len,
                   fhx_separator sep, unsigned flags) {
    if (!fr || (!data && len)) return FHX_E_ARG;
    if (sep != FHX_SEP_LINE && sep != FHX_SEP_TAB && sep != FHX_SEP_COMMA)
        return FHX_E_ARG;
    if (flags & ~FRAME_PUBLIC_FLAGS) return FHX_E_ARG;
    fr->data = data;
    fr->len = data ? len : 0;
    fr->pos = 0;
    fr->sep = (int)sep;
    fr->flags = flags;
    return FHX_OK;
}

/* Position of the next separator at or after pos, or len. */
static size_t find_sep(const fhx_framer *fr, size_t pos) {
    const char *hit;
    if (pos >= fr->len) return fr->len;
    hit = memchr(fr->data + pos, sep_char(fr->sep), fr->len - pos);
    return hit ? (size_t)(hit - fr->data) : fr->len;
}

/*
 * The message starting at pos, up to the next separator (the plain framing).
 * Returns 0 when it is empty (the caller goes on with fr->pos updated).
 */
static int plain_message(fhx_framer *fr, size_t pos, fhx_slice *msg) {
    size_t end = find_sep(fr, pos);
    size_t stop = end;
    fr->pos = end < fr->len ? end + 1 : end;
    if (end < fr->len && fr->sep == FHX_SEP_LINE && stop > pos &&
        fr->data[stop - 1] == '\r')
        stop--;
    if (stop == pos) return 0;
    msg->ptr = fr->data + pos;
    msg->len = stop - pos;
    return 1;
}

/*
 * Scan the JSON object or array that opens at start (data[start] is '{' or
 * '['), tracking strings and bracket depth. Returns 1 and sets *close to
 * the index of the closing bracket, or 0 when the data ends first.
 */
static int scan_value(const char *d, size_t len, size_t start,
                      size_t *close) {
    size_t depth = 0, i;
    int in_str = 0;
    for (i = start; i < len; i++) {
        char c = d[i];
        if (in_str) {
            if (c == '\\')
                i++; /* the escaped byte; may step past len: loop ends */
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                *close = i;
                return 1;
            }
        }
    }
    return 0;
}

/*
 * One step of the JSON-splitting framing from fr->pos. Returns 1 with msg
 * set, 0 when bytes were skipped (call again), -1 at the end of the data.
 */
static int split_step(fhx_framer *fr, fhx_slice *msg) {
    const char *d = fr->data;
    char sep = sep_char(fr->sep);
    size_t pos = fr->pos, q, close;
    if (pos >= fr->len) return -1;
    if (d[pos] == sep) {
        fr->pos = pos + 1;
        return 0;
    }
    q = pos;
    while (q < fr->len && d[q] != sep && is_json_ws(d[q])) q++;
    if (q == fr->len) { /* whitespace up to the end */
        fr->pos = q;
        return -1;
    }
    if (d[q] == sep) { /* whitespace only: an empty message */
        fr->pos = q + 1;
        return 0;
    }
    if (d[q] == '{' || d[q] == '[') {
        if (scan_value(d, fr->len, q, &close)) {
            msg->ptr = d + q;
            msg->len = close + 1 - q;
            fr->pos = close + 1;
            return 1;
        }
        fr->flags |= FRAME_NO_SPLIT;
    }
    return plain_message(fr, pos, msg);
}

int fhx_frame_next(fhx_framer *fr, fhx_slice *msg) {
    if (!fr || !msg || (!fr->data && fr->len)) return FHX_E_ARG;
    if (fr->pos > fr->len) return FHX_E_ARG;
    for (;;) {
        if (fr->pos >= fr->len) return FHX_END;
        if ((fr->flags & FHX_FRAME_SPLIT_JSON) &&
            !(fr->flags & FRAME_NO_SPLIT)) {
            int r = split_step(fr, msg);
            if (r > 0) return FHX_OK;
            if (r < 0) return FHX_END;
        } else if (plain_message(fr, fr->pos, msg)) {
            return FHX_OK;
        }
    }
}

int fhx_frame_append_line(fhx_buf *out, const void *msg, size_t len) {
    const char *m = msg;
    size_t need;
    int st;
    if (!out || (!msg && len)) return FHX_E_ARG;
    while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == '\r')) len--;
    if (!fhxi_add(len, 1, &need)) return FHX_E_LIMIT;
    st = fhx_buf_reserve(out, need);
    if (st != FHX_OK) return st;
    if (len) memcpy(out->ptr + out->len, m, len);
    out->ptr[out->len + len] = '\n';
    out->len += need;
    return FHX_OK;
}
