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
            i++;
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

int fhxi_json_string(const char *p, size_t len, size_t *pos, int final,
                     int utf8, fhxi_jstr *out, const char **msg) {
    const unsigned char *u = (const unsigned char *)p;
    size_t (*scan)(const char *, size_t, int) =
        fhxi_kernel_active()->scan_string;
    size_t i = *pos + 1, bad;
    int escaped = 0, st;
    if (*pos >= len || p[*pos] != '"')
        return fail(FHX_E_JSON, *pos, pos, msg, "expected a string");
    for (;;) {
        i += scan(p + i, len - i, utf8);
        if (i >= len) return need_more(len, pos, final, msg);
        if (u[i] == '"') break;
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

/* ---- numbers and literals ------------------------------------------------ */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

int fhxi_json_number(const char *p, size_t len, size_t *pos, int final,
                     const char **msg) {
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

static int scan_literal(const char *p, size_t len, size_t *pos, int final,
                        const char *word, const char **msg) {
    size_t i = *pos, k, n = strlen(word);
    for (k = 0; k < n; k++) {
        if (i + k >= len) return need_more(len, pos, final, msg);
        if (p[i + k] != word[k])
            return fail(FHX_E_JSON, i + k, pos, msg, "invalid literal");
    }
    *pos = i + n;
    return FHXI_J_OK;
}

/* ---- any value ------------------------------------------------------------ */

enum skip_state { S_VALUE, S_OBJ_FIRST, S_OBJ_NEXT, S_COLON, S_ARR_FIRST,
                  S_ARR_NEXT };

int fhxi_json_skip_value(const char *p, size_t len, size_t *pos, int final,
                         unsigned depth, const char **msg) {
    size_t i = *pos;
    uint64_t objects = 0; /* bit d set: container at relative depth d+1 is
                             an object */
    unsigned d = 0;
    enum skip_state s = S_VALUE;
    fhxi_jstr str;
    int st;

    for (;;) {
        unsigned char c;
        if (s != S_VALUE) fhxi_json_skip_ws(p, len, &i);
        if (i >= len) return need_more(len, pos, final, msg);
        c = (unsigned char)p[i];
        switch (s) {
        case S_VALUE:
            if (c == '{' || c == '[') {
                if (depth + d + 1 > FHX_MAX_DEPTH)
                    return fail(FHX_E_DEPTH, i, pos, msg,
                                "JSON nested too deeply");
                if (c == '{')
                    objects |= (uint64_t)1 << d;
                else
                    objects &= ~((uint64_t)1 << d);
                d++;
                i++;
                s = c == '{' ? S_OBJ_FIRST : S_ARR_FIRST;
                continue;
            }
            if (c == '"') {
                st = fhxi_json_string(p, len, &i, final, 1, &str, msg);
            } else if (c == '-' || is_digit(c)) {
                st = fhxi_json_number(p, len, &i, final, msg);
            } else if (c == 't') {
                st = scan_literal(p, len, &i, final, "true", msg);
            } else if (c == 'f') {
                st = scan_literal(p, len, &i, final, "false", msg);
            } else if (c == 'n') {
                st = scan_literal(p, len, &i, final, "null", msg);
            } else {
                return fail(FHX_E_JSON, i, pos, msg,
                            "unexpected character: expected a value");
            }
            if (st != FHXI_J_OK) {
                if (st < 0) *pos = i;
                return st;
            }
            break; /* a value ended */
        case S_OBJ_FIRST:
        case S_OBJ_NEXT:
            if (c == '}') {
                i++;
                d--;
                break;
            }
            if (s == S_OBJ_NEXT) {
                if (c != ',')
                    return fail(FHX_E_JSON, i, pos, msg,
                                "expected ',' or '}' in an object");
                i++;
                fhxi_json_skip_ws(p, len, &i);
                if (i >= len) return need_more(len, pos, final, msg);
                c = (unsigned char)p[i];
            }
            if (c != '"')
                return fail(FHX_E_JSON, i, pos, msg,
                            "expected a string key in an object");
            st = fhxi_json_string(p, len, &i, final, 1, &str, msg);
            if (st != FHXI_J_OK) {
                if (st < 0) *pos = i;
                return st;
            }
            s = S_COLON;
            continue;
        case S_COLON:
            if (c != ':')
                return fail(FHX_E_JSON, i, pos, msg,
                            "expected ':' after an object key");
            i++;
            fhxi_json_skip_ws(p, len, &i);
            s = S_VALUE;
            continue;
        case S_ARR_FIRST:
        case S_ARR_NEXT:
            if (c == ']') {
                i++;
                d--;
                break;
            }
            if (s == S_ARR_NEXT) {
                if (c != ',')
                    return fail(FHX_E_JSON, i, pos, msg,
                                "expected ',' or ']' in an array");
                i++;
                fhxi_json_skip_ws(p, len, &i);
            }
            s = S_VALUE;
            continue;
        }
        /* A value (scalar or container) just ended at relative depth d. */
        if (d == 0) {
            *pos = i;
            return FHXI_J_OK;
        }
        s = (objects >> (d - 1)) & 1 ? S_OBJ_NEXT : S_ARR_NEXT;
    }
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
