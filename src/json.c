/*
 * libfirehose-xform: strict JSON (RFC 8259) token scanners, UTF-8
 * validation and string unescaping.
 *
 * The scanners are restartable by construction: they keep no state, so a
 * caller that gets FHXI_J_MORE simply retries from the token start once it
 * has more bytes. Errors are reported at the first offending byte, which
 * makes error offsets independent of how the input was split.
 */
#include <string.h>

#include "internal.h"
#include "json.h"
#include "kernel.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length of the UTF-8 sequence at s[0..avail) when valid; 0 when invalid;
 * (size_t)-1 when s holds a valid but incomplete prefix. *bad is set to
 * the offset of the offending byte when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail, size_t *bad) {
    unsigned char c = s[0];
    size_t need, i;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;      /* no overlongs */
        if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;      /* no overlongs */
        if (c == 0xF4) hi = 0x8F;      /* max U+10FFFF */
    } else {
        *bad = 0;
        return 0;
    }
    for (i = 1; i < need; i++) {
        if (i >= avail) return (size_t)-1;
        if (s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need;
}

size_t fhxi_utf8_valid_prefix(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, bad;
    while (i < len) {
        size_t n;
        if (u[i] < 0x80) {
            uint64_t w;
            /* ASCII, a word at a time while it lasts */
            while (len - i >= 8) {
                memcpy(&w, s + i, 8);
                if (w & FHXI_SWAR_HIGHS) break;
                i += 8;
            }
            while (i < len && u[i] < 0x80) i++;
            continue;
        }
        n = utf8_seq(u + i, len - i, &bad);
        if (n == 0 || n == (size_t)-1) return i;
        i += n;
    }
    return len;
}

/* ---- helpers ----------------------------------------------------------- */

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Incomplete token at the end of the buffer. */
static int need_more(size_t len, size_t *pos, int final, const char **msg) {
    if (!final) return FHXI_J_MORE;
    *pos = len;
    *msg = "unexpected end of input";
    return FHX_E_TRUNCATED;
}

static int fail(int code, size_t at, size_t *pos, const char **msg,
                const char *text) {
    *pos = at;
    *msg = text;
    return code;
}

/* ---- strings ------------------------------------------------------------ */

/* One escape sequence at p[i] == '\\'. On OK *ip is past it. */
static int scan_escape(const char *p, size_t len, size_t *ip, int final,
                       size_t *pos, const char **msg) {
    size_t i = *ip, k;
    unsigned char c;
    if (i + 1 >= len) return need_more(len, pos, final, msg);
    c = (unsigned char)p[i + 1];
    switch (c) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
    case 't':
        *ip = i + 2;
        return FHXI_J_OK;
    case 'u':
        for (k = 0; k < 4; k++) {
            if (i + 2 + k >= len) return need_more(len, pos, final, msg);
            if (hexval((unsigned char)p[i + 2 + k]) < 0)
                return fail(FHX_E_JSON, i + 2 + k, pos, msg,
                            "invalid \\u escape: expected 4 hex digits");
        }
        *ip = i + 6;
        return FHXI_J_OK;
    default:
        return fail(FHX_E_JSON, i + 1, pos, msg, "invalid escape sequence");
    }
}

/* Where the plain bytes of a string starting at p[i] end: the first quote,
 * backslash, control byte or (utf8) byte >= 0x80 at or after i, or len.
 * Most strings of a message are short (keys, ids, small values): their end
 * is found here in a few words, without a call through the kernel table;
 * longer ones go on in the kernel. */
static inline size_t plain_end(const char *p, size_t len, size_t i, int utf8) {
#ifdef FHXI_SWAR_FIRST
    const uint64_t hi = utf8 ? FHXI_SWAR_HIGHS : 0;
    int k;
    for (k = 0; k < 4 && len - i >= 8; k++) {
        uint64_t w, m;
        memcpy(&w, p + i, 8);
        m = fhxi_swar_string_flags(w, hi);
        if (m) return i + FHXI_SWAR_FIRST(m);
        i += 8;
    }
#endif
    return i + fhxi_kernel_active()->scan_string(p + i, len - i, utf8);
}

int fhxi_json_string(const char *p, size_t len, size_t *pos, int final,
                     int utf8, fhxi_jstr *out, const char **msg) {
    const unsigned char *u = (const unsigned char *)p;
    size_t i = *pos + 1, bad;
    int escaped = 0, st;
    if (*pos >= len || p[*pos] != '"')
        return fail(FHX_E_JSON, *pos, pos, msg, "expected a string");
    for (;;) {
        i = plain_end(p, len, i, utf8);
        if (i >= len) return need_more(len, pos, final, msg);
        if (FHXI_LIKELY(u[i] == '"')) break;
        if (u[i] == '\\') {
            escaped = 1;
            st = scan_escape(p, len, &i, final, pos, msg);
            if (st != FHXI_J_OK) return st;
            continue;
        }
        if (u[i] < 0x20)
            return fail(FHX_E_JSON, i, pos, msg,
                        "control character in a string");
        if (u[i] >= 0x80 && utf8) {
            size_t n = utf8_seq(u + i, len - i, &bad);
            if (n == (size_t)-1) return need_more(len, pos, final, msg);
            if (n == 0)
                return fail(FHX_E_JSON, i + bad, pos, msg,
                            "invalid UTF-8 in a string");
            i += n;
            continue;
        }
        i++;
    }
    out->start = *pos + 1;
    out->end = i;
    out->escaped = escaped;
    *pos = i + 1;
    return FHXI_J_OK;
}

/* The walker's strings (UTF-8 checked). Most strings of a message are
 * short and plain (keys, ids, small values): when the first 32 bytes hold
 * the closing quote and nothing to look at before it, the string ends
 * here, inline, without a branch per byte or word; any other string is
 * read again by fhxi_json_string. */
static inline int string_token(const char *p, size_t len, size_t *pos,
                               int final, fhxi_jstr *out, const char **msg) {
#ifdef FHXI_SWAR_FIRST
    size_t i = *pos + 1, j = i; /* *pos < len: the opening quote is there */
    int k;
    for (k = 0; k < 2 && len - j >= 16; k++, j += 16) {
        uint64_t a, b;
        memcpy(&a, p + j, 8);
        memcpy(&b, p + j + 8, 8);
        a = fhxi_swar_string_flags(a, FHXI_SWAR_HIGHS);
        b = fhxi_swar_string_flags(b, FHXI_SWAR_HIGHS);
        if (a | b) {
            j += a ? FHXI_SWAR_FIRST(a) : 8 + FHXI_SWAR_FIRST(b);
            if (p[j] != '"') break;
            out->start = i;
            out->end = j;
            out->escaped = 0;
            *pos = j + 1;
            return FHXI_J_OK;
        }
    }
#endif
    return fhxi_json_string(p, len, pos, final, 1, out, msg);
}

/* ---- numbers and literals ------------------------------------------------ */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

#if defined(__GNUC__)
#define JSON_INLINE static inline __attribute__((always_inline))
#else
#define JSON_INLINE static inline
#endif

/* fhxi_json_number, inlined into the walker. */
JSON_INLINE int number_token(const char *p, size_t len, size_t *pos,
                               int final, const char **msg) {
    const unsigned char *u = (const unsigned char *)p;
    size_t i = *pos;
    if (i < len && u[i] == '-') i++;
    if (i >= len) return need_more(len, pos, final, msg);
    if (u[i] == '0') {
        i++;
    } else if (is_digit(u[i])) {
        while (i < len && is_digit(u[i])) i++;
    } else {
        return fail(FHX_E_JSON, i, pos, msg, "invalid number");
    }
    if (i < len && u[i] == '.') {
        i++;
        if (i >= len) return need_more(len, pos, final, msg);
        if (!is_digit(u[i]))
            return fail(FHX_E_JSON, i, pos, msg,
                        "invalid number: expected a digit after '.'");
        while (i < len && is_digit(u[i])) i++;
    }
    if (i < len && (u[i] == 'e' || u[i] == 'E')) {
        i++;
        if (i < len && (u[i] == '+' || u[i] == '-')) i++;
        if (i >= len) return need_more(len, pos, final, msg);
        if (!is_digit(u[i]))
            return fail(FHX_E_JSON, i, pos, msg,
                        "invalid number: expected a digit in the exponent");
        while (i < len && is_digit(u[i])) i++;
    }
    /* A number that runs to the end of the buffer may go on. */
    if (i >= len && !final) return FHXI_J_MORE;
    *pos = i;
    return FHXI_J_OK;
}

int fhxi_json_number(const char *p, size_t len, size_t *pos, int final,
                     const char **msg) {
    return number_token(p, len, pos, final, msg);
}

/* true, false or null: word[0, n). */
static int literal_token(const char *p, size_t len, size_t *pos, int final,
                         const char *word, size_t n, const char **msg) {
    size_t i = *pos, k;
    if (len - i >= n && memcmp(p + i, word, n) == 0) {
        *pos = i + n;
        return FHXI_J_OK;
    }
    for (k = 0; k < n; k++) {
        if (i + k >= len) return need_more(len, pos, final, msg);
        if (p[i + k] != word[k])
            return fail(FHX_E_JSON, i + k, pos, msg, "invalid literal");
    }
    *pos = i + n; /* not reached: the word matched above */
    return FHXI_J_OK;
}

/* ---- the walker ------------------------------------------------------------ */

/* What the walk expects next. */
enum jw_state {
    JW_START,     /* the value itself, at the first byte (no whitespace) */
    JW_VALUE,     /* a value (after ':', ',' in an array, or '[') */
    JW_OBJ_FIRST, /* after '{': a key or '}' */
    JW_OBJ_KEY,   /* after ',' in an object: a key */
    JW_COLON,     /* after a key: ':' */
    JW_OBJ_NEXT,  /* after a member: ',' or '}' */
    JW_ARR_FIRST, /* after '[': a value or ']' */
    JW_ARR_NEXT,  /* after an element: ',' or ']' */
    JW_ENDED,     /* a value was just read (fhxi_jwalk_string) */
    JW_WATCHED,   /* JW_VALUE, and the value is a watched member's */
    JW_DONE       /* the walk is over */
};

void fhxi_jwalk_init(fhxi_jwalk *w, const char *p, size_t len, size_t pos,
                     int final, unsigned depth) {
    /* field by field: a memset of the struct is a slow "rep stos" */
    w->p = p;
    w->len = len;
    w->final = final;
    w->depth = depth;
    w->stop_ws = 0;
    w->watch = NULL;
    w->watch_len = 0;
    w->pos = pos;
    w->tok = pos;
    w->key.start = w->key.end = 0;
    w->key.escaped = 0;
    w->msg = NULL;
    w->state = JW_START;
    w->watched = 0;
    w->d = 0;
    w->objects = 0;
}

int fhxi_json_str_eq(const char *raw, size_t n, int escaped, const char *want,
                     size_t want_len) {
    char tmp[6 * FHXI_JSON_EQ_MAX];
    size_t got = 0;
    if (!escaped) return n == want_len && memcmp(raw, want, n) == 0;
    /* each byte of a match comes from at most 6 raw bytes ("\u0074"), so
     * its raw text fits tmp */
    if (n > 6 * want_len || n > sizeof tmp) return 0;
    if (fhx_json_unescape(raw, n, tmp, sizeof tmp, &got, NULL) != FHX_OK)
        return 0;
    return got == want_len && memcmp(tmp, want, got) == 0;
}

/* An error or the end of the buffer inside the walk: the walk is over. */
static int jw_stop(fhxi_jwalk *w, int st, size_t at) {
    w->state = JW_DONE;
    if (st < 0) w->pos = at;
    return st;
}

/* c = the next byte at i, past whitespace; a walk with stop_ws stops after
 * the whitespace and comes back to state st (the label this stands at). */
#define JW_NEXT(st)                                                         \
    do {                                                                    \
        if (i >= len) goto more;                                            \
        c = u[i];                                                           \
        if (FHXI_UNLIKELY(c <= ' ') && fhxi_json_is_ws(c)) {                \
            w->tok = i;                                                     \
            fhxi_json_skip_ws(p, len, &i);                                  \
            if (w->stop_ws) {                                               \
                s = (st);                                                   \
                ret = FHXI_JW_WS;                                           \
                goto stop;                                                  \
            }                                                               \
            if (i >= len) goto more;                                        \
            c = u[i];                                                       \
        }                                                                   \
    } while (0)

/* The state machine is written as labels and jumps, one label per state:
 * each token goes straight to the code for what may follow it, with no
 * dispatch in between (the states are only looked up when a walk comes
 * back from a stop). */
int fhxi_jwalk_run(fhxi_jwalk *w) {
    const char *p = w->p;
    const unsigned char *u = (const unsigned char *)p;
    const size_t len = w->len;
    const int final = w->final;
    size_t i = w->pos;
    unsigned d = w->d;
    uint64_t objects = w->objects;
    int s = w->state, st, ret;
    unsigned char c;
    fhxi_jstr str;

    switch (s) {
    case JW_START: goto start;
    case JW_VALUE: goto value;
    case JW_OBJ_FIRST: goto obj_first;
    case JW_OBJ_KEY: goto obj_key;
    case JW_COLON: goto colon;
    case JW_OBJ_NEXT: goto obj_next;
    case JW_ARR_FIRST: goto arr_first;
    case JW_ARR_NEXT: goto arr_next;
    case JW_ENDED: goto ended;
    case JW_WATCHED: goto watched;
    default: return jw_stop(w, FHX_E_STATE, i);
    }

start: /* the value itself: no whitespace before it */
    if (i >= len) goto more;
    c = u[i];
    goto value_at;
value:
    JW_NEXT(JW_VALUE);
value_at: /* c = u[i], the value's first byte */
    if (c == '"') {
        st = string_token(p, len, &i, final, &str, &w->msg);
    } else if (c == '-' || is_digit(c)) {
        st = number_token(p, len, &i, final, &w->msg);
    } else if (c == '{' || c == '[') {
        if (w->depth + d + 1 > FHX_MAX_DEPTH) {
            w->msg = "JSON nested too deeply";
            return jw_stop(w, FHX_E_DEPTH, i);
        }
        i++;
        if (c == '{') {
            objects |= (uint64_t)1 << d++;
            goto obj_first;
        }
        objects &= ~((uint64_t)1 << d++);
        goto arr_first;
    } else if (c == 't') {
        st = literal_token(p, len, &i, final, "true", 4, &w->msg);
    } else if (c == 'f') {
        st = literal_token(p, len, &i, final, "false", 5, &w->msg);
    } else if (c == 'n') {
        st = literal_token(p, len, &i, final, "null", 4, &w->msg);
    } else {
        w->msg = "unexpected character: expected a value";
        return jw_stop(w, FHX_E_JSON, i);
    }
    if (st != FHXI_J_OK) return jw_stop(w, st, i);
    goto ended;

obj_first: /* after '{': a key or '}' */
    JW_NEXT(JW_OBJ_FIRST);
    if (c == '}') {
        i++;
        d--;
        goto ended;
    }
    goto key_at;
obj_key: /* after ',' in an object: a key */
    JW_NEXT(JW_OBJ_KEY);
key_at:
    if (c != '"') {
        w->msg = "expected a string key in an object";
        return jw_stop(w, FHX_E_JSON, i);
    }
    w->tok = i;
    st = string_token(p, len, &i, final, &str, &w->msg);
    if (st != FHXI_J_OK) return jw_stop(w, st, i);
    if (FHXI_UNLIKELY(w->watch != NULL) && d == 1 &&
        (str.escaped || (str.end - str.start == w->watch_len &&
                         p[str.start] == w->watch[0])) &&
        fhxi_json_str_eq(p + str.start, str.end - str.start, str.escaped,
                         w->watch, w->watch_len)) {
        w->key = str;
        w->watched = 1;
        s = JW_COLON;
        ret = FHXI_JW_KEY;
        goto stop;
    }
colon: /* after a key: ':' */
    JW_NEXT(JW_COLON);
    if (c != ':') {
        w->msg = "expected ':' after an object key";
        return jw_stop(w, FHX_E_JSON, i);
    }
    i++;
    if (FHXI_LIKELY(!w->watched)) goto value;
    w->watched = 0;
watched: /* the watched member's value: stop at its first byte */
    JW_NEXT(JW_WATCHED);
    s = JW_VALUE;
    ret = FHXI_JW_VALUE;
    goto stop;

arr_first: /* after '[': a value or ']' */
    JW_NEXT(JW_ARR_FIRST);
    if (c == ']') {
        i++;
        d--;
        goto ended;
    }
    goto value_at;

ended: /* a value (scalar or container) ended; d containers are open */
    if (d == 0) {
        w->pos = i;
        w->state = JW_DONE;
        return FHXI_J_OK;
    }
    if ((objects >> (d - 1)) & 1) goto obj_next;
    goto arr_next;
obj_next: /* after a member: ',' or '}' */
    JW_NEXT(JW_OBJ_NEXT);
    if (c == ',') {
        i++;
        goto obj_key;
    }
    if (c == '}') {
        i++;
        d--;
        goto ended;
    }
    w->msg = "expected ',' or '}' in an object";
    return jw_stop(w, FHX_E_JSON, i);
arr_next: /* after an element: ',' or ']' */
    JW_NEXT(JW_ARR_NEXT);
    if (c == ',') {
        i++;
        goto value;
    }
    if (c == ']') {
        i++;
        d--;
        goto ended;
    }
    w->msg = "expected ',' or ']' in an array";
    return jw_stop(w, FHX_E_JSON, i);

stop: /* a stop: the walk comes back to state s at i */
    w->pos = i;
    w->d = d;
    w->objects = objects;
    w->state = s;
    return ret;
more:
    return jw_stop(w, need_more(len, &w->pos, final, &w->msg), len);
}

#undef JW_NEXT

int fhxi_jwalk_string(fhxi_jwalk *w, fhxi_jstr *out) {
    size_t i = w->pos;
    int st;
    if (w->state != JW_VALUE) return jw_stop(w, FHX_E_STATE, i);
    st = string_token(w->p, w->len, &i, w->final, out, &w->msg);
    if (st != FHXI_J_OK) return jw_stop(w, st, i);
    w->pos = i;
    w->state = JW_ENDED;
    return FHXI_J_OK;
}

int fhxi_json_skip_value(const char *p, size_t len, size_t *pos, int final,
                         unsigned depth, const char **msg) {
    fhxi_jwalk w;
    int st;
    fhxi_jwalk_init(&w, p, len, *pos, final, depth);
    st = fhxi_jwalk_run(&w);
    if (st == FHXI_J_MORE) return st;
    if (st < 0) *msg = w.msg;
    *pos = w.pos;
    return st;
}

/* ---- unescaping ------------------------------------------------------------ */

static size_t put_utf8(char *dst, uint32_t cp) {
    unsigned char *d = (unsigned char *)dst;
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xC0 | (cp >> 6));
        d[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (cp >> 12));
        d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (cp >> 18));
    d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const char *s, size_t avail, uint32_t *cp) {
    uint32_t v = 0;
    size_t k;
    if (avail < 4) return 0;
    for (k = 0; k < 4; k++) {
        int h = hexval((unsigned char)s[k]);
        if (h < 0) return 0;
        v = (v << 4) | (uint32_t)h;
    }
    *cp = v;
    return 1;
}

int fhx_json_unescape(const char *src, size_t src_len, char *dst,
                      size_t dst_cap, size_t *dst_len, fhx_error *err) {
    size_t i = 0, o = 0;
    char tmp[4];
    if ((!src && src_len) || (!dst && dst_cap)) return FHX_E_ARG;
    fhxi_clear_error(err);
    while (i < src_len) {
        size_t n, adv;
        const char *from;
        if (src[i] != '\\') {
            /* copy a run of plain bytes */
            size_t j = i;
            while (j < src_len && src[j] != '\\') j++;
            n = j - i;
            if (dst_cap - o < n) goto too_small;
            if (dst + o != src + i) memmove(dst + o, src + i, n);
            o += n;
            i = j;
            continue;
        }
        if (i + 1 >= src_len) goto bad;
        adv = 2;
        from = tmp;
        n = 1;
        switch (src[i + 1]) {
        case '"': tmp[0] = '"'; break;
        case '\\': tmp[0] = '\\'; break;
        case '/': tmp[0] = '/'; break;
        case 'b': tmp[0] = '\b'; break;
        case 'f': tmp[0] = '\f'; break;
        case 'n': tmp[0] = '\n'; break;
        case 'r': tmp[0] = '\r'; break;
        case 't': tmp[0] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (!hex4(src + i + 2, src_len - i - 2, &cp)) goto bad;
            adv = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= src_len &&
                src[i + 6] == '\\' && src[i + 7] == 'u' &&
                hex4(src + i + 8, src_len - i - 8, &lo) && lo >= 0xDC00 &&
                lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                adv = 12;
            }
            /* A lone surrogate is kept as its 3-byte (WTF-8) form, so
             * distinct escapes stay distinct. */
            n = put_utf8(tmp, cp);
            break;
        }
        default:
            goto bad;
        }
        /* The output of an escape is never longer than the escape, so the
         * write never overtakes the read in place. */
        if (dst_cap - o < n) goto too_small;
        memcpy(dst + o, from, n);
        o += n;
        i += adv;
    }
    if (dst_len) *dst_len = o;
    return FHX_OK;
bad:
    fhxi_set_error(err, FHX_E_JSON, i, FHX_NO_RECORD,
                   "invalid escape sequence");
    if (dst_len) *dst_len = o;
    return FHX_E_JSON;
too_small:
    fhxi_set_error(err, FHX_E_OUTPUT, i, FHX_NO_RECORD,
                   "output buffer too small");
    if (dst_len) *dst_len = o;
    return FHX_E_OUTPUT;
}
