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
 * validated as UTF-8. */
int fhxi_json_skip_value(const char *p, size_t len, size_t *pos, int final,
                         unsigned depth, const char **msg);

#endif /* FHX_JSON_H */
