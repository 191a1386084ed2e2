#include "GhurbalKernels.h"
#include "vector32.h"

/* JSON strings: the first byte at or after `from` that a string must escape (quote, backslash, below 0x20), 32 bytes
 * a step (vector32.h); `n` when there is none. */
GHURBAL_VECTOR_CLONES
size_t ghurbal_json_next_special(const uint8_t *p, size_t n, size_t from) {
    size_t i = from;
    for (; i + WIDTH <= n; i += WIDTH) {
        const bytes32 v = LOAD32(p + i);
        const bytes32 special = (bytes32)(v == 0x22) | (bytes32)(v == 0x5C) | (bytes32)(v < 0x20);
        const uint32_t bits = LANE_BITS(special);
        if (bits != 0) return i + (size_t)__builtin_ctz(bits);
    }
    for (; i < n; i++) {
        if (p[i] == 0x22 || p[i] == 0x5C || p[i] < 0x20) return i;
    }
    return n;
}

/* The first quote or byte below 0x20 at or after `from`, backslashes passed over; `n` when there is none. */
GHURBAL_VECTOR_CLONES
size_t ghurbal_json_next_quote_or_control(const uint8_t *p, size_t n, size_t from) {
    size_t i = from;
    for (; i + WIDTH <= n; i += WIDTH) {
        const bytes32 v = LOAD32(p + i);
        const bytes32 hit = (bytes32)(v == 0x22) | (bytes32)(v < 0x20);
        const uint32_t bits = LANE_BITS(hit);
        if (bits != 0) return i + (size_t)__builtin_ctz(bits);
    }
    for (; i < n; i++) {
        if (p[i] == 0x22 || p[i] < 0x20) return i;
    }
    return n;
}
