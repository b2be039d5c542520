/*
 * Fuzz harness: the bounded gzip reader and the gzip writer (fhx/gzip.h).
 *
 * Input: FHXF_HEADER parameter bytes, then the payload.
 *   byte 0: bits 0-2 the maximum output (FHX_GUNZIP_RECORD_MAX, 0, 1, the
 *           payload's size, 4x it, 4 KiB, 64 KiB, 1 MiB); bit 3: the
 *           one-shot call reuses the streaming reader (else its own);
 *   bytes 1-2: how the payload is split into input pieces (fhxf_splitter);
 *   byte 3: bits 0-3 the compression level (mod 10) of the round trip;
 *           bits 4-7 the largest output piece of the streaming calls.
 *
 * The payload as gzip data, against a reference built on zlib's inflate
 * (inflateInit2 with 16 + MAX_WBITS, one member after the other, as
 * gzip.h describes the stream: every member complete, nothing after the
 * last, a member starts with 1f):
 *   - fhx_gunzip_append (payload right before a guard page) accepts
 *     exactly when the reference does, with the same code (FHX_E_LIMIT as
 *     soon as the reference produces more than the maximum); on success
 *     the output is byte-identical and appended after what the buffer
 *     held; the buffer never grows past what it held + max + 1 bytes;
 *     on error the buffer is unchanged and the error has the code,
 *     a message, no record and an offset inside the input (the input's
 *     length for FHX_E_TRUNCATED);
 *   - fhx_gunzip_read (payload right after a guard page) fed in pieces,
 *     into output pieces of 1 to N bytes, ends with the same status and
 *     error (for corrupt deflate data and FHX_E_LIMIT the offset may
 *     differ by up to SLACK bytes: zlib reads ahead); what it wrote is a
 *     prefix of the reference's output (all of it on success, exactly the
 *     maximum on FHX_E_LIMIT); it never writes past the maximum, always
 *     makes progress, counts members and bytes; errors are sticky until
 *     fhx_gunzip_begin.
 * The payload as data to compress:
 *   - fhx_gzip_append: within fhx_gzip_bound, a deterministic header
 *     (no name, MTIME 0), decompressed back by both the library (with the
 *     exact size as maximum; one byte less is FHX_E_LIMIT) and zlib;
 *   - the streaming writer, pieces with random flush modes (FINISH starts
 *     a new member): the statuses the header documents, every SYNC/FULL
 *     flush point readable up to there by a streaming reader, the whole
 *     output gunzips to the payload with as many members as FINISHes,
 *     the counters add up; without inner flushes the output equals
 *     fhx_gzip_append's (a pure function of input, level, flush points).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "fuzz_util.h"
#include "harnesses.h"

/* ---- the reference: zlib's inflate, member after member ----------------- */

typedef struct ref_out {
    int code;          /* FHX_OK, FHX_E_LIMIT, FHX_E_TRUNCATED, FHX_E_ZLIB */
    size_t members;    /* complete members */
} ref_out;

/* Decompress in[0, len) into out (at most max + 1 bytes). */
static ref_out ref_gunzip(const uint8_t *in, size_t len, size_t max,
                          fhx_buf *out) {
    z_stream zs;
    ref_out r;
    size_t pos = 0;
    memset(&zs, 0, sizeof zs);
    memset(&r, 0, sizeof r);
    FHXF_CHECK(len <= UINT_MAX && max < SIZE_MAX);
    FHXF_CHECK_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    for (;;) {
        if (pos == len) {
            r.code = r.members ? FHX_OK : FHX_E_TRUNCATED;
            break;
        }
        if (in[pos] != 0x1f) { /* no magic; zlib would wait for 2 bytes */
            r.code = FHX_E_ZLIB;
            break;
        }
        FHXF_CHECK_EQ(inflateReset(&zs), Z_OK);
        for (;;) {
            size_t room = max + 1 - out->len, chunk, got, used;
            int zr;
            chunk = room < 65536 ? room : 65536;
            FHXF_CHECK(chunk > 0);
            FHXF_CHECK_EQ(fhx_buf_reserve(out, chunk), FHX_OK);
            zs.next_in = in + pos;
            zs.avail_in = (uInt)(len - pos);
            zs.next_out = out->ptr + out->len;
            zs.avail_out = (uInt)chunk;
            zr = inflate(&zs, Z_NO_FLUSH);
            used = len - pos - zs.avail_in;
            got = chunk - zs.avail_out;
            pos += used;
            out->len += got;
            if (out->len > max) {
                r.code = FHX_E_LIMIT;
                goto done;
            }
            if (zr == Z_STREAM_END) {
                r.members++;
                break;
            }
            if (zr == Z_OK) continue;
            if (zr == Z_BUF_ERROR && pos == len) {
                r.code = FHX_E_TRUNCATED;
                goto done;
            }
            if (zr == Z_BUF_ERROR && zs.avail_out == 0) continue;
            FHXF_CHECK_EQ(zr, Z_DATA_ERROR);
            r.code = FHX_E_ZLIB;
            goto done;
        }
    }
done:
    inflateEnd(&zs);
    return r;
}

/* ---- helpers ------------------------------------------------------------ */

static void check_error(const fhx_error *e, int code, size_t len) {
    FHXF_CHECK_EQ(e->code, code);
    FHXF_CHECK(e->msg != NULL && e->msg[0] != '\0');
    FHXF_CHECK(e->offset <= len);
    FHXF_CHECK(e->record == FHX_NO_RECORD);
    if (code == FHX_E_TRUNCATED) FHXF_CHECK_EQ(e->offset, len);
}

/* How far apart two placements of the same zlib error may be. */
#define SLACK 8

static int magic_error(const fhx_error *e) {
    return strstr(e->msg, "1f 8b magic") || strstr(e->msg, "not another");
}

static size_t pick_max(unsigned sel, size_t size) {
    switch (sel & 7u) {
    case 0: return FHX_GUNZIP_RECORD_MAX;
    case 1: return 0;
    case 2: return 1;
    case 3: return size;
    case 4: return size * 4;
    case 5: return 4096;
    case 6: return 65536;
    default: return (size_t)1 << 20;
    }
}

static const size_t out_pieces[8] = {1, 2, 7, 64, 300, 4096, 65536, 3};

/* Stream in[0, len) through r in pieces; the output goes to out. Returns
 * the final status (FHX_END or an error). */
static int stream_read(fhx_gunzip_reader *r, const uint8_t *in, size_t len,
                       size_t max, uint32_t split, size_t out_piece,
                       fhx_buf *out) {
    fhxf_splitter sp;
    fhxf_rng rng;
    size_t pos = 0, calls = 0;
    /* every call consumes input, writes output or ends; an empty piece
     * may make no progress, and there are at most as many as pieces */
    const size_t max_calls = 4 * (len + max) + 64;
    int st;
    fhxf_split_init(&sp, split);
    fhxf_rng_seed(&rng, split ^ 0x9e3779b9u);
    FHXF_CHECK_EQ(fhx_gunzip_begin(r, max), FHX_OK);
    for (;;) {
        size_t piece = pos < len ? fhxf_split_next(&sp, len - pos) : 0;
        int final = pos + piece == len;
        do {
            size_t cap = 1 + fhxf_rng_below(&rng, out_piece), used, n;
            FHXF_CHECK(++calls <= max_calls);
            FHXF_CHECK_EQ(fhx_buf_reserve(out, cap), FHX_OK);
            st = fhx_gunzip_read(r, in + pos, piece, &used,
                                 out->ptr + out->len, cap, &n, final);
            FHXF_CHECK(used <= piece && n <= cap);
            pos += used;
            piece -= used;
            out->len += n;
            FHXF_CHECK(out->len <= max);
            FHXF_CHECK_EQ(fhx_gunzip_total_out(r), out->len);
            if (st == FHX_NEED_OUTPUT) FHXF_CHECK(n == cap || out->len == max);
        } while (st == FHX_NEED_OUTPUT);
        if (st != FHX_NEED_INPUT) break;
        FHXF_CHECK(!final && piece == 0);
    }
    if (st == FHX_END) FHXF_CHECK_EQ(pos, len);
    return st;
}

/* ---- the payload as gzip data ------------------------------------------- */

static void check_gunzip(const uint8_t *data, size_t size,
                         const uint8_t hdr[FHXF_HEADER]) {
    static const char prefix[] = "prefix";
    const size_t plen = sizeof prefix - 1;
    size_t max = pick_max(hdr[0], size);
    fhxf_guard ga, gb;
    fhx_buf ref, one, str;
    fhx_gunzip_reader *r;
    fhx_error err;
    ref_out want;
    const fhx_error *serr;
    size_t out_len = 1, used = 1;
    uint8_t byte;
    int st, st2;

    fhx_buf_init(&ref, NULL);
    fhx_buf_init(&one, NULL);
    fhx_buf_init(&str, NULL);
    FHXF_CHECK_EQ(fhx_gunzip_reader_new(&r, NULL), FHX_OK);
    fhxf_guard_copy(&ga, data, size, FHXF_GUARD_AFTER);
    fhxf_guard_copy(&gb, data, size, FHXF_GUARD_BEFORE);

    want = ref_gunzip(data, size, max, &ref);
    FHXF_CHECK_EQ(fhx_gzip_is_gzip(ga.ptr, size),
                  size >= 2 && data[0] == 0x1f && data[1] == 0x8b);

    /* one-shot, after a prefix that must stay */
    fhxf_put(&one, prefix, plen);
    st = fhx_gunzip_append((hdr[0] & 8u) ? r : NULL, &one, ga.ptr, size, max,
                           &err);
    FHXF_CHECK_EQ(st, want.code);
    FHXF_CHECK(one.len >= plen && memcmp(one.ptr, prefix, plen) == 0);
    /* a bomb costs at most the maximum: exact growth (the prefix sits in
     * fhx_buf's first 64-byte block) */
    FHXF_CHECK(one.cap <= 64 || one.cap <= plen + max + 1);
    if (st == FHX_OK) {
        FHXF_CHECK_EQ(err.code, FHX_OK);
        FHXF_CHECK_MEM(one.ptr + plen, one.len - plen, ref.ptr, ref.len);
    } else {
        FHXF_CHECK_EQ(one.len, plen);
        check_error(&err, st, size);
    }

    /* streaming, in pieces */
    st2 = stream_read(r, gb.ptr, size,  max,
                      (uint32_t)hdr[1] | (uint32_t)hdr[2] << 8,
                      out_pieces[(hdr[3] >> 4) & 7u], &str);
    serr = fhx_gunzip_error(r);
    FHXF_CHECK(str.len <= ref.len);
    FHXF_CHECK(str.len == 0 || memcmp(str.ptr, ref.ptr, str.len) == 0);
    if (st == FHX_OK) {
        FHXF_CHECK_EQ(st2, FHX_END);
        FHXF_CHECK_EQ(str.len, ref.len);
        FHXF_CHECK_EQ(fhx_gunzip_members(r), want.members);
        FHXF_CHECK_EQ(serr->code, FHX_OK);
    } else {
        FHXF_CHECK_EQ(st2, st);
        check_error(serr, st, size);
        FHXF_CHECK(strcmp(serr->msg, err.msg) == 0);
        /* where zlib finds a problem depends on how far it had read
         * ahead, which depends on the pieces ("within a few bytes",
         * gzip.h); the magic and a truncation are exact */
        if (st == FHX_E_LIMIT || (st == FHX_E_ZLIB && !magic_error(&err)))
            FHXF_CHECK(serr->offset + SLACK >= err.offset &&
                       err.offset + SLACK >= serr->offset);
        else
            FHXF_CHECK_ERR(serr, &err);
        if (st == FHX_E_LIMIT) FHXF_CHECK_EQ(str.len, max);
    }
    /* the end or the error is sticky */
    FHXF_CHECK_EQ(fhx_gunzip_read(r, gb.ptr, size, &used, &byte, 1, &out_len,
                                  1),
                  st2);
    FHXF_CHECK(used == 0 && out_len == 0);

    fhxf_guard_free(&ga);
    fhxf_guard_free(&gb);
    fhx_gunzip_reader_free(r);
    fhx_buf_free(&ref);
    fhx_buf_free(&one);
    fhx_buf_free(&str);
}

/* ---- the payload as data to compress ------------------------------------ */

/* Read what the writer produced since the last flush point (final 0): the
 * reader must take all of it and give back exactly data[got, upto). */
static void check_flush_point(fhx_gunzip_reader *fr, const uint8_t *z,
                              size_t zlen, const uint8_t *data, size_t upto,
                              fhx_buf *back) {
    size_t used, n;
    int st;
    FHXF_CHECK_EQ(fhx_buf_reserve(back, upto - back->len + 1), FHX_OK);
    st = fhx_gunzip_read(fr, z, zlen, &used, back->ptr + back->len,
                         back->cap - back->len, &n, 0);
    FHXF_CHECK_EQ(st, FHX_NEED_INPUT);
    FHXF_CHECK_EQ(used, zlen);
    back->len += n;
    FHXF_CHECK_MEM(back->ptr, back->len, data, upto);
}

static void check_gzip(const uint8_t *data, size_t size,
                       const uint8_t hdr[FHXF_HEADER]) {
    int level = (int)((hdr[3] & 15u) % 10u);
    fhx_buf gz, again, back, zs, stream;
    fhx_gzip_writer *w;
    fhx_gunzip_reader *fr;
    fhxf_splitter sp;
    fhxf_rng rng;
    ref_out want;
    size_t pos = 0, finishes = 0, flushed = 0, calls = 0;
    const size_t out_piece = out_pieces[(hdr[3] >> 4) & 7u];
    int inner = 0, st;

    fhx_buf_init(&gz, NULL);
    fhx_buf_init(&again, NULL);
    fhx_buf_init(&back, NULL);
    fhx_buf_init(&zs, NULL);
    fhx_buf_init(&stream, NULL);

    /* one-shot */
    FHXF_CHECK_EQ(fhx_gzip_append(&gz, size ? data : NULL, size, level),
                  FHX_OK);
    FHXF_CHECK(gz.len >= 18 && gz.len <= fhx_gzip_bound(size));
    FHXF_CHECK(gz.ptr[0] == 0x1f && gz.ptr[1] == 0x8b && gz.ptr[2] == 8 &&
               gz.ptr[3] == 0 && gz.ptr[4] == 0 && gz.ptr[5] == 0 &&
               gz.ptr[6] == 0 && gz.ptr[7] == 0);
    FHXF_CHECK_EQ(fhx_gzip_append(&again, size ? data : NULL, size, level),
                  FHX_OK);
    FHXF_CHECK_MEM(gz.ptr, gz.len, again.ptr, again.len);
    FHXF_CHECK_EQ(fhx_gunzip_append(NULL, &back, gz.ptr, gz.len, size, NULL),
                  FHX_OK);
    FHXF_CHECK_MEM(back.ptr, back.len, data, size);
    if (size > 0) {
        back.len = 0;
        FHXF_CHECK_EQ(
            fhx_gunzip_append(NULL, &back, gz.ptr, gz.len, size - 1, NULL),
            FHX_E_LIMIT);
        FHXF_CHECK_EQ(back.len, 0);
    }
    want = ref_gunzip(gz.ptr, gz.len, size, &zs);
    FHXF_CHECK_EQ(want.code, FHX_OK);
    FHXF_CHECK_EQ(want.members, 1);
    FHXF_CHECK_MEM(zs.ptr, zs.len, data, size);

    /* streaming, pieces with random flushes */
    FHXF_CHECK_EQ(fhx_gzip_writer_new(&w, level, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_gunzip_reader_new(&fr, NULL), FHX_OK);
    FHXF_CHECK_EQ(fhx_gunzip_begin(fr, SIZE_MAX), FHX_OK);
    fhxf_split_init(&sp, (uint32_t)hdr[2] | (uint32_t)hdr[1] << 8);
    fhxf_rng_seed(&rng, (uint64_t)hdr[1] << 16 | (uint64_t)hdr[2] << 8 |
                            hdr[3]);
    back.len = 0;
    for (;;) {
        size_t piece = pos < size ? fhxf_split_next(&sp, size - pos) : 0;
        int last = pos + piece == size;
        fhx_gzip_flush flush = FHX_GZIP_NO_FLUSH;
        size_t r = fhxf_rng_below(&rng, 16);
        if (last)
            flush = FHX_GZIP_FINISH;
        else if (r == 0)
            flush = FHX_GZIP_SYNC_FLUSH;
        else if (r == 1)
            flush = FHX_GZIP_FULL_FLUSH;
        else if (r == 2)
            flush = FHX_GZIP_FINISH;
        if (!last && flush != FHX_GZIP_NO_FLUSH) inner = 1;
        do {
            size_t cap = 1 + fhxf_rng_below(&rng, out_piece), used, n;
            FHXF_CHECK(++calls <= 8 * size + 4096);
            FHXF_CHECK_EQ(fhx_buf_reserve(&stream, cap), FHX_OK);
            st = fhx_gzip_write(w, data + pos, piece, &used,
                                stream.ptr + stream.len, cap, &n, flush);
            FHXF_CHECK(used <= piece && n <= cap);
            pos += used;
            piece -= used;
            stream.len += n;
        } while (st == FHX_NEED_OUTPUT);
        FHXF_CHECK_EQ(piece, 0);
        switch (flush) {
        case FHX_GZIP_NO_FLUSH: FHXF_CHECK_EQ(st, FHX_NEED_INPUT); break;
        case FHX_GZIP_FINISH:
            FHXF_CHECK_EQ(st, FHX_END);
            finishes++;
            break;
        default:
            FHXF_CHECK_EQ(st, FHX_OK);
            /* a reader can decompress everything up to here */
            check_flush_point(fr, stream.ptr + flushed, stream.len - flushed,
                              data, pos, &back);
            flushed = stream.len;
            break;
        }
        if (flush == FHX_GZIP_FINISH) {
            /* a complete member: the reader follows, then the next one */
            check_flush_point(fr, stream.ptr + flushed, stream.len - flushed,
                              data, pos, &back);
            flushed = stream.len;
        }
        FHXF_CHECK_EQ(fhx_gzip_writer_members(w), finishes);
        if (last) break;
    }
    FHXF_CHECK_EQ(fhx_gzip_writer_total_in(w), size);
    FHXF_CHECK_EQ(fhx_gzip_writer_total_out(w), stream.len);
    {
        size_t used, n;
        uint8_t byte;
        FHXF_CHECK_EQ(fhx_gunzip_read(fr, NULL, 0, &used, &byte, 1, &n, 1),
                      FHX_END);
        FHXF_CHECK_EQ(fhx_gunzip_members(fr), finishes);
        FHXF_CHECK_EQ(fhx_gunzip_total_out(fr), size);
    }
    back.len = 0;
    FHXF_CHECK_EQ(fhx_gunzip_append(NULL, &back, stream.ptr, stream.len,
                                    size, NULL),
                  FHX_OK);
    FHXF_CHECK_MEM(back.ptr, back.len, data, size);
    zs.len = 0;
    want = ref_gunzip(stream.ptr, stream.len, size, &zs);
    FHXF_CHECK_EQ(want.code, FHX_OK);
    FHXF_CHECK_EQ(want.members, finishes);
    FHXF_CHECK_MEM(zs.ptr, zs.len, data, size);
    if (!inner) FHXF_CHECK_MEM(stream.ptr, stream.len, gz.ptr, gz.len);

    fhx_gzip_writer_free(w);
    fhx_gunzip_reader_free(fr);
    fhx_buf_free(&gz);
    fhx_buf_free(&again);
    fhx_buf_free(&back);
    fhx_buf_free(&zs);
    fhx_buf_free(&stream);
}

int fhxf_gunzip(const uint8_t *data, size_t size) {
    uint8_t hdr[FHXF_HEADER];
    fhxf_take_header(&data, &size, hdr);
    if (size > (size_t)1 << 20) return 0; /* keep one run bounded */
    check_gunzip(data, size, hdr);
    check_gzip(data, size, hdr);
    return 0;
}

FHXF_ENTRY(fhxf_gunzip)
