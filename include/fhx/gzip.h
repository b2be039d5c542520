/*
 * libfirehose-xform: gzip (RFC 1952) over zlib: a streaming writer, a
 * bounded streaming reader, and one-shot helpers on both.
 *
 * Why: the pipeline stores batches as gzip objects in S3, and CloudWatch
 * Logs subscription data reaches a transform as one gzip stream per record
 * (docs/contract.md section 5). A record's payload is untrusted: the reader
 * never produces more than a caller-set maximum, so a decompression bomb
 * costs at most that much memory and is reported as FHX_E_LIMIT.
 *
 * Writer (zlib style, caller-owned buffers):
 *
 *     fhx_gzip_writer *w;
 *     fhx_gzip_writer_new(&w, 6, NULL);
 *     do {                       // once per input piece, then FINISH
 *         st = fhx_gzip_write(w, in, in_len, &used, out, cap, &n, flush);
 *         in += used; in_len -= used;  ... take n bytes of out ...
 *     } while (st == FHX_NEED_OUTPUT);
 *
 * Each call consumes what it can of [in, in + in_len) (*in_used says how
 * much) and writes at most out_cap bytes (*out_len says how many). It
 * returns
 *   - FHX_NEED_OUTPUT: the output filled up; call again with the rest of
 *     the input, fresh output space and the same flush;
 *   - FHX_NEED_INPUT (flush FHX_GZIP_NO_FLUSH): all the input is consumed;
 *     give more, or finish;
 *   - FHX_OK (FHX_GZIP_SYNC_FLUSH, FHX_GZIP_FULL_FLUSH): all the input is
 *     consumed and everything written so far is in the output, so a reader
 *     can decompress it up to here;
 *   - FHX_END (FHX_GZIP_FINISH): the member is complete (trailer with CRC-32
 *     and ISIZE written). The next call starts a new member: appending
 *     members gives one valid multi-member gzip file (RFC 1952 section 2.2),
 *     which is how a batch is appended to an object.
 * Members carry no file name and a zero MTIME, so the output is a pure
 * function of the input, the level and the flush points.
 *
 * Reader: the mirror image, with a maximum output size per stream.
 *
 *     fhx_gunzip_reader *r;
 *     fhx_gunzip_reader_new(&r, NULL);
 *     fhx_gunzip_begin(r, max_bytes);
 *     st = fhx_gunzip_read(r, in, in_len, &used, out, cap, &n, final);
 *
 * It returns FHX_NEED_OUTPUT (output full), FHX_NEED_INPUT (input used up,
 * final 0), FHX_END (final 1, every member complete), or an error:
 *   - FHX_E_LIMIT: the stream decompresses to more than max_bytes (nothing
 *     past max_bytes is ever written);
 *   - FHX_E_TRUNCATED: final input ends inside a member;
 *   - FHX_E_ZLIB: not gzip (no 1f 8b magic), a bad header, corrupt deflate
 *     data, a CRC-32 or length mismatch, or trailing bytes after a member
 *     that do not start another member.
 * fhx_gunzip_error gives the offset: the input byte (counted from the
 * stream's first byte across calls) where the problem was found. zlib reads
 * a few bytes ahead, so for corrupt deflate data it is within a few bytes
 * after the bad bits; for a CRC-32 or length mismatch it is the trailer
 * field; for truncation, the input length.
 * A stream may hold several members; empty input is FHX_E_TRUNCATED.
 *
 * Memory: the writer and the reader allocate their zlib state through the
 * fhx_allocator given to *_new (bridged into zlib's zalloc/zfree; each
 * block carries its size in a small header so the allocator's free gets
 * the size it expects). A writer at the default memory level holds about
 * 270 KB, a reader about 40 KB; both are reused across members, streams
 * and resets. Nothing else is allocated except by the one-shot helpers,
 * which grow an fhx_buf.
 *
 * Errors are sticky: after a negative status the object refuses work
 * (same status) until fhx_gzip_writer_reset / fhx_gunzip_begin.
 */
#ifndef FHX_GZIP_H
#define FHX_GZIP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** zlib's default compression level, which CloudWatch Logs also uses. */
#define FHX_GZIP_DEFAULT_LEVEL 6

/**
 * Default maximum decompressed size of one record payload: 16 MiB.
 * A Lambda response carries at most 6,291,556 bytes of base64, so at most
 * about 4.7 MB of transformed output per record; 16 MiB of decompressed
 * input leaves room for JSON overhead around that output (CloudWatch Logs
 * wraps each message in an id and a timestamp) while bounding what one
 * hostile record can make a 128 MB Lambda allocate.
 */
#define FHX_GUNZIP_RECORD_MAX ((size_t)16 * 1024 * 1024)

/** Flush modes of fhx_gzip_write (zlib's Z_NO_FLUSH ... Z_FINISH). */
typedef enum fhx_gzip_flush {
    FHX_GZIP_NO_FLUSH = 0,   /**< compress as much as is efficient */
    FHX_GZIP_SYNC_FLUSH = 1, /**< emit everything so far (byte aligned) */
    FHX_GZIP_FULL_FLUSH = 2, /**< as SYNC, and reset the dictionary */
    FHX_GZIP_FINISH = 3      /**< end the member (trailer) */
} fhx_gzip_flush;

/**
 * 1 when data starts with the gzip magic bytes 1f 8b, else 0 (also for
 * fewer than 2 bytes or data NULL).
 */
FHX_API int fhx_gzip_is_gzip(const void *data, size_t len);

/* ==== Writer =========================================================== */

/** Opaque streaming gzip writer. */
typedef struct fhx_gzip_writer fhx_gzip_writer;

/**
 * Allocate a writer.
 * @param level 0 (stored) to 9 (best); FHX_GZIP_DEFAULT_LEVEL is 6.
 * @param alc allocator for the writer and zlib (NULL: libc); it must
 *        outlive the writer.
 * @return FHX_OK, FHX_E_ARG (bad level, partial allocator), FHX_E_NOMEM.
 */
FHX_API int fhx_gzip_writer_new(fhx_gzip_writer **out, int level,
                                const fhx_allocator *alc);

/** Free (NULL allowed). */
FHX_API void fhx_gzip_writer_free(fhx_gzip_writer *w);

/**
 * Abandon the current member (if any) and start afresh at level; clears a
 * sticky error. Allocates nothing.
 * @return FHX_OK, FHX_E_ARG.
 */
FHX_API int fhx_gzip_writer_reset(fhx_gzip_writer *w, int level);

/**
 * Compress (see the model above).
 * @param in may be NULL when in_len is 0.
 * @param in_used bytes of in consumed (required).
 * @param out_len bytes written into out (required).
 * @return FHX_NEED_OUTPUT, FHX_NEED_INPUT, FHX_OK, FHX_END; FHX_E_ARG
 *         (NULL pointers, unknown flush); FHX_E_ZLIB (zlib failed, which
 *         does not happen with valid arguments).
 */
FHX_API int fhx_gzip_write(fhx_gzip_writer *w, const void *in, size_t in_len,
                           size_t *in_used, void *out, size_t out_cap,
                           size_t *out_len, fhx_gzip_flush flush);

/** Uncompressed bytes consumed since new/reset (all members). */
FHX_API uint64_t fhx_gzip_writer_total_in(const fhx_gzip_writer *w);

/** Compressed bytes produced since new/reset (all members). */
FHX_API uint64_t fhx_gzip_writer_total_out(const fhx_gzip_writer *w);

/** Members completed since new/reset. */
FHX_API uint64_t fhx_gzip_writer_members(const fhx_gzip_writer *w);

/**
 * Upper bound of one member holding len bytes at any level, flushed only
 * at the end (header and trailer included); SIZE_MAX on overflow.
 */
FHX_API size_t fhx_gzip_bound(size_t len);

/**
 * One-shot: append one complete member holding in[0..len) to out (grown
 * through out->alc, which zlib also uses). On error out->len is unchanged.
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM, FHX_E_LIMIT (size overflow),
 *         FHX_E_ZLIB.
 */
FHX_API int fhx_gzip_append(fhx_buf *out, const void *in, size_t len,
                            int level);

/* ==== Reader =========================================================== */

/** Opaque bounded streaming gzip reader. */
typedef struct fhx_gunzip_reader fhx_gunzip_reader;

/**
 * Allocate a reader (ready for a stream with no maximum: call
 * fhx_gunzip_begin to set one).
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM.
 */
FHX_API int fhx_gunzip_reader_new(fhx_gunzip_reader **out,
                                  const fhx_allocator *alc);

/** Free (NULL allowed). */
FHX_API void fhx_gunzip_reader_free(fhx_gunzip_reader *r);

/**
 * Start a new stream that may decompress to at most max_bytes (SIZE_MAX:
 * no limit). Clears the error and the counters; allocates nothing.
 * @return FHX_OK, FHX_E_ARG.
 */
FHX_API int fhx_gunzip_begin(fhx_gunzip_reader *r, size_t max_bytes);

/**
 * Decompress (see the model above). With final 1, in holds the rest of
 * the stream.
 * @return FHX_NEED_OUTPUT, FHX_NEED_INPUT, FHX_END; FHX_E_LIMIT,
 *         FHX_E_TRUNCATED, FHX_E_ZLIB (fhx_gunzip_error says where);
 *         FHX_E_NOMEM (zlib's window); FHX_E_ARG.
 */
FHX_API int fhx_gunzip_read(fhx_gunzip_reader *r, const void *in,
                            size_t in_len, size_t *in_used, void *out,
                            size_t out_cap, size_t *out_len, int final);

/** The sticky error of the current stream (code FHX_OK when none). */
FHX_API const fhx_error *fhx_gunzip_error(const fhx_gunzip_reader *r);

/** Decompressed bytes produced in the current stream. */
FHX_API uint64_t fhx_gunzip_total_out(const fhx_gunzip_reader *r);

/** Members completed in the current stream. */
FHX_API uint64_t fhx_gunzip_members(const fhx_gunzip_reader *r);

/**
 * One-shot: decompress the whole stream in[0..len) (every member) and
 * append it to out. out grows through out->alc in steps to exact sizes,
 * never past max_bytes + 1 bytes after its length at the call (the one
 * byte: room is reserved even for an empty result), so a bomb costs at
 * most max_bytes. On error out->len is unchanged and err (may be
 * NULL) says what and where (offset into in).
 * @param r a reader to reuse (its zlib state), or NULL for a temporary one
 *        allocated through out->alc.
 * @return FHX_OK; FHX_E_LIMIT, FHX_E_TRUNCATED, FHX_E_ZLIB; FHX_E_NOMEM;
 *         FHX_E_ARG.
 */
FHX_API int fhx_gunzip_append(fhx_gunzip_reader *r, fhx_buf *out,
                              const void *in, size_t len, size_t max_bytes,
                              fhx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FHX_GZIP_H */
