/* bootstrap: the per-invocation EMF log line (emf.h). */
#define _GNU_SOURCE /* sigset_t, for http.h */

#include "emf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

typedef struct out {
    char *buf;
    size_t cap;
    size_t n;
    int full;
} out;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(out *o, const char *fmt, ...);

static void put(out *o, const char *fmt, ...) {
    va_list ap;
    int k;
    if (o->full) return;
    va_start(ap, fmt);
    k = vsnprintf(o->buf + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= o->cap - o->n) {
        o->full = 1;
        return;
    }
    o->n += (size_t)k;
}

static void put_str(out *o, const char *s) {
    if (o->full) return;
    if (o->cap - o->n < 3) {
        o->full = 1;
        return;
    }
    o->buf[o->n++] = '"';
    if (rt_json_escape(o->buf, o->cap - 1, &o->n, s ? s : "") != 0)
        o->full = 1;
    else
        o->buf[o->n++] = '"';
}

typedef struct metric {
    const char *name;
    const char *unit;
} metric;

static const metric metrics[] = {
    {"Records", "Count"},         {"Ok", "Count"},
    {"Dropped", "Count"},         {"Failed", "Count"},
    {"InvalidPayload", "Count"},  {"HandlerRejected", "Count"},
    {"OverLimit", "Count"},       {"DeadlineFailed", "Count"},
    {"BytesIn", "Bytes"},         {"BytesOut", "Bytes"},
    {"TransformMicros", "Microseconds"},
    {"InvocationMicros", "Microseconds"},
};

size_t emf_format(char *buf, size_t cap, const emf_invocation *e) {
    out o;
    size_t i, rejected;
    char why[256];
    const fhx_transform_stats *s = &e->stats;
    uint64_t v[sizeof metrics / sizeof metrics[0]];
    o.buf = buf;
    o.cap = cap;
    o.n = 0;
    o.full = 0;
    rejected = s->handler_errors - e->deadline_failed;
    v[0] = s->records;
    v[1] = s->ok;
    v[2] = s->dropped;
    v[3] = s->failed;
    v[4] = s->invalid;
    v[5] = rejected;
    v[6] = s->over_limit;
    v[7] = e->deadline_failed;
    v[8] = s->bytes_in;
    v[9] = s->bytes_out;
    v[10] = e->transform_us;
    v[11] = e->invocation_us;

    put(&o, "{\"_aws\":{\"Timestamp\":%lld,\"CloudWatchMetrics\":[{"
            "\"Namespace\":",
        (long long)e->timestamp_ms);
    put_str(&o, e->ns);
    put(&o, ",\"Dimensions\":[[\"FunctionName\",\"Handler\"]],\"Metrics\":[");
    for (i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        put(&o, "%s{\"Name\":\"%s\",\"Unit\":\"%s\"}", i ? "," : "",
            metrics[i].name, metrics[i].unit);
    put(&o, "]}]},\"FunctionName\":");
    put_str(&o, e->function_name);
    put(&o, ",\"Handler\":");
    put_str(&o, e->handler);
    put(&o, ",\"Kernel\":");
    put_str(&o, e->kernel);
    put(&o, ",\"RequestId\":");
    put_str(&o, e->request_id);
    put(&o, ",\"Outcome\":");
    put_str(&o, e->outcome);
    for (i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        put(&o, ",\"%s\":%llu", metrics[i].name, (unsigned long long)v[i]);
    put(&o, ",\"Allocations\":%zu,\"Message\":", e->allocations);
    if (e->message) {
        put_str(&o, e->message);
    } else if (s->failed) {
        snprintf(why, sizeof why,
                 "%zu of %zu records ProcessingFailed (Firehose keeps them "
                 "raw in its processing-failed output): %zu invalid "
                 "payload, %zu rejected by the handler, %zu over the "
                 "response limit, %zu past the deadline",
                 s->failed, s->records, s->invalid, rejected, s->over_limit,
                 e->deadline_failed);
        put_str(&o, why);
    } else {
        put_str(&o, "all records answered");
    }
    put(&o, "}\n");
    return o.full ? 0 : o.n;
}
