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

/* Word bounds for shingling: words are runs of bytes other than space (0x20) and newline (0x0A). Scans p[from..<n]
 * (the byte before `from` counts as a separator) 32 bytes a step: a separator mask per step, word starts where a
 * non-separator follows a separator, word ends where a separator follows a non-separator, each written in order as the
 * mask's set bits are taken off. The last step is read from a copy padded with spaces, so a word that runs to the end
 * ends at n. Stops once it has the words that start before `starts_before` and `extra` words more (with their ends);
 * returns the number of words written (no more than p[from..<n] has: (n - from + 1) / 2 at most, the room `starts` and
 * `ends` need). Positions must fit 32 bits (n < 2^32). */
GHURBAL_VECTOR_CLONES
size_t ghurbal_word_bounds(const uint8_t *p, size_t n, size_t from, size_t starts_before, size_t extra,
                           uint32_t *starts, uint32_t *ends) {
    size_t started = 0, ended = 0;
    size_t first_beyond = SIZE_MAX;
    uint32_t previous_separator = 1, previous_word = 0;
    for (size_t i = from; i < n; i += WIDTH) {
        bytes32 v;
        if (i + WIDTH <= n) {
            v = LOAD32(p + i);
        } else {
            uint8_t padded[WIDTH];
            memset(padded, 0x20, WIDTH);
            memcpy(padded, p + i, n - i);
            v = LOAD32(padded);
        }
        const uint32_t separator = LANE_BITS((bytes32)(v == 0x20) | (bytes32)(v == 0x0A));
        const uint32_t word = ~separator;
        uint32_t start_bits = word & (separator << 1 | previous_separator);
        uint32_t end_bits = separator & (word << 1 | previous_word);
        previous_separator = separator >> 31;
        previous_word = word >> 31;
        while (start_bits) {
            const size_t at = i + (size_t)__builtin_ctz(start_bits);
            if (first_beyond == SIZE_MAX && at >= starts_before) first_beyond = started;
            starts[started++] = (uint32_t)at;
            start_bits &= start_bits - 1;
        }
        while (end_bits) {
            ends[ended++] = (uint32_t)(i + (size_t)__builtin_ctz(end_bits));
            end_bits &= end_bits - 1;
        }
        if (first_beyond != SIZE_MAX && ended >= first_beyond + extra) return first_beyond + extra;
    }
    /* Past the end: the padding closed the last word (its end is n) unless the text ends exactly at a step's end. */
    if (ended < started) ends[ended++] = (uint32_t)n;
    return started;
}
