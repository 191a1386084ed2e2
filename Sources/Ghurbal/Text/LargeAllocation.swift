internal import CGhurbalKernels

/// Memory for large buffers from the C heap (`ghurbal_allocate_bytes`): from 2 MiB up its whole 2 MiB pages are
/// advised to be huge pages (unless `zeroed`: `calloc` has written them already), and what is freed is used again by
/// later buffers. With `zeroed`, every byte is zero. Free with `deallocateLarge` and the same count.
func allocateLarge<T>(_ type: T.Type, count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<T> {
    let bytes = count * MemoryLayout<T>.stride
    guard let raw = ghurbal_allocate_bytes(bytes, zeroed ? 1 : 0) else { fatalError("out of memory: \(bytes) bytes") }
    return raw.bindMemory(to: T.self, capacity: count)
}

func deallocateLarge<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
    ghurbal_deallocate_bytes(pointer, count * MemoryLayout<T>.stride)
}

/// Zeroed bytes in a mapping of their own backed by huge pages where the system allows (`ghurbal_allocate_pages`):
/// for buffers filled once and kept to the end of the run, such as the spool's chunks. Free with `deallocatePages`.
func allocatePages(byteCount: Int) -> UnsafeMutablePointer<UInt8> {
    guard let raw = ghurbal_allocate_pages(byteCount) else { fatalError("out of memory: \(byteCount) bytes") }
    return raw.bindMemory(to: UInt8.self, capacity: byteCount)
}

func deallocatePages(_ pointer: UnsafeMutablePointer<UInt8>, byteCount: Int) {
    ghurbal_deallocate_pages(pointer, byteCount)
}
