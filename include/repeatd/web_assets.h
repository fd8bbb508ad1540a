/* The dashboard's static files, compiled into the binary by web/embed.py. */
#pragma once

#include <stddef.h>

typedef struct rd_web_asset {
    const char *name; /* "index.html", served as /ui/index.html */
    const char *type; /* Content-Type */
    const char *etag; /* quoted hash of the bytes */
    size_t size;
    const char *bytes;
    size_t gz_size;       /* the gzip-compressed bytes, when they are much smaller; else 0, */
    const char *gz_etag;  /* NULL, */
    const char *gz_bytes; /* NULL */
} rd_web_asset;

/* Every file, by name; empty when the build left the dashboard out (-Dui=false). */
extern const rd_web_asset rd_web_assets[];
extern const size_t rd_web_asset_count;
