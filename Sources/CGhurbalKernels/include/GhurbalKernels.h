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

/// `size` zeroed bytes in a mapping of their own (on Linux), aligned to 2 MiB: for buffers that are filled once and kept
/// to the end (the spool's chunks). With GHURBAL_HUGE_PAGES=1 in the environment the mapping is advised
/// (MADV_HUGEPAGE) to be backed by transparent huge pages, faulted in and zeroed 2 MiB at a time instead of 4 KiB (on
/// a machine whose free memory stays backed, fewer faults; on this project's VM, slower: see allocator.c). Elsewhere,
/// `calloc`. NULL when out of memory. Free with `ghurbal_deallocate_pages` and the same `size`.
void *ghurbal_allocate_pages(size_t size);

/// Frees what `ghurbal_allocate_pages(size)` returned.
void ghurbal_deallocate_pages(void *bytes, size_t size);

/// Starts writing `length` bytes of `fd` from `offset` back to disk without waiting (Linux's sync_file_range with
/// SYNC_FILE_RANGE_WRITE), so that a later fsync has little left to wait for. Returns 0, or -1 with errno; a no-op
/// returning 0 elsewhere.
int ghurbal_start_writeback(int fd, int64_t offset, int64_t length);

/// Writes every file of the filesystem that holds `fd` to disk and waits (Linux's syncfs; `sync` elsewhere): one
/// flush for a folder of many files, where an fsync each would flush the disk's cache once per file. Returns 0, or
/// -1 with errno.
int ghurbal_sync_filesystem(int fd);

/// Options of `ghurbal_normalize_fast_copy`: the folds it applies and whether ASCII digits are copied.
enum {
    GHURBAL_FAST_COPY_DIGITS = 1,
    GHURBAL_FAST_FOLD_ALEF_MAKSURA = 2,
    GHURBAL_FAST_FOLD_ALEF = 4,
    GHURBAL_FAST_FOLD_TEH_MARBUTA = 8,
    GHURBAL_FAST_FOLD_HAMZA_CARRIERS = 16,
    /// `in` is the start of the text: there is no byte before it.
    GHURBAL_FAST_AT_START = 32,
};

/// The normalizer's fast path (see `FastPath` in ArabicNormalizer.swift): copies from `in` to `out`, 32 bytes a step,
/// the longest run of lowercase ASCII letters, ASCII digits (with GHURBAL_FAST_COPY_DIGITS), single spaces between
/// them and the Arabic letters U+0621–U+063F and U+0641–U+064A, applying the folds `options` asks for; returns the
/// number of bytes copied, which is also the number written (every fold keeps the length), and adds the spaces among
/// them to `*spaces`. It stops before anything else, before a space or a lead byte at the end of the text, and at the
/// end of the text. `in[0..<available]` must be readable, and `in[-1]` too unless `options` has GHURBAL_FAST_AT_START;
/// `in` must be at the start of a character; `out` must have room for `available + 32` bytes (every step stores 32; the
/// bytes past those copied are left undefined). Bytes around the text within its 4 KiB page may be read and are
/// ignored. Compiled for x86-64-v3 (AVX2)
/// and the baseline; the loader picks the clone.
size_t ghurbal_normalize_fast_copy(const uint8_t *in, size_t available, uint8_t *out, uint32_t options,
                                   ptrdiff_t *spaces);

/// `ghurbal_normalize_fast_copy` compiled for the baseline only, so that tests can check it on any machine.
size_t ghurbal_normalize_fast_copy_baseline(const uint8_t *in, size_t available, uint8_t *out, uint32_t options,
                                            ptrdiff_t *spaces);

/// The first byte of `p[from..<n]` that a JSON string must escape (`"`, `\`, or below 0x20), or `n` when there is
/// none; 32 bytes a step, compiled like `ghurbal_normalize_fast_copy`.
size_t ghurbal_json_next_special(const uint8_t *p, size_t n, size_t from);

/// The first `"` or byte below 0x20 of `p[from..<n]` (backslashes are not stopped at), or `n`: the end of a string token
/// is the first such byte after an even run of backslashes, found 32 bytes a step however many escapes come before it.
size_t ghurbal_json_next_quote_or_control(const uint8_t *p, size_t n, size_t from);

/// Decodes a JSON string's content from `p[*from]` on into `out` (room for `end - *from` bytes): runs are copied 32 bytes
/// a step and the one-letter escapes decoded; stops at a `\u` escape or one that is not JSON, with `*from` at its
/// backslash, or when `*from` reaches `end` (or passes it: an escape may end on the closing quote at `p[end]`). Returns
/// the bytes written.
size_t ghurbal_json_decode_run(const uint8_t *p, size_t *from, size_t end, uint8_t *out);

/// The number of Unicode scalars that start in `p[0..<n]` of valid UTF-8 (the bytes that are not continuation bytes);
/// 32 bytes a step, compiled like `ghurbal_normalize_fast_copy`.
size_t ghurbal_utf8_count_scalars(const uint8_t *p, size_t n);

/// The words (runs of bytes other than space and newline) of `p[from..<n]`: their starts and ends (exclusive), in order,
/// 32 bytes a step; stops once it has every word that starts before `starts_before` and `extra` words more. Returns
/// how many were written; `starts` and `ends` need room for `(n - from + 1) / 2` words. For `n < 2^32`.
size_t ghurbal_word_bounds(const uint8_t *p, size_t n, size_t from, size_t starts_before, size_t extra,
                           uint32_t *starts, uint32_t *ends);

/// The value of the four hexadecimal digits (either case) at `p`, as in a JSON `\uXXXX` escape, or -1 when one of
/// them is not a digit. Inline (Swift inlines it too): JSON written with every non-ASCII character escaped, as
/// Python's json.dumps does by default, has one escape per letter.
static inline int32_t ghurbal_hex4(const uint8_t *p) {
    // Each digit's value plus one; 0 for a byte that is not a digit.
    static const uint8_t value_plus_one[256] = {
        ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
        ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
        ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    };
    const int32_t a = value_plus_one[p[0]], b = value_plus_one[p[1]], c = value_plus_one[p[2]], d = value_plus_one[p[3]];
    if (a == 0 || b == 0 || c == 0 || d == 0) return -1;
    return (a - 1) << 12 | (b - 1) << 8 | (c - 1) << 4 | (d - 1);
}

/// Asks for the cache line at `p` to be loaded (for writing soon), without waiting for it: a hint, never a fault.
/// Inline (Swift inlines it): one instruction where a table larger than the caches is probed at many places.
static inline void ghurbal_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
