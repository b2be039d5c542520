/*
 * bootstrap: one log line per invocation in CloudWatch Embedded Metric
 * Format, so the counters become CloudWatch metrics with no extra code:
 *
 *   {"_aws":{"Timestamp":<ms>,"CloudWatchMetrics":[{"Namespace":NS,
 *     "Dimensions":[["FunctionName","Handler"]],"Metrics":[{"Name":
 *     "Records","Unit":"Count"},...]}]},"FunctionName":...,"Handler":...,
 *     "Kernel":"scalar","RequestId":...,"Records":n,...}
 *
 * Metrics: Records, Ok, Dropped, Failed (ProcessingFailed, all causes),
 * then the causes InvalidPayload, HandlerRejected, OverLimit,
 * DeadlineFailed; BytesIn, BytesOut (Bytes); TransformMicros,
 * InvocationMicros (Microseconds). Properties (searchable in Logs
 * Insights, not metrics): Kernel (the base64 kernel), RequestId,
 * Outcome ("response" or "error"), Allocations (allocator calls during
 * the invocation: 0 once warm), and Message, a sentence that says how many
 * records failed and why, or what the event error was.
 */
#ifndef FHX_LAMBDA_EMF_H
#define FHX_LAMBDA_EMF_H

#include <stddef.h>
#include <stdint.h>

#include "firehose-xform.h"

typedef struct emf_invocation {
    const char *ns;            /* CloudWatch namespace */
    const char *function_name; /* AWS_LAMBDA_FUNCTION_NAME or "" */
    const char *handler;
    const char *kernel;
    const char *request_id;
    const char *outcome;       /* "response", "error" */
    const char *message;       /* NULL: composed from the counters */
    int64_t timestamp_ms;
    fhx_transform_stats stats;
    size_t deadline_failed;    /* of stats.handler_errors */
    uint64_t transform_us;
    uint64_t invocation_us;
    size_t allocations;
} emf_invocation;

/* Format the line (with its "\n") into buf; returns its length, or 0
 * when it does not fit. */
size_t emf_format(char *buf, size_t cap, const emf_invocation *e);

#endif /* FHX_LAMBDA_EMF_H */
