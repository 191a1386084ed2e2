internal import CLibdeflate
import Dispatch
import Synchronization

/// Gzip compression of one file in pieces of its own ("members": a gzip file may hold several, one after the other,
/// and its readers — `gzip -d`, `zcat`, Python's `gzip`, Ghurbal's `ByteReader` — read them as one stream), each piece
/// compressed on a thread of the global queue and written in order. As bgzip does: one zlib stream kept one core busy
/// through the whole write pass (the 41 MB cleaned from the 101 MB dump took 2.2 s at level 6). Members are compressed
/// whole by libdeflate, which at its level 6 makes output as small as zlib's level 6 in a third of the time (see the
/// README's "Speed and memory").
final class GzipMemberWriter {
    let level: Int32
    /// Members compressing at once, at most; `submit` waits for the oldest beyond that (memory stays bounded).
    let maxInFlight: Int
    /// Oldest first.
    private var inFlight: [GzipMember] = []

    /// The level of `--gzip-level` when it is not given.
    static let defaultLevel: Int32 = 6

    init(level: Int32 = defaultLevel, maxInFlight: Int) {
        self.level = level
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Starts compressing `bytes` as the next member: on another thread, or on this one when `inline` (a small file's
    /// only member, which would wait for the other thread anyway).
    func submit(_ bytes: [UInt8], inline: Bool = false) {
        let member = GzipMember()
        inFlight.append(member)
        let level = self.level
        if inline && inFlight.count == 1 {
            member.finish(Self.compress(bytes, level: level))
        } else {
            DispatchQueue.global().async { member.finish(Self.compress(bytes, level: level)) }
        }
    }

    /// The members compressed so far, oldest first, removed from the writer: those already done, as many more as it
    /// takes to keep at most `maxInFlight` in flight, or every one when `all`. Nil in place of a member that could not be
    /// compressed (out of memory).
    func finished(all: Bool) -> [[UInt8]?] {
        var done: [[UInt8]?] = []
        while let first = inFlight.first {
            let mustWait = all || inFlight.count > maxInFlight
            guard let bytes = first.result(waiting: mustWait) else { break }
            done.append(bytes)
            inFlight.removeFirst()
        }
        return done
    }

    /// `input` as one gzip member at `level` (libdeflate's, 0–12), or nil if libdeflate fails (out of memory).
    static func compress(_ input: [UInt8], level: Int32) -> [UInt8]? {
        guard let compressor = DeflateCompressors.take(level: level) else { return nil }
        defer { DeflateCompressors.giveBack(compressor, level: level) }
        let bound = libdeflate_gzip_compress_bound(compressor, input.count)
        var size = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
            input.withUnsafeBufferPointer { source in
                // (An empty input still makes a member; libdeflate reads no byte of it, but wants an address.)
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { empty in
                    let from = source.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(empty.baseAddress!)
                    size = libdeflate_gzip_compress(compressor, from, source.count, out.baseAddress, out.count)
                }
            }
            initialized = size
        }
        return size > 0 ? output : nil
    }
}

/// libdeflate's compressors, kept for the next member once used: each holds large tables (hash chains, and more at the
/// high levels), which would otherwise be allocated and faulted in for every member. At most one per member compressing
/// at once, per level; never freed.
private enum DeflateCompressors {
    private static let idle = Mutex<[Int32: [UInt]]>([:])

    static func take(level: Int32) -> OpaquePointer? {
        if let address = idle.withLock({ $0[level]?.popLast() }) { return OpaquePointer(bitPattern: address) }
        return libdeflate_alloc_compressor(level)
    }

    static func giveBack(_ compressor: OpaquePointer, level: Int32) {
        // (Kept as addresses: a pointer is not `Sendable`, an integer is.)
        idle.withLock { $0[level, default: []].append(UInt(bitPattern: compressor)) }
    }
}

/// One member being compressed; its result is read on the writer's thread once `done` is signalled.
private final class GzipMember: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var output: [UInt8]?? = nil
    private var taken = false

    func finish(_ bytes: [UInt8]?) {
        output = .some(bytes)
        done.signal()
    }

    /// The compressed bytes (`.some(nil)` if compression failed), or nil when not done and not `waiting`.
    func result(waiting: Bool) -> [UInt8]?? {
        if !taken {
            if waiting { done.wait() } else if done.wait(timeout: .now()) == .timedOut { return nil }
            taken = true
        }
        return output
    }
}
