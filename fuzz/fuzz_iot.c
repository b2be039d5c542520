/*
 * Fuzz harness: IoT message normalization (fhx/iot.h) and, through it,
 * json.c's walker with its stops.
 *
 * Input: the message itself, copied right before a guard page (the
 * walker reads strings a word at a time: a word past the end faults).
 * Checked:
 *   - an accepted message: the line is the message with every byte of
 *     JSON whitespace outside strings removed and the one separator after
 *     the object dropped, plus "\n" (a reference minifier here, which
 *     shares no code with the walker); unchanged says exactly whether the
 *     line is the message; the line is one JSON value (skip_value);
 *     normalizing the line again gives it back unchanged, with the same
 *     topic and keys;
 *   - a message rejected as malformed (JSON, TRUNCATED, DEPTH): a walk
 *     with no stops (fhxi_json_skip_value) from its '{' fails with the
 *     same code at the same offset, so the stops change nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "harnesses.h"
#include "json.h"

static int is_ws(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The message with whitespace outside strings removed, without a final
 * ','. For accepted messages only (strings are well formed). */
static size_t minify(const uint8_t *s, size_t n, char *dst) {
    size_t i, o = 0;
    int in_str = 0, esc = 0;
    for (i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (in_str) {
            dst[o++] = (char)c;
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (is_ws(c)) continue;
        dst[o++] = (char)c;
        if (c == '"') in_str = 1;
    }
    if (o && dst[o - 1] == ',') o--;
    return o;
}

static void same_keys(const fhx_iot_message *a, const fhx_iot_message *b) {
    size_t i;
    FHXF_CHECK_MEM(a->topic.ptr, a->topic.len, b->topic.ptr, b->topic.len);
    FHXF_CHECK_EQ(a->n_keys, b->n_keys);
    for (i = 0; i < a->n_keys; i++) {
        FHXF_CHECK_MEM(a->keys[i].key.ptr, a->keys[i].key.len,
                       b->keys[i].key.ptr, b->keys[i].key.len);
        FHXF_CHECK_MEM(a->keys[i].value.ptr, a->keys[i].value.len,
                       b->keys[i].value.ptr, b->keys[i].value.len);
    }
}

int fhxf_iot(const uint8_t *data, size_t size) {
    fhxf_guard g, g2;
    fhx_buf out, out2;
    fhx_iot_message m, m2;
    fhx_error err;
    const uint8_t *p;
    int st;

    memset(&g, 0, sizeof g);
    memset(&g2, 0, sizeof g2);
    p = fhxf_guard_copy(&g, data, size, FHXF_GUARD_AFTER);
    fhx_buf_init(&out, NULL);
    fhx_buf_init(&out2, NULL);
    st = fhx_iot_normalize(p, size, &out, &m, &err);
    FHXF_CHECK_EQ(err.code, st);

    if (st == FHX_OK) {
        char *ref = malloc(size + 2);
        size_t n, pos = 0;
        const char *msg = NULL;
        const uint8_t *line;
        FHXF_CHECK(ref != NULL);
        n = minify(p, size, ref);
        ref[n++] = '\n';
        FHXF_CHECK_MEM(m.line.ptr, m.line.len, ref, n);
        FHXF_CHECK_EQ(m.unchanged,
                      size == n && memcmp(p, ref, n) == 0);
        FHXF_CHECK_EQ(fhxi_json_skip_value(m.line.ptr, m.line.len - 1, &pos,
                                           1, 0, &msg),
                      FHXI_J_OK);
        FHXF_CHECK_EQ(pos, m.line.len - 1);
        FHXF_CHECK(m.n_keys >= 1 && m.n_keys <= FHX_IOT_MAX_KEYS);
        /* the line, normalized again: itself, same keys */
        line = fhxf_guard_copy(&g2, m.line.ptr, m.line.len, FHXF_GUARD_AFTER);
        FHXF_CHECK_EQ(fhx_iot_normalize(line, m.line.len, &out2, &m2, NULL),
                      FHX_OK);
        FHXF_CHECK_EQ(m2.unchanged, 1);
        same_keys(&m, &m2);
        free(ref);
    } else if (st == FHX_E_JSON || st == FHX_E_TRUNCATED ||
               st == FHX_E_DEPTH) {
        size_t pos = 0;
        const char *msg = NULL;
        while (pos < size && is_ws(p[pos])) pos++;
        FHXF_CHECK(pos < size && p[pos] == '{');
        FHXF_CHECK_EQ(fhxi_json_skip_value((const char *)p, size, &pos, 1, 0,
                                           &msg),
                      st);
        FHXF_CHECK_EQ(pos, err.offset);
    } else {
        FHXF_CHECK_EQ(st, FHX_E_SCHEMA);
    }

    fhx_buf_free(&out);
    fhx_buf_free(&out2);
    fhxf_guard_free(&g);
    fhxf_guard_free(&g2);
    return 0;
}

FHXF_ENTRY(fhxf_iot)
