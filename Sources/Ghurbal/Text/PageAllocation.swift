internal import CGhurbalKernels

/// Zeroed bytes in a mapping of their own (`ghurbal_allocate_pages`; huge pages with GHURBAL_HUGE_PAGES=1):
/// for buffers filled once and kept to the end of the run, such as the spool's chunks. Free with `deallocatePages`.
func allocatePages(byteCount: Int) -> UnsafeMutablePointer<UInt8> {
    guard let raw = ghurbal_allocate_pages(byteCount) else { fatalError("out of memory: \(byteCount) bytes") }
    return raw.bindMemory(to: UInt8.self, capacity: byteCount)
}

func deallocatePages(_ pointer: UnsafeMutablePointer<UInt8>, byteCount: Int) {
    ghurbal_deallocate_pages(pointer, byteCount)
}
