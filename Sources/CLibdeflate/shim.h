#ifndef GHURBAL_CLIBDEFLATE_SHIM_H
#define GHURBAL_CLIBDEFLATE_SHIM_H
/* libdeflate from Debian's libdeflate-dev: whole-buffer DEFLATE, for the gzip members of .gz outputs. */
#include <libdeflate.h>
#endif
