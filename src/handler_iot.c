/*
 * libfirehose-xform: the "iot" handler (include/fhx/iot.h): one IoT
 * message per record, re-emitted as a compact JSON line, partitioned by
 * its topic.
 *
 * One pass over the message with the strict JSON scanners of json.c. The
 * output is produced lazily: while the message has no whitespace to
 * remove, nothing is copied; at the first whitespace run the bytes before
 * it go to out, and from then on each run of kept bytes is appended as
 * one block. A message that is already compact and ends with one "\n" is
 * therefore never copied.
 */
#include <string.h>

#include "internal.h"
#include "json.h"

/* Container kinds on the walker's stack (one bit per level). */
enum walk_state {
    W_VALUE,     /* a value is expected */
    W_OBJ_FIRST, /* after '{': a key or '}' */
    W_OBJ_KEY,   /* after ',' in an object: a key */
    W_OBJ_COLON, /* after a key: ':' */
    W_OBJ_NEXT,  /* after a member: ',' or '}' */
    W_ARR_FIRST, /* after '[': a value or ']' */
    W_ARR_NEXT   /* after an element: ',' or ']' */
};

typedef struct walker {
    const char *p;
    size_t len;
    fhx_buf *out;
    size_t seg;     /* start of the kept bytes not yet appended */
    int dirty;      /* some whitespace was removed: the line is in out */
    size_t out0;    /* out->len when the walk started */
    fhx_error *err;
} walker;

static int reject(walker *w, int code, size_t at, const char *msg) {
    fhxi_set_error(w->err, code, at, FHX_NO_RECORD, msg);
    return code;
}

/* Skip whitespace at *i; when there is some, append the kept bytes before
 * it and restart the kept run after it. */
static int skip_ws(walker *w, size_t *i) {
    size_t a = *i, b = a;
    while (b < w->len && fhxi_json_is_ws((unsigned char)w->p[b])) b++;
    if (b == a) return FHX_OK;
    if (a > w->seg) {
        int st = fhx_buf_append(w->out, w->p + w->seg, a - w->seg);
        if (st != FHX_OK) return reject(w, st, a, "out of memory");
    }
    w->dirty = 1;
    w->seg = b;
    *i = b;
    return FHX_OK;
}

static int literal(walker *w, size_t *i, const char *word, size_t n) {
    size_t k;
    for (k = 0; k < n; k++) {
        if (*i + k >= w->len)
            return reject(w, FHX_E_TRUNCATED, w->len,
                          "unexpected end of message");
        if (w->p[*i + k] != word[k])
            return reject(w, FHX_E_JSON, *i + k, "invalid literal");
    }
    *i += n;
    return FHX_OK;
}

/* 1 when the key (raw string content) decodes to "topic". */
static int key_is_topic(const char *raw, size_t n, int escaped) {
    char tmp[30];
    size_t got = 0;
    if (!escaped) return n == 5 && memcmp(raw, "topic", 5) == 0;
    /* an escape is at least as long as what it stands for */
    if (n > sizeof tmp) return 0;
    if (fhx_json_unescape(raw, n, tmp, sizeof tmp, &got, NULL) != FHX_OK)
        return 0;
    return got == 5 && memcmp(tmp, "topic", 5) == 0;
}

/* The raw topic string found by the walk. */
typedef struct topic_ref {
    int found;
    size_t at;     /* offset of its opening quote */
    fhxi_jstr str; /* its content */
} topic_ref;

/* Walk the object starting at p[start] == '{'; *end receives the offset
 * just past its '}'. */
static int walk(walker *w, size_t start, size_t *end, topic_ref *topic) {
    uint64_t objects = 1; /* bit k: level k+1 is an object */
    unsigned d = 1;
    size_t i = start + 1;
    enum walk_state s = W_OBJ_FIRST;
    int topic_next = 0; /* the value being read is the top-level topic */
    const char *msg = NULL;
    fhxi_jstr str;
    int st;

    for (;;) {
        unsigned char c;
        st = skip_ws(w, &i);
        if (st != FHX_OK) return st;
        if (i >= w->len)
            return reject(w, FHX_E_TRUNCATED, w->len,
                          "unexpected end of message");
        c = (unsigned char)w->p[i];
        switch (s) {
        case W_OBJ_FIRST:
        case W_OBJ_NEXT:
            if (c == '}') {
                i++;
                d--;
                break; /* a container ended */
            }
            if (s == W_OBJ_NEXT) {
                if (c != ',')
                    return reject(w, FHX_E_JSON, i,
                                  "expected ',' or '}' in an object");
                i++;
            }
            s = W_OBJ_KEY;
            continue;
        case W_OBJ_KEY:
            if (c != '"')
                return reject(w, FHX_E_JSON, i,
                              "expected a string key in an object");
            st = fhxi_json_string(w->p, w->len, &i, 1, 1, &str, &msg);
            if (st != FHXI_J_OK) return reject(w, st, i, msg);
            if (d == 1 && key_is_topic(w->p + str.start, str.end - str.start,
                                       str.escaped)) {
                if (topic->found)
                    return reject(w, FHX_E_SCHEMA, str.start - 1,
                                  "a second top-level \"topic\" member");
                topic_next = 1;
            }
            s = W_OBJ_COLON;
            continue;
        case W_OBJ_COLON:
            if (c != ':')
                return reject(w, FHX_E_JSON, i,
                              "expected ':' after an object key");
            i++;
            s = W_VALUE;
            continue;
        case W_ARR_FIRST:
        case W_ARR_NEXT:
            if (c == ']') {
                i++;
                d--;
                break;
            }
            if (s == W_ARR_NEXT) {
                if (c != ',')
                    return reject(w, FHX_E_JSON, i,
                                  "expected ',' or ']' in an array");
                i++;
            }
            s = W_VALUE;
            continue;
        case W_VALUE:
            if (topic_next && c != '"')
                return reject(w, FHX_E_SCHEMA, i,
                              "the \"topic\" member is not a string");
            if (c == '{' || c == '[') {
                if (d + 1 > FHX_MAX_DEPTH)
                    return reject(w, FHX_E_DEPTH, i,
                                  "JSON nested too deeply");
                if (c == '{')
                    objects |= (uint64_t)1 << d;
                else
                    objects &= ~((uint64_t)1 << d);
                d++;
                i++;
                s = c == '{' ? W_OBJ_FIRST : W_ARR_FIRST;
                continue;
            }
            if (c == '"') {
                size_t at = i;
                st = fhxi_json_string(w->p, w->len, &i, 1, 1, &str, &msg);
                if (st != FHXI_J_OK) return reject(w, st, i, msg);
                if (topic_next) {
                    topic->found = 1;
                    topic->at = at;
                    topic->str = str;
                    topic_next = 0;
                }
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                st = fhxi_json_number(w->p, w->len, &i, 1, &msg);
                if (st != FHXI_J_OK) return reject(w, st, i, msg);
            } else if (c == 't') {
                st = literal(w, &i, "true", 4);
                if (st != FHX_OK) return st;
            } else if (c == 'f') {
                st = literal(w, &i, "false", 5);
                if (st != FHX_OK) return st;
            } else if (c == 'n') {
                st = literal(w, &i, "null", 4);
                if (st != FHX_OK) return st;
            } else {
                return reject(w, FHX_E_JSON, i,
                              "unexpected character: expected a value");
            }
            break; /* a scalar ended */
        }
        /* A value ended; d containers are still open. */
        if (d == 0) {
            *end = i;
            return FHX_OK;
        }
        s = (objects >> (d - 1)) & 1 ? W_OBJ_NEXT : W_ARR_NEXT;
    }
}

static const char *const key_names[FHX_IOT_MAX_KEYS] = {"topic", "device",
                                                        "subtopic"};

/* Check the unescaped topic and split it into the partition keys. */
static int split_topic(walker *w, fhx_iot_message *m, size_t at) {
    const char *t = m->topic.ptr;
    size_t n = m->topic.len, i, level_start = 0, levels = 0, rest = 0;
    if (n == 0) return reject(w, FHX_E_SCHEMA, at, "the topic is empty");
    if (fhxi_utf8_valid_prefix(t, n) != n)
        return reject(w, FHX_E_SCHEMA, at, "the topic is not valid UTF-8");
    for (i = 0; i <= n; i++) {
        if (i < n && (unsigned char)t[i] < 0x20)
            return reject(w, FHX_E_SCHEMA, at,
                          "the topic holds a control character");
        if (i < n && t[i] != '/') continue;
        if (i == level_start)
            return reject(w, FHX_E_SCHEMA, at, "the topic has an empty level");
        if (levels < 2) {
            m->keys[levels].value.ptr = t + level_start;
            m->keys[levels].value.len = i - level_start;
        } else if (levels == 2) {
            rest = level_start;
        }
        levels++;
        level_start = i + 1;
    }
    if (levels > 2) {
        m->keys[2].value.ptr = t + rest;
        m->keys[2].value.len = n - rest;
    }
    m->n_keys = levels < FHX_IOT_MAX_KEYS ? levels : FHX_IOT_MAX_KEYS;
    for (i = 0; i < m->n_keys; i++) {
        m->keys[i].key.ptr = key_names[i];
        m->keys[i].key.len = strlen(key_names[i]);
    }
    return FHX_OK;
}

int fhx_iot_normalize(const uint8_t *msg, size_t len, fhx_buf *out,
                      fhx_iot_message *m, fhx_error *err) {
    walker w;
    topic_ref topic;
    size_t i = 0, start, end = 0, line_end, topic_at = 0;
    int st;
    if (!out || !m || (!msg && len)) return FHX_E_ARG;
    memset(m, 0, sizeof *m);
    memset(&topic, 0, sizeof topic);
    fhxi_clear_error(err);
    w.p = (const char *)msg;
    w.len = len;
    w.out = out;
    w.dirty = 0;
    w.out0 = out->len;
    w.err = err;

    fhxi_json_skip_ws(w.p, len, &i);
    if (i >= len)
        return reject(&w, FHX_E_SCHEMA, i, "no JSON object in the message");
    if (w.p[i] != '{')
        return reject(&w, FHX_E_SCHEMA, i, "the message is not a JSON object");
    start = i;
    w.seg = start;
    st = walk(&w, start, &end, &topic);
    if (st != FHX_OK) return st;

    /* After the object: whitespace, at most one ',', whitespace. */
    i = end;
    fhxi_json_skip_ws(w.p, len, &i);
    if (i < len && w.p[i] == ',') {
        i++;
        fhxi_json_skip_ws(w.p, len, &i);
    }
    if (i < len)
        return reject(&w, FHX_E_SCHEMA, i, "data after the JSON object");
    if (!topic.found)
        return reject(&w, FHX_E_SCHEMA, start,
                      "no top-level \"topic\" member");

    m->unchanged = !w.dirty && start == 0 && len == end + 1 &&
                   w.p[end] == '\n';
    if (!m->unchanged) {
        st = fhx_buf_append(out, w.p + w.seg, end - w.seg);
        if (st == FHX_OK) st = fhx_buf_append(out, "\n", 1);
        if (st != FHX_OK) return reject(&w, st, end, "out of memory");
    }
    line_end = out->len;
    if (topic.str.escaped) {
        size_t raw = topic.str.end - topic.str.start, got = 0;
        topic_at = out->len;
        st = fhx_buf_reserve(out, raw);
        if (st != FHX_OK) return reject(&w, st, topic.at, "out of memory");
        st = fhx_json_unescape(w.p + topic.str.start, raw,
                               (char *)out->ptr + out->len, raw, &got, NULL);
        if (st != FHX_OK) /* the scanner accepted it: cannot happen */
            return reject(&w, FHX_E_JSON, topic.at, "invalid escape");
        out->len += got;
    }
    /* Views are taken last: out no longer moves. */
    if (m->unchanged) {
        m->line.ptr = w.p;
        m->line.len = len;
    } else {
        m->line.ptr = (const char *)out->ptr + w.out0;
        m->line.len = line_end - w.out0;
    }
    if (topic.str.escaped) {
        m->topic.ptr = (const char *)out->ptr + topic_at;
        m->topic.len = out->len - topic_at;
    } else {
        m->topic.ptr = w.p + topic.str.start;
        m->topic.len = topic.str.end - topic.str.start;
    }
    return split_topic(&w, m, topic.at);
}

int fhx_handler_iot(void *ctx, const fhx_record *rec, const uint8_t *data,
                    size_t len, fhx_buf *out, fhx_answer *ans) {
    fhx_iot_message m;
    fhx_partition_key *keys;
    size_t need, pad, align = _Alignof(fhx_partition_key);
    uintptr_t at;
    int st;
    (void)ctx;
    if (!ans || !out || (!data && len)) return FHX_E_ARG;
    /* line + unescaped topic + the keys, all reserved at once so that the
     * views taken by fhx_iot_normalize stay put */
    if (!fhxi_add(len, len, &need) ||
        !fhxi_add(need, 1 + align + sizeof m.keys, &need))
        return FHX_E_LIMIT;
    st = fhx_buf_reserve(out, need);
    if (st != FHX_OK) return st;
    st = fhx_iot_normalize(data, len, out, &m, NULL);
    if (st != FHX_OK) return st;
    at = (uintptr_t)(out->ptr + out->len);
    pad = (align - (size_t)(at % align)) % align;
    keys = (fhx_partition_key *)(void *)(out->ptr + out->len + pad);
    memcpy(keys, m.keys, m.n_keys * sizeof *keys);
    out->len += pad + m.n_keys * sizeof *keys;

    ans->result = FHX_RESULT_OK;
    ans->keys = keys;
    ans->n_keys = m.n_keys;
    if (m.unchanged && rec && !(rec->flags & FHX_REC_DATA_ESCAPED) &&
        rec->data_len == len) {
        /* already normalized: echo the validated base64 as it came */
        ans->data_b64 = rec->data.ptr;
        ans->data_b64_len = rec->data.len;
    } else {
        ans->data = (const uint8_t *)m.line.ptr;
        ans->data_len = m.line.len;
    }
    return FHX_OK;
}
