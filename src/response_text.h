/*
 * libfirehose-xform internals: the literal text of a response, shared by
 * the writer (response.c) and the code that reads back what it wrote
 * (room.c), so that both always agree on the format.
 */
#ifndef FHX_RESPONSE_TEXT_H
#define FHX_RESPONSE_TEXT_H

#define FHXI_T_BEGIN "{\"records\":["
#define FHXI_T_EMPTY "{\"records\":[]}"
#define FHXI_T_CLOSE "]}"
#define FHXI_T_ID "{\"recordId\":\""
#define FHXI_T_RESULT "\",\"result\":\""
#define FHXI_T_DATA ",\"data\":\""
#define FHXI_T_KAFKA ",\"kafkaRecordValue\":\""
#define FHXI_T_META ",\"metadata\":{\"partitionKeys\":{"

#endif /* FHX_RESPONSE_TEXT_H */
