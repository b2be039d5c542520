/*
 * bootstrap: a small HTTP/1.1 client for the Lambda Runtime API.
 *
 * The Runtime API is plain HTTP/1.1 on a loopback address given as
 * host:port in AWS_LAMBDA_RUNTIME_API (docs/contract.md section 7). This
 * client does exactly what the runtime loop needs, and does it fully:
 *   - numeric addresses only (IPv4 "a.b.c.d:port", IPv6 "[::1]:port", and
 *     "localhost"): no DNS, so a static glibc binary never calls into NSS;
 *   - one keep-alive connection, reconnected when the server closed it
 *     (a request that meets a closed idle connection is sent again once,
 *     on a fresh one, as long as no byte of the answer has arrived);
 *   - partial writes (sendmsg of header and body, no copy of the body)
 *     and partial reads, EINTR;
 *   - response bodies sized from Content-Length, or chunked, or delimited
 *     by the end of the connection; the body buffer is grown only when an
 *     answer is bigger than any before, so a warm loop allocates nothing;
 *   - no client timeout (the process is frozen between invocations), but
 *     a wait for an answer can be interrupted by a signal (SIGTERM): the
 *     caller blocks the signal and passes the mask to wait with (ppoll),
 *     so a signal that arrives before the wait is never missed.
 */
#ifndef FHX_LAMBDA_HTTP_H
#define FHX_LAMBDA_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>

#include "firehose-xform.h"

/* Largest header block of an answer (Lambda's client context and Cognito
 * identity headers are a few KB). */
#define HTTP_HEADER_CAP 32768
/* Largest body accepted (the Runtime API sends at most 6 MB). */
#define HTTP_BODY_MAX ((size_t)64 << 20)

/* Results of http_request (negative: failed). */
enum {
    HTTP_OK = 0,
    HTTP_STOPPED = 1,     /* interrupted by a signal while waiting */
    HTTP_E_CONNECT = -1,  /* cannot connect */
    HTTP_E_IO = -2,       /* the connection failed or closed mid-answer */
    HTTP_E_PROTO = -3,    /* not a well-formed HTTP/1.x answer */
    HTTP_E_TOO_BIG = -4,  /* header block or body over the caps */
    HTTP_E_NOMEM = -5     /* the body buffer could not grow */
};

/* A growable body buffer (reused from answer to answer). */
typedef struct http_body {
    char *ptr;
    size_t len;
    size_t cap;
} http_body;

typedef struct http_conn {
    int fd;                      /* -1 when not connected */
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char host[64];               /* for the Host header */
    const fhx_allocator *alc;    /* grows the body buffers */
    const sigset_t *wait_mask;   /* mask while waiting; NULL: none */
    const volatile sig_atomic_t *stop; /* set by the signal handler */
    char hdr[HTTP_HEADER_CAP];   /* the answer's header block */
    size_t hdr_len;              /* bytes of the header block */
    size_t extra_at, extra_len;  /* body bytes read along with it */
    int status;                  /* the answer's status code */
    size_t connects;             /* connections opened so far */
} http_conn;

/* Parse "host:port" (numeric) into c; nothing is connected yet.
 * Returns 0, or -1 with *why set to a static message. */
int http_init(http_conn *c, const char *hostport, const fhx_allocator *alc,
              const char **why);

/* Close the connection (c stays usable: the next request reconnects). */
void http_close(http_conn *c);

/* Send one request and read the whole answer: status in c->status,
 * headers through http_header, the body in *body (len bytes; reused).
 * extra_headers: NULL or complete "Name: value\r\n" lines.
 * interruptible: a signal that sets *c->stop during the wait for the
 * answer ends the call with HTTP_STOPPED. */
int http_request(http_conn *c, const char *method, const char *path,
                 const char *extra_headers, const void *req_body,
                 size_t req_len, http_body *body, int interruptible);

/* The value of header name in the last answer (case-insensitive name),
 * with surrounding blanks trimmed; NULL when absent. */
const char *http_header(const http_conn *c, const char *name, size_t *len);

/* Release a body buffer. */
void http_body_free(http_body *b, const fhx_allocator *alc);

#endif /* FHX_LAMBDA_HTTP_H */
