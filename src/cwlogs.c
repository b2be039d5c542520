/*
 * libfirehose-xform: CloudWatch Logs subscription documents and the
 * "cloudwatch-logs" record handler (cwlogs.h).
 */
#include <string.h>

#include "jiter.h"

/* ==== Reader =========================================================== */

static int sfail(fhx_error *err, size_t at, const char *msg) {
    fhxi_set_error(err, FHX_E_SCHEMA, at, FHX_NO_RECORD, msg);
    return FHX_E_SCHEMA;
}

static fhx_slice content(const char *p, const fhxi_jval *v) {
    fhx_slice s;
    s.ptr = p + v->str.start;
    s.len = v->str.end - v->str.start;
    return s;
}

/* Count the elements of the array v, each of which must have kind want
 * ('"' strings, '{' objects); an object must be a valid log event. */
static int check_log_event(const char *p, size_t len, size_t at,
                           fhx_cwlogs_event *ev, fhx_error *err);

static int count_array(const char *p, size_t len, const fhxi_jval *v,
                       char want, size_t *n, fhx_error *err) {
    fhxi_jiter it;
    fhxi_jval el;
    int st = fhxi_jiter_begin(&it, p, len, v->start, 1, err);
    *n = 0;
    while (st == FHXI_J_OK &&
           (st = fhxi_jiter_next(&it, NULL, &el, err)) == FHXI_J_OK) {
        if (el.kind != want)
            return sfail(err, el.start,
                         want == '"' ? "subscriptionFilters entry is not a "
                                       "string"
                                     : "logEvents entry is not an object");
        if (want == '{') {
            fhx_cwlogs_event ev;
            st = check_log_event(p, len, el.start, &ev, err);
            if (st != FHX_OK) return st;
        }
        (*n)++;
    }
    return st == FHX_END ? FHX_OK : st;
}

/* Parse the log event object at p[at]. */
static int check_log_event(const char *p, size_t len, size_t at,
                           fhx_cwlogs_event *ev, fhx_error *err) {
    fhxi_jiter it;
    fhxi_jval k, v;
    int st = fhxi_jiter_begin(&it, p, len, at, 2, err);
    memset(ev, 0, sizeof *ev);
    ev->offset = at;
    while (st == FHXI_J_OK &&
           (st = fhxi_jiter_next(&it, &k, &v, err)) == FHXI_J_OK) {
        fhx_slice *slot = NULL;
        char want = '"';
        if (fhxi_jkey_is(p, &k, "id", 0)) {
            slot = &ev->id;
        } else if (fhxi_jkey_is(p, &k, "timestamp", 0)) {
            slot = &ev->timestamp;
            want = '0';
        } else if (fhxi_jkey_is(p, &k, "message", 0)) {
            slot = &ev->message;
        }
        if (!slot) continue;
        if (slot->ptr) return sfail(err, k.start, "repeated log event member");
        if (v.kind != want)
            return sfail(err, v.start,
                         want == '0' ? "log event timestamp is not a number"
                                     : "log event id or message is not a "
                                       "string");
        if (want == '0') {
            slot->ptr = p + v.start;
            slot->len = v.end - v.start;
        } else {
            *slot = content(p, &v);
            if (slot == &ev->message) ev->message_escaped = v.str.escaped;
        }
    }
    if (st != FHX_END) return st;
    if (!ev->message.ptr) return sfail(err, at, "log event without a message");
    return FHX_OK;
}

int fhx_cwlogs_parse(fhx_cwlogs_doc *doc, const char *json, size_t len,
                     fhx_error *err) {
    fhxi_jiter it;
    fhxi_jval k, v, mt;
    size_t pos = 0;
    int st, seen_filters = 0;
    if (err) fhxi_clear_error(err);
    if (!doc || (!json && len)) return FHX_E_ARG;
    memset(doc, 0, sizeof *doc);
    memset(&mt, 0, sizeof mt);
    fhxi_json_skip_ws(json, len, &pos);
    if (pos >= len) {
        fhxi_set_error(err, FHX_E_TRUNCATED, len, FHX_NO_RECORD,
                       "empty CloudWatch Logs document");
        return FHX_E_TRUNCATED;
    }
    if (json[pos] != '{') return sfail(err, pos, "document is not an object");
    st = fhxi_jiter_begin(&it, json, len, pos, 0, err);
    while (st == FHXI_J_OK &&
           (st = fhxi_jiter_next(&it, &k, &v, err)) == FHXI_J_OK) {
        fhx_slice *slot = NULL;
        if (fhxi_jkey_is(json, &k, "messageType", 0))
            slot = &doc->message_type;
        else if (fhxi_jkey_is(json, &k, "owner", 0))
            slot = &doc->owner;
        else if (fhxi_jkey_is(json, &k, "logGroup", 0))
            slot = &doc->log_group;
        else if (fhxi_jkey_is(json, &k, "logStream", 0))
            slot = &doc->log_stream;
        if (slot) {
            if (slot->ptr) return sfail(err, k.start, "repeated member");
            if (v.kind != '"')
                return sfail(err, v.start, "member is not a string");
            *slot = content(json, &v);
            if (slot == &doc->message_type) mt = v;
        } else if (fhxi_jkey_is(json, &k, "subscriptionFilters", 0)) {
            if (seen_filters) return sfail(err, k.start, "repeated member");
            if (v.kind != '[')
                return sfail(err, v.start,
                             "subscriptionFilters is not an array");
            seen_filters = 1;
            st = count_array(json, len, &v, '"', &doc->n_filters, err);
            if (st != FHX_OK) return st;
        } else if (fhxi_jkey_is(json, &k, "logEvents", 0)) {
            if (doc->events_at_) return sfail(err, k.start, "repeated member");
            if (v.kind != '[')
                return sfail(err, v.start, "logEvents is not an array");
            doc->events_at_ = v.start; /* never 0: the object's '{' is first */
            st = count_array(json, len, &v, '{', &doc->n_events, err);
            if (st != FHX_OK) return st;
        }
    }
    if (st != FHX_END) return st;
    st = fhxi_json_trailing(json, len, it.pos, err);
    if (st != FHX_OK) return st;
    if (!doc->message_type.ptr)
        return sfail(err, pos, "document without a messageType");
    if (fhxi_jkey_is(json, &mt, "DATA_MESSAGE", 0))
        doc->type = FHX_CWLOGS_DATA;
    else if (fhxi_jkey_is(json, &mt, "CONTROL_MESSAGE", 0))
        doc->type = FHX_CWLOGS_CONTROL;
    if (doc->type == FHX_CWLOGS_DATA && !doc->events_at_)
        return sfail(err, pos, "DATA_MESSAGE without logEvents");
    doc->json_ = json;
    doc->len_ = len;
    doc->next_ = doc->events_at_ ? doc->events_at_ + 1 : 0;
    return FHX_OK;
}

int fhx_cwlogs_next(fhx_cwlogs_doc *doc, fhx_cwlogs_event *ev) {
    fhxi_jiter it;
    fhxi_jval el;
    /* a parsed document always has its bytes (it is never empty) */
    if (!doc || !ev || !doc->json_) return FHX_E_ARG;
    if (!doc->events_at_ || doc->index_ >= doc->n_events) return FHX_END;
    /* resume the (already validated) logEvents array where we stopped */
    it.p = doc->json_;
    it.len = doc->len_;
    it.pos = doc->next_;
    it.depth = 2;
    it.object = 0;
    it.first = doc->index_ == 0;
    if (fhxi_jiter_next(&it, NULL, &el, NULL) != FHXI_J_OK ||
        check_log_event(doc->json_, doc->len_, el.start, ev, NULL) != FHX_OK)
        return FHX_E_ARG; /* the document changed since parse */
    ev->index = doc->index_++;
    doc->next_ = it.pos;
    return FHX_OK;
}

/* ==== The handler ======================================================= */

/* Append a log event's message as one text line. */
static int put_text_line(fhx_buf *out, const fhx_cwlogs_event *ev) {
    size_t n = ev->message.len;
    int st = fhx_buf_reserve(out, n + 1);
    char *dst;
    if (st != FHX_OK) return st;
    dst = (char *)out->ptr + out->len;
    if (ev->message_escaped) {
        st = fhx_json_unescape(ev->message.ptr, ev->message.len, dst, n, &n,
                               NULL);
        if (st != FHX_OK) return st; /* cannot happen: validated */
    } else if (n) {
        memcpy(dst, ev->message.ptr, n);
    }
    while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r')) n--;
    if (n == 0) return FHX_OK; /* an empty message makes no line */
    dst[n] = '\n';
    out->len += n + 1;
    return FHX_OK;
}

static int put_member(fhx_buf *out, const char *name, const fhx_slice *v,
                      int quoted) {
    int st = fhx_buf_append(out, name, strlen(name));
    if (st == FHX_OK && quoted) st = fhx_buf_append(out, "\"", 1);
    if (st == FHX_OK) st = fhx_buf_append(out, v->ptr, v->len);
    if (st == FHX_OK && quoted) st = fhx_buf_append(out, "\"", 1);
    return st;
}

/* Append a log event as one JSON line. Raw string contents are valid JSON
 * string contents already (control characters are escaped in JSON), so
 * they are copied as they came: no line break can appear inside. */
static int put_json_line(fhx_buf *out, const fhx_cwlogs_doc *doc,
                         const fhx_cwlogs_event *ev) {
    static const fhx_slice empty = {"", 0}, null_ts = {"null", 4};
    int st = put_member(out, "{\"logGroup\":",
                        doc->log_group.ptr ? &doc->log_group : &empty, 1);
    if (st == FHX_OK)
        st = put_member(out, ",\"logStream\":",
                        doc->log_stream.ptr ? &doc->log_stream : &empty, 1);
    if (st == FHX_OK)
        st = put_member(out, ",\"id\":", ev->id.ptr ? &ev->id : &empty, 1);
    if (st == FHX_OK)
        st = put_member(out, ",\"timestamp\":",
                        ev->timestamp.ptr ? &ev->timestamp : &null_ts, 0);
    if (st == FHX_OK) st = put_member(out, ",\"message\":", &ev->message, 1);
    if (st == FHX_OK) st = fhx_buf_append(out, "}\n", 2);
    return st;
}

static int report(const fhx_cwlogs_opts *o, const fhx_record *rec,
                  fhx_error *e, int st) {
    if (e->code == FHX_OK)
        fhxi_set_error(e, st, 0, FHX_NO_RECORD, fhx_strerror(st));
    e->record = rec ? rec->index : FHX_NO_RECORD;
    if (o && o->on_error) o->on_error(o->user, rec, e);
    return st;
}

/* Turn the document into the answer. */
static int answer_doc(const fhx_cwlogs_opts *o, const char *json, size_t len,
                      fhx_buf *out, fhx_answer *ans, fhx_error *e) {
    fhx_cwlogs_doc doc;
    fhx_cwlogs_event ev;
    int st = fhx_cwlogs_parse(&doc, json, len, e);
    if (st != FHX_OK) return st;
    if (doc.type == FHX_CWLOGS_CONTROL) {
        ans->result = FHX_RESULT_DROPPED;
        return FHX_OK;
    }
    if (doc.type != FHX_CWLOGS_DATA) {
        fhxi_set_error(e, FHX_E_SCHEMA,
                       (size_t)(doc.message_type.ptr - json), FHX_NO_RECORD,
                       "unknown messageType");
        return FHX_E_SCHEMA;
    }
    while ((st = fhx_cwlogs_next(&doc, &ev)) == FHX_OK) {
        st = (o && (o->flags & FHX_CWLOGS_JSON_LINES))
                 ? put_json_line(out, &doc, &ev)
                 : put_text_line(out, &ev);
        if (st != FHX_OK) return st;
    }
    if (st != FHX_END) return st;
    ans->result = out->len ? FHX_RESULT_OK : FHX_RESULT_DROPPED;
    return FHX_OK;
}

int fhx_handler_cloudwatch_logs(void *ctx, const fhx_record *rec,
                                const uint8_t *data, size_t len, fhx_buf *out,
                                fhx_answer *ans) {
    const fhx_cwlogs_opts *o = ctx;
    fhx_buf own, *doc;
    fhx_error e;
    size_t max;
    int st;
    if (!ans || !out || (!data && len)) return FHX_E_ARG;
    fhxi_clear_error(&e);
    if (!fhx_gzip_is_gzip(data, len)) { /* already decompressed JSON */
        st = answer_doc(o, (const char *)data, len, out, ans, &e);
        return st == FHX_OK ? st : report(o, rec, &e, st);
    }
    max = o && o->max_bytes ? o->max_bytes : FHX_GUNZIP_RECORD_MAX;
    fhx_buf_init(&own, out->alc);
    doc = o && o->scratch ? o->scratch : &own;
    doc->len = 0;
    st = fhx_gunzip_append(o ? o->reader : NULL, doc, data, len, max, &e);
    if (st == FHX_OK) {
        st = answer_doc(o, (const char *)doc->ptr, doc->len, out, ans, &e);
    }
    fhx_buf_free(&own);
    return st == FHX_OK ? st : report(o, rec, &e, st);
}
