/* libfirehose-xform: the built-in record handlers. */
#include <string.h>

#include "internal.h"

int fhx_handler_identity(void *ctx, const fhx_record *rec,
                         const uint8_t *data, size_t len, fhx_buf *out,
                         fhx_answer *ans) {
    (void)ctx;
    (void)rec;
    (void)out;
    if (!ans) return FHX_E_ARG;
    ans->result = FHX_RESULT_OK;
    ans->data = data;
    ans->data_len = len;
    return FHX_OK;
}

/* Already one message per line: no CR, no empty line, ends with LF. */
static int is_clean_ndjson(const uint8_t *data, size_t len) {
    const uint8_t *p = data, *end;
    /* an empty payload may come as NULL: no arithmetic on it */
    if (len == 0 || data[0] == '\n' || data[len - 1] != '\n') return 0;
    end = data + len;
    if (memchr(data, '\r', len)) return 0;
    for (;;) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || nl + 1 == end) return 1;
        if (nl[1] == '\n') return 0;
        p = nl + 1;
    }
}

int fhx_handler_ndjson(void *ctx, const fhx_record *rec, const uint8_t *data,
                       size_t len, fhx_buf *out, fhx_answer *ans) {
    fhx_framer fr;
    fhx_slice msg;
    int st;
    (void)ctx;
    (void)rec;
    if (!ans || !out || (!data && len)) return FHX_E_ARG;
    if (is_clean_ndjson(data, len)) {
        /* the common case (an IoT rule with separator "\n"): no copy */
        ans->result = FHX_RESULT_OK;
        ans->data = data;
        ans->data_len = len;
        return FHX_OK;
    }
    st = fhx_frame_init(&fr, data, len, FHX_SEP_LINE, 0);
    if (st != FHX_OK) return st;
    while ((st = fhx_frame_next(&fr, &msg)) == FHX_OK) {
        st = fhx_frame_append_line(out, msg.ptr, msg.len);
        if (st != FHX_OK) return st;
    }
    if (st != FHX_END) return st;
    ans->result = out->len ? FHX_RESULT_OK : FHX_RESULT_DROPPED;
    return FHX_OK;
}

/* A handler whose answer does not depend on the record. */
static int constant(fhx_answer *ans, fhx_result result) {
    if (!ans) return FHX_E_ARG;
    ans->result = result;
    return FHX_OK;
}

int fhx_handler_drop(void *ctx, const fhx_record *rec, const uint8_t *data,
                     size_t len, fhx_buf *out, fhx_answer *ans) {
    (void)ctx, (void)rec, (void)data, (void)len, (void)out;
    return constant(ans, FHX_RESULT_DROPPED);
}

int fhx_handler_fail(void *ctx, const fhx_record *rec, const uint8_t *data,
                     size_t len, fhx_buf *out, fhx_answer *ans) {
    (void)ctx, (void)rec, (void)data, (void)len, (void)out;
    return constant(ans, FHX_RESULT_PROCESSING_FAILED);
}

typedef struct named_handler {
    const char *name;
    fhx_handler_fn fn;
} named_handler;

static const named_handler handlers[] = {
    {"identity", fhx_handler_identity},
    {"ndjson", fhx_handler_ndjson},
    {"drop", fhx_handler_drop},
    {"fail", fhx_handler_fail},
    {"cloudwatch-logs", fhx_handler_cloudwatch_logs},
    {"iot", fhx_handler_iot},
};

fhx_handler_fn fhx_handler_find(const char *name) {
    size_t i;
    if (!name) return NULL;
    for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(handlers[i].name, name) == 0) return handlers[i].fn;
    return NULL;
}
