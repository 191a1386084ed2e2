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

/* Decodes a JSON string's content from p[*from] on into `out`: runs copied 32 bytes a step, the escapes \" \\ \/ \b
 * \f \n \r \t decoded; stops at the first other escape (\u, or one that is not JSON), leaving *from at its backslash,
 * or once *from reaches `end` (past it when an escape ends on the closing quote at p[end], which must be readable).
 * Returns the bytes written. `out` needs room for end - *from bytes: decoding never lengthens, so a full 32-byte store
 * is only made where 32 input bytes remain. */
GHURBAL_VECTOR_CLONES
size_t ghurbal_json_decode_run(const uint8_t *p, size_t *from, size_t end, uint8_t *out) {
    size_t i = *from, o = 0;
    while (i < end) {
        while (i + WIDTH <= end) {
            const bytes32 v = LOAD32(p + i);
            memcpy(out + o, &v, WIDTH);
            const uint32_t bits = LANE_BITS((bytes32)(v == 0x5C));
            if (bits == 0) {
                i += WIDTH;
                o += WIDTH;
                continue;
            }
            const size_t k = (size_t)__builtin_ctz(bits);
            i += k;
            o += k;
            goto escape;
        }
        while (i < end && p[i] != 0x5C) out[o++] = p[i++];
        if (i >= end) break;
    escape:;
        uint8_t decoded;
        switch (p[i + 1]) {
        case 0x22: decoded = 0x22; break;
        case 0x5C: decoded = 0x5C; break;
        case 0x2F: decoded = 0x2F; break;
        case 0x62: decoded = 0x08; break;
        case 0x66: decoded = 0x0C; break;
        case 0x6E: decoded = 0x0A; break;
        case 0x72: decoded = 0x0D; break;
        case 0x74: decoded = 0x09; break;
        default: *from = i; return o;
        }
        out[o++] = decoded;
        i += 2;
    }
    *from = i;
    return o;
}
