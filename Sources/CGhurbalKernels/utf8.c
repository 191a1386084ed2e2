#include "GhurbalKernels.h"
#include "vector32.h"

/* The scalars that start in p[0..<n] of valid UTF-8: every byte but a continuation byte (10xxxxxx) starts one. 32
 * bytes a step (vector32.h). */
GHURBAL_VECTOR_CLONES
size_t ghurbal_utf8_count_scalars(const uint8_t *p, size_t n) {
    size_t count = 0, i = 0;
    for (; i + WIDTH <= n; i += WIDTH) {
        const bytes32 v = LOAD32(p + i);
        count += (size_t)__builtin_popcount(LANE_BITS((bytes32)((v & 0xC0) != 0x80)));
    }
    for (; i < n; i++) count += (p[i] & 0xC0) != 0x80;
    return count;
}
