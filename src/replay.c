/* libfirehose-xform: Firehose processing-failed error objects (replay.h). */
#include <string.h>

#include "jiter.h"

int fhx_failed_begin(fhx_failed_reader *r, const char *text, size_t len,
                     fhx_buf *scratch) {
    if (!r || (!text && len)) return FHX_E_ARG;
    r->text = text;
    r->len = len;
    r->pos = 0;
    r->index = 0;
    r->scratch = scratch;
    r->status = FHX_OK;
    fhxi_clear_error(&r->err);
    return FHX_OK;
}

/* Record the sticky error and copy it out. */
static int rfail(fhx_failed_reader *r, int code, size_t at, const char *msg,
                 fhx_error *err) {
    fhxi_set_error(&r->err, code, at, r->index, msg);
    r->status = code;
    if (err) *err = r->err;
    return code;
}

static void set_meta(fhx_meta_value *m, const char *p, const fhxi_jval *v) {
    if (v->kind == '"') {
        m->raw.ptr = p + v->str.start;
        m->raw.len = v->str.end - v->str.start;
        m->kind = FHX_META_STRING;
    } else {
        m->raw.ptr = p + v->start;
        m->raw.len = v->end - v->start;
        m->kind = v->kind == '0' ? FHX_META_NUMBER : FHX_META_OTHER;
    }
}

/* The member slot for a key, matched case-insensitively; NULL: unknown. */
static fhx_meta_value *slot_for(fhx_failed_record *rec, const char *p,
                                const fhxi_jval *k, fhx_meta_value *raw) {
    static const char *const names[] = {
        "rawData", "errorCode", "errorMessage", "attemptsMade",
        "arrivalTimestamp", "attemptEndingTimestamp", "lambdaArn"};
    fhx_meta_value *slots[7];
    size_t i;
    slots[0] = raw;
    slots[1] = &rec->error_code;
    slots[2] = &rec->error_message;
    slots[3] = &rec->attempts_made;
    slots[4] = &rec->arrival_timestamp;
    slots[5] = &rec->attempt_ending_timestamp;
    slots[6] = &rec->lambda_arn;
    for (i = 0; i < 7; i++)
        if (fhxi_jkey_is(p, k, names[i], 1)) return slots[i];
    return NULL;
}

/* rawData: resolve escapes (into scratch) and validate strictly. */
static int take_raw_data(fhx_failed_reader *r, fhx_failed_record *rec,
                         const fhx_meta_value *raw, int escaped,
                         fhx_error *err) {
    fhx_error e;
    size_t at = (size_t)(raw->raw.ptr - r->text);
    int st;
    rec->raw_data = raw->raw;
    rec->raw_data_offset = at;
    if (escaped) {
        size_t n = 0;
        if (!r->scratch)
            return rfail(r, FHX_E_SCHEMA, at,
                         "rawData has JSON escapes and no scratch buffer",
                         err);
        r->scratch->len = 0;
        st = fhx_buf_reserve(r->scratch, raw->raw.len + 1);
        if (st != FHX_OK) return rfail(r, st, at, "out of memory", err);
        st = fhx_json_unescape(raw->raw.ptr, raw->raw.len,
                               (char *)r->scratch->ptr, r->scratch->cap, &n,
                               &e);
        if (st != FHX_OK) return rfail(r, st, at + e.offset, e.msg, err);
        r->scratch->len = n;
        rec->raw_data.ptr = (const char *)r->scratch->ptr;
        rec->raw_data.len = n;
    }
    st = fhx_b64_validate(rec->raw_data.ptr, rec->raw_data.len,
                          &rec->data_len, &e);
    if (st != FHX_OK)
        /* with escapes the offset is in the unescaped text: close enough,
         * and exact for the escape-free text Firehose writes */
        return rfail(r, st, at + (escaped ? 0 : e.offset), e.msg, err);
    return FHX_OK;
}

int fhx_failed_next(fhx_failed_reader *r, fhx_failed_record *rec,
                    fhx_error *err) {
    fhxi_jiter it;
    fhxi_jval k, v;
    fhx_meta_value raw;
    fhx_error e;
    size_t start;
    int st, raw_escaped = 0;
    if (err) fhxi_clear_error(err);
    if (!r || !rec) return FHX_E_ARG;
    if (r->status != FHX_OK) {
        if (err) *err = r->err;
        return r->status;
    }
    fhxi_json_skip_ws(r->text, r->len, &r->pos);
    if (r->pos >= r->len) return FHX_END;
    memset(rec, 0, sizeof *rec);
    memset(&raw, 0, sizeof raw);
    start = r->pos;
    if (r->text[start] != '{')
        return rfail(r, FHX_E_SCHEMA, start,
                     "error-output record is not a JSON object", err);
    st = fhxi_jiter_begin(&it, r->text, r->len, start, 0, &e);
    while (st == FHXI_J_OK &&
           (st = fhxi_jiter_next(&it, &k, &v, &e)) == FHXI_J_OK) {
        fhx_meta_value *m = slot_for(rec, r->text, &k, &raw);
        if (!m) continue;
        if (m->kind != FHX_META_ABSENT)
            return rfail(r, FHX_E_SCHEMA, k.start,
                         "key given twice (keys are matched "
                         "case-insensitively)",
                         err);
        set_meta(m, r->text, &v);
        if (m == &raw) raw_escaped = v.str.escaped;
    }
    if (st != FHX_END) return rfail(r, st, e.offset, e.msg, err);
    if (raw.kind != FHX_META_STRING)
        return rfail(r, FHX_E_SCHEMA,
                     raw.kind == FHX_META_ABSENT
                         ? start
                         : (size_t)(raw.raw.ptr - r->text),
                     raw.kind == FHX_META_ABSENT ? "record without rawData"
                                                 : "rawData is not a string",
                     err);
    rec->index = r->index;
    rec->offset = start;
    rec->length = it.pos - start;
    st = take_raw_data(r, rec, &raw, raw_escaped, err);
    if (st != FHX_OK) return st;
    r->pos = it.pos;
    r->index++;
    return FHX_OK;
}
