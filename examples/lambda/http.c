/* bootstrap: a small HTTP/1.1 client for the Lambda Runtime API (http.h). */
#define _GNU_SOURCE /* ppoll, MSG_NOSIGNAL */

#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- address ------------------------------------------------------------ */

static int parse_port(const char *s, unsigned *port) {
    unsigned long v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > 65535) return -1;
    }
    if (v == 0) return -1;
    *port = (unsigned)v;
    return 0;
}

int http_init(http_conn *c, const char *hostport, const fhx_allocator *alc,
              const char **why) {
    char host[64];
    const char *colon;
    unsigned port;
    size_t n;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->alc = alc;
    *why = "AWS_LAMBDA_RUNTIME_API is not host:port";
    if (!hostport || !*hostport) {
        *why = "AWS_LAMBDA_RUNTIME_API is not set";
        return -1;
    }
    n = strlen(hostport);
    if (n >= sizeof c->host) return -1;
    memcpy(c->host, hostport, n + 1);
    if (hostport[0] == '[') { /* [v6]:port */
        const char *close = strchr(hostport, ']');
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)&c->addr;
        if (!close || close[1] != ':') return -1;
        n = (size_t)(close - hostport - 1);
        if (n >= sizeof host) return -1;
        memcpy(host, hostport + 1, n);
        host[n] = '\0';
        if (parse_port(close + 2, &port) != 0) return -1;
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) return -1;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        c->addr_len = sizeof *a6;
        return 0;
    }
    colon = strrchr(hostport, ':');
    if (!colon) return -1;
    n = (size_t)(colon - hostport);
    if (n == 0 || n >= sizeof host) return -1;
    memcpy(host, hostport, n);
    host[n] = '\0';
    if (parse_port(colon + 1, &port) != 0) return -1;
    {
        struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)&c->addr;
        if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
            *why = "AWS_LAMBDA_RUNTIME_API: the host must be a numeric "
                   "address (no DNS lookups)";
            return -1;
        }
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        c->addr_len = sizeof *a4;
    }
    return 0;
}

void http_close(http_conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static int connect_now(http_conn *c) {
    int one = 1, fd;
    fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return HTTP_E_CONNECT;
    /* small requests go out at once */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (connect(fd, (const struct sockaddr *)&c->addr, c->addr_len) != 0) {
        if (errno == EINTR) continue; /* signals are blocked; be safe */
        close(fd);
        return HTTP_E_CONNECT;
    }
    c->fd = fd;
    c->connects++;
    return HTTP_OK;
}

/* ---- body buffer ---------------------------------------------------------- */

static int body_reserve(http_body *b, const fhx_allocator *alc, size_t need) {
    size_t cap;
    char *p;
    if (need <= b->cap) return HTTP_OK;
    if (need > HTTP_BODY_MAX) return HTTP_E_TOO_BIG;
    cap = b->cap ? b->cap : 65536;
    while (cap < need) cap *= 2;
    if (alc)
        p = b->ptr ? alc->realloc(alc->ctx, b->ptr, b->cap, cap)
                   : alc->alloc(alc->ctx, cap);
    else
        p = realloc(b->ptr, cap);
    if (!p) return HTTP_E_NOMEM;
    b->ptr = p;
    b->cap = cap;
    return HTTP_OK;
}

void http_body_free(http_body *b, const fhx_allocator *alc) {
    if (b->ptr) {
        if (alc)
            alc->free(alc->ctx, b->ptr, b->cap);
        else
            free(b->ptr);
    }
    b->ptr = NULL;
    b->len = b->cap = 0;
}

/* ---- I/O -------------------------------------------------------------------- */

/* Wait until fd is readable. */
static int wait_readable(http_conn *c, int interruptible) {
    struct pollfd pfd;
    pfd.fd = c->fd;
    pfd.events = POLLIN;
    for (;;) {
        int n = ppoll(&pfd, 1, NULL, c->wait_mask);
        if (n > 0) return HTTP_OK;
        if (n < 0 && errno != EINTR) return HTTP_E_IO;
        if (interruptible && c->stop && *c->stop) return HTTP_STOPPED;
    }
}

/* Read some bytes into dst (at most cap). 0 bytes: the peer closed. */
static int read_some(http_conn *c, char *dst, size_t cap, size_t *got,
                     int interruptible) {
    for (;;) {
        ssize_t n;
        int st = wait_readable(c, interruptible);
        if (st != HTTP_OK) return st;
        n = recv(c->fd, dst, cap, 0);
        if (n >= 0) {
            *got = (size_t)n;
            return HTTP_OK;
        }
        if (errno != EINTR && errno != EAGAIN) return HTTP_E_IO;
    }
}

/* Write all of iov (advancing it). */
static int write_all(http_conn *c, struct iovec *iov, int cnt) {
    while (cnt > 0) {
        struct msghdr mh;
        ssize_t n;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = iov;
        mh.msg_iovlen = (size_t)cnt;
        n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return HTTP_E_IO;
        }
        while (cnt > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return HTTP_OK;
}

/* ---- parsing ------------------------------------------------------------------ */

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

const char *http_header(const http_conn *c, const char *name, size_t *len) {
    size_t nlen = strlen(name), i = 0;
    const char *h = c->hdr;
    /* skip the status line */
    while (i < c->hdr_len && h[i] != '\n') i++;
    i++;
    while (i < c->hdr_len) {
        size_t end = i, k;
        while (end < c->hdr_len && h[end] != '\n') end++;
        if (end - i > nlen && h[i + nlen] == ':') {
            for (k = 0; k < nlen; k++)
                if (lower((unsigned char)h[i + k]) !=
                    lower((unsigned char)name[k]))
                    break;
            if (k == nlen) {
                size_t a = i + nlen + 1, b = end;
                while (a < b && (h[a] == ' ' || h[a] == '\t')) a++;
                while (b > a && (h[b - 1] == '\r' || h[b - 1] == ' ' ||
                                 h[b - 1] == '\t'))
                    b--;
                *len = b - a;
                return h + a;
            }
        }
        i = end + 1;
    }
    return NULL;
}

static int value_is(const char *v, size_t n, const char *word) {
    size_t k;
    if (!v || n != strlen(word)) return 0;
    for (k = 0; k < n; k++)
        if (lower((unsigned char)v[k]) != word[k]) return 0;
    return 1;
}

/* A decimal (or hex) size; -1 when malformed or too big. */
static int parse_size(const char *s, size_t n, int base, size_t *out) {
    size_t v = 0, k;
    if (n == 0) return -1;
    for (k = 0; k < n; k++) {
        int d;
        char ch = s[k];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (base == 16 && lower((unsigned char)ch) >= 'a' &&
                 lower((unsigned char)ch) <= 'f')
            d = lower((unsigned char)ch) - 'a' + 10;
        else
            return -1;
        if (v > (HTTP_BODY_MAX + 1) / (size_t)base) return -1;
        v = v * (size_t)base + (size_t)d;
    }
    *out = v;
    return 0;
}

/* Read until the header block is complete ("\r\n\r\n"); parse the status.
 * *any is set once a byte of the answer has arrived. */
static int read_head(http_conn *c, int interruptible, int *any) {
    size_t scanned = 0;
    c->hdr_len = 0;
    for (;;) {
        size_t got, i;
        int st;
        if (c->hdr_len == sizeof c->hdr) return HTTP_E_TOO_BIG;
        st = read_some(c, c->hdr + c->hdr_len, sizeof c->hdr - c->hdr_len,
                       &got, interruptible);
        if (st != HTTP_OK) return st;
        if (got == 0) return HTTP_E_IO;
        *any = 1;
        c->hdr_len += got;
        for (i = scanned; i + 3 < c->hdr_len; i++) {
            if (memcmp(c->hdr + i, "\r\n\r\n", 4) == 0) {
                c->extra_at = i + 4;
                c->extra_len = c->hdr_len - c->extra_at;
                c->hdr_len = i + 2; /* keep the last header's CRLF */
                goto parsed;
            }
        }
        scanned = c->hdr_len > 3 ? c->hdr_len - 3 : 0;
    }
parsed:
    /* "HTTP/1.x SSS reason" */
    if (c->hdr_len < 12 || memcmp(c->hdr, "HTTP/1.", 7) != 0 ||
        c->hdr[8] != ' ' || c->hdr[9] < '1' || c->hdr[9] > '5' ||
        c->hdr[10] < '0' || c->hdr[10] > '9' || c->hdr[11] < '0' ||
        c->hdr[11] > '9')
        return HTTP_E_PROTO;
    c->status = (c->hdr[9] - '0') * 100 + (c->hdr[10] - '0') * 10 +
                (c->hdr[11] - '0');
    return HTTP_OK;
}

/* Take n body bytes: first what came with the header block, then the
 * socket. */
static int read_exact(http_conn *c, char *dst, size_t n) {
    size_t take = c->extra_len < n ? c->extra_len : n;
    memcpy(dst, c->hdr + c->extra_at, take);
    c->extra_at += take;
    c->extra_len -= take;
    while (take < n) {
        size_t got;
        int st = read_some(c, dst + take, n - take, &got, 0);
        if (st != HTTP_OK) return st;
        if (got == 0) return HTTP_E_IO;
        take += got;
    }
    return HTTP_OK;
}

/* One CRLF-terminated line of a chunked body into line (NUL-less). */
static int read_line(http_conn *c, char *line, size_t cap, size_t *n) {
    size_t k = 0;
    for (;;) {
        char ch;
        int st = read_exact(c, &ch, 1);
        if (st != HTTP_OK) return st;
        if (ch == '\n') break;
        if (k == cap) return HTTP_E_PROTO;
        line[k++] = ch;
    }
    if (k == 0 || line[k - 1] != '\r') return HTTP_E_PROTO;
    *n = k - 1;
    return HTTP_OK;
}

static int read_chunked(http_conn *c, http_body *body) {
    char line[256];
    size_t n, size, ext;
    int st;
    for (;;) {
        st = read_line(c, line, sizeof line, &n);
        if (st != HTTP_OK) return st;
        for (ext = 0; ext < n && line[ext] != ';' && line[ext] != ' ';) ext++;
        if (parse_size(line, ext, 16, &size) != 0) return HTTP_E_PROTO;
        if (size == 0) break;
        if (size > HTTP_BODY_MAX - body->len) return HTTP_E_TOO_BIG;
        st = body_reserve(body, c->alc, body->len + size);
        if (st != HTTP_OK) return st;
        st = read_exact(c, body->ptr + body->len, size);
        if (st != HTTP_OK) return st;
        body->len += size;
        st = read_line(c, line, sizeof line, &n);
        if (st != HTTP_OK) return st;
        if (n != 0) return HTTP_E_PROTO;
    }
    /* trailers, up to the empty line */
    do {
        st = read_line(c, line, sizeof line, &n);
        if (st != HTTP_OK) return st;
    } while (n != 0);
    return HTTP_OK;
}

static int read_to_close(http_conn *c, http_body *body) {
    for (;;) {
        size_t got;
        int st;
        if (c->extra_len) {
            st = body_reserve(body, c->alc, body->len + c->extra_len);
            if (st != HTTP_OK) return st;
            memcpy(body->ptr + body->len, c->hdr + c->extra_at, c->extra_len);
            body->len += c->extra_len;
            c->extra_len = 0;
        }
        if (body->cap - body->len < 4096) {
            st = body_reserve(body, c->alc, body->len + 4096);
            if (st != HTTP_OK) return st;
        }
        st = read_some(c, body->ptr + body->len, body->cap - body->len, &got,
                       0);
        if (st != HTTP_OK) return st;
        if (got == 0) return HTTP_OK;
        body->len += got;
    }
}

/* Read the body that follows the header block. *keep: the connection can
 * carry another request. */
static int read_body(http_conn *c, const char *method, http_body *body,
                     int *keep) {
    size_t n, len;
    const char *v;
    int st;
    body->len = 0;
    v = http_header(c, "Connection", &n);
    *keep = c->hdr[7] == '1' && !value_is(v, n, "close");
    if (strcmp(method, "HEAD") == 0 || c->status == 204 || c->status == 304 ||
        c->status < 200)
        return HTTP_OK;
    v = http_header(c, "Transfer-Encoding", &n);
    if (v && !value_is(v, n, "identity")) {
        if (!value_is(v, n, "chunked")) return HTTP_E_PROTO;
        return read_chunked(c, body);
    }
    v = http_header(c, "Content-Length", &n);
    if (v) {
        if (parse_size(v, n, 10, &len) != 0) return HTTP_E_PROTO;
        if (len > HTTP_BODY_MAX) return HTTP_E_TOO_BIG;
        st = body_reserve(body, c->alc, len + 1);
        if (st != HTTP_OK) return st;
        st = read_exact(c, body->ptr, len);
        if (st != HTTP_OK) return st;
        body->len = len;
        return HTTP_OK;
    }
    *keep = 0;
    return read_to_close(c, body);
}

int http_request(http_conn *c, const char *method, const char *path,
                 const char *extra_headers, const void *req_body,
                 size_t req_len, http_body *body, int interruptible) {
    char head[1024];
    int attempt, n;
    n = snprintf(head, sizeof head,
                 "%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Length: %zu\r\n\r\n",
                 method, path, c->host, extra_headers ? extra_headers : "",
                 req_len);
    if (n < 0 || (size_t)n >= sizeof head) return HTTP_E_TOO_BIG;
    for (attempt = 0; attempt < 2; attempt++) {
        struct iovec iov[2];
        int fresh = c->fd < 0, st, any = 0, keep = 0;
        if (fresh) {
            st = connect_now(c);
            if (st != HTTP_OK) return st;
        }
        iov[0].iov_base = head;
        iov[0].iov_len = (size_t)n;
        iov[1].iov_base = (void *)(uintptr_t)req_body;
        iov[1].iov_len = req_len;
        st = write_all(c, iov, req_len ? 2 : 1);
        if (st == HTTP_OK) st = read_head(c, interruptible, &any);
        if (st == HTTP_OK) st = read_body(c, method, body, &keep);
        if (st == HTTP_OK) {
            if (!keep) http_close(c);
            return HTTP_OK;
        }
        http_close(c);
        /* a reused connection the server had closed: once more, fresh */
        if (st == HTTP_E_IO && !fresh && !any) continue;
        return st;
    }
    return HTTP_E_IO;
}
