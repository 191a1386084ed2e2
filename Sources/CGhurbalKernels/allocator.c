#include "GhurbalKernels.h"
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

void ghurbal_keep_freed_memory(void) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

#define HUGE_PAGE ((size_t)2 << 20)

/// Huge pages are asked for only when GHURBAL_HUGE_PAGES=1 (read at each call: they are rare, a few hundred a run).
/// On a virtual machine that reports free memory to its host (this project's, at 2 MiB and up), a huge page is
/// mostly memory the host took back, and its first touch costs a trip to the host for each of its 512 small pages;
/// small pages come first from what was freed recently and is still backed.
static int huge_pages_wanted(void) {
    const char *setting = getenv("GHURBAL_HUGE_PAGES");
    return setting != NULL && setting[0] == '1' && setting[1] == 0;
}

static size_t huge_length(size_t size) { return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1); }

void *ghurbal_allocate_pages(size_t size) {
#ifdef __linux__
    size_t length = huge_length(size > 0 ? size : 1);
    uint8_t *mapped = mmap(NULL, length + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return NULL;
    uint8_t *aligned = (uint8_t *)(((uintptr_t)mapped + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (aligned > mapped) munmap(mapped, (size_t)(aligned - mapped));
    size_t tail = (size_t)(mapped + length + HUGE_PAGE - (aligned + length));
    if (tail > 0) munmap(aligned + length, tail);
    // Advice only, and only with GHURBAL_HUGE_PAGES=1: otherwise (or without transparent huge pages) 4 KiB pages.
    if (huge_pages_wanted()) (void)madvise(aligned, length, MADV_HUGEPAGE);
    return aligned;  // zeroed, as every new mapping is
#else
    return calloc(1, size > 0 ? size : 1);
#endif
}

void ghurbal_deallocate_pages(void *bytes, size_t size) {
    if (bytes == NULL) return;
#ifdef __linux__
    munmap(bytes, huge_length(size > 0 ? size : 1));
#else
    (void)size;
    free(bytes);
#endif
}
