/*
 * libfirehose-xform: gzip writer and bounded reader over zlib (gzip.h).
 *
 * zlib counts in uInt; every call here is cut into pieces of at most
 * UINT_MAX bytes so any size_t length works. zlib allocates through
 * zalloc/zfree, bridged to the object's fhx_allocator with a size header.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

/* next_in as a pointer to const */
#define ZLIB_CONST
#include <zlib.h>

#include "internal.h"

/* gzip wrapper, 32 KiB window (RFC 1952 through zlib). */
#define GZ_WINDOW_BITS (15 + 16)
#define GZ_MEM_LEVEL 8

/* ==== Allocator bridge ================================================= */

/* Each zlib block is preceded by its total size, in a slot that keeps the
 * block maximally aligned. */
#define BRIDGE_HDR sizeof(max_align_t)

static voidpf bridge_alloc(voidpf opaque, uInt items, uInt size) {
    const fhx_allocator *alc = opaque;
    size_t n;
    unsigned char *p;
    if (size != 0 && items > (SIZE_MAX - BRIDGE_HDR) / size) return Z_NULL;
    n = (size_t)items * size + BRIDGE_HDR;
    p = fhxi_alloc(alc, n);
    if (!p) return Z_NULL;
    memcpy(p, &n, sizeof n);
    return p + BRIDGE_HDR;
}

static void bridge_free(voidpf opaque, voidpf ptr) {
    const fhx_allocator *alc = opaque;
    unsigned char *p;
    size_t n;
    if (!ptr) return;
    p = (unsigned char *)ptr - BRIDGE_HDR;
    memcpy(&n, p, sizeof n);
    fhxi_free(alc, p, n);
}

static void bridge(z_stream *zs, const fhx_allocator *alc) {
    memset(zs, 0, sizeof *zs);
    zs->zalloc = bridge_alloc;
    zs->zfree = bridge_free;
    /* zlib never writes through opaque; it only hands it back to us */
    zs->opaque = (voidpf)(uintptr_t)alc;
}

static uInt clamp_uint(size_t n) { return n > UINT_MAX ? UINT_MAX : (uInt)n; }

int fhx_gzip_is_gzip(const void *data, size_t len) {
    const unsigned char *p = data;
    return p && len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* ==== Writer =========================================================== */

/* zlib must get more than 6 bytes of output space for a SYNC or FULL
 * flush: when a flush marker fills avail_out exactly, the next call emits
 * another marker, so with 1 to 6 bytes per call a flush never completes
 * (zlib.h, deflate). Below SPILL_MIN bytes of caller space, deflate writes
 * into the spill instead and the caller gets its bytes from there. */
#define SPILL_MIN 32

struct fhx_gzip_writer {
    fhx_allocator alc_store;
    const fhx_allocator *alc;
    z_stream zs;
    int live;   /* deflateInit2 succeeded */
    int status; /* sticky error, or FHX_OK */
    uint64_t total_in;
    uint64_t total_out;
    uint64_t members;
    unsigned char spill[SPILL_MIN];
    size_t spill_pos; /* next byte of the spill to hand out */
    size_t spill_len; /* bytes in the spill */
    int spill_done;   /* once the spill is out: 1 flush complete (FHX_OK),
                         2 member complete (FHX_END) */
};

static int level_ok(int level) { return level >= 0 && level <= 9; }

int fhx_gzip_writer_new(fhx_gzip_writer **out, int level,
                        const fhx_allocator *alc) {
    fhx_gzip_writer *w;
    int zr;
    if (!out) return FHX_E_ARG;
    *out = NULL;
    if (!level_ok(level) || !fhxi_alc_valid(alc)) return FHX_E_ARG;
    w = fhxi_obj_alloc(alc, sizeof *w);
    if (!w) return FHX_E_NOMEM;
    w->alc = fhxi_alc_keep(&w->alc_store, alc);
    bridge(&w->zs, w->alc);
    zr = deflateInit2(&w->zs, level, Z_DEFLATED, GZ_WINDOW_BITS, GZ_MEM_LEVEL,
                      Z_DEFAULT_STRATEGY);
    if (zr != Z_OK) {
        fhx_gzip_writer_free(w);
        return zr == Z_MEM_ERROR ? FHX_E_NOMEM : FHX_E_ZLIB;
    }
    w->live = 1;
    *out = w;
    return FHX_OK;
}

void fhx_gzip_writer_free(fhx_gzip_writer *w) {
    if (!w) return;
    if (w->live) deflateEnd(&w->zs);
    fhxi_obj_free(w->alc, w, sizeof *w);
}

int fhx_gzip_writer_reset(fhx_gzip_writer *w, int level) {
    if (!w || !level_ok(level)) return FHX_E_ARG;
    /* after deflateReset no data is pending, so deflateParams changes the
     * level without emitting anything or allocating */
    if (deflateReset(&w->zs) != Z_OK ||
        deflateParams(&w->zs, level, Z_DEFAULT_STRATEGY) != Z_OK) {
        w->status = FHX_E_ZLIB;
        return FHX_E_ZLIB;
    }
    w->status = FHX_OK;
    w->total_in = 0;
    w->total_out = 0;
    w->members = 0;
    w->spill_pos = w->spill_len = 0;
    w->spill_done = 0;
    return FHX_OK;
}

static int zflush(fhx_gzip_flush f) {
    switch (f) {
    case FHX_GZIP_SYNC_FLUSH: return Z_SYNC_FLUSH;
    case FHX_GZIP_FULL_FLUSH: return Z_FULL_FLUSH;
    case FHX_GZIP_FINISH: return Z_FINISH;
    default: return Z_NO_FLUSH;
    }
}

/* What to return once no input is left and the output still has room. */
static int settled(fhx_gzip_flush flush) {
    return flush == FHX_GZIP_NO_FLUSH ? FHX_NEED_INPUT : FHX_OK;
}

int fhx_gzip_write(fhx_gzip_writer *w, const void *in, size_t in_len,
                   size_t *in_used, void *out, size_t out_cap,
                   size_t *out_len, fhx_gzip_flush flush) {
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t used = 0, put = 0;
    int st = FHX_OK;
    if (in_used) *in_used = 0;
    if (out_len) *out_len = 0;
    if (!w || !in_used || !out_len || (!in && in_len) || (!out && out_cap) ||
        (unsigned)flush > FHX_GZIP_FINISH)
        return FHX_E_ARG;
    if (w->status < 0) return w->status;
    for (;;) {
        size_t in_left = in_len - used, out_left, k;
        uInt ain, aout;
        int last, zr, spill;
        /* first what an earlier call left in the spill */
        k = w->spill_len - w->spill_pos;
        if (k > out_cap - put) k = out_cap - put;
        if (k) {
            memcpy(dst + put, w->spill + w->spill_pos, k);
            w->spill_pos += k;
            put += k;
        }
        out_left = out_cap - put;
        if (w->spill_pos == w->spill_len && w->spill_done) {
            /* a flush or a member that completed into the spill */
            st = w->spill_done == 2 ? FHX_END : FHX_OK;
            if (st == FHX_END) w->members++;
            w->spill_done = 0;
            break;
        }
        if (out_left == 0) {
            st = in_left == 0 && flush == FHX_GZIP_NO_FLUSH ? FHX_NEED_INPUT
                                                            : FHX_NEED_OUTPUT;
            break;
        }
        /* here the spill is empty (or the output would be full) */
        spill = out_left < SPILL_MIN;
        ain = clamp_uint(in_left);
        aout = spill ? (uInt)SPILL_MIN : clamp_uint(out_left);
        last = ain == in_left;
        w->zs.next_in = (z_const Bytef *)(src ? src + used : NULL);
        w->zs.avail_in = ain;
        w->zs.next_out = spill ? w->spill : dst + put;
        w->zs.avail_out = aout;
        /* the flush applies only once the last piece of input is in */
        zr = deflate(&w->zs, last ? zflush(flush) : Z_NO_FLUSH);
        used += ain - w->zs.avail_in;
        if (spill) {
            w->spill_pos = 0;
            w->spill_len = aout - w->zs.avail_out;
        } else {
            put += aout - w->zs.avail_out;
        }
        if (zr == Z_STREAM_END) {
            if (deflateReset(&w->zs) != Z_OK) {
                st = FHX_E_ZLIB;
                break;
            }
            w->spill_done = 2; /* FHX_END once the spill is out */
            continue;
        }
        if (zr == Z_BUF_ERROR && flush != FHX_GZIP_FINISH) {
            /* no progress possible: the flush was already complete */
            st = used == in_len ? settled(flush) : FHX_NEED_OUTPUT;
            break;
        }
        if (zr != Z_OK) {
            st = FHX_E_ZLIB;
            break;
        }
        if (used < in_len) continue; /* more input (pieces, or room left) */
        if (flush == FHX_GZIP_NO_FLUSH) {
            if (w->spill_pos < w->spill_len) continue; /* hand it out */
            st = FHX_NEED_INPUT;
            break;
        }
        if (flush != FHX_GZIP_FINISH && w->zs.avail_out > 0)
            w->spill_done = 1; /* the flush is complete: FHX_OK */
        /* FINISH not done yet, a flush that filled this piece, or
         * a complete one whose bytes are still to hand out: loop */
    }
    w->total_in += used;
    w->total_out += put;
    *in_used = used;
    *out_len = put;
    if (st < 0) w->status = st;
    return st;
}

uint64_t fhx_gzip_writer_total_in(const fhx_gzip_writer *w) {
    return w ? w->total_in : 0;
}

uint64_t fhx_gzip_writer_total_out(const fhx_gzip_writer *w) {
    return w ? w->total_out : 0;
}

uint64_t fhx_gzip_writer_members(const fhx_gzip_writer *w) {
    return w ? w->members : 0;
}

size_t fhx_gzip_bound(size_t len) {
    /* zlib's stored-block bound (deflateBound with its worst-case
     * parameters): len + 5 bytes per 16 KiB block + a little, plus the
     * 10-byte header and the 8-byte trailer; valid for every level. */
    size_t blocks = len / 16383 + 1, extra;
    if (blocks > (SIZE_MAX - 64) / 5) return SIZE_MAX;
    extra = blocks * 5 + 64;
    return len > SIZE_MAX - extra ? SIZE_MAX : len + extra;
}

int fhx_gzip_append(fhx_buf *out, const void *in, size_t len, int level) {
    fhx_gzip_writer *w;
    size_t done = 0, start, bound;
    int st;
    if (!out || (!in && len) || !level_ok(level)) return FHX_E_ARG;
    bound = fhx_gzip_bound(len);
    if (bound == SIZE_MAX) return FHX_E_LIMIT;
    st = fhx_gzip_writer_new(&w, level, out->alc);
    if (st != FHX_OK) return st;
    start = out->len;
    st = fhx_buf_reserve(out, bound);
    while (st == FHX_OK) {
        size_t used = 0, put = 0;
        st = fhx_gzip_write(w, in ? (const unsigned char *)in + done : NULL,
                            len - done,
                            &used, out->ptr + out->len, out->cap - out->len,
                            &put, FHX_GZIP_FINISH);
        done += used;
        out->len += put;
        if (st == FHX_END) {
            st = FHX_OK;
            break;
        }
        if (st == FHX_NEED_OUTPUT) st = fhx_buf_reserve(out, 4096);
        else if (st >= 0) st = FHX_E_ZLIB; /* cannot happen with FINISH */
    }
    if (st != FHX_OK) out->len = start;
    fhx_gzip_writer_free(w);
    return st;
}

/* ==== Reader =========================================================== */

enum { R_FIRST, R_MEMBER, R_BETWEEN };

struct fhx_gunzip_reader {
    fhx_allocator alc_store;
    const fhx_allocator *alc;
    z_stream zs;
    int live;
    int state;  /* R_FIRST, R_MEMBER, R_BETWEEN */
    int status; /* sticky error, FHX_END, or FHX_OK */
    size_t max;
    uint64_t total_in;
    uint64_t total_out;
    uint64_t members;
    fhx_error err;
};

int fhx_gunzip_reader_new(fhx_gunzip_reader **out, const fhx_allocator *alc) {
    fhx_gunzip_reader *r;
    int zr;
    if (!out) return FHX_E_ARG;
    *out = NULL;
    if (!fhxi_alc_valid(alc)) return FHX_E_ARG;
    r = fhxi_obj_alloc(alc, sizeof *r);
    if (!r) return FHX_E_NOMEM;
    r->alc = fhxi_alc_keep(&r->alc_store, alc);
    bridge(&r->zs, r->alc);
    zr = inflateInit2(&r->zs, GZ_WINDOW_BITS);
    if (zr != Z_OK) {
        fhx_gunzip_reader_free(r);
        return zr == Z_MEM_ERROR ? FHX_E_NOMEM : FHX_E_ZLIB;
    }
    r->live = 1;
    fhx_gunzip_begin(r, SIZE_MAX);
    *out = r;
    return FHX_OK;
}

void fhx_gunzip_reader_free(fhx_gunzip_reader *r) {
    if (!r) return;
    if (r->live) inflateEnd(&r->zs);
    fhxi_obj_free(r->alc, r, sizeof *r);
}

int fhx_gunzip_begin(fhx_gunzip_reader *r, size_t max_bytes) {
    if (!r) return FHX_E_ARG;
    r->state = R_FIRST;
    r->status = FHX_OK;
    r->max = max_bytes;
    r->total_in = 0;
    r->total_out = 0;
    r->members = 0;
    fhxi_clear_error(&r->err);
    return FHX_OK;
}

static size_t clamp_size(uint64_t v) {
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

static int rfail(fhx_gunzip_reader *r, int code, uint64_t offset,
                 const char *msg) {
    fhxi_set_error(&r->err, code, clamp_size(offset), FHX_NO_RECORD, msg);
    r->status = code;
    return code;
}

#define MSG_NOT_GZIP "not gzip data (no 1f 8b magic)"
#define MSG_NOT_MEMBER "bytes after a gzip member that are not another member"

/* A zlib error during inflate: what and where. */
static int zfail(fhx_gunzip_reader *r, int zr) {
    const char *m = r->zs.msg;
    uint64_t at = r->total_in ? r->total_in - 1 : 0;
    if (zr == Z_MEM_ERROR) return rfail(r, FHX_E_NOMEM, at, "out of memory");
    if (!m) return rfail(r, FHX_E_ZLIB, at, "corrupt gzip data");
    /* the trailer's fields were just read: point at their first byte */
    if ((strcmp(m, "incorrect data check") == 0 ||
         strcmp(m, "incorrect length check") == 0) &&
        r->total_in >= 4)
        at = r->total_in - 4;
    if (strcmp(m, "incorrect data check") == 0)
        return rfail(r, FHX_E_ZLIB, at, "gzip CRC-32 mismatch");
    /* gzip-only inflate says this exactly when the second magic byte is
     * wrong: that happens when a piece ended after the 1f, which
     * check_magic could not judge; say what check_magic says */
    if (strcmp(m, "incorrect header check") == 0)
        return rfail(r, FHX_E_ZLIB, at, r->members ? MSG_NOT_MEMBER
                                                   : MSG_NOT_GZIP);
    if (strcmp(m, "incorrect length check") == 0)
        return rfail(r, FHX_E_ZLIB, at, "gzip length (ISIZE) mismatch");
    /* zlib's messages are string literals, so they are static */
    return rfail(r, FHX_E_ZLIB, at, m);
}

/* Check the magic of a member that starts at src (avail bytes). */
static int check_magic(fhx_gunzip_reader *r, const unsigned char *src,
                       size_t avail) {
    int first = r->state == R_FIRST;
    if (src[0] != 0x1f || (avail >= 2 && src[1] != 0x8b))
        return rfail(r, FHX_E_ZLIB,
                     r->total_in + (src[0] == 0x1f ? 1u : 0u),
                     first ? MSG_NOT_GZIP : MSG_NOT_MEMBER);
    if (inflateReset(&r->zs) != Z_OK) /* also after an earlier stream */
        return rfail(r, FHX_E_ZLIB, r->total_in, "zlib reset failed");
    r->state = R_MEMBER;
    return FHX_OK;
}

/* No input left in this call: what the stream needs. */
static int input_ended(fhx_gunzip_reader *r, int final) {
    if (!final) return FHX_NEED_INPUT;
    if (r->state == R_BETWEEN) {
        r->status = FHX_END;
        return FHX_END;
    }
    return rfail(r, FHX_E_TRUNCATED, r->total_in,
                 r->state == R_FIRST ? "empty input: no gzip member"
                                     : "gzip data ends inside a member");
}

int fhx_gunzip_read(fhx_gunzip_reader *r, const void *in, size_t in_len,
                    size_t *in_used, void *out, size_t out_cap,
                    size_t *out_len, int final) {
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t used = 0, put = 0;
    int st;
    if (in_used) *in_used = 0;
    if (out_len) *out_len = 0;
    if (!r || !in_used || !out_len || (!in && in_len) || (!out && out_cap))
        return FHX_E_ARG;
    if (r->status != FHX_OK) return r->status;
    for (;;) {
        size_t in_left = in_len - used, out_left = out_cap - put;
        size_t room = r->max - clamp_size(r->total_out);
        unsigned char probe;
        uInt ain, aout;
        int zr, probing;
        if (r->state != R_MEMBER) {
            if (in_left == 0) {
                st = input_ended(r, final);
                break;
            }
            st = check_magic(r, src + used, in_left);
            if (st != FHX_OK) break;
        }
        /* at the maximum, inflate into one private byte: any output
         * there means the stream is larger than allowed */
        probing = room == 0;
        if (!probing && out_left == 0) {
            st = FHX_NEED_OUTPUT;
            break;
        }
        ain = clamp_uint(in_left);
        aout = probing ? 1u : clamp_uint(out_left < room ? out_left : room);
        r->zs.next_in = (z_const Bytef *)(src ? src + used : NULL);
        r->zs.avail_in = ain;
        r->zs.next_out = probing ? &probe : dst + put;
        r->zs.avail_out = aout;
        zr = inflate(&r->zs, Z_NO_FLUSH);
        used += ain - r->zs.avail_in;
        r->total_in += ain - r->zs.avail_in;
        if (probing && r->zs.avail_out == 0) {
            st = rfail(r, FHX_E_LIMIT, r->total_in ? r->total_in - 1 : 0,
                       "gzip data decompresses past the maximum size");
            break;
        }
        if (!probing) {
            put += aout - r->zs.avail_out;
            r->total_out += aout - r->zs.avail_out;
        }
        if (zr == Z_STREAM_END) {
            r->members++;
            r->state = R_BETWEEN;
            continue;
        }
        if (zr == Z_OK) continue;
        if (zr == Z_BUF_ERROR && used == in_len) { /* input used up */
            st = input_ended(r, final);
            break;
        }
        if (zr == Z_BUF_ERROR && r->zs.avail_out == 0)
            continue; /* output full: the top of the loop says so */
        st = zfail(r, zr);
        break;
    }
    *in_used = used;
    *out_len = put;
    return st;
}

const fhx_error *fhx_gunzip_error(const fhx_gunzip_reader *r) {
    return r ? &r->err : NULL;
}

uint64_t fhx_gunzip_total_out(const fhx_gunzip_reader *r) {
    return r ? r->total_out : 0;
}

uint64_t fhx_gunzip_members(const fhx_gunzip_reader *r) {
    return r ? r->members : 0;
}

/* Make room for extra bytes after out->len, allocating exactly that: the
 * power-of-two rounding of fhx_buf_reserve could make a bomb cost up to
 * twice the maximum. Growth stays geometric through next_step. */
static int reserve_exact(fhx_buf *out, size_t extra) {
    uint8_t *p;
    size_t need;
    if (out->len > out->cap || !fhxi_alc_valid(out->alc)) return FHX_E_ARG;
    if (extra > SIZE_MAX - out->len) return FHX_E_LIMIT;
    need = out->len + extra;
    if (need <= out->cap) return FHX_OK;
    p = fhxi_realloc(out->alc, out->ptr, out->cap, need);
    if (!p) return FHX_E_NOMEM;
    out->ptr = p;
    out->cap = need;
    return FHX_OK;
}

/* The next growth of the one-shot output: double what is there, at least
 * 4 KiB, never more than the room left under the maximum. */
static size_t next_step(size_t have, size_t room) {
    size_t step = have < 4096 ? 4096 : have;
    return step < room ? step : room;
}

int fhx_gunzip_append(fhx_gunzip_reader *r, fhx_buf *out, const void *in,
                      size_t len, size_t max_bytes, fhx_error *err) {
    fhx_gunzip_reader *own = NULL;
    const unsigned char *src = in;
    size_t start, done = 0, got = 0, first;
    int st;
    if (err) fhxi_clear_error(err);
    if (!out || (!in && len)) return FHX_E_ARG;
    if (!r) {
        st = fhx_gunzip_reader_new(&own, out->alc);
        if (st != FHX_OK) {
            fhxi_set_error(err, st, 0, FHX_NO_RECORD, fhx_strerror(st));
            return st;
        }
        r = own;
    }
    fhx_gunzip_begin(r, max_bytes);
    start = out->len;
    /* a first guess: 4x the compressed size, within the maximum (and at
     * least one byte, so out->ptr is never NULL below) */
    first = next_step(len > SIZE_MAX / 4 ? SIZE_MAX : len * 4, max_bytes);
    st = reserve_exact(out, first < SIZE_MAX ? first + 1 : first);
    while (st == FHX_OK) {
        size_t used = 0, put = 0;
        st = fhx_gunzip_read(r, src ? src + done : NULL, len - done, &used,
                             out->ptr + start + got,
                             out->cap - start - got, &put, 1);
        done += used;
        got += put;
        if (st == FHX_END) {
            st = FHX_OK;
            break;
        }
        if (st == FHX_NEED_OUTPUT) {
            out->len = start + got; /* reserve counts from len */
            st = reserve_exact(out, next_step(got, max_bytes - got));
            out->len = start;
        } else if (st == FHX_NEED_INPUT) {
            st = FHX_E_ZLIB; /* cannot happen with final input */
        }
    }
    if (st == FHX_OK) {
        out->len = start + got;
    } else if (err) {
        if (r->err.code != FHX_OK)
            *err = r->err;
        else
            fhxi_set_error(err, st, done, FHX_NO_RECORD, fhx_strerror(st));
    }
    fhx_gunzip_reader_free(own);
    return st;
}
