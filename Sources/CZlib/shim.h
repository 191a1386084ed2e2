#ifndef GHURBAL_CZLIB_SHIM_H
#define GHURBAL_CZLIB_SHIM_H
/* zlib from Debian's zlib1g-dev, for .gz inputs and outputs. */
#include <zlib.h>
static inline int ghurbal_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
static inline int ghurbal_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
