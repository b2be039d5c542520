/*
 * libfirehose-xform: making room in a response that is full (room.h).
 *
 * Two reads of the answers and one rewrite:
 *   1. add up what every answer could give (its size minus its smallest
 *      form);
 *   2. find the first answer j that must be rewritten: the latest answers
 *      from j on give at least `need`, those after j alone do not;
 *   3. from j on, rewrite every answer that can give, in place and forward
 *      (each answer's new form is no longer than its old one, so the
 *      write position never passes the read position), moving the others.
 */
#include <string.h>

#include "internal.h"
#include "json.h"
#include "response_text.h"
#include "room.h"

static const char k_begin[] = FHXI_T_BEGIN;
static const char k_id[] = FHXI_T_ID;
static const char k_result[] = FHXI_T_RESULT;
static const char k_pf_tail[] = "ProcessingFailed\"}";
static const char k_drop_tail[] = "Dropped\"}";

#define K_LEN(k) (sizeof(k) - 1)

/* One answer of the buffer. */
typedef struct answer {
    size_t start; /* its '{' */
    size_t end;   /* one past its '}' */
    size_t id;    /* first byte of the recordId token's content */
    size_t id_len;
    char result;  /* 'O', 'D' or 'P' */
} answer;

/* Parse the answer at *pos; *pos then points past it and its comma. */
static int parse(const char *buf, size_t len, size_t *pos, answer *a) {
    size_t i = *pos, k;
    const char *msg = NULL;
    if (len - i < K_LEN(k_id) || memcmp(buf + i, k_id, K_LEN(k_id)) != 0)
        return FHX_E_STATE;
    a->start = i;
    a->id = k = i + K_LEN(k_id);
    while (k < len && buf[k] != '"') k += buf[k] == '\\' ? 2 : 1;
    if (k >= len) return FHX_E_STATE;
    a->id_len = k - a->id;
    if (len - k < K_LEN(k_result) + 1 ||
        memcmp(buf + k, k_result, K_LEN(k_result)) != 0)
        return FHX_E_STATE;
    a->result = buf[k + K_LEN(k_result)];
    if (a->result != 'O' && a->result != 'D' && a->result != 'P')
        return FHX_E_STATE;
    if (fhxi_json_skip_value(buf, len, &i, 1, 1, &msg) != FHX_OK)
        return FHX_E_STATE;
    a->end = i;
    if (i < len && buf[i++] != ',') return FHX_E_STATE;
    *pos = i;
    return FHX_OK;
}

static size_t smallest(const answer *a) {
    return a->result == 'D' ? FHXI_ROOM_DROPPED_SIZE(a->id_len)
                            : FHXI_ROOM_PF_SIZE(a->id_len);
}

/* Bytes the answer gives when rewritten in its smallest form. */
static size_t gives(const answer *a) {
    size_t size = a->end - a->start, min = smallest(a);
    return size > min ? size - min : 0;
}

/* Rewrite answer a (read in place, intact) at w; returns its new size. */
static size_t rewrite(char *buf, size_t w, const answer *a) {
    const char *tail = a->result == 'D' ? k_drop_tail : k_pf_tail;
    size_t tail_len = a->result == 'D' ? K_LEN(k_drop_tail)
                                       : K_LEN(k_pf_tail);
    /* w <= a->start: the id moves down (or stays); the bytes written
     * before it are at or before the old prefix */
    memmove(buf + w, k_id, K_LEN(k_id));
    memmove(buf + w + K_LEN(k_id), buf + a->id, a->id_len);
    w += K_LEN(k_id) + a->id_len;
    memcpy(buf + w, k_result, K_LEN(k_result));
    memcpy(buf + w + K_LEN(k_result), tail, tail_len);
    return smallest(a);
}

int fhxi_room_for_pf(fhx_response_writer *w, fhx_buf *out, size_t id_len,
                     size_t *slack, fhxi_room_stats *st) {
    size_t s = *slack, limit = fhxi_response_limit(w), end;
    size_t len = out->len + fhx_response_output_len(w);
    char *buf = (char *)out->ptr;
    int rc = FHX_FULL;
    memset(st, 0, sizeof *st);
    if (len == 0) return FHX_FULL; /* nothing written that could shrink */
    *slack = s == 0 ? 4096 : s > SIZE_MAX / 2 ? SIZE_MAX : 2 * s;
    /* the response, a comma, the answer, "]}" */
    if (!fhxi_add(len, FHXI_ROOM_PF_SIZE(id_len) + 3, &end)) return FHX_FULL;
    if (end <= SIZE_MAX - s) /* the need and the slack */
        rc = fhxi_room_make(buf, &len, end + s > limit ? end + s - limit : 0,
                            st);
    if (rc == FHX_FULL && s > 0) /* the need alone */
        rc = fhxi_room_make(buf, &len, end > limit ? end - limit : 0, st);
    if (rc != FHX_OK) return rc;
    out->len = len;
    return fhxi_response_truncate(w, len, buf + len, out->cap - len);
}

int fhxi_room_make(char *buf, size_t *len, size_t need, fhxi_room_stats *st) {
    size_t n = *len, pos, total = 0, w;
    answer a;
    int rc;
    memset(st, 0, sizeof *st);
    if (n < K_LEN(k_begin) || memcmp(buf, k_begin, K_LEN(k_begin)) != 0)
        return FHX_E_STATE;
    /* 1. what all the answers can give */
    for (pos = K_LEN(k_begin); pos < n;) {
        rc = parse(buf, n, &pos, &a);
        if (rc != FHX_OK) return rc;
        total += gives(&a);
    }
    if (total < need) return FHX_FULL;
    if (need == 0) return FHX_OK;
    /* 2. the first answer to rewrite: after it, the rest gives < need */
    for (pos = K_LEN(k_begin);;) {
        size_t at = pos, g;
        (void)parse(buf, n, &pos, &a);
        g = gives(&a);
        if (g > 0 && total - g < need) {
            pos = at;
            break;
        }
        total -= g;
    }
    /* 3. rewrite from there: every answer that gives, the others moved */
    for (w = pos; pos < n;) {
        (void)parse(buf, n, &pos, &a);
        if (gives(&a) > 0) {
            if (a.result == 'O') st->ok++;
            else st->trimmed++;
            w += rewrite(buf, w, &a);
        } else {
            memmove(buf + w, buf + a.start, a.end - a.start);
            w += a.end - a.start;
        }
        if (a.end < n) buf[w++] = ',';
    }
    st->freed = n - w;
    *len = w;
    return FHX_OK;
}
