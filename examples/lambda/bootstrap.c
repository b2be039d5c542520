/*
 * bootstrap: the Lambda custom runtime (provided.al2023) around
 * libfirehose-xform. One process, one loop:
 *
 *     GET /next → fhx_transform(event, handler) → POST /response
 *                 (the event cannot be parsed)  → POST /error
 *
 * Configuration (environment):
 *   AWS_LAMBDA_RUNTIME_API  host:port of the Runtime API (set by Lambda)
 *   FHX_HANDLER             handler name for fhx_handler_find (identity,
 *                           ndjson, iot, ...); else _HANDLER (the
 *                           function's Handler setting); else "iot"
 *   FHX_RESPONSE_LIMIT      a response limit below the Lambda limit of
 *                           6,291,556 bytes (default: that limit)
 *   FHX_METRICS_NAMESPACE   CloudWatch namespace of the EMF metrics
 *                           (default "FirehoseTransform")
 *   FHX_DEADLINE_GUARD_MS   below this much time left at the start of an
 *                           invocation (default 2000), the records are
 *                           processed under a deadline guard (below)
 *   FHX_DEADLINE_MARGIN_MS  the guard stops this long before the
 *                           deadline (default 200)
 *
 * What goes where:
 *   - a record answered ProcessingFailed (bad payload, handler rejection,
 *     over the response limit, past the deadline) stays in the response;
 *     Firehose keeps it raw in its processing-failed error output;
 *   - an event that cannot be parsed goes to /error (errorType
 *     Firehose.InvalidEvent): Firehose retries it, then keeps it;
 *   - an unknown handler or a bad setting goes to /init/error and the
 *     process exits.
 * Deadline: with Lambda-Runtime-Deadline-Ms close (less than the guard
 * time left), the handler runs behind a guard that checks the clock every
 * 64 records; once the deadline minus the margin has passed, the remaining
 * records are answered ProcessingFailed, so a complete, valid response
 * still goes out before Lambda stops the invocation.
 * SIGTERM (and SIGINT): blocked while an invocation runs, so it is
 * finished and answered; taken while waiting for the next one; the process
 * then exits 0.
 * Memory: the event buffer, the transformer's buffers and the tables are
 * reused; after the first event of a given size nothing is allocated (the
 * EMF line reports the allocator calls of each invocation).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emf.h"
#include "firehose-xform.h"
#include "runtime.h"

/* ---- allocator that counts ---------------------------------------------- */

static size_t alloc_calls;

static void *count_alloc(void *ctx, size_t size) {
    (void)ctx;
    alloc_calls++;
    return malloc(size);
}

static void *count_realloc(void *ctx, void *p, size_t old_size,
                           size_t new_size) {
    (void)ctx;
    (void)old_size;
    alloc_calls++;
    return realloc(p, new_size);
}

static void count_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}

static const fhx_allocator counting = {count_alloc, count_realloc, count_free,
                                       NULL};

/* ---- clock, logging, signals ------------------------------------------- */

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One whole line to stdout (Lambda sends it to CloudWatch Logs). */
static void log_line(const char *s, size_t n) {
    while (n > 0) {
        ssize_t k = write(1, s, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return;
        }
        s += k;
        n -= (size_t)k;
    }
}

/* {"level":...,"message":...} */
static void log_event(const char *level, const char *message) {
    char line[1024];
    size_t n = 0;
    n += (size_t)snprintf(line, sizeof line, "{\"level\":\"%s\",\"message\":\"",
                          level);
    (void)rt_json_escape(line, sizeof line - 3, &n, message);
    memcpy(line + n, "\"}\n", 3);
    log_line(line, n + 3);
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* Block SIGTERM and SIGINT (pending until the next wait) and return the
 * mask to wait with (the same, with them unblocked). */
static void setup_signals(sigset_t *wait_mask) {
    struct sigaction sa;
    sigset_t block;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the wait must see EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, wait_mask);
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGINT);
}

/* ---- configuration --------------------------------------------------------- */

typedef struct config {
    const char *handler_name;
    fhx_handler_fn handler;
    size_t limit;
    const char *ns;
    const char *function_name;
    int64_t guard_ms;
    int64_t margin_ms;
} config;

/* A non-negative decimal setting; def when unset. -1 when malformed. */
static int env_num(const char *name, int64_t def, int64_t max, int64_t *out) {
    const char *s = getenv(name);
    int64_t v = 0;
    if (!s || !*s) {
        *out = def;
        return 0;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > max) return -1;
    }
    *out = v;
    return 0;
}

/* NULL, or why the configuration is invalid. */
static const char *load_config(config *cfg) {
    int64_t limit;
    const char *s;
    cfg->handler_name = getenv("FHX_HANDLER");
    if (!cfg->handler_name || !*cfg->handler_name)
        cfg->handler_name = getenv("_HANDLER");
    if (!cfg->handler_name || !*cfg->handler_name) cfg->handler_name = "iot";
    cfg->handler = fhx_handler_find(cfg->handler_name);
    if (!cfg->handler) return "unknown handler (FHX_HANDLER or _HANDLER)";
    if (env_num("FHX_RESPONSE_LIMIT", (int64_t)FHX_LAMBDA_RESPONSE_LIMIT,
                (int64_t)FHX_LAMBDA_RESPONSE_LIMIT, &limit) != 0 ||
        limit < 1024)
        return "FHX_RESPONSE_LIMIT must be 1024 to 6291556 bytes";
    cfg->limit = (size_t)limit;
    if (env_num("FHX_DEADLINE_GUARD_MS", 2000, 900000, &cfg->guard_ms) != 0)
        return "FHX_DEADLINE_GUARD_MS must be a number of milliseconds";
    if (env_num("FHX_DEADLINE_MARGIN_MS", 200, 900000, &cfg->margin_ms) != 0)
        return "FHX_DEADLINE_MARGIN_MS must be a number of milliseconds";
    s = getenv("FHX_METRICS_NAMESPACE");
    cfg->ns = s && *s ? s : "FirehoseTransform";
    s = getenv("AWS_LAMBDA_FUNCTION_NAME");
    cfg->function_name = s ? s : "";
    return NULL;
}

/* ---- the deadline guard -------------------------------------------------- */

typedef struct guard {
    fhx_handler_fn inner;
    int64_t stop_at_ms;
    size_t seen;
    size_t expired;
    int passed;
} guard;

static int guarded(void *ctx, const fhx_record *rec, const uint8_t *data,
                   size_t len, fhx_buf *out, fhx_answer *ans) {
    guard *g = ctx;
    if (!g->passed && g->seen++ % 64 == 0 && wall_ms() >= g->stop_at_ms)
        g->passed = 1;
    if (g->passed) {
        g->expired++;
        return FHX_E_LIMIT; /* → ProcessingFailed */
    }
    return g->inner(NULL, rec, data, len, out, ans);
}

/* ---- one invocation ---------------------------------------------------------- */

typedef struct runtime {
    config cfg;
    rt_client rt;
    fhx_transformer *t;
    const char *kernel;
    size_t invocations;
    char msg[512];
    char line[4096];
} runtime;

static const char *event_error_type(int code) {
    switch (code) {
    case FHX_E_NOMEM: return "Runtime.OutOfMemory";
    case FHX_E_LIMIT: return "Firehose.ResponseLimit";
    default: return "Firehose.InvalidEvent";
    }
}

/* Returns 0 to go on, 1 to exit (the Runtime API said it is over). */
static int invoke(runtime *r, const rt_invocation *inv, uint64_t t_start) {
    emf_invocation e;
    guard g;
    fhx_handler_fn fn = r->cfg.handler;
    void *ctx = NULL;
    const char *resp = NULL;
    size_t resp_len = 0, allocs0 = alloc_calls, n;
    uint64_t t0, t1;
    int st, post;

    memset(&e, 0, sizeof e);
    memset(&g, 0, sizeof g);
    if (inv->deadline_ms > 0 &&
        inv->deadline_ms - wall_ms() < r->cfg.guard_ms) {
        g.inner = fn;
        g.stop_at_ms = inv->deadline_ms - r->cfg.margin_ms;
        fn = guarded;
        ctx = &g;
    }
    t0 = mono_us();
    st = fhx_transform(r->t, inv->event, inv->event_len, fn, ctx, &resp,
                       &resp_len);
    t1 = mono_us();
    e.stats = *fhx_transform_get_stats(r->t);
    if (st == FHX_OK) {
        post = rt_respond(&r->rt, inv, resp, resp_len);
        e.outcome = "response";
    } else {
        const fhx_error *err = fhx_transform_error(r->t);
        snprintf(r->msg, sizeof r->msg, "%s at byte %zu%s: %s",
                 fhx_status_name(err->code), err->offset,
                 err->record != FHX_NO_RECORD ? " (in a record)" : "",
                 err->msg ? err->msg : fhx_strerror(err->code));
        post = rt_error(&r->rt, inv, event_error_type(st), r->msg);
        e.outcome = "error";
        e.message = r->msg;
    }
    r->invocations++;
    e.ns = r->cfg.ns;
    e.function_name = r->cfg.function_name;
    e.handler = r->cfg.handler_name;
    e.kernel = r->kernel;
    e.request_id = inv->request_id;
    e.timestamp_ms = wall_ms();
    e.deadline_failed = g.expired;
    e.transform_us = t1 - t0;
    e.invocation_us = mono_us() - t_start;
    e.allocations = alloc_calls - allocs0;
    n = emf_format(r->line, sizeof r->line, &e);
    if (n) log_line(r->line, n);
    if (post == HTTP_OK) return 0;
    if (post == RT_REJECTED) {
        snprintf(r->msg, sizeof r->msg,
                 "the Runtime API refused the %s with HTTP %d",
                 e.outcome, r->rt.http.status);
        log_event("error", r->msg);
        return 0;
    }
    snprintf(r->msg, sizeof r->msg, "posting the %s failed (%d, HTTP %d)",
             e.outcome, post, r->rt.http.status);
    log_event("error", r->msg);
    return post == RT_FATAL || post < 0;
}

int main(void) {
    static runtime r;
    sigset_t wait_mask;
    const char *why;
    int status = 0;

    setup_signals(&wait_mask);
    if (rt_init(&r.rt, getenv("AWS_LAMBDA_RUNTIME_API"), &counting, &why) !=
        0) {
        log_event("fatal", why); /* there is no Runtime API to tell */
        return 1;
    }
    r.rt.http.wait_mask = &wait_mask;
    r.rt.http.stop = &stop_requested;
    why = load_config(&r.cfg);
    if (!why && fhx_transformer_new(&r.t, &counting) != FHX_OK)
        why = "out of memory";
    if (!why && fhx_transformer_set_limit(r.t, r.cfg.limit) != FHX_OK)
        why = "FHX_RESPONSE_LIMIT rejected";
    if (why) {
        log_event("fatal", why);
        rt_init_error(&r.rt, "Runtime.InvalidConfig", why);
        rt_free(&r.rt, &counting);
        fhx_transformer_free(r.t);
        return 1;
    }
    r.kernel = fhx_isa_name(fhx_isa_active());

    while (!stop_requested) {
        rt_invocation inv;
        uint64_t t_start;
        int st = rt_next(&r.rt, &inv);
        t_start = mono_us();
        if (st == HTTP_STOPPED) break;
        if (st == RT_BAD_ID) {
            log_event("error", "an invocation without a usable request id: "
                               "it cannot be answered");
            continue;
        }
        if (st != HTTP_OK) {
            snprintf(r.msg, sizeof r.msg,
                     "waiting for the next invocation failed (%d, HTTP %d)",
                     st, r.rt.http.status);
            log_event("fatal", r.msg);
            status = 1;
            break;
        }
        if (invoke(&r, &inv, t_start)) {
            status = 1;
            break;
        }
    }
    if (stop_requested) {
        snprintf(r.msg, sizeof r.msg,
                 "signal received: exiting after %zu invocations",
                 r.invocations);
        log_event("info", r.msg);
    }
    fhx_transformer_free(r.t);
    rt_free(&r.rt, &counting);
    return status;
}
