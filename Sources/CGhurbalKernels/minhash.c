#include "GhurbalKernels.h"

#define GHURBAL_BLOCK 32

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define GHURBAL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GHURBAL_CLONES
#endif

/* Permutations in blocks of 32 kept in registers while every hash streams past: the signature is loaded and stored
 * once per block, not once per hash, and the 32 independent minimum chains hide the multiply's latency. */
GHURBAL_CLONES
void ghurbal_minhash_fold(uint64_t *restrict sig, const uint64_t *restrict a, const uint64_t *restrict b,
                          size_t permutations, const uint64_t *restrict hashes, size_t count) {
    size_t p = 0;
    for (; p + GHURBAL_BLOCK <= permutations; p += GHURBAL_BLOCK) {
        uint64_t acc[GHURBAL_BLOCK], pa[GHURBAL_BLOCK], pb[GHURBAL_BLOCK];
        for (int j = 0; j < GHURBAL_BLOCK; j++) { acc[j] = sig[p + j]; pa[j] = a[p + j]; pb[j] = b[p + j]; }
        for (size_t i = 0; i < count; i++) {
            const uint64_t x = hashes[i];
            for (int j = 0; j < GHURBAL_BLOCK; j++) {
                const uint64_t v = pa[j] * x + pb[j];
                acc[j] = v < acc[j] ? v : acc[j];
            }
        }
        for (int j = 0; j < GHURBAL_BLOCK; j++) sig[p + j] = acc[j];
    }
    for (; p < permutations; p++) {
        uint64_t m = sig[p];
        for (size_t i = 0; i < count; i++) {
            const uint64_t v = a[p] * hashes[i] + b[p];
            m = v < m ? v : m;
        }
        sig[p] = m;
    }
}

const char *ghurbal_minhash_kernel_name(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3";
#endif
    return "baseline";
}
