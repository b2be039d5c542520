/*
 * libfirehose-xform: the "iot" handler (include/fhx/iot.h): one IoT
 * message per record, re-emitted as a compact JSON line, partitioned by
 * its topic.
 *
 * One pass over the message with json.c's walker (the same strict walk
 * that validates any JSON value), which stops only where this handler
 * looks: at whitespace and at the top-level "topic" member. The output is
 * produced lazily: while the message has no whitespace to
 * remove, nothing is copied; at the first whitespace run the bytes before
 * it go to out, and from then on each run of kept bytes is appended as
 * one block. A message that is already compact and ends with one "\n" is
 * therefore never copied.
 */
#include <string.h>

#include "internal.h"
#include "json.h"

typedef struct normalizer {
    const char *p;
    size_t len;
    fhx_buf *out;
    size_t seg;     /* start of the kept bytes not yet appended */
    int dirty;      /* some whitespace was removed: the line is in out */
    size_t out0;    /* out->len when the walk started */
    fhx_error *err;
} normalizer;

static int reject(normalizer *w, int code, size_t at, const char *msg) {
    fhxi_set_error(w->err, code, at, FHX_NO_RECORD, msg);
    return code;
}

/* Whitespace [a, b) goes: append the kept bytes before it and restart the
 * kept run after it. */
static int drop_ws(normalizer *w, size_t a, size_t b) {
    if (a > w->seg) {
        int st = fhx_buf_append(w->out, w->p + w->seg, a - w->seg);
        if (st != FHX_OK) return reject(w, st, a, "out of memory");
    }
    w->dirty = 1;
    w->seg = b;
    return FHX_OK;
}

/* The raw topic string found by the walk. */
typedef struct topic_ref {
    int found;
    size_t at;     /* offset of its opening quote */
    fhxi_jstr str; /* its content */
} topic_ref;

/* Walk the object starting at p[start] == '{' with json.c's walker,
 * stopping at whitespace (dropped) and at top-level "topic" members;
 * *end receives the offset just past its '}'. */
static int walk(normalizer *w, size_t start, size_t *end, topic_ref *topic) {
    fhxi_jwalk jw;
    int st;
    fhxi_jwalk_init(&jw, w->p, w->len, start, 1, 0);
    jw.stop_ws = 1;
    jw.watch = "topic";
    jw.watch_len = 5;
    for (;;) {
        st = fhxi_jwalk_run(&jw);
        switch (st) {
        case FHXI_J_OK:
            *end = jw.pos;
            return FHX_OK;
        case FHXI_JW_WS:
            st = drop_ws(w, jw.tok, jw.pos);
            if (st != FHX_OK) return st;
            break;
        case FHXI_JW_KEY:
            if (topic->found)
                return reject(w, FHX_E_SCHEMA, jw.tok,
                              "a second top-level \"topic\" member");
            break;
        case FHXI_JW_VALUE:
            topic->at = jw.pos;
            if (w->p[jw.pos] != '"')
                return reject(w, FHX_E_SCHEMA, jw.pos,
                              "the \"topic\" member is not a string");
            st = fhxi_jwalk_string(&jw, &topic->str);
            if (st != FHXI_J_OK) return reject(w, st, jw.pos, jw.msg);
            topic->found = 1;
            break;
        default: /* an error (final: never FHXI_J_MORE) */
            return reject(w, st, jw.pos, jw.msg);
        }
    }
}

static const char *const key_names[FHX_IOT_MAX_KEYS] = {"topic", "device",
                                                        "subtopic"};
static const size_t key_lens[FHX_IOT_MAX_KEYS] = {5, 6, 8};

/* Check the unescaped topic and split it into the partition keys. A topic
 * that had no escapes is valid UTF-8 without control characters already
 * (the scanner checked it). Level by level: a level's control characters
 * are reported before it is found empty, as a byte-by-byte walk would. */
static int split_topic(normalizer *w, fhx_iot_message *m, size_t at,
                       int escaped) {
    const char *t = m->topic.ptr;
    size_t n = m->topic.len, i, start = 0, levels = 0;
    if (n == 0) return reject(w, FHX_E_SCHEMA, at, "the topic is empty");
    if (escaped && fhxi_utf8_valid_prefix(t, n) != n)
        return reject(w, FHX_E_SCHEMA, at, "the topic is not valid UTF-8");
    for (;;) {
        const char *slash = memchr(t + start, '/', n - start);
        size_t end = slash ? (size_t)(slash - t) : n;
        if (escaped)
            for (i = start; i < end; i++)
                if ((unsigned char)t[i] < 0x20)
                    return reject(w, FHX_E_SCHEMA, at,
                                  "the topic holds a control character");
        if (end == start)
            return reject(w, FHX_E_SCHEMA, at, "the topic has an empty level");
        if (levels < FHX_IOT_MAX_KEYS) {
            /* the last key ("subtopic") runs to the end of the topic */
            m->keys[levels].key.ptr = key_names[levels];
            m->keys[levels].key.len = key_lens[levels];
            m->keys[levels].value.ptr = t + start;
            m->keys[levels].value.len =
                levels < FHX_IOT_MAX_KEYS - 1 ? end - start : n - start;
            m->n_keys = ++levels;
        }
        if (!slash) return FHX_OK;
        start = end + 1;
    }
}

static const fhx_iot_message zero_message;

int fhx_iot_normalize(const uint8_t *msg, size_t len, fhx_buf *out,
                      fhx_iot_message *m, fhx_error *err) {
    normalizer w;
    topic_ref topic;
    size_t i = 0, start, end = 0, line_end, topic_at = 0;
    int st;
    if (!out || !m || (!msg && len)) return FHX_E_ARG;
    *m = zero_message; /* a copy: a memset here is a slow "rep stos" */
    topic.found = 0;
    topic.at = 0;
    topic.str.start = topic.str.end = 0;
    topic.str.escaped = 0;
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
    return split_topic(&w, m, topic.at, topic.str.escaped);
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
