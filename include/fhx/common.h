/*
 * libfirehose-xform: common types.
 *
 * Every fallible call returns an fhx_status:
 *   - FHX_OK (0): done;
 *   - positive values are normal events that ask the caller to do something
 *     (FHX_END, FHX_NEED_INPUT, FHX_NEED_OUTPUT, FHX_FULL);
 *   - negative values are errors. An object that returned a negative status
 *     from one of its calls is dead until it is reset (unlike zlib's
 *     Z_BUF_ERROR). The one exception is named where it applies: the
 *     base64 streaming states refuse a call with FHX_E_OUTPUT or FHX_E_ARG
 *     without consuming anything (b64.h). Record-level problems are not returned as status:
 *     they are reported in the record (fhx_record.status) and the iteration
 *     goes on.
 *
 * Errors carry a code, the absolute byte offset in the input where the
 * problem was found (across chunks), the record index it belongs to, and a
 * static message (fhx_error). Codes are never renumbered or reused.
 *
 * Memory: the library allocates only through an fhx_allocator (NULL means
 * the C library's malloc/realloc/free), and only in *_new, *_reserve and when
 * a reused buffer must grow. It never frees what it did not allocate.
 *
 * Thread safety: objects are single-threaded; distinct objects may be used
 * from different threads at once. Functions without an object are
 * thread-safe.
 */
#ifndef FHX_COMMON_H
#define FHX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Status codes ==================================================== */

/** Result of every fallible call. Values are ABI and never change. */
typedef enum fhx_status {
    FHX_OK = 0,          /**< success */
    FHX_END = 1,         /**< iteration finished: no more items */
    FHX_NEED_INPUT = 2,  /**< feed more input (or finish the input) */
    FHX_NEED_OUTPUT = 3, /**< output space is full: drain and call again */
    FHX_FULL = 4,        /**< not written: it would pass the size limit */

    FHX_E_ARG = -1,          /**< invalid argument or API misuse */
    FHX_E_STATE = -2,        /**< call not valid in the object's state */
    FHX_E_NOMEM = -3,        /**< the allocator failed */
    FHX_E_JSON = -4,         /**< malformed JSON (RFC 8259) */
    FHX_E_TRUNCATED = -5,    /**< input ended early: inside the JSON
                                  document, or the gzip stream */
    FHX_E_SCHEMA = -6,       /**< valid JSON, but not a Firehose event shape */
    FHX_E_DEPTH = -7,        /**< nesting deeper than FHX_MAX_DEPTH */
    FHX_E_BASE64 = -8,       /**< invalid base64 (character, padding, bits) */
    FHX_E_NO_DATA = -9,      /**< record without a data string */
    FHX_E_LIMIT = -10,       /**< a size limit would be exceeded */
    FHX_E_OUTPUT = -11,      /**< caller's output buffer is too small */
    FHX_E_DUPLICATE_ID = -12, /**< a recordId appears twice */
    FHX_E_UNKNOWN_ID = -13,  /**< a recordId not in the event */
    FHX_E_MISSING_ID = -14,  /**< an event recordId left unanswered */
    FHX_E_RESULT = -15,      /**< result not Ok, Dropped or ProcessingFailed */
    FHX_E_HANDLER = -16,     /**< a record handler reported failure */
    FHX_E_ZLIB = -17,        /**< reserved for the gzip module */
    FHX_E_VERSION = -18      /**< header and library versions differ */
} fhx_status;

/** Maximum nesting of JSON arrays and objects accepted in an event. */
#define FHX_MAX_DEPTH 64

/** Value of fhx_error.record when an error belongs to no record. */
#define FHX_NO_RECORD SIZE_MAX

/**
 * An error: what, where, in which record.
 *
 * offset is the absolute byte offset of the first offending byte from the
 * start of the logical input (across every chunk fed); for a truncated input
 * it is the input's length. msg is a static string, never NULL when code < 0
 * and never to be freed.
 */
typedef struct fhx_error {
    int code;          /**< an fhx_status (negative), or FHX_OK */
    size_t offset;     /**< absolute byte offset in the input */
    size_t record;     /**< record index, or FHX_NO_RECORD */
    const char *msg;   /**< static message; never NULL when code < 0 */
} fhx_error;

/** A borrowed byte range. Never NUL-terminated by the library. */
typedef struct fhx_slice {
    const char *ptr; /**< first byte (may be NULL when len is 0) */
    size_t len;      /**< number of bytes */
} fhx_slice;

/* ==== Allocator ======================================================== */

/**
 * Allocator hooks. Sizes are passed to realloc and free so arenas work.
 * Any member may be NULL to use the C library for that operation only when
 * all three are NULL; a partially filled allocator is FHX_E_ARG.
 * alloc and realloc return NULL on failure; the library then returns
 * FHX_E_NOMEM and leaks nothing.
 */
typedef struct fhx_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} fhx_allocator;

/**
 * A growable byte buffer owned by the library user (or by a library object)
 * and grown through an allocator. Zero-initialise it (or use
 * fhx_buf_init) before first use; fhx_buf_free releases it.
 */
typedef struct fhx_buf {
    uint8_t *ptr;              /**< bytes; NULL until first growth */
    size_t len;                /**< bytes in use */
    size_t cap;                /**< bytes allocated */
    const fhx_allocator *alc;  /**< allocator, NULL for the C library */
} fhx_buf;

/** Initialise an empty buffer that will grow through alc (NULL: libc). */
FHX_API void fhx_buf_init(fhx_buf *buf, const fhx_allocator *alc);

/**
 * Make room for at least extra more bytes after len.
 * @return FHX_OK, FHX_E_ARG (buf NULL), FHX_E_NOMEM, FHX_E_LIMIT (size_t
 *         overflow).
 */
FHX_API int fhx_buf_reserve(fhx_buf *buf, size_t extra);

/**
 * Append len bytes (src may be NULL when len is 0).
 * @return as fhx_buf_reserve.
 */
FHX_API int fhx_buf_append(fhx_buf *buf, const void *src, size_t len);

/** Release the memory (len and cap become 0). Safe on a zeroed buffer. */
FHX_API void fhx_buf_free(fhx_buf *buf);

/* ==== Errors and utilities ============================================ */

/** Static text for a status code ("unknown status" for unknown values). */
FHX_API const char *fhx_strerror(int code);

/** Static name of a status code ("FHX_E_JSON"), or "FHX_UNKNOWN". */
FHX_API const char *fhx_status_name(int code);

/**
 * Turn a byte offset in text into a 1-based line and column (bytes).
 * An offset past len is clamped to len.
 * @return FHX_OK or FHX_E_ARG (text NULL with len > 0, or line/col NULL).
 */
FHX_API int fhx_locate(const char *text, size_t len, size_t offset,
                       size_t *line, size_t *col);

/* ==== Version ========================================================= */

/** The library's version string at run time, e.g. "0.1.0". */
FHX_API const char *fhx_version(void);

/** The library's version number at run time, 0xMMmmpp. */
FHX_API unsigned fhx_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* FHX_COMMON_H */
