/*
 * libfirehose-xform fuzzing: the list of every harness.
 *
 * Each entry NAME has
 *   - fuzz/fuzz_NAME.c defining int fhxf_NAME(const uint8_t *, size_t)
 *     and ending with FHXF_ENTRY(fhxf_NAME);
 *   - a seed corpus in fuzz/corpus/NAME/ (and optionally a dictionary
 *     fuzz/dict/NAME.dict);
 *   - its source listed in fuzz/fuzz.am (fuzz_replay_SOURCES).
 * fuzz/build.sh builds one libFuzzer binary per fuzz/fuzz_*.c file and
 * .ci/run fuzzes every binary it finds; the replay driver (make check)
 * runs every corpus file through every harness of this list.
 *
 * Adding a harness: write fuzz/fuzz_NAME.c, add X(NAME) below and the
 * file to fuzz/fuzz.am, put seeds in fuzz/corpus/NAME/. Nothing else
 * changes.
 */
#ifndef FHX_FUZZ_HARNESSES_H
#define FHX_FUZZ_HARNESSES_H

#include <stddef.h>
#include <stdint.h>

#define FHXF_HARNESSES(X)                                                     \
    X(event)                                                                  \
    X(b64)                                                                    \
    X(b64_diff)                                                               \
    X(frame)                                                                  \
    X(response)                                                               \
    X(verify)                                                                 \
    X(transform)                                                              \
    X(gunzip)                                                                 \
    X(cwlogs)                                                                 \
    X(iot)

#define FHXF_DECLARE(name) int fhxf_##name(const uint8_t *data, size_t size);
FHXF_HARNESSES(FHXF_DECLARE)
#undef FHXF_DECLARE

#endif /* FHX_FUZZ_HARNESSES_H */
