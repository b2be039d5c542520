/*
 * libfirehose-xform: framing of the messages inside a record's payload.
 *
 * An IoT topic rule with a separator ("\n", "\r\n", "\t" or ",";
 * docs/contract.md section 4) hands Firehose one message per record with
 * the separator after it; producers that batch put several messages in one
 * record. The framer iterates those messages without copying:
 *
 *     fhx_framer fr;
 *     fhx_slice msg;
 *     fhx_frame_init(&fr, data, len, FHX_SEP_LINE, 0);
 *     while (fhx_frame_next(&fr, &msg) == FHX_OK) { ... }
 *
 * Separators:
 *   - FHX_SEP_LINE: "\n"; a "\r" right before it is part of the separator,
 *     so "\r\n" works too;
 *   - FHX_SEP_TAB: "\t";
 *   - FHX_SEP_COMMA: ",".
 * A last message without a separator is still a message. Empty messages
 * (two separators in a row, or a separator at the start) are skipped.
 *
 * FHX_FRAME_SPLIT_JSON: also split concatenated JSON values that have no
 * separator between them ("}{", docs/contract.md section 8.1). Inside a
 * message the framer tracks strings and bracket depth and cuts after each
 * complete top-level object or array; separators and whitespace between
 * values are skipped, and separators inside a value (a comma in an object)
 * never cut it. Bytes that are not a JSON object or array are passed through
 * as they would be without the flag. The framer does not validate JSON.
 *
 * The framer reads only [data, data + len), allocates nothing, and its
 * slices point into data.
 */
#ifndef FHX_FRAME_H
#define FHX_FRAME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Message separators. */
typedef enum fhx_separator {
    FHX_SEP_LINE = 0,  /**< "\n" or "\r\n" */
    FHX_SEP_TAB = 1,   /**< "\t" */
    FHX_SEP_COMMA = 2  /**< "," */
} fhx_separator;

/** Framer flags. */
enum fhx_frame_flag {
    FHX_FRAME_SPLIT_JSON = 1u << 0 /**< split "}{" concatenated JSON values */
};

/** Framer state: caller-allocated, fields private. */
typedef struct fhx_framer {
    const char *data;
    size_t len;
    size_t pos;
    int sep;
    unsigned flags;
} fhx_framer;

/**
 * Start framing data.
 * @return FHX_OK, or FHX_E_ARG (NULL framer, NULL data with len > 0,
 *         unknown separator or flags).
 */
FHX_API int fhx_frame_init(fhx_framer *fr, const void *data, size_t len,
                           fhx_separator sep, unsigned flags);

/**
 * The next non-empty message, without its separator.
 * @return FHX_OK (msg set), FHX_END, FHX_E_ARG.
 */
FHX_API int fhx_frame_next(fhx_framer *fr, fhx_slice *msg);

/**
 * Append msg to out followed by exactly one "\n": any "\r" and "\n" bytes
 * at the end of msg are dropped first, so a message that already ends with
 * its separator does not get a second one.
 * @return FHX_OK, FHX_E_ARG, FHX_E_NOMEM, FHX_E_LIMIT.
 */
FHX_API int fhx_frame_append_line(fhx_buf *out, const void *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* FHX_FRAME_H */
