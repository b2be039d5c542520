/* libfirehose-xform: symbol visibility and attributes for public declarations. */
#ifndef FHX_EXPORT_H
#define FHX_EXPORT_H

/*
 * The library is built with -fvisibility=hidden and FHX_BUILDING defined;
 * only declarations marked FHX_API are exported.
 */
#if defined(FHX_BUILDING) && defined(__GNUC__)
#define FHX_API __attribute__((visibility("default")))
#else
#define FHX_API
#endif

#endif /* FHX_EXPORT_H */
