#ifndef GHURBAL_CXXHASH_SHIM_H
#define GHURBAL_CXXHASH_SHIM_H
/* Ghurbal's view of Debian's libxxhash (xxHash >= 0.8, which has the stable XXH3 API).
 * The functions come from the shared library; nothing here is compiled into Ghurbal. */
#include <xxhash.h>
#endif
