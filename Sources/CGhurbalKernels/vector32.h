/* 32-byte vectors in the compiler's portable vector types, shared by the byte kernels (normalize.c, json.c). On
 * x86-64 the functions marked GHURBAL_VECTOR_CLONES are compiled twice, for x86-64-v3 (AVX2: one instruction per
 * operation) and for the baseline (pairs of SSE2 instructions), and the loader picks the clone for the CPU; elsewhere
 * the compiler maps the vectors to the machine's own. */
#ifndef GHURBAL_VECTOR32_H
#define GHURBAL_VECTOR32_H
#include <stdint.h>
#include <string.h>

#define WIDTH 32
typedef uint8_t bytes32 __attribute__((vector_size(WIDTH), aligned(1)));
typedef _Bool bits32 __attribute__((ext_vector_type(WIDTH)));

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define GHURBAL_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GHURBAL_VECTOR_CLONES
#endif

/* The smallest page size of the machines Ghurbal runs on: a read that stays within an aligned block of this many
 * bytes cannot fault if any byte of the block is readable. Kernels may read a few bytes before or past their text (and
 * ignore them) when `GHURBAL_WITHIN_PAGE` says all of them lie in one such block, as the C library's string functions
 * do. Builds with the address sanitizer never do, so that it checks every byte the kernels read. */
#define GHURBAL_PAGE_FLOOR 4096
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GHURBAL_NO_READ_AROUND 1
#endif
#endif
#ifdef GHURBAL_NO_READ_AROUND
#define GHURBAL_WITHIN_PAGE(p, n) 0
#else
#define GHURBAL_WITHIN_PAGE(p, n) (((uintptr_t)(p) & (GHURBAL_PAGE_FLOOR - 1)) <= GHURBAL_PAGE_FLOOR - (n))
#endif

/* Macros, not functions: a function taking or returning a 32-byte vector has a different ABI with and without AVX
 * (and the compiler warns about it), even when it is inlined. */
#define LOAD32(p) ({ bytes32 loaded_; memcpy(&loaded_, (p), WIDTH); loaded_; })
#define SPLAT(b) ((bytes32){0} + (uint8_t)(b))
/* Lanes that are set (0xFF) as bits, lane k in bit k. */
#define LANE_BITS(mask) ({ bits32 bits_ = __builtin_convertvector((mask) != 0, bits32); uint32_t word_; \
                           memcpy(&word_, &bits_, sizeof word_); word_; })

#endif
