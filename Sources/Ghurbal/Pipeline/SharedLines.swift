#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The normalized text of the lines a spool writer has met more than once — a site's chrome: menus, related-news
/// lists, footers, which are most of a crawl's lines — kept once, so that the records of the documents that repeat a
/// line refer to its text here instead of each holding a copy. (On the 101 MB dump, half the spool's text: memory
/// the kernel would otherwise hand over fresh, a page at a time, at a cost of about 0.7 ms a megabyte here.)
///
/// A line is found again by its hash in a table of 4,096 slots, each holding the latest line whose hash falls in it
/// (direct-mapped: the chrome of a crawl comes back soon, and a table this small stays in the caches); its bytes are
/// compared before it is shared, so a hash collision only costs a copy. A line's text moves here at its second
/// appearance, from the record that holds its first (which keeps its copy). Used by one thread at a time; read by any
/// once the writing is done.
final class SharedLines {
    /// Shorter lines stay in their records: a reference takes 8 bytes.
    static let minimumLength = 16
    /// Longer lines stay in their records, so that a shared line fits in a piece.
    static let maximumLength = 1 << 16
    static let slotCount = 4096
    static let pieceSize = 1 << 20
    /// The top bit of a place: the text is here (piece << 32 | offset), not in a record (chunk << 32 | offset).
    static let sharedPlace: UInt64 = 1 << 63

    struct Slot {
        var hash: UInt64
        var place: UInt64
        var length: Int
    }

    private let slots: UnsafeMutablePointer<Slot>
    /// The text, in pieces of `pieceSize` bytes (mappings of their own: kept to the end of the run).
    /// (Not checked for exclusive access at run time: one thread at a time, as the whole class.)
    @exclusivity(unchecked) private(set) var pieces: [UnsafeMutablePointer<UInt8>] = []
    @exclusivity(unchecked) private var used = SharedLines.pieceSize

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(hash: 0, place: 0, length: 0), count: Self.slotCount)
    }

    deinit {
        slots.deallocate()
        releasePieces()
    }

    /// Frees the pieces (the spool is not read again): their places are not valid after this.
    func releasePieces() {
        for piece in pieces { deallocatePages(piece, byteCount: Self.pieceSize) }
        pieces = []
        used = Self.pieceSize
    }

    /// Bytes held (whole pieces).
    var memoryBytes: Int { pieces.count * Self.pieceSize }

    /// The text of a line shared at `place` (as `share` returned it).
    func text(at place: UInt64) -> UnsafePointer<UInt8> {
        UnsafePointer(pieces[Int((place >> 32) & 0x7FFF_FFFF)] + Int(place & 0xFFFF_FFFF))
    }

    /// Whether a line of `count` bytes can be shared.
    @inline(__always)
    static func eligible(_ count: Int) -> Bool { count >= minimumLength && count <= maximumLength }

    /// The shared place of the line `text` (`count` bytes, an eligible length; hash `hash`) when its slot holds the
    /// same line — moved here now if its text was in a record, which `recordText` finds by place, and there is room
    /// or `mayGrow` —, else nil.
    @inline(__always)
    func share(_ text: UnsafePointer<UInt8>, count: Int, hash: UInt64, mayGrow: Bool,
               recordText: (UInt64) -> UnsafePointer<UInt8>) -> UInt64? {
        let slot = slots + Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        guard slot.pointee.hash == hash, slot.pointee.length == count else { return nil }
        let place = slot.pointee.place
        if place & Self.sharedPlace != 0 {
            return memcmp(self.text(at: place), text, count) == 0 ? place : nil
        }
        guard used + count <= Self.pieceSize || mayGrow, memcmp(recordText(place), text, count) == 0 else { return nil }
        if used + count > Self.pieceSize {
            pieces.append(allocatePages(byteCount: Self.pieceSize))
            used = 0
        }
        let shared = Self.sharedPlace | UInt64(pieces.count - 1) << 32 | UInt64(used)
        (pieces[pieces.count - 1] + used).update(from: text, count: count)
        used += count
        slot.pointee.place = shared
        return shared
    }

    /// Notes a line whose text was written to a record at `place` (chunk << 32 | offset in the chunk), in place of
    /// the line its slot held.
    @inline(__always)
    func note(hash: UInt64, count: Int, place: UInt64) {
        slots[Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)] = Slot(hash: hash, place: place, length: count)
    }

    /// Forgets the lines whose text is in record chunk `chunk` (its bytes go to a file, its memory is used again).
    func forget(chunk: Int) {
        for i in 0..<Self.slotCount where slots[i].place & Self.sharedPlace == 0 && Int(slots[i].place >> 32) == chunk {
            slots[i] = Slot(hash: 0, place: 0, length: 0)
        }
    }
}
