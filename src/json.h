/*
 * libfirehose-xform: strict JSON (RFC 8259) token scanners (private).
 *
 * Each scanner works on [p, p + len) from *pos and returns:
 *   FHXI_J_OK    the token is complete; *pos is just past it;
 *   FHXI_J_MORE  the buffer ended inside the token and final is 0: the
 *                caller must retry with more bytes (from the token start);
 *   < 0          an fhx_status error; *pos is the offending byte (len for
 *                FHX_E_TRUNCATED, which replaces MORE when final is 1) and
 *                *msg a static message.
 * Scanners never read outside [p, p + len).
 */
#ifndef FHX_JSON_H
#define FHX_JSON_H

#include <stddef.h>
#include <stdint.h>

#define FHXI_J_OK 0
#define FHXI_J_MORE 1

/* A scanned string: content is [start, end) relative to p (end is the
 * closing quote); escaped is 1 when the content holds a backslash. */
typedef struct fhxi_jstr {
    size_t start;
    size_t end;
    int escaped;
} fhxi_jstr;

/* JSON insignificant whitespace: space, tab, LF, CR. */
static inline int fhxi_json_is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Advance *pos past whitespace. */
static inline void fhxi_json_skip_ws(const char *p, size_t len, size_t *pos) {
    size_t i = *pos;
    while (i < len && fhxi_json_is_ws((unsigned char)p[i])) i++;
    *pos = i;
}

/* A string; *pos at its opening quote. utf8: validate the content as
 * UTF-8 (escapes are always validated). */
int fhxi_json_string(const char *p, size_t len, size_t *pos, int final,
                     int utf8, fhxi_jstr *out, const char **msg);

/* A number; *pos at its first byte. */
int fhxi_json_number(const char *p, size_t len, size_t *pos, int final,
                     const char **msg);

/* Any value; *pos at its first byte (no leading whitespace). depth is the
 * number of containers already open around it; a container that would
 * make it exceed FHX_MAX_DEPTH is FHX_E_DEPTH. Strings inside are always
 * validated as UTF-8. A walk (below) that makes no stops. */
int fhxi_json_skip_value(const char *p, size_t len, size_t *pos, int final,
                         unsigned depth, const char **msg);

/* ---- the walker ----------------------------------------------------------
 *
 * The one structural walker: it checks a whole value (objects, arrays,
 * every token inside, the depth) and can stop on the way where its caller
 * asked to look:
 *   - at each run of insignificant whitespace (stop_ws), which a caller
 *     that compacts the value copies around;
 *   - at each member of the outermost object whose key, unescaped, is
 *     watch: once after the key (FHXI_JW_KEY) and once more at the first
 *     byte of its value (FHXI_JW_VALUE), before the value is read.
 *
 *     fhxi_jwalk w;
 *     fhxi_jwalk_init(&w, p, len, pos, final, depth);   // p[pos]: a value
 *     while ((st = fhxi_jwalk_run(&w)) > FHXI_J_MORE) ...   // a stop
 *     // st == FHXI_J_OK: w.pos is just past the value
 *
 * fhxi_jwalk_run returns FHXI_J_OK (the value is complete), FHXI_J_MORE
 * (the buffer ends inside it and final is 0: walk again from the start
 * with more bytes), a stop, or an error with w.pos at the offending byte
 * (len for FHX_E_TRUNCATED) and w.msg a static message, exactly as
 * fhxi_json_skip_value reports them. After anything but a stop the walk is
 * over. */

#define FHXI_JW_WS 2    /* whitespace [w.tok, w.pos) was skipped */
#define FHXI_JW_KEY 3   /* a watched key: w.tok its opening quote, w.key
                         * its content, w.pos just past it */
#define FHXI_JW_VALUE 4 /* the watched member's value starts at w.pos */

typedef struct fhxi_jwalk {
    /* set by fhxi_jwalk_init */
    const char *p;
    size_t len;
    int final;
    unsigned depth;  /* containers open around the value */
    /* options (off after init) */
    int stop_ws;       /* stop at whitespace runs */
    const char *watch; /* stop at the outermost object's members named so
                          (at most FHXI_JSON_EQ_MAX bytes) */
    size_t watch_len;
    /* where the walk stands, and what the last stop or error says */
    size_t pos;
    size_t tok;
    fhxi_jstr key;
    const char *msg;
    /* private */
    int state;
    int watched;       /* the key just read is watched */
    unsigned d;        /* containers opened by the walk and still open */
    uint64_t objects;  /* bit k: the container at relative depth k+1 is an
                          object */
} fhxi_jwalk;

/* Start a walk of the value at p[pos] (no leading whitespace). */
void fhxi_jwalk_init(fhxi_jwalk *w, const char *p, size_t len, size_t pos,
                     int final, unsigned depth);

/* Walk on to the next stop or to the end of the value (see above). */
int fhxi_jwalk_run(fhxi_jwalk *w);

/* At an FHXI_JW_VALUE stop, read the value as a string (it must start
 * with '"') into *out; the walk then goes on after it. Returns FHXI_J_OK,
 * FHXI_J_MORE or an error as fhxi_jwalk_run. */
int fhxi_jwalk_string(fhxi_jwalk *w, fhxi_jstr *out);

/* 1 when the raw content of a scanned string (raw[0, n), escaped as the
 * scanner said) unescapes to want[0, want_len); want_len (and a walk's
 * watch_len) is at most FHXI_JSON_EQ_MAX. */
#define FHXI_JSON_EQ_MAX 42
int fhxi_json_str_eq(const char *raw, size_t n, int escaped, const char *want,
                     size_t want_len);

#endif /* FHX_JSON_H */
