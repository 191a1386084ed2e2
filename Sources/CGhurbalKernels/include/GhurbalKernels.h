#ifndef GHURBAL_KERNELS_H
#define GHURBAL_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Folds `count` 64-bit shingle hashes into a MinHash signature of `permutations` 32-bit minima:
///     y = (uint32)(h ^ h >> 32);   sig[p] = min(sig[p], a[p] * (y ^ s[p]) + b[p]  mod 2^32).
/// The function is compiled three times (x86-64-v4 with AVX-512, x86-64-v3 with AVX2, and the baseline) and the
/// loader picks the best for the CPU it runs on, so one binary is fast where it can be and runs everywhere.
void ghurbal_minhash_fold(uint32_t *sig, const uint32_t *a, const uint32_t *b, const uint32_t *s,
                          size_t permutations, const uint64_t *hashes, size_t count);

/// Which clone `ghurbal_minhash_fold` runs on this CPU: "x86-64-v4", "x86-64-v3" or "baseline".
const char *ghurbal_minhash_kernel_name(void);

/// Asks glibc's malloc to keep freed blocks of up to 32 MiB in its heap instead of returning them to the kernel
/// (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD). A no-op with other C libraries.
void ghurbal_keep_freed_memory(void);

/// Starts writing `length` bytes of `fd` from `offset` back to disk without waiting (Linux's sync_file_range with
/// SYNC_FILE_RANGE_WRITE), so that a later fsync has little left to wait for. Returns 0, or -1 with errno; a no-op
/// returning 0 elsewhere.
int ghurbal_start_writeback(int fd, int64_t offset, int64_t length);

#endif
