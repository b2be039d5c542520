/*
 * bootstrap: the Lambda Runtime API endpoints (docs/contract.md section 7)
 * over the HTTP client of http.h.
 *
 *   GET  /2018-06-01/runtime/invocation/next
 *   POST /2018-06-01/runtime/invocation/{id}/response
 *   POST /2018-06-01/runtime/invocation/{id}/error
 *   POST /2018-06-01/runtime/init/error
 *
 * The request id is checked before it goes into a path (letters, digits,
 * '-', '_', '.', ':' only). Lambda-Runtime-Invocation-Id, when the /next
 * answer has one, is echoed as a request header on /response and /error
 * so Lambda can refuse a late answer. Errors carry the header
 * Lambda-Runtime-Function-Error-Type and the body
 * {"errorMessage":...,"errorType":...,"stackTrace":[]}.
 */
#ifndef FHX_LAMBDA_RUNTIME_H
#define FHX_LAMBDA_RUNTIME_H

#include <stdint.h>

#include "http.h"

#define RT_ID_MAX 128

/* One invocation, as /next announced it. */
typedef struct rt_invocation {
    char request_id[RT_ID_MAX + 1];
    char invocation_id[RT_ID_MAX + 1]; /* "" when absent */
    int64_t deadline_ms;               /* 0 when absent */
    const char *event;                 /* the body (in rt_client.body) */
    size_t event_len;
} rt_invocation;

typedef struct rt_client {
    http_conn http;
    http_body body; /* the event of the current invocation (reused) */
    http_body answer; /* bodies of the answers to our posts (reused) */
    char err_buf[2048]; /* an /error body */
} rt_client;

/* Results of the rt_ calls, besides HTTP_* transport results. */
enum {
    RT_REJECTED = 2, /* the Runtime API answered with an unexpected status
                        (c->http.status); not fatal */
    RT_FATAL = 3,    /* status 500 (or /next failed): exit promptly */
    RT_BAD_ID = 4    /* /next without a usable request id */
};

int rt_init(rt_client *c, const char *hostport, const fhx_allocator *alc,
            const char **why);
void rt_free(rt_client *c, const fhx_allocator *alc);

/* Wait for the next invocation. HTTP_OK, HTTP_STOPPED, RT_BAD_ID,
 * RT_FATAL or a negative transport error. */
int rt_next(rt_client *c, rt_invocation *inv);

/* Post the function's result. HTTP_OK (202), RT_REJECTED (400, 403, 413,
 * ...), RT_FATAL (500) or a transport error. */
int rt_respond(rt_client *c, const rt_invocation *inv, const char *body,
               size_t len);

/* Report an invocation error. Same results as rt_respond. */
int rt_error(rt_client *c, const rt_invocation *inv, const char *type,
             const char *message);

/* Report an initialization error (the caller exits afterwards). */
int rt_init_error(rt_client *c, const char *type, const char *message);

/* Append s to dst[*n..cap) as JSON string content (no quotes); stops
 * (returning -1) rather than overflow. */
int rt_json_escape(char *dst, size_t cap, size_t *n, const char *s);

#endif /* FHX_LAMBDA_RUNTIME_H */
