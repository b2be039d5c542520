/* fhx event: newline-delimited messages in, Direct PUT events out. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
    "usage: fhx event [--max-bytes N] [-v] [FILE|-]\n"
    "\n"
    "Read newline-delimited messages (the file FILE, or standard input),\n"
    "the way an IoT topic rule with separator \"\\n\" hands them to\n"
    "Firehose, and write Firehose Direct PUT transformation events, one\n"
    "compact JSON event per output line.\n"
    "\n"
    "Each non-empty line becomes one record whose data is the line with\n"
    "its \"\\n\" (a last line without one stays without). recordIds are\n"
    "56-digit decimal strings, unique across the output;\n"
    "approximateArrivalTimestamp is the current time in epoch\n"
    "milliseconds, or SOURCE_DATE_EPOCH * 1000 when that variable is set.\n"
    "\n"
    "Options:\n"
    "  --max-bytes N  at most N bytes per event, its newline not counted\n"
    "                 (default 6291556, the Lambda payload limit); a new\n"
    "                 event starts when the next record would not fit\n"
    "  -v, --verbose  print a summary line on standard error\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "A message too long for an event of its own exits with status 65,\n"
    "naming its line, and nothing is written.\n";

enum { OPT_MAX_BYTES, OPT_VERBOSE, OPT_HELP, OPT_VERSION };

static const cli_opt opts[] = {
    {"max-bytes", 0, 1}, {"verbose", 'v', 0}, {"help", 'h', 0},
    {"version", 'V', 0}};

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

typedef struct event_writer {
    fhx_buf out;
    size_t max;             /* bytes per event, newline excluded */
    int64_t ts_ms;          /* approximateArrivalTimestamp */
    char ts_text[24];
    size_t ts_len;
    size_t event_start;     /* out.len where the open event starts */
    size_t in_event;        /* records in the open event (0: none open) */
    size_t events;          /* events started */
    unsigned long long ids; /* records written */
} event_writer;

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

/* ==== Writing ============================================================ */

static size_t head_len(void) {
    return LIT_LEN(head_a) + INVOCATION_ID_LEN + LIT_LEN(head_b);
}

/* Bytes of the record for a message of n bytes; 0 on overflow. */
static size_t record_len(const event_writer *w, size_t n) {
    size_t fixed = LIT_LEN(rec_a) + ID_DIGITS + LIT_LEN(rec_b) + w->ts_len +
                   LIT_LEN(rec_c) + LIT_LEN(rec_d);
    size_t b64 = FHX_B64_ENCODED_LEN(n);
    if (n > 0 && b64 == 0) return 0;
    return b64 > SIZE_MAX - fixed ? 0 : fixed + b64;
}

static int open_event(event_writer *w) {
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

static int close_event(event_writer *w) {
    int st = CLI_EX_OK;
    if (w->in_event > 0) st = cli_buf_append(&w->out, tail, LIT_LEN(tail));
    if (w->in_event > 0 && st == CLI_EX_OK)
        st = cli_buf_append(&w->out, "\n", 1);
    w->in_event = 0;
    return st;
}

static int append_data(event_writer *w, const char *msg, size_t n) {
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

static int append_record(event_writer *w, const char *msg, size_t n) {
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
    if (st == CLI_EX_OK) st = append_data(w, msg, n);
    if (st == CLI_EX_OK) st = cli_buf_append(&w->out, rec_d, LIT_LEN(rec_d));
    w->in_event++;
    return st;
}

/*
 * Add one message: into the open event when it fits, else into a new one.
 * Returns CLI_EX_DATAERR (not printed) when it fits in no event.
 */
static int add_message(event_writer *w, const char *msg, size_t n) {
    size_t rec = record_len(w, n);
    int st;
    if (rec == 0 || rec > w->max || w->max - rec < head_len() + LIT_LEN(tail))
        return CLI_EX_DATAERR;
    if (w->in_event > 0) {
        size_t used = w->out.len - w->event_start;
        if (used + 1 + rec + LIT_LEN(tail) > w->max) {
            st = close_event(w);
            if (st != CLI_EX_OK) return st;
        }
    }
    if (w->in_event == 0) {
        st = open_event(w);
        if (st != CLI_EX_OK) return st;
    }
    return append_record(w, msg, n);
}

/* ==== Input ============================================================== */

/* A line holding only "\r" and "\n" bytes carries no message. */
static int is_blank(const char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != '\n' && p[i] != '\r') return 0;
    return 1;
}

static int too_long(const event_writer *w, const char *name,
                    const char *text, size_t len, size_t pos, size_t line,
                    size_t n) {
    char where[512];
    cli_format_where(where, sizeof where, name, text, len, pos,
                     FHX_NO_RECORD, NULL);
    cli_err("%s: the message on line %zu (%zu bytes) does not fit in an "
            "event of at most %zu bytes",
            where, line, n, w->max);
    return CLI_EX_DATAERR;
}

static int convert(event_writer *w, const char *name, const char *text,
                   size_t len, size_t *messages) {
    size_t pos = 0, line = 1;
    int st;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (!is_blank(text + pos, end - pos)) {
            st = add_message(w, text + pos, end - pos);
            if (st == CLI_EX_DATAERR)
                return too_long(w, name, text, len, pos, line, end - pos);
            if (st != CLI_EX_OK) return st;
            (*messages)++;
        }
        pos = end;
        line++;
    }
    return close_event(w);
}

/* ==== Command ============================================================ */

static int parse_args(event_writer *w, const char **path, int argc,
                      char **argv, int *verbose, int *done) {
    cli_args a;
    const char *val;
    int k;
    cli_args_init(&a, argc, argv, "event");
    while ((k = cli_args_next(&a, opts, sizeof opts / sizeof opts[0],
                              &val)) != CLI_ARG_END) {
        if (k == CLI_ARG_ERROR) return CLI_EX_USAGE;
        if (k == CLI_ARG_OPERAND) {
            if (*path) return cli_usage_error("event", "too many arguments");
            *path = val;
        } else if (k == OPT_MAX_BYTES) {
            if (!cli_parse_size(val, &w->max))
                return cli_usage_error(
                    "event", "--max-bytes needs a positive integer, not '%s'",
                    val);
        } else if (k == OPT_VERBOSE) {
            *verbose = 1;
        } else {
            *done = 1;
            return k == OPT_HELP ? cli_puts_stdout(usage)
                                 : cli_print_version();
        }
    }
    return CLI_EX_OK;
}

int cli_cmd_event(int argc, char **argv) {
    event_writer w;
    const char *path = NULL;
    char *text = NULL;
    size_t len = 0, messages = 0;
    int st, verbose = 0, done = 0;
    memset(&w, 0, sizeof w);
    fhx_buf_init(&w.out, NULL);
    w.max = FHX_LAMBDA_RESPONSE_LIMIT;
    st = parse_args(&w, &path, argc, argv, &verbose, &done);
    if (done || st != CLI_EX_OK) return st;
    if (!arrival_ms(&w.ts_ms))
        return cli_usage_error("event", "SOURCE_DATE_EPOCH must be a "
                                        "non-negative integer of seconds");
    w.ts_len = (size_t)snprintf(w.ts_text, sizeof w.ts_text, "%lld",
                                (long long)w.ts_ms);
    st = cli_read_input(path, &text, &len);
    if (st != CLI_EX_OK) return st;
    st = convert(&w, cli_input_name(path), text, len, &messages);
    if (st == CLI_EX_OK && verbose)
        cli_err("event: %zu messages in %zu events", messages, w.events);
    if (st == CLI_EX_OK) st = cli_write_stdout(w.out.ptr, w.out.len);
    fhx_buf_free(&w.out);
    free(text);
    return st;
}
