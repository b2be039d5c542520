/* libfirehose-xform: status text, offsets to line/column, version. */
#include "internal.h"

typedef struct status_info {
    int code;
    const char *name;
    const char *text;
} status_info;

static const status_info status_table[] = {
    {FHX_OK, "FHX_OK", "success"},
    {FHX_END, "FHX_END", "end of iteration"},
    {FHX_NEED_INPUT, "FHX_NEED_INPUT", "more input needed"},
    {FHX_NEED_OUTPUT, "FHX_NEED_OUTPUT", "more output space needed"},
    {FHX_FULL, "FHX_FULL", "not written: over the size limit"},
    {FHX_E_ARG, "FHX_E_ARG", "invalid argument"},
    {FHX_E_STATE, "FHX_E_STATE", "call not valid in this state"},
    {FHX_E_NOMEM, "FHX_E_NOMEM", "out of memory"},
    {FHX_E_JSON, "FHX_E_JSON", "malformed JSON"},
    {FHX_E_TRUNCATED, "FHX_E_TRUNCATED", "input ended early (inside JSON or gzip)"},
    {FHX_E_SCHEMA, "FHX_E_SCHEMA", "not a Firehose event"},
    {FHX_E_DEPTH, "FHX_E_DEPTH", "JSON nested too deeply"},
    {FHX_E_BASE64, "FHX_E_BASE64", "invalid base64"},
    {FHX_E_NO_DATA, "FHX_E_NO_DATA", "record has no data string"},
    {FHX_E_LIMIT, "FHX_E_LIMIT", "size limit exceeded"},
    {FHX_E_OUTPUT, "FHX_E_OUTPUT", "output buffer too small"},
    {FHX_E_DUPLICATE_ID, "FHX_E_DUPLICATE_ID", "duplicate recordId"},
    {FHX_E_UNKNOWN_ID, "FHX_E_UNKNOWN_ID", "recordId not in the event"},
    {FHX_E_MISSING_ID, "FHX_E_MISSING_ID", "recordId of the event not answered"},
    {FHX_E_RESULT, "FHX_E_RESULT", "result is not Ok, Dropped or ProcessingFailed"},
    {FHX_E_HANDLER, "FHX_E_HANDLER", "record handler failed"},
    {FHX_E_ZLIB, "FHX_E_ZLIB", "zlib error"},
    {FHX_E_VERSION, "FHX_E_VERSION", "header and library versions differ"},
};

static const status_info *find_status(int code) {
    size_t i;
    for (i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].code == code) return &status_table[i];
    return NULL;
}

const char *fhx_strerror(int code) {
    const status_info *s = find_status(code);
    return s ? s->text : "unknown status";
}

const char *fhx_status_name(int code) {
    const status_info *s = find_status(code);
    return s ? s->name : "FHX_UNKNOWN";
}

int fhx_locate(const char *text, size_t len, size_t offset, size_t *line,
               size_t *col) {
    size_t i, l = 1, c = 1;
    if ((!text && len) || !line || !col) return FHX_E_ARG;
    if (offset > len) offset = len;
    for (i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
    return FHX_OK;
}

const char *fhx_version(void) { return FHX_VERSION_STRING; }

unsigned fhx_version_number(void) { return (unsigned)FHX_VERSION_NUM; }
