#include "GhurbalKernels.h"
#include "vector32.h"

/* The normalizer's fast path, 32 bytes a step (vector32.h). Which bytes are copied and how they are folded is
 * documented with `FastPath` in ArabicNormalizer.swift, which checks that the normalizer's tables agree before using
 * this. */

static inline __attribute__((always_inline)) size_t copy_run(const uint8_t *restrict in, size_t available,
                                                             uint8_t *restrict out, uint32_t options,
                                                             ptrdiff_t *restrict spaces) {
    ptrdiff_t copied_spaces = 0;
    const bytes32 digit_limit = SPLAT((options & GHURBAL_FAST_COPY_DIGITS) ? 10 : 0);
    const bytes32 fold_maksura = SPLAT((options & GHURBAL_FAST_FOLD_ALEF_MAKSURA) ? 0xFF : 0);
    const bytes32 fold_alef = SPLAT((options & GHURBAL_FAST_FOLD_ALEF) ? 0xFF : 0);
    const bytes32 fold_teh = SPLAT((options & GHURBAL_FAST_FOLD_TEH_MARBUTA) ? 0xFF : 0);
    const bytes32 fold_hamza = SPLAT((options & GHURBAL_FAST_FOLD_HAMZA_CARRIERS) ? 0xFF : 0);
    /* Every step reads one byte before its 32 and one after. A step that would read before the text or past its end
     * reads them anyway when all 34 bytes lie in one page (no read within a page can fault) and treats what is outside
     * the text as zeros, which end the run; otherwise it reads from `local`: the byte before (or 0 at the start), the
     * bytes there are, then zeros. (Most calls are a line or the words between two punctuation marks: two or three
     * steps, of which the first and the last are at an edge.) */
    uint8_t local[WIDTH + 2];
    const bytes32 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    size_t done = 0;
    while (done < available) {
        const uint8_t *p = in + done;
        const int has_before = done > 0 || !(options & GHURBAL_FAST_AT_START);
        const int inside = has_before && done + WIDTH < available;
        bytes32 v, before, after;
        const uint8_t *src = p;  /* where the step's bytes are read (the lanes of `v` outside the text are zero) */
        if (inside) {
            v = LOAD32(p), before = LOAD32(p - 1), after = LOAD32(p + 1);
        } else {
            const size_t rest = available - done;
            if (GHURBAL_WITHIN_PAGE(p - 1, WIDTH + 2)) {
                /* Lanes at or past `rest` are outside the text. */
                const bytes32 limit = SPLAT(rest < WIDTH + 1 ? rest : WIDTH + 1);
                v = LOAD32(p) & (bytes32)(lane < limit);
                after = LOAD32(p + 1) & (bytes32)(lane + 1 < limit);
                before = LOAD32(p - 1) & (bytes32)((lane != 0) | SPLAT(has_before ? 0xFF : 0));
            } else {
                memset(local, 0, sizeof local);
                local[0] = has_before ? p[-1] : 0;
                memcpy(local + 1, p, rest < WIDTH + 1 ? rest : WIDTH + 1);
                src = local + 1;
                v = LOAD32(src), before = LOAD32(local), after = LOAD32(local + 2);
            }
        }
        const bytes32 lead_d8 = (bytes32)(v == 0xD8), lead_d9 = (bytes32)(v == 0xD9);
        const bytes32 second_of_d8 = (bytes32)(before == 0xD8), second_of_d9 = (bytes32)(before == 0xD9);
        /* Second bytes of the accepted letters after D8 (U+0621–U+063F) and after D9 (U+0641–U+064A). */
        const bytes32 after_is_d8_letter = (bytes32)((bytes32)(after - 0xA1) < 0x1F);
        const bytes32 after_is_d9_letter = (bytes32)((bytes32)(after - 0x81) < 0x0A);
        const bytes32 v_is_d8_letter = (bytes32)((bytes32)(v - 0xA1) < 0x1F);
        const bytes32 v_is_d9_letter = (bytes32)((bytes32)(v - 0x81) < 0x0A);
        bytes32 ok = (bytes32)((bytes32)(v - 0x61) < 26) | (bytes32)((bytes32)(v - 0x30) < digit_limit);
        ok |= (bytes32)(v == 0x20) & (bytes32)(before != 0x20);
        ok |= (lead_d8 & after_is_d8_letter) | (lead_d9 & after_is_d9_letter);
        ok |= (second_of_d8 & v_is_d8_letter) | (second_of_d9 & v_is_d9_letter);
        const uint32_t rejected = ~LANE_BITS(ok);
        const int whole = rejected == 0;
        size_t count = whole ? WIDTH : (size_t)__builtin_ctz(rejected);
        /* Stop before a lead byte whose second byte is beyond the step, and before a space (it is copied only with a
         * letter after it, so that a run of spaces or a line end still collapses). */
        if (count > 0 && src[count - 1] >= 0xD8) count -= 1;
        if (count > 0 && src[count - 1] == 0x20) count -= 1;
        if (count == 0) break;
        /* ة ؤ ئ move from D8 to D9 (lead byte), and the second bytes: أ إ آ → ا, ة → ه, ؤ → و, ئ → ي, ى → ي. */
        const bytes32 moves = lead_d8 & ((fold_teh & (bytes32)(after == 0xA9))
                                         | (fold_hamza & ((bytes32)(after == 0xA4) | (bytes32)(after == 0xA6))));
        const bytes32 to_alef = second_of_d8 & fold_alef
                                & ((bytes32)(v == 0xA2) | (bytes32)(v == 0xA3) | (bytes32)(v == 0xA5));
        const bytes32 to_heh = second_of_d8 & fold_teh & (bytes32)(v == 0xA9);
        const bytes32 to_waw = second_of_d8 & fold_hamza & (bytes32)(v == 0xA4);
        const bytes32 to_yeh = (second_of_d8 & fold_hamza & (bytes32)(v == 0xA6))
                               | (second_of_d9 & fold_maksura & (bytes32)(v == 0x89));
        const bytes32 changed = moves | to_alef | to_heh | to_waw | to_yeh;
        const bytes32 replacement = (moves & 0xD9) | (to_alef & 0xA7) | (to_heh & 0x87) | (to_waw & 0x88) | (to_yeh & 0x8A);
        const bytes32 result = (v & ~changed) | replacement;
        const uint32_t copied = count == WIDTH ? 0xFFFFFFFFu : (1u << count) - 1;
        copied_spaces += __builtin_popcount(LANE_BITS((bytes32)(v == 0x20)) & copied);
        memcpy(out + done, &result, WIDTH);
        done += count;
        if (!whole) break;
    }
    *spaces += copied_spaces;
    return done;
}

/* The default options (every fold, digits copied) with and without GHURBAL_FAST_AT_START get copies of the loop in
 * which they are constants, so that the folds' masks are not vectors kept on the stack. */
#define ALL_FOLDS (GHURBAL_FAST_COPY_DIGITS | GHURBAL_FAST_FOLD_ALEF_MAKSURA | GHURBAL_FAST_FOLD_ALEF \
                   | GHURBAL_FAST_FOLD_TEH_MARBUTA | GHURBAL_FAST_FOLD_HAMZA_CARRIERS)
#define DISPATCH(in, available, out, options, spaces) \
    ((options) == ALL_FOLDS ? copy_run(in, available, out, ALL_FOLDS, spaces) \
     : (options) == (ALL_FOLDS | GHURBAL_FAST_AT_START) ? copy_run(in, available, out, ALL_FOLDS | GHURBAL_FAST_AT_START, spaces) \
     : copy_run(in, available, out, options, spaces))

GHURBAL_VECTOR_CLONES
size_t ghurbal_normalize_fast_copy(const uint8_t *in, size_t available, uint8_t *out, uint32_t options,
                                   ptrdiff_t *spaces) {
    return DISPATCH(in, available, out, options, spaces);
}

size_t ghurbal_normalize_fast_copy_baseline(const uint8_t *in, size_t available, uint8_t *out, uint32_t options,
                                            ptrdiff_t *spaces) {
    return DISPATCH(in, available, out, options, spaces);
}

