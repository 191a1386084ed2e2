#ifndef GHURBAL_CZLIB_SHIM_H
#define GHURBAL_CZLIB_SHIM_H
/* zlib from Debian's zlib1g-dev, for reading .gz inputs. */
#include <zlib.h>
static inline int ghurbal_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
