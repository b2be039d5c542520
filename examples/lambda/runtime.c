/* bootstrap: the Lambda Runtime API endpoints (runtime.h). */
#define _GNU_SOURCE /* sigset_t, for http.h */

#include "runtime.h"

#include <stdio.h>
#include <string.h>

#define RT_BASE "/2018-06-01/runtime"

int rt_init(rt_client *c, const char *hostport, const fhx_allocator *alc,
            const char **why) {
    memset(&c->body, 0, sizeof c->body);
    memset(&c->answer, 0, sizeof c->answer);
    return http_init(&c->http, hostport, alc, why);
}

void rt_free(rt_client *c, const fhx_allocator *alc) {
    http_close(&c->http);
    http_body_free(&c->body, alc);
    http_body_free(&c->answer, alc);
}

/* Copy a header value made of safe characters into dst (NUL-terminated).
 * Returns 1 when present and valid, 0 when absent, -1 when invalid. */
static int copy_token(const http_conn *h, const char *name, char *dst,
                      size_t cap) {
    size_t n, k;
    const char *v = http_header(h, name, &n);
    dst[0] = '\0';
    if (!v) return 0;
    if (n == 0 || n >= cap) return -1;
    for (k = 0; k < n; k++) {
        char ch = v[k];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
              ch == '.' || ch == ':'))
            return -1;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 1;
}

static int64_t header_ms(const http_conn *h, const char *name) {
    size_t n, k;
    int64_t v = 0;
    const char *s = http_header(h, name, &n);
    if (!s || n == 0 || n > 18) return 0;
    for (k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9') return 0;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

int rt_next(rt_client *c, rt_invocation *inv) {
    int st = http_request(&c->http, "GET", RT_BASE "/invocation/next", NULL,
                          NULL, 0, &c->body, 1);
    if (st != HTTP_OK) return st;
    if (c->http.status != 200) return RT_FATAL;
    inv->event = c->body.ptr ? c->body.ptr : "";
    inv->event_len = c->body.len;
    inv->deadline_ms = header_ms(&c->http, "Lambda-Runtime-Deadline-Ms");
    if (copy_token(&c->http, "Lambda-Runtime-Invocation-Id",
                   inv->invocation_id, sizeof inv->invocation_id) < 0)
        inv->invocation_id[0] = '\0';
    if (copy_token(&c->http, "Lambda-Runtime-Aws-Request-Id", inv->request_id,
                   sizeof inv->request_id) != 1)
        return RT_BAD_ID;
    return HTTP_OK;
}

static int post(rt_client *c, const char *path, const char *headers,
                const char *body, size_t len) {
    int st = http_request(&c->http, "POST", path, headers, body, len,
                          &c->answer, 0);
    if (st != HTTP_OK) return st;
    if (c->http.status == 202) return HTTP_OK;
    return c->http.status >= 500 ? RT_FATAL : RT_REJECTED;
}

/* "Lambda-Runtime-Invocation-Id: ...\r\n" when the invocation has one. */
static void invocation_header(const rt_invocation *inv, char *dst,
                              size_t cap) {
    dst[0] = '\0';
    if (inv->invocation_id[0])
        snprintf(dst, cap, "Lambda-Runtime-Invocation-Id: %s\r\n",
                 inv->invocation_id);
}

int rt_respond(rt_client *c, const rt_invocation *inv, const char *body,
               size_t len) {
    char path[RT_ID_MAX + 64], hdr[RT_ID_MAX + 64];
    snprintf(path, sizeof path, RT_BASE "/invocation/%s/response",
             inv->request_id);
    invocation_header(inv, hdr, sizeof hdr);
    return post(c, path, hdr, body, len);
}

int rt_json_escape(char *dst, size_t cap, size_t *n, const char *s) {
    static const char hex[] = "0123456789abcdef";
    size_t o = *n;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            if (cap - o < 2) goto full;
            dst[o++] = '\\';
            dst[o++] = (char)ch;
        } else if (ch < 0x20) {
            if (cap - o < 6) goto full;
            memcpy(dst + o, "\\u00", 4);
            dst[o + 4] = hex[ch >> 4];
            dst[o + 5] = hex[ch & 15];
            o += 6;
        } else {
            if (cap - o < 1) goto full;
            dst[o++] = (char)ch;
        }
    }
    *n = o;
    return 0;
full: /* cut at a character boundary */
    *n = o;
    return -1;
}

/* {"errorMessage":"...","errorType":"...","stackTrace":[]} into err_buf;
 * an over-long message is cut (the type never is: it is ours). */
static size_t error_body(rt_client *c, const char *type, const char *message) {
    char *b = c->err_buf;
    size_t cap = sizeof c->err_buf, n = 0, tail;
    /* room for the type and the closing part, reserved up front */
    tail = strlen(type) * 6 + 64;
    memcpy(b, "{\"errorMessage\":\"", 17);
    n = 17;
    (void)rt_json_escape(b, cap - tail, &n, message); /* may be cut */
    n += (size_t)snprintf(b + n, cap - n, "\",\"errorType\":\"");
    rt_json_escape(b, cap, &n, type);
    n += (size_t)snprintf(b + n, cap - n, "\",\"stackTrace\":[]}");
    return n;
}

static int post_error(rt_client *c, const char *path, const char *inv_hdr,
                      const char *type, const char *message) {
    char hdr[512];
    size_t len = error_body(c, type, message);
    snprintf(hdr, sizeof hdr, "%sLambda-Runtime-Function-Error-Type: %s\r\n",
             inv_hdr, type);
    return post(c, path, hdr, c->err_buf, len);
}

int rt_error(rt_client *c, const rt_invocation *inv, const char *type,
             const char *message) {
    char path[RT_ID_MAX + 64], hdr[RT_ID_MAX + 64];
    snprintf(path, sizeof path, RT_BASE "/invocation/%s/error",
             inv->request_id);
    invocation_header(inv, hdr, sizeof hdr);
    return post_error(c, path, hdr, type, message);
}

int rt_init_error(rt_client *c, const char *type, const char *message) {
    return post_error(c, RT_BASE "/init/error", "", type, message);
}
