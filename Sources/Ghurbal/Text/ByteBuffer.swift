/// A growable, reusable byte buffer for hot loops.
///
/// Normalizing, joining lines and shingling all write bytes into scratch space that is reused from one document
/// to the next, so that the per-document work allocates nothing once the buffer has grown to the largest document.
/// Not thread-safe: give every worker its own buffer. (Its properties are not checked for exclusive access at run
/// time: the checks cost more than the byte loops that use them.)
public final class ByteBuffer {
    @exclusivity(unchecked) var storage: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) var capacity: Int
    /// Number of valid bytes.
    @exclusivity(unchecked) public internal(set) var count: Int
    /// The storage is a mapping of its own (`allocatePages`), not heap memory.
    let pages: Bool

    public convenience init(capacity: Int = 4096) { self.init(capacity: capacity, pages: false) }

    /// With `pages`, the storage comes from `allocatePages` (for a buffer whose storage is handed over and kept: the
    /// spool's chunks).
    init(capacity: Int, pages: Bool) {
        self.capacity = max(16, capacity)
        self.pages = pages
        self.storage = Self.allocateStorage(self.capacity, pages: pages)
        self.count = 0
    }

    deinit { Self.deallocateStorage(storage, capacity, pages: pages) }

    private static func allocateStorage(_ capacity: Int, pages: Bool) -> UnsafeMutablePointer<UInt8> {
        pages ? allocatePages(byteCount: capacity) : .allocate(capacity: capacity)
    }

    private static func deallocateStorage(_ storage: UnsafeMutablePointer<UInt8>, _ capacity: Int, pages: Bool) {
        if pages { deallocatePages(storage, byteCount: capacity) } else { storage.deallocate() }
    }

    /// Forgets the content, keeping the memory.
    public func removeAll() { count = 0 }

    /// Makes room for at least `extra` more bytes after `count`.
    public func reserve(extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    func grow(to minimum: Int) {
        var newCapacity = capacity
        while newCapacity < minimum { newCapacity *= 2 }
        let fresh = Self.allocateStorage(newCapacity, pages: pages)
        fresh.update(from: storage, count: count)
        Self.deallocateStorage(storage, capacity, pages: pages)
        storage = fresh
        capacity = newCapacity
    }

    public func append(_ byte: UInt8) {
        reserve(extra: 1)
        storage[count] = byte
        count += 1
    }

    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(extra: bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    /// The valid bytes, valid until the next mutation.
    public var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage, count: count)
    }

    /// A copy of the content as an array.
    public var array: [UInt8] { Array(bytes) }

    /// The content decoded as UTF-8 (the normalizer only ever writes valid UTF-8).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
