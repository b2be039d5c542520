/* libfirehose-xform: allocator hooks and growable buffers. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int fhxi_alc_valid(const fhx_allocator *alc) {
    if (!alc) return 1;
    if (!alc->alloc && !alc->realloc && !alc->free) return 1;
    return alc->alloc && alc->realloc && alc->free;
}

static int alc_is_libc(const fhx_allocator *alc) {
    return !alc || (!alc->alloc && !alc->realloc && !alc->free);
}

void *fhxi_alloc(const fhx_allocator *alc, size_t size) {
    if (size == 0) size = 1;
    if (alc_is_libc(alc)) return malloc(size);
    return alc->alloc(alc->ctx, size);
}

void *fhxi_realloc(const fhx_allocator *alc, void *ptr, size_t old_size,
                   size_t new_size) {
    if (new_size == 0) new_size = 1;
    if (alc_is_libc(alc)) return realloc(ptr, new_size);
    if (!ptr) return alc->alloc(alc->ctx, new_size);
    return alc->realloc(alc->ctx, ptr, old_size, new_size);
}

void fhxi_free(const fhx_allocator *alc, void *ptr, size_t size) {
    if (!ptr) return;
    if (alc_is_libc(alc)) {
        free(ptr);
        return;
    }
    alc->free(alc->ctx, ptr, size ? size : 1);
}

void *fhxi_obj_alloc(const fhx_allocator *alc, size_t size) {
    void *obj = fhxi_alloc(alc, size);
    if (obj) memset(obj, 0, size);
    return obj;
}

const fhx_allocator *fhxi_alc_keep(fhx_allocator *store,
                                   const fhx_allocator *alc) {
    if (alc_is_libc(alc)) return NULL;
    *store = *alc;
    return store;
}

void fhxi_obj_free(const fhx_allocator *kept, void *obj, size_t size) {
    fhx_allocator copy; /* kept may be inside obj: free through a copy */
    if (!kept) {
        fhxi_free(NULL, obj, size);
        return;
    }
    copy = *kept;
    fhxi_free(&copy, obj, size);
}

void fhx_buf_init(fhx_buf *buf, const fhx_allocator *alc) {
    if (!buf) return;
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->alc = alc;
}

int fhx_buf_reserve(fhx_buf *buf, size_t extra) {
    size_t need, cap;
    uint8_t *p;
    if (!buf || buf->len > buf->cap) return FHX_E_ARG;
    if (!fhxi_alc_valid(buf->alc)) return FHX_E_ARG;
    if (!fhxi_add(buf->len, extra, &need)) return FHX_E_LIMIT;
    if (need <= buf->cap) return FHX_OK;
    cap = buf->cap < 64 ? 64 : buf->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    p = fhxi_realloc(buf->alc, buf->ptr, buf->cap, cap);
    if (!p) return FHX_E_NOMEM;
    buf->ptr = p;
    buf->cap = cap;
    return FHX_OK;
}

int fhx_buf_append(fhx_buf *buf, const void *src, size_t len) {
    int st;
    if (!buf || (!src && len)) return FHX_E_ARG;
    if (len == 0) return FHX_OK;
    st = fhx_buf_reserve(buf, len);
    if (st != FHX_OK) return st;
    memcpy(buf->ptr + buf->len, src, len);
    buf->len += len;
    return FHX_OK;
}

void fhx_buf_free(fhx_buf *buf) {
    if (!buf) return;
    fhxi_free(buf->alc, buf->ptr, buf->cap);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
}
