internal import CGhurbalKernels

/// Memory for buffers that are filled once and kept, or reused: from 2 MiB up (on Linux) a mapping of its own backed by
/// transparent huge pages where the system allows them (`ghurbal_allocate_bytes`), so that its pages are faulted in
/// and zeroed 2 MiB at a time instead of 4 KiB; below that, `malloc`. With `zeroed`, every byte is zero (and a new
/// mapping is not written again). Free with `deallocateLarge` and the same count.
func allocateLarge<T>(_ type: T.Type, count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<T> {
    let bytes = count * MemoryLayout<T>.stride
    guard let raw = ghurbal_allocate_bytes(bytes, zeroed ? 1 : 0) else { fatalError("out of memory: \(bytes) bytes") }
    return raw.bindMemory(to: T.self, capacity: count)
}

func deallocateLarge<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
    ghurbal_deallocate_bytes(pointer, count * MemoryLayout<T>.stride)
}
