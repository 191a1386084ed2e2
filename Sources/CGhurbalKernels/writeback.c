#define _GNU_SOURCE
#include "GhurbalKernels.h"
#include <unistd.h>
#ifdef __linux__
#include <fcntl.h>
#endif

int ghurbal_start_writeback(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

int ghurbal_sync_filesystem(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    (void)fd;
    sync();
    return 0;
#endif
}
