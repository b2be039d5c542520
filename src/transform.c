/*
 * libfirehose-xform: the one-shot transform, a thin loop over the event
 * decoder and the response writer: next record → handler → answer.
 *
 * The limit: an answer that does not fit becomes ProcessingFailed. When
 * even that does not fit, the latest answers are rewritten smaller to make
 * room (room.h), so every record of the event is answered whenever the
 * ProcessingFailed answers of all of them fit. The records still to come
 * are unknown (a chunked transform has not seen them), so each time room
 * is made it is made for the answer plus a slack: none the first time,
 * then 4 KiB, doubling every time after. That bounds the rewrites to a
 * logarithmic number (each one moves the end of the response), and what is
 * freed beyond the need to the last slack. The same rule for a whole event
 * and a chunked one keeps their responses byte-identical for every split.
 */
#include <string.h>

#include "internal.h"
#include "room.h"

struct fhx_transformer {
    fhx_allocator alc_store;
    const fhx_allocator *alc;
    fhx_event_decoder *dec;
    size_t slack;    /* room to make beyond the need, the next time */
    fhx_response_writer *w;
    fhx_buf out;     /* the response */
    fhx_buf payload; /* decoded record payload */
    fhx_buf scratch; /* the handler's output */
    size_t limit;
    fhx_handler_fn fn;
    void *ctx;
    int active;      /* between begin and finish */
    int status;      /* sticky error of the current transform */
    fhx_error err;
    fhx_transform_stats stats;
};

int fhx_transformer_new(fhx_transformer **out, const fhx_allocator *alc) {
    fhx_transformer *t;
    int st;
    if (!out) return FHX_E_ARG;
    *out = NULL;
    if (!fhxi_alc_valid(alc)) return FHX_E_ARG;
    t = fhxi_obj_alloc(alc, sizeof *t);
    if (!t) return FHX_E_NOMEM;
    t->alc = fhxi_alc_keep(&t->alc_store, alc);
    fhx_buf_init(&t->out, t->alc);
    fhx_buf_init(&t->payload, t->alc);
    fhx_buf_init(&t->scratch, t->alc);
    t->limit = FHX_LAMBDA_RESPONSE_LIMIT;
    fhxi_clear_error(&t->err);
    st = fhx_event_decoder_new(&t->dec, t->alc);
    if (st == FHX_OK) st = fhx_response_writer_new(&t->w, t->alc);
    if (st != FHX_OK) {
        fhx_transformer_free(t);
        return st;
    }
    *out = t;
    return FHX_OK;
}

void fhx_transformer_free(fhx_transformer *t) {
    if (!t) return;
    fhx_event_decoder_free(t->dec);
    fhx_response_writer_free(t->w);
    fhx_buf_free(&t->out);
    fhx_buf_free(&t->payload);
    fhx_buf_free(&t->scratch);
    fhxi_obj_free(t->alc, t, sizeof *t);
}

int fhx_transformer_set_limit(fhx_transformer *t, size_t limit) {
    if (!t || limit < 16) return FHX_E_ARG;
    t->limit = limit;
    return FHX_OK;
}

const fhx_error *fhx_transform_error(const fhx_transformer *t) {
    return t ? &t->err : NULL;
}

const fhx_transform_stats *fhx_transform_get_stats(const fhx_transformer *t) {
    return t ? &t->stats : NULL;
}

/* Record a fatal error (the first one wins). */
static int fail(fhx_transformer *t, int code, const fhx_error *from,
                size_t record, const char *msg) {
    if (t->status == FHX_OK) {
        if (from && from->code != FHX_OK)
            t->err = *from;
        else
            fhxi_set_error(&t->err, code, fhx_event_offset(t->dec), record,
                           msg);
        t->status = code;
    }
    t->active = 0;
    return t->status;
}

/* Give the writer more room after FHX_NEED_OUTPUT. */
static int more_output(fhx_transformer *t) {
    int st;
    t->out.len += fhx_response_output_len(t->w);
    st = fhx_buf_reserve(&t->out, t->out.cap > 65536 ? t->out.cap : 65536);
    if (st != FHX_OK) return st;
    return fhx_response_set_output(t->w, (char *)t->out.ptr + t->out.len,
                                   t->out.cap - t->out.len);
}

static int add(fhx_transformer *t, const fhx_record *rec,
               const fhx_answer *ans) {
    int st = fhxi_response_try_add(t->w, rec, ans);
    while (st == FHX_NEED_OUTPUT) {
        st = more_output(t);
        if (st == FHX_OK) st = fhxi_response_try_add(t->w, rec, ans);
    }
    return st;
}

/* Make room for a ProcessingFailed answer to rec (room.h).
 * FHX_FULL when there is no such room. */
static int make_room(fhx_transformer *t, const fhx_record *rec) {
    fhxi_room_stats rs;
    int st = fhxi_room_for_pf(t->w, &t->out, rec->id.len, &t->slack, &rs);
    if (st != FHX_OK) return st;
    t->stats.ok -= rs.ok;
    t->stats.failed += rs.ok;
    t->stats.over_limit += rs.ok;
    return FHX_OK;
}

/* Answer rec ProcessingFailed without data: its answer passed the limit. */
static int answer_over_limit(fhx_transformer *t, const fhx_record *rec,
                             fhx_answer *ans) {
    int st;
    memset(ans, 0, sizeof *ans);
    ans->result = FHX_RESULT_PROCESSING_FAILED;
    t->stats.over_limit++;
    st = add(t, rec, ans);
    if (st == FHX_FULL) {
        st = make_room(t, rec);
        if (st == FHX_OK) st = add(t, rec, ans);
    }
    if (st == FHX_FULL)
        return fail(t, FHX_E_LIMIT, NULL, rec->index,
                    "the ProcessingFailed answers of the event pass the "
                    "limit");
    return st;
}

static void count(fhx_transformer *t, fhx_result r) {
    if (r == FHX_RESULT_OK)
        t->stats.ok++;
    else if (r == FHX_RESULT_DROPPED)
        t->stats.dropped++;
    else
        t->stats.failed++;
}

/* Answer ProcessingFailed instead of what the handler said. */
static void refuse(fhx_transformer *t, fhx_answer *ans) {
    memset(ans, 0, sizeof *ans);
    ans->result = FHX_RESULT_PROCESSING_FAILED;
    t->stats.handler_errors++;
}

/* Work out the answer for one record and write it. */
static int answer(fhx_transformer *t, const fhx_record *rec) {
    fhx_answer ans;
    int st;
    memset(&ans, 0, sizeof ans);
    ans.result = FHX_RESULT_OK;
    t->stats.records++;

    if (rec->status != FHX_OK) {
        ans.result = FHX_RESULT_PROCESSING_FAILED;
        t->stats.invalid++;
    } else if (t->fn == fhx_handler_identity &&
               !(rec->flags & FHX_REC_DATA_ESCAPED)) {
        /* identity: the validated base64 goes back as it came */
        ans.data_b64 = rec->data.ptr;
        ans.data_b64_len = rec->data.len;
    } else {
        size_t n = 0;
        t->payload.len = 0;
        t->scratch.len = 0;
        st = fhx_buf_reserve(&t->payload, rec->data_len);
        if (st != FHX_OK) return fail(t, st, NULL, rec->index, "out of memory");
        st = fhx_record_decode(rec, t->payload.ptr, t->payload.cap, &n);
        if (st != FHX_OK)
            return fail(t, st, NULL, rec->index, "payload decoding failed");
        st = t->fn(t->ctx, rec, t->payload.ptr, n, &t->scratch, &ans);
        /* out of memory is no fault of the record: the transform fails
         * (Firehose retries the batch) instead of diverting the record */
        if (st == FHX_E_NOMEM)
            return fail(t, st, NULL, rec->index, "out of memory in the handler");
        if (st >= 0 && ans.result == FHX_RESULT_OK && !ans.data &&
            !ans.data_b64) {
            ans.data = t->scratch.ptr;
            ans.data_len = t->scratch.len;
        }
        /* a failed handler: that record fails, not the batch */
        if (st < 0) refuse(t, &ans);
    }
    st = add(t, rec, &ans);
    if (st == FHX_E_ARG) {
        /* the writer refused the handler's answer (a result out of range,
         * partition keys that are not UTF-8, NULL with a length): that
         * record fails, not the batch */
        refuse(t, &ans);
        st = add(t, rec, &ans);
    }
    if (st == FHX_FULL) /* keep the record in Firehose's error output */
        st = answer_over_limit(t, rec, &ans);
    if (t->status != FHX_OK) return t->status;
    if (st != FHX_OK)
        return fail(t, st, fhx_response_error(t->w), rec->index,
                    "writing the answer failed");
    count(t, ans.result);
    return FHX_OK;
}

/* Answer every record the decoder can produce now. */
static int drain(fhx_transformer *t) {
    fhx_record rec;
    int st;
    while ((st = fhx_event_next(t->dec, &rec)) == FHX_OK) {
        st = answer(t, &rec);
        if (st != FHX_OK) return st;
    }
    if (st < 0) return fail(t, st, fhx_event_error(t->dec), FHX_NO_RECORD, "");
    return st; /* FHX_END or FHX_NEED_INPUT */
}

static int start(fhx_transformer *t, fhx_handler_fn fn, void *ctx,
                 size_t expect) {
    int st;
    t->fn = fn ? fn : fhx_handler_identity;
    t->ctx = ctx;
    t->status = FHX_OK;
    t->slack = 0;
    fhxi_clear_error(&t->err);
    memset(&t->stats, 0, sizeof t->stats);
    t->out.len = 0;
    /* an identity response is about the size of its event */
    if (expect > t->limit) expect = t->limit;
    st = fhx_buf_reserve(&t->out, expect + 64);
    if (st != FHX_OK) return fail(t, st, NULL, FHX_NO_RECORD, "out of memory");
    return FHX_OK;
}

/* Bind the writer to the event just begun (the writer notices when its
 * decoder moves on to another event, so this comes after the begin). */
static int open_writer(fhx_transformer *t) {
    int st = fhx_response_begin(t->w, t->dec, (char *)t->out.ptr, t->out.cap);
    if (st == FHX_OK) st = fhx_response_set_limit(t->w, t->limit);
    if (st != FHX_OK)
        return fail(t, st, fhx_response_error(t->w), FHX_NO_RECORD, "writer");
    t->active = 1;
    return FHX_OK;
}

static int finish(fhx_transformer *t, const char **out, size_t *out_len) {
    int st = drain(t);
    if (st < 0) return st;
    if (st != FHX_END)
        return fail(t, FHX_E_STATE, NULL, FHX_NO_RECORD,
                    "the event is not complete");
    st = fhx_response_end(t->w);
    while (st == FHX_NEED_OUTPUT) {
        st = more_output(t);
        if (st == FHX_OK) st = fhx_response_end(t->w);
    }
    if (st != FHX_OK)
        return fail(t, st, fhx_response_error(t->w), FHX_NO_RECORD,
                    "closing the response failed");
    t->out.len += fhx_response_output_len(t->w);
    t->stats.bytes_out = t->out.len;
    t->active = 0;
    *out = (const char *)t->out.ptr;
    *out_len = t->out.len;
    return FHX_OK;
}

int fhx_transform(fhx_transformer *t, const char *event, size_t len,
                  fhx_handler_fn fn, void *ctx, const char **out,
                  size_t *out_len) {
    int st;
    if (!t || (!event && len) || !out || !out_len) return FHX_E_ARG;
    st = start(t, fn, ctx, len);
    if (st != FHX_OK) return st;
    st = fhx_event_begin(t->dec, event, len);
    if (st != FHX_OK) return fail(t, st, NULL, FHX_NO_RECORD, "begin");
    st = open_writer(t);
    if (st != FHX_OK) return st;
    t->stats.bytes_in = len;
    return finish(t, out, out_len);
}

int fhx_transform_begin(fhx_transformer *t, fhx_handler_fn fn, void *ctx) {
    int st;
    if (!t) return FHX_E_ARG;
    st = start(t, fn, ctx, 0);
    if (st != FHX_OK) return st;
    st = fhx_event_begin_stream(t->dec);
    if (st != FHX_OK) return fail(t, st, NULL, FHX_NO_RECORD, "begin");
    return open_writer(t);
}

int fhx_transform_feed(fhx_transformer *t, const char *chunk, size_t len) {
    int st;
    if (!t || (!chunk && len)) return FHX_E_ARG;
    if (t->status != FHX_OK) return t->status;
    if (!t->active) return FHX_E_STATE;
    st = fhx_event_feed(t->dec, chunk, len);
    if (st != FHX_OK) return fail(t, st, NULL, FHX_NO_RECORD, "feed");
    t->stats.bytes_in += len;
    st = drain(t);
    if (st < 0) return st;
    return FHX_OK; /* FHX_NEED_INPUT, or FHX_END already (trailing space) */
}

int fhx_transform_finish(fhx_transformer *t, const char **out,
                         size_t *out_len) {
    int st;
    if (!t || !out || !out_len) return FHX_E_ARG;
    if (t->status != FHX_OK) return t->status;
    if (!t->active) return FHX_E_STATE;
    st = fhx_event_finish(t->dec);
    if (st != FHX_OK) return fail(t, st, NULL, FHX_NO_RECORD, "finish");
    return finish(t, out, out_len);
}
