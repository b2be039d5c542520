/* fhx: building Firehose Direct PUT events (fhx event, fhx replay). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define STREAM_ARN \
    "arn:aws:firehose:us-east-1:123456789012:deliverystream/fhx-local"
#define REGION "us-east-1"

/* Event head after the invocationId, and the record pieces. */
static const char head_a[] = "{\"invocationId\":\"";
static const char head_b[] = "\",\"deliveryStreamArn\":\"" STREAM_ARN
                             "\",\"region\":\"" REGION "\",\"records\":[";
static const char rec_a[] = "{\"recordId\":\"";
static const char rec_b[] = "\",\"approximateArrivalTimestamp\":";
static const char rec_c[] = ",\"data\":\"";
static const char rec_d[] = "\"}";
static const char tail[] = "]}";

#define LIT_LEN(s) (sizeof(s) - 1)
#define ID_DIGITS 56
#define INVOCATION_ID_LEN 36

/* ==== Time =============================================================== */

/* SOURCE_DATE_EPOCH * 1000, or the clock. Returns 0 on a bad variable. */
static int arrival_ms(int64_t *out) {
    const char *s = getenv("SOURCE_DATE_EPOCH");
    struct timespec now;
    int64_t v = 0;
    if (s) {
        if (*s == '\0') return 0;
        for (; *s; s++) {
            if (*s < '0' || *s > '9') return 0;
            if (v > (INT64_MAX / 1000 - (*s - '0')) / 10) return 0;
            v = v * 10 + (*s - '0');
        }
        *out = v * 1000;
        return 1;
    }
    if (clock_gettime(CLOCK_REALTIME, &now) == 0)
        *out = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    else
        *out = (int64_t)time(NULL) * 1000;
    return 1;
}

int cli_events_init(cli_events *w, size_t max, const char *cmd) {
    memset(w, 0, sizeof *w);
    fhx_buf_init(&w->out, NULL);
    w->max = max;
    if (!arrival_ms(&w->ts_ms))
        return cli_usage_error(cmd, "SOURCE_DATE_EPOCH must be a "
                                    "non-negative integer of seconds");
    w->ts_len = (size_t)snprintf(w->ts_text, sizeof w->ts_text, "%lld",
                                 (long long)w->ts_ms);
    return CLI_EX_OK;
}

void cli_events_free(cli_events *w) { fhx_buf_free(&w->out); }

/* ==== Writing ============================================================ */

static size_t head_len(void) {
    return LIT_LEN(head_a) + INVOCATION_ID_LEN + LIT_LEN(head_b);
}

/* Bytes of the record for n bytes of data (base64 text when is_b64);
 * 0 on overflow. */
static size_t record_len(const cli_events *w, size_t n, int is_b64) {
    size_t fixed = LIT_LEN(rec_a) + ID_DIGITS + LIT_LEN(rec_b) + w->ts_len +
                   LIT_LEN(rec_c) + LIT_LEN(rec_d);
    size_t b64 = is_b64 ? n : FHX_B64_ENCODED_LEN(n);
    if (n > 0 && b64 == 0) return 0;
    return b64 > SIZE_MAX - fixed ? 0 : fixed + b64;
}

static int open_event(cli_events *w) {
    char id[INVOCATION_ID_LEN + 1];
    int st;
    /* UUID-shaped, derived from the time and the event number. */
    snprintf(id, sizeof id, "%08lx-%04lx-4000-8000-%012llx",
             (unsigned long)((uint64_t)w->ts_ms / 1000 & 0xffffffffu),
             (unsigned long)((uint64_t)w->ts_ms % 1000),
             (unsigned long long)w->events & 0xffffffffffffULL);
    w->event_start = w->out.len;
    w->events++;
    st = cli_buf_append(&w->out, head_a, LIT_LEN(head_a));
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, id, INVOCATION_ID_LEN);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, head_b, LIT_LEN(head_b));
    return st;
}

int cli_events_close(cli_events *w) {
    int st = CLI_EX_OK;
    if (w->in_event > 0) st = cli_buf_append(&w->out, tail, LIT_LEN(tail));
    if (w->in_event > 0 && st == CLI_EX_OK)
        st = cli_buf_append(&w->out, "\n", 1);
    w->in_event = 0;
    return st;
}

static int append_data(cli_events *w, const char *msg, size_t n) {
    size_t need = FHX_B64_ENCODED_LEN(n), put = 0;
    int st;
    if (fhx_buf_reserve(&w->out, need + 1) != FHX_OK)
        return cli_fail_status("event", FHX_E_NOMEM);
    st = fhx_b64_encode((const uint8_t *)msg, n,
                        (char *)w->out.ptr + w->out.len,
                        w->out.cap - w->out.len, &put);
    if (st != FHX_OK) return cli_fail_status("event", st);
    w->out.len += put;
    return CLI_EX_OK;
}

static int append_record(cli_events *w, const char *msg, size_t n,
                         int is_b64) {
    char id[ID_DIGITS + 1];
    int st = CLI_EX_OK;
    /* 20 digits of time, 36 of counter: unique within and across runs. */
    snprintf(id, sizeof id, "%020lld%036llu", (long long)w->ts_ms,
             ++w->ids);
    if (w->in_event > 0) st = cli_buf_append(&w->out, ",", 1);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, rec_a, LIT_LEN(rec_a));
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, id, ID_DIGITS);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, rec_b, LIT_LEN(rec_b));
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, w->ts_text, w->ts_len);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, rec_c, LIT_LEN(rec_c));
    if (st == CLI_EX_OK)
        st = is_b64 ? cli_buf_append(&w->out, msg, n)
                    : append_data(w, msg, n);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, rec_d, LIT_LEN(rec_d));
    w->in_event++;
    return st;
}

int cli_events_add(cli_events *w, const char *data, size_t n, int is_b64) {
    size_t rec = record_len(w, n, is_b64);
    int st;
    if (rec == 0 || rec > w->max || w->max - rec < head_len() + LIT_LEN(tail))
        return CLI_EX_DATAERR;
    if (w->in_event > 0) {
        size_t used = w->out.len - w->event_start;
        if (used + 1 + rec + LIT_LEN(tail) > w->max) {
            st = cli_events_close(w);
            if (st != CLI_EX_OK) return st;
        }
    }
    if (w->in_event == 0) {
        st = open_event(w);
        if (st != CLI_EX_OK) return st;
    }
    return append_record(w, data, n, is_b64);
}
