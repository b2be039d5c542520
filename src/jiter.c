/* libfirehose-xform: iterate a JSON object or array in one buffer. */
#include <string.h>

#include "jiter.h"

static int jfail(fhx_error *err, int code, size_t at, const char *msg) {
    fhxi_set_error(err, code, at, FHX_NO_RECORD, msg);
    return code;
}

int fhxi_jiter_begin(fhxi_jiter *it, const char *p, size_t len, size_t pos,
                     unsigned depth, fhx_error *err) {
    if (pos >= len || (p[pos] != '{' && p[pos] != '['))
        return jfail(err, FHX_E_JSON, pos, "expected an object or an array");
    if (depth + 1 > FHX_MAX_DEPTH)
        return jfail(err, FHX_E_DEPTH, pos, "JSON nested too deeply");
    it->p = p;
    it->len = len;
    it->pos = pos + 1;
    it->depth = depth + 1;
    it->object = p[pos] == '{';
    it->first = 1;
    return FHXI_J_OK;
}

/* Scan one value at it->pos into v. */
static int scan_value(fhxi_jiter *it, fhxi_jval *v, fhx_error *err) {
    size_t i = it->pos;
    const char *msg = NULL;
    int st;
    if (i >= it->len)
        return jfail(err, FHX_E_TRUNCATED, it->len,
                     "JSON ends inside a value");
    v->kind = it->p[i];
    v->start = i;
    if (v->kind == '"') {
        st = fhxi_json_string(it->p, it->len, &i, 1, 1, &v->str, &msg);
    } else {
        if (v->kind == '-' || (v->kind >= '0' && v->kind <= '9'))
            v->kind = '0';
        st = fhxi_json_skip_value(it->p, it->len, &i, 1, it->depth, &msg);
    }
    if (st != FHXI_J_OK) return jfail(err, st, i, msg);
    v->end = i;
    it->pos = i;
    return FHXI_J_OK;
}

int fhxi_jiter_next(fhxi_jiter *it, fhxi_jval *key, fhxi_jval *val,
                    fhx_error *err) {
    const char close = it->object ? '}' : ']';
    int st;
    fhxi_json_skip_ws(it->p, it->len, &it->pos);
    if (it->pos >= it->len)
        return jfail(err, FHX_E_TRUNCATED, it->len,
                     it->object ? "JSON ends inside an object"
                                : "JSON ends inside an array");
    if (it->p[it->pos] == close) {
        it->pos++;
        return FHX_END;
    }
    if (!it->first) {
        if (it->p[it->pos] != ',')
            return jfail(err, FHX_E_JSON, it->pos,
                         it->object ? "expected ',' or '}' in an object"
                                    : "expected ',' or ']' in an array");
        it->pos++;
        fhxi_json_skip_ws(it->p, it->len, &it->pos);
    }
    it->first = 0;
    if (it->object) {
        int end = it->pos >= it->len;
        if (end || it->p[it->pos] != '"')
            return jfail(err, end ? FHX_E_TRUNCATED : FHX_E_JSON, it->pos,
                         "expected a string key in an object");
        st = scan_value(it, key, err);
        if (st != FHXI_J_OK) return st;
        fhxi_json_skip_ws(it->p, it->len, &it->pos);
        end = it->pos >= it->len;
        if (end || it->p[it->pos] != ':')
            return jfail(err, end ? FHX_E_TRUNCATED : FHX_E_JSON, it->pos,
                         "expected ':' after an object key");
        it->pos++;
    }
    fhxi_json_skip_ws(it->p, it->len, &it->pos);
    return scan_value(it, val, err);
}

int fhxi_json_trailing(const char *p, size_t len, size_t pos,
                       fhx_error *err) {
    fhxi_json_skip_ws(p, len, &pos);
    if (pos < len)
        return jfail(err, FHX_E_JSON, pos,
                     "unexpected data after the JSON value");
    return FHXI_J_OK;
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int fhxi_jkey_is(const char *p, const fhxi_jval *key, const char *t,
                 int nocase) {
    char buf[64];
    const char *s = p + key->str.start;
    size_t i, n = key->str.end - key->str.start;
    if (key->str.escaped) { /* keys are short: resolve escapes on the stack */
        if (fhx_json_unescape(s, n, buf, sizeof buf, &n, NULL) != FHX_OK)
            return 0;
        s = buf;
    }
    if (strlen(t) != n) return 0;
    for (i = 0; i < n; i++)
        if (nocase ? lower(s[i]) != lower(t[i]) : s[i] != t[i]) return 0;
    return 1;
}
