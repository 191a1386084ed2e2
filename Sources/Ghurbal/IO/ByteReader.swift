internal import CZlib
internal import CLibdeflate
#if canImport(Glibc)
import Glibc
#endif

/// Buffered reading of a file or of standard input, gzip-decoded when asked (concatenated gzip members are read
/// one after the other, as `gzip -d` does). Lines and exact byte counts come out as arrays; memory is the buffer plus
/// the longest line.
public final class ByteReader {
    public let name: String
    let fd: Int32
    let ownsDescriptor: Bool
    var buffer: [UInt8]
    var position = 0
    var end = 0
    var atEOF = false
    // gzip
    var gzip: UnsafeMutablePointer<z_stream>?
    var compressed: [UInt8] = []
    var compressedEnd = 0
    var rawEOF = false
    /// A gzip member has begun and not yet ended.
    var memberOpen = false
    /// libdeflate's decoder for members that lie whole in `compressed`, and where it writes them.
    var decompressor: OpaquePointer?
    var wholeMember: [UInt8] = []
    public private(set) var bytesRead = 0
    /// Why the gzip data ended before the file did: a corrupt member (zlib's message) or a file that ends inside a
    /// member (truncated); nil when it ended cleanly. The bytes decoded up to that point are read as usual first — the
    /// input simply ends there — so that a reader keeps every record before the damage and then reports it.
    public private(set) var gzipProblem: String?

    /// The read size, and the size of every block `readLineBlock` hands over. A block lives as long as any record
    /// cut from it: 1 MiB blocks let memory go sooner than 4 MiB ones (10 MB less at the peak of a 101 MB run).
    static let chunk = 1 << 20

    /// Opens `path` ("-" = standard input). `gzip` decodes the stream.
    public init(path: String, gzip: Bool) throws {
        name = path
        if path == "-" {
            fd = 0
            ownsDescriptor = false
        } else {
            let d = open(path, O_RDONLY)
            guard d >= 0 else {
                if errno == ENOENT { throw GhurbalError.inputNotFound(path) }
                throw GhurbalError.unreadable(path, reason: String(cString: strerror(errno)))
            }
            fd = d
            ownsDescriptor = true
        }
        // (Not zeroed: only bytes `read` wrote are ever read.)
        buffer = [UInt8](unsafeUninitializedCapacity: Self.chunk) { _, count in count = Self.chunk }
        if gzip {
            let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            z.initialize(to: z_stream())
            guard ghurbal_inflateInit2(z, 15 + 32) == Z_OK else {
                z.deallocate()
                if ownsDescriptor { close(fd) }
                throw GhurbalError.unreadable(path, reason: "zlib could not start")
            }
            self.gzip = z
            // (Not zeroed either: only bytes `read` wrote are ever read.)
            compressed = [UInt8](unsafeUninitializedCapacity: Self.chunk) { _, n in n = Self.chunk }
            decompressor = libdeflate_alloc_decompressor()
        }
    }

    deinit {
        if let z = gzip {
            inflateEnd(z)
            z.deallocate()
        }
        if let decompressor { libdeflate_free_decompressor(decompressor) }
        if ownsDescriptor { close(fd) }
    }

    /// Raw bytes from the descriptor; 0 at the end.
    private func readRaw(_ into: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        while true {
            let n = Glibc.read(fd, into, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw GhurbalError.unreadable(name, reason: String(cString: strerror(errno)))
        }
    }

    /// The unread bytes (`position..<end`) moved to the front of `buffer`, making room after them.
    private func compactUnread() {
        buffer.withUnsafeMutableBufferPointer { b in _ = memmove(b.baseAddress!, b.baseAddress! + position, end - position) }
        end -= position
        position = 0
    }

    /// Appends more decoded bytes after `end`; false at the end of the input.
    private func fill() throws -> Bool {
        if atEOF { return false }
        if position > 0 && position == end { position = 0; end = 0 }
        if end == buffer.count {
            if position > 0 {
                compactUnread()
            } else {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
        }
        guard let z = gzip else {
            let space = buffer.count - end
            let n = try buffer.withUnsafeMutableBytes { (b) throws -> Int in try readRaw(b.baseAddress! + end, space) }
            if n == 0 { atEOF = true; return false }
            end += n
            bytesRead += n
            return true
        }
        // gzip: inflate until at least one byte comes out or the input ends.
        while true {
            if z.pointee.avail_in == 0 && !rawEOF { try topUpCompressed(z) }
            if z.pointee.avail_in == 0 && rawEOF {
                if memberOpen { gzipProblem = "the file ends inside a gzip member (truncated)" }
                atEOF = true
                return false
            }
            if !memberOpen, let produced = try decodeWholeMember(z) {
                if produced > 0 { return true }
                continue
            }
            let availableBefore = z.pointee.avail_in
            let (produced, status) = compressed.withUnsafeMutableBufferPointer { c in
                buffer.withUnsafeMutableBufferPointer { b in
                    z.pointee.next_in = c.baseAddress! + (compressedEnd - Int(z.pointee.avail_in))
                    z.pointee.next_out = b.baseAddress! + end
                    let space = b.count - end
                    z.pointee.avail_out = UInt32(space)
                    let status = inflate(z, Z_NO_FLUSH)
                    return (space - Int(z.pointee.avail_out), status)
                }
            }
            end += produced
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 || z.pointee.avail_in < availableBefore { memberOpen = true }
            case Z_STREAM_END:
                // Another member may follow.
                memberOpen = false
                inflateReset(z)
            default:
                // The stream cannot go on: the input ends here, after what was decoded before the damage.
                gzipProblem = z.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                atEOF = true
                return produced > 0
            }
            if produced > 0 { return true }
        }
    }

    /// At a member boundary: the member that starts the unread input, decoded in one call by libdeflate (about twice
    /// zlib's speed) and appended after `end`; its length, or nil when it cannot be — a member that runs past the
    /// buffered input (the buffer is topped up first when little is left), one whose text is longer than
    /// `wholeMember`, damaged data, a zlib (not gzip) stream. zlib's stream then takes that member, reading any length
    /// and saying what is wrong. (Common Crawl's WET files are a member per record, a few kilobytes each.)
    private func decodeWholeMember(_ z: UnsafeMutablePointer<z_stream>) throws -> Int? {
        guard let decompressor else { return nil }
        if Int(z.pointee.avail_in) < Self.wholeMemberRefill && !rawEOF { try topUpCompressed(z) }
        let unread = Int(z.pointee.avail_in)
        guard unread > 0 else { return nil }
        if wholeMember.isEmpty {
            // (Not zeroed, so that a file of small members touches only the pages they fill: only bytes libdeflate
            // wrote are ever read.)
            wholeMember = [UInt8](unsafeUninitializedCapacity: Self.wholeMemberLimit) { _, n in n = Self.wholeMemberLimit }
        }
        var used = 0, made = 0
        let result = compressed.withUnsafeBufferPointer { c in
            wholeMember.withUnsafeMutableBufferPointer { w in
                libdeflate_gzip_decompress_ex(decompressor, c.baseAddress! + (compressedEnd - unread), unread,
                                              w.baseAddress!, w.count, &used, &made)
            }
        }
        guard result == LIBDEFLATE_SUCCESS else { return nil }
        z.pointee.avail_in = UInt32(unread - used)
        if buffer.count - end < made {
            if position > 0 { compactUnread() }
            if buffer.count - end < made { buffer.append(contentsOf: repeatElement(0, count: made - (buffer.count - end))) }
        }
        buffer.withUnsafeMutableBufferPointer { b in
            wholeMember.withUnsafeBufferPointer { w in (b.baseAddress! + end).update(from: w.baseAddress!, count: made) }
        }
        end += made
        return made
    }

    /// The unread compressed input moved to the front of `compressed`, and the rest of it read (up to the end of the
    /// file).
    private func topUpCompressed(_ z: UnsafeMutablePointer<z_stream>) throws {
        let unread = Int(z.pointee.avail_in)
        let from = compressedEnd - unread
        if unread > 0 {
            compressed.withUnsafeMutableBufferPointer { c in _ = memmove(c.baseAddress!, c.baseAddress! + from, unread) }
        }
        compressedEnd = unread
        while compressedEnd < compressed.count {
            let n = try compressed.withUnsafeMutableBytes { (c) throws -> Int in
                try readRaw(c.baseAddress! + compressedEnd, c.count - compressedEnd)
            }
            if n == 0 { rawEOF = true; break }
            bytesRead += n
            compressedEnd += n
        }
        z.pointee.avail_in = UInt32(compressedEnd)
    }

    /// Below this much unread compressed input, `decodeWholeMember` tops the buffer up first (a member shorter than
    /// this never runs past the buffered input).
    static let wholeMemberRefill = chunk / 2
    /// The longest member text `decodeWholeMember` decodes (longer ones go to zlib's stream).
    static let wholeMemberLimit = 4 << 20

    /// The next line without its "\n" (a "\r" before it is kept: callers decide), or nil at the end. A line longer
    /// than `maxLength` is consumed and reported as `.tooLong` without being kept.
    public enum Line { case line([UInt8]), tooLong(Int) }

    public func readLine(maxLength: Int = 256 << 20) throws -> Line? {
        var skipped = 0
        var searchFrom = position
        while true {
            if let nl = buffer.withUnsafeBufferPointer({ b -> Int? in
                guard searchFrom < end else { return nil }
                let p = memchr(b.baseAddress! + searchFrom, 0x0A, end - searchFrom)
                return p.map { UnsafeRawPointer($0) - UnsafeRawPointer(b.baseAddress!) }
            }) {
                if skipped > 0 || nl - position > maxLength {
                    let length = skipped + nl - position
                    position = nl + 1
                    return .tooLong(length)
                }
                let line = Array(buffer[position..<nl])
                position = nl + 1
                return .line(line)
            }
            if end - position > maxLength {
                skipped += end - position
                position = end
            }
            searchFrom = end
            let before = end - position
            if try !fill() {
                if skipped > 0 || end - position > maxLength { return .tooLong(skipped + (end - position)) }
                if position == end { return nil }
                let line = Array(buffer[position..<end])
                position = end
                return .line(line)
            }
            searchFrom = position + before
        }
    }

    /// A line of a `LineBlock`: its bytes' range in the block (without "\n"), or the length of a line over the limit.
    public enum BlockLine: Sendable { case line(Range<Int>), tooLong(Int) }

    /// Several lines at once: what is buffered up to its last "\n", or one line read by `readLine` when no whole line
    /// is buffered. nil at the end. The lines' ranges are indices of `block`. Cheaper than `readLine` per line: one
    /// array per block instead of one per line — and that array is the read buffer itself, handed over (the reader goes
    /// on in a new buffer of the same size, into which only the bytes after the last "\n" are copied), so the input is
    /// not copied again after `read`.
    public func readLineBlock(maxLength: Int = 256 << 20) throws -> (block: [UInt8], lines: [BlockLine])? {
        var lines: [BlockLine] = []
        var p = position
        buffer.withUnsafeBufferPointer { b in
            while p < end, let nl = memchr(b.baseAddress! + p, 0x0A, end - p) {
                let at = UnsafeRawPointer(nl) - UnsafeRawPointer(b.baseAddress!)
                lines.append(at - p > maxLength ? .tooLong(at - p) : .line(p..<at))
                p = at + 1
            }
        }
        if !lines.isEmpty {
            // Every buffer is allocated at one size, whatever the length of what it holds: buffers of one size reuse
            // the memory that earlier blocks freed, where blocks of a few bytes more than the last freed one each
            // took fresh pages.
            let tail = end - p
            let next = buffer.withUnsafeBufferPointer { b in
                [UInt8](unsafeUninitializedCapacity: max(Self.chunk, tail)) { out, initialized in
                    out.baseAddress!.initialize(from: b.baseAddress! + p, count: tail)
                    // (The rest is not zeroed: only bytes `read` writes are ever read.)
                    initialized = out.count
                }
            }
            let block = buffer
            buffer = next
            position = 0
            end = tail
            return (block, lines)
        }
        switch try readLine(maxLength: maxLength) {
        case nil: return nil
        case .line(let bytes)?: return (bytes, [.line(0..<bytes.count)])
        case .tooLong(let n)?: return ([], [.tooLong(n)])
        }
    }

    /// Exactly `count` bytes, or fewer at the end of the input.
    public func read(count: Int) throws -> [UInt8] {
        while end - position < count {
            if try !fill() { break }
        }
        let n = min(count, end - position)
        let out = Array(buffer[position..<(position + n)])
        position += n
        return out
    }

    /// Everything that is left.
    public func readAll() throws -> [UInt8] {
        while try fill() {}
        let out = Array(buffer[position..<end])
        position = end
        return out
    }
}

/// The size in bytes of the file at `path` (following links), or nil if it cannot be found. By `stat`: Foundation's
/// `attributesOfItem` also looks up the names of the owner and group, which reads `/etc/passwd` and `/etc/group` again
/// for every file.
func fileSize(atPath path: String) -> Int? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return Int(status.st_size)
}
