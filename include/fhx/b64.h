/*
 * libfirehose-xform: strict base64 (RFC 4648, section 4).
 *
 * The standard alphabet A-Z a-z 0-9 + / with '=' padding, exactly as
 * Amazon Data Firehose sends record data and expects it back. Decoding is
 * strict: no whitespace, no URL-safe alphabet, a length that is a multiple
 * of 4, padding only at the end, and zero bits in the unused part of the last
 * quantum. Every rejection is FHX_E_BASE64 with the offset of the first
 * offending character and a message naming the reason:
 *   - "invalid base64 character"        (offset: that character)
 *   - "base64 padding in the wrong place" (offset: the misplaced '=')
 *   - "base64 input length is not a multiple of 4" (offset: the input length)
 *   - "non-zero trailing bits in base64" (offset: the character carrying them)
 *
 * Encoding never wraps lines and always pads.
 *
 * All functions read only [src, src + src_len) and write only
 * [dst, dst + dst_cap); none needs padding bytes around the buffers.
 * They allocate nothing and are thread-safe.
 *
 * A kernel (scalar now; SIMD kernels later) is chosen once, at first use,
 * see isa.h; every kernel gives byte-identical output and identical errors.
 */
#ifndef FHX_B64_H
#define FHX_B64_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Sizes =========================================================== */

/** Largest input length whose encoded length fits in a size_t. */
#define FHX_B64_ENCODE_MAX_INPUT ((SIZE_MAX / 4) * 3)

/**
 * Encoded length of n bytes, padding included; 0 when n is 0 or when the
 * result would overflow size_t (n > FHX_B64_ENCODE_MAX_INPUT).
 * n is evaluated more than once.
 */
#define FHX_B64_ENCODED_LEN(n)                                         \
    ((size_t)(n) - 1 < FHX_B64_ENCODE_MAX_INPUT                        \
         ? ((size_t)(n) / 3 + ((size_t)(n) % 3 != 0)) * 4              \
         : (size_t)0)

/**
 * Upper bound of the decoded length of n base64 characters; never
 * overflows. The exact length is known after validation.
 */
#define FHX_B64_DECODED_MAX(n) (((size_t)(n) / 4) * 3 + (((size_t)(n) % 4) * 3) / 4)

/** Function twin of FHX_B64_ENCODED_LEN (for bindings). */
FHX_API size_t fhx_b64_encoded_len(size_t n);

/** Function twin of FHX_B64_DECODED_MAX (for bindings). */
FHX_API size_t fhx_b64_decoded_max(size_t n);

/* ==== One-shot ======================================================== */

/**
 * Encode src_len bytes into dst.
 * @param dst_len set to the bytes written (may be NULL).
 * @return FHX_OK; FHX_E_OUTPUT when dst_cap < FHX_B64_ENCODED_LEN(src_len)
 *         (nothing written); FHX_E_ARG for NULL pointers with non-zero
 *         lengths; FHX_E_LIMIT when the encoded length overflows size_t.
 */
FHX_API int fhx_b64_encode(const uint8_t *src, size_t src_len, char *dst,
                           size_t dst_cap, size_t *dst_len);

/**
 * Validate src strictly without writing anything.
 * @param decoded_len set to the exact decoded length on success (may be
 *        NULL).
 * @param err filled on failure (may be NULL): code, offset into src,
 *        record FHX_NO_RECORD, message.
 * @return FHX_OK, FHX_E_BASE64, FHX_E_ARG.
 */
FHX_API int fhx_b64_validate(const char *src, size_t src_len,
                             size_t *decoded_len, fhx_error *err);

/**
 * Decode src strictly into dst. dst may equal src (in-place decoding, see
 * fhx_b64_decode_inplace) but must not otherwise overlap it.
 * @param dst_len set to the bytes written; on error, to the bytes written
 *        before the error (may be NULL).
 * @return FHX_OK; FHX_E_BASE64 (err says where); FHX_E_OUTPUT when dst_cap
 *         is smaller than the decoded length (err offset: the first
 *         character whose output did not fit); FHX_E_ARG.
 */
FHX_API int fhx_b64_decode(const char *src, size_t src_len, uint8_t *dst,
                           size_t dst_cap, size_t *dst_len, fhx_error *err);

/**
 * Decode buf in place: the decoded bytes overwrite the start of buf.
 * On error the content of buf is unspecified.
 * @return as fhx_b64_decode (never FHX_E_OUTPUT).
 */
FHX_API int fhx_b64_decode_inplace(char *buf, size_t len, size_t *out_len,
                                   fhx_error *err);

/* ==== Streaming ======================================================= */

/**
 * Streaming decoder state: a caller-allocated opaque object (it may live on
 * the stack). Only FHX_E_BASE64 ends a stream (later calls repeat it);
 * FHX_E_OUTPUT and FHX_E_ARG refuse the call without consuming anything,
 * so it may be repeated with more room. The streaming decoder cannot
 * decode in place (use fhx_b64_decode_inplace). Feed base64 text in pieces of any size, down to one byte; the
 * output and the errors (offsets count from the first byte ever fed) are
 * identical for every split.
 */
typedef struct fhx_b64_decoder {
    uint64_t opaque[4]; /**< private; use the functions below */
} fhx_b64_decoder;

/** Start (or restart) a decode. */
FHX_API void fhx_b64_decoder_init(fhx_b64_decoder *st);

/**
 * Decode the next piece. Up to 3 characters of an incomplete quantum are
 * kept in the state, so the output for one call is at most
 * FHX_B64_DECODED_MAX(src_len + 3) bytes.
 * @param dst receives the decoded bytes; dst_cap must be at least
 *        FHX_B64_DECODED_MAX(src_len + 3), else FHX_E_OUTPUT (nothing
 *        consumed). dst may be NULL with dst_cap 0 to validate only.
 * @param dst_len bytes written by this call (may be NULL).
 * @return FHX_OK; FHX_E_BASE64 (err; the state is then dead until init);
 *         FHX_E_OUTPUT; FHX_E_ARG.
 */
FHX_API int fhx_b64_decoder_update(fhx_b64_decoder *st, const char *src,
                                   size_t src_len, uint8_t *dst,
                                   size_t dst_cap, size_t *dst_len,
                                   fhx_error *err);

/**
 * End of input: checks that no incomplete quantum is left.
 * @param decoded_total set to the total decoded bytes (may be NULL).
 * @return FHX_OK or FHX_E_BASE64 ("length is not a multiple of 4").
 */
FHX_API int fhx_b64_decoder_final(fhx_b64_decoder *st, size_t *decoded_total,
                                  fhx_error *err);

/**
 * Streaming encoder state (opaque, caller-allocated). Output for every
 * split is identical to the one-shot encoding of the concatenation.
 */
typedef struct fhx_b64_encoder {
    uint64_t opaque[2]; /**< private */
} fhx_b64_encoder;

/** Start (or restart) an encode. */
FHX_API void fhx_b64_encoder_init(fhx_b64_encoder *st);

/**
 * Encode the next piece. Up to 2 bytes are kept in the state.
 * dst_cap must be at least FHX_B64_ENCODED_LEN(src_len + 2), else
 * FHX_E_OUTPUT (nothing consumed).
 * @return FHX_OK, FHX_E_OUTPUT, FHX_E_ARG.
 */
FHX_API int fhx_b64_encoder_update(fhx_b64_encoder *st, const uint8_t *src,
                                   size_t src_len, char *dst, size_t dst_cap,
                                   size_t *dst_len);

/**
 * Flush the last partial group with padding (at most 4 bytes; dst_cap must
 * be at least 4).
 * @return FHX_OK, FHX_E_OUTPUT, FHX_E_ARG.
 */
FHX_API int fhx_b64_encoder_final(fhx_b64_encoder *st, char *dst,
                                  size_t dst_cap, size_t *dst_len);

#ifdef __cplusplus
}
#endif

#endif /* FHX_B64_H */
