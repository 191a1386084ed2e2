#include "GhurbalKernels.h"

#define GHURBAL_BLOCK 64

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define GHURBAL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GHURBAL_CLONES
#endif

/* Permutations in blocks of 64 kept in registers while every hash streams past: the signature is loaded and stored
 * once per block, not once per hash, and the independent minimum chains hide the multiply's latency. 32-bit lanes
 * because every x86-64 vector unit multiplies and takes unsigned minima of 32-bit lanes natively (AVX2: 8 lanes per
 * instruction), whereas a 64-bit multiply needs AVX-512DQ or three emulating multiplies. */
GHURBAL_CLONES
void ghurbal_minhash_fold(uint32_t *restrict sig, const uint32_t *restrict a, const uint32_t *restrict b,
                          const uint32_t *restrict s, size_t permutations, const uint64_t *restrict hashes,
                          size_t count) {
    size_t p = 0;
    for (; p + GHURBAL_BLOCK <= permutations; p += GHURBAL_BLOCK) {
        uint32_t acc[GHURBAL_BLOCK], pa[GHURBAL_BLOCK], pb[GHURBAL_BLOCK], ps[GHURBAL_BLOCK];
        for (int j = 0; j < GHURBAL_BLOCK; j++) {
            acc[j] = sig[p + j]; pa[j] = a[p + j]; pb[j] = b[p + j]; ps[j] = s[p + j];
        }
        for (size_t i = 0; i < count; i++) {
            const uint64_t h = hashes[i];
            const uint32_t y = (uint32_t)(h ^ (h >> 32));
            for (int j = 0; j < GHURBAL_BLOCK; j++) {
                const uint32_t v = pa[j] * (y ^ ps[j]) + pb[j];
                acc[j] = v < acc[j] ? v : acc[j];
            }
        }
        for (int j = 0; j < GHURBAL_BLOCK; j++) sig[p + j] = acc[j];
    }
    for (; p < permutations; p++) {
        uint32_t m = sig[p];
        for (size_t i = 0; i < count; i++) {
            const uint32_t y = (uint32_t)(hashes[i] ^ (hashes[i] >> 32));
            const uint32_t v = a[p] * (y ^ s[p]) + b[p];
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
