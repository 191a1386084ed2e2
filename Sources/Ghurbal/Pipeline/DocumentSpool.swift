import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The first pass's segmented, normalized documents, kept so that the second pass (apply the boilerplate decision,
/// sign what is left) neither reads, parses nor normalizes the input again.
///
/// Every worker appends to a writer of its own, in chunks of about 4 MiB; a document's record is found by its
/// location. Chunks stay in memory up to `memoryBudget` bytes in all, the rest go to temporary files (written with
/// `write`, read back with `pread`, so that the page cache holds them, not the process), unlinked when the spool goes.
/// Per document the record holds its non-blank lines (byte spans in the original text, kind, words, where a block
/// starts, hash) and their normalized text: 28 bytes per line plus the normalized text.
final class DocumentSpool: @unchecked Sendable {
    let writers: [SpoolWriter]

    /// `directory` should be on a local disk with room for about the size of the input's text beyond `memoryBudget`;
    /// its files are made when the first chunk has to go there, and a failure to write them is thrown by `finish`.
    init(directory: String, workers: Int, memoryBudget: Int) {
        let stamp = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let count = max(1, workers)
        writers = (0..<count).map { w in
            SpoolWriter(path: (directory as NSString).appendingPathComponent(".ghurbal-spool-\(stamp)-\(w)"), number: w,
                        memoryBudget: memoryBudget / count)
        }
    }

    /// Hands the last chunks over; the spool takes no more records after this.
    func finish() throws -> SpoolReader {
        for w in writers { try w.finish() }
        return SpoolReader(writers: writers)
    }
}

/// One line of a spooled document (28 bytes in the record).
struct SpoolLine {
    static let size = 28
    static let startsBlock: UInt8 = 1
}

/// Appends records to chunks; used by one thread at a time.
final class SpoolWriter: @unchecked Sendable {
    let path: String
    let number: Int
    let memoryBudget: Int
    static let chunkSize = 4 << 20
    /// Finished chunks: in memory (`bytes`), or at `fileOffset` in the file.
    @exclusivity(unchecked) var chunks: [(bytes: UnsafeMutablePointer<UInt8>?, fileOffset: Int, capacity: Int)] = []
    /// The chunk being filled: in a mapping of its own (chunks are kept to the end of the run, so nothing is gained
    /// from heap memory that could be used again; huge pages with GHURBAL_HUGE_PAGES=1).
    @exclusivity(unchecked) var buffer = ByteBuffer(capacity: SpoolWriter.chunkSize, pages: true)
    @exclusivity(unchecked) var memoryUsed = 0
    @exclusivity(unchecked) var fd: Int32 = -1
    @exclusivity(unchecked) var fileBytes = 0
    /// The first write error, reported by `finish` (workers cannot throw).
    var failure: GhurbalError?

    init(path: String, number: Int, memoryBudget: Int) {
        self.path = path
        self.number = number
        self.memoryBudget = memoryBudget
    }

    deinit {
        for chunk in chunks { if let bytes = chunk.bytes { deallocatePages(bytes, byteCount: chunk.capacity) } }
        if fd >= 0 {
            // The name goes at once; the file's pages (hundreds of megabytes on a large run, which the kernel drops
            // from its cache when the last descriptor closes: 0.1 s a file) go on another thread, beside the write
            // pass.
            unlink(path)
            let descriptor = fd
            DispatchQueue.global(qos: .utility).async { close(descriptor) }
        }
    }

    /// Appends a document's record and returns its location and length. `normalized` is the segmenter's buffer that
    /// the lines' `normalized` ranges point into.
    func append(_ segments: SegmentedDocument, normalized: UnsafeBufferPointer<UInt8>) -> (location: UInt64, length: Int) {
        precondition((segments.lines.last?.spanWithTerminator.upperBound ?? 0) <= Int(UInt32.max),
                     "documents of 4 GiB or more are not supported (ReaderOptions.maxDocumentBytes)")
        var lineCount = 0
        var textBytes = 0
        // Whether `normalized` holds exactly the record's text — the lines' bytes in order, one space between two — as a
        // segmenter's buffer does: then it is copied in one piece.
        var whole = true
        for line in segments.lines where line.hash != 0 {
            if line.normalized.lowerBound != textBytes || (textBytes > 0 && normalized[textBytes - 1] != 0x20) { whole = false }
            lineCount += 1
            textBytes += line.normalized.count + 1
        }
        textBytes = max(0, textBytes - 1)
        whole = whole && textBytes <= normalized.count
        let padded = (textBytes + 3) & ~3
        let length = 8 + lineCount * SpoolLine.size + padded
        // A record that does not fit starts the next chunk (growing this one would copy it); only a record larger
        // than a chunk makes one grow.
        if buffer.count + length > buffer.capacity { sealChunk() }
        let at = UInt64(number) << 56 | UInt64(chunks.count) << 32 | UInt64(buffer.count)
        buffer.reserve(extra: length)
        var p = UnsafeMutableRawPointer(buffer.storage + buffer.count)
        p.storeBytes(of: UInt32(lineCount), as: UInt32.self)
        p.storeBytes(of: UInt32(textBytes), toByteOffset: 4, as: UInt32.self)
        p += 8
        var nextBlock = 0
        var text = UnsafeMutablePointer<UInt8>(OpaquePointer(p + lineCount * SpoolLine.size))
        if whole, textBytes > 0 {
            text.update(from: normalized.baseAddress!, count: textBytes)
            text += textBytes
        }
        var first = true
        for (i, line) in segments.lines.enumerated() where line.hash != 0 {
            p.storeBytes(of: UInt32(line.span.lowerBound), as: UInt32.self)
            p.storeBytes(of: UInt32(line.span.upperBound), toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(line.spanWithTerminator.upperBound), toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: UInt32(line.normalized.count), toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: UInt16(min(line.words, Int(UInt16.max))), toByteOffset: 16, as: UInt16.self)
            p.storeBytes(of: line.kind.rawValue, toByteOffset: 18, as: UInt8.self)
            var flags: UInt8 = 0
            if nextBlock < segments.blocks.count && segments.blocks[nextBlock].lines.lowerBound == i {
                flags |= SpoolLine.startsBlock
                nextBlock += 1
            }
            p.storeBytes(of: flags, toByteOffset: 19, as: UInt8.self)
            p.storeBytes(of: line.hash, toByteOffset: 20, as: UInt64.self)
            p += SpoolLine.size
            guard !whole else { continue }
            if !first { text.pointee = 0x20; text += 1 }
            first = false
            text.update(from: normalized.baseAddress! + line.normalized.lowerBound, count: line.normalized.count)
            text += line.normalized.count
        }
        for _ in textBytes..<padded { text.pointee = 0; text += 1 }
        buffer.count += length
        if buffer.count >= Self.chunkSize { sealChunk() }
        return (at, length)
    }

    /// Ends the current chunk: kept in memory while the budget allows, else written to the file.
    func sealChunk() {
        guard buffer.count > 0 else { return }
        if memoryUsed + buffer.capacity <= memoryBudget {
            memoryUsed += buffer.capacity
            chunks.append((buffer.storage, 0, buffer.capacity))
            buffer.storage = allocatePages(byteCount: Self.chunkSize)
            buffer.capacity = Self.chunkSize
            buffer.count = 0
            return
        }
        chunks.append((nil, fileBytes, 0))
        if fd < 0 && failure == nil {
            fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
            if fd < 0 { failure = .cannotWrite(path, reason: String(cString: strerror(errno))) }
        }
        var done = 0
        while done < buffer.count && failure == nil {
            let n = write(fd, buffer.storage + done, buffer.count - done)
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else {
                failure = .cannotWrite(path, reason: n < 0 ? String(cString: strerror(errno)) : "nothing written")
            }
        }
        fileBytes += buffer.count
        buffer.removeAll()
    }

    /// Seals the last chunk.
    func finish() throws {
        sealChunk()
        if let failure { throw failure }
    }
}

/// Reads spooled documents back (with `pread`, so that the pages read do not stay in the process), from any thread.
struct SpoolReader: @unchecked Sendable {
    let writers: [SpoolWriter]

    /// The record at `location` (`length` bytes, as `SpoolWriter.append` returned them), rebuilt as a
    /// `SegmentedDocument` of its non-blank lines; their `normalized` ranges point into the returned bytes, which
    /// live in the spool or in `buffer` (for a record read from a file). With `reusing`, that segmenter's arrays are
    /// filled (a segmenter the thread does not use in this pass: no allocation per document).
    func document(at location: UInt64, length: Int, into buffer: ByteBuffer, reusing arrays: DocumentSegmenter? = nil) throws(GhurbalError)
        -> (segments: SegmentedDocument, normalized: UnsafeBufferPointer<UInt8>) {
        let writer = writers[Int(location >> 56)]
        let chunk = writer.chunks[Int((location >> 32) & 0xFF_FFFF)]
        let inChunk = Int(location & 0xFFFF_FFFF)
        let record: UnsafeRawPointer
        if let bytes = chunk.bytes {
            record = UnsafeRawPointer(bytes + inChunk)
        } else {
            var offset = chunk.fileOffset + inChunk
            buffer.removeAll()
            buffer.reserve(extra: length)
            var done = 0
            while done < length {
                let n = pread(writer.fd, buffer.storage + done, length - done, off_t(offset))
                if n > 0 { done += n; offset += n } else if n < 0 && errno == EINTR { continue } else {
                    throw GhurbalError.unreadable(writer.path, reason: n < 0 ? String(cString: strerror(errno)) : "spool file too short")
                }
            }
            buffer.count = length
            record = UnsafeRawPointer(buffer.storage)
        }
        let lineCount = Int(record.load(as: UInt32.self))
        let textBytes = Int(record.load(fromByteOffset: 4, as: UInt32.self))
        var p = record + 8
        let text = UnsafeBufferPointer(start: (record + 8 + lineCount * SpoolLine.size).assumingMemoryBound(to: UInt8.self),
                                       count: textBytes)
        var lines: [SegmentedLine] = []
        var blocks: [SegmentedBlock] = []
        if let arrays {
            swap(&lines, &arrays.lineStorage)
            swap(&blocks, &arrays.blockStorage)
            lines.removeAll(keepingCapacity: true)
            blocks.removeAll(keepingCapacity: true)
        }
        lines.reserveCapacity(lineCount)
        blocks.reserveCapacity(lineCount)
        var at = 0
        for i in 0..<lineCount {
            let start = Int(p.load(as: UInt32.self))
            let end = Int(p.load(fromByteOffset: 4, as: UInt32.self))
            let terminatorEnd = Int(p.load(fromByteOffset: 8, as: UInt32.self))
            let length = Int(p.load(fromByteOffset: 12, as: UInt32.self))
            let words = Int(p.load(fromByteOffset: 16, as: UInt16.self))
            let kind = LineKind(rawValue: p.load(fromByteOffset: 18, as: UInt8.self)) ?? .paragraph
            let startsBlock = p.load(fromByteOffset: 19, as: UInt8.self) & SpoolLine.startsBlock != 0
            let hash = p.loadUnaligned(fromByteOffset: 20, as: UInt64.self)
            p += SpoolLine.size
            let normalized = at..<(at + length)
            at += length + 1
            lines.append(SegmentedLine(span: start..<end, spanWithTerminator: start..<terminatorEnd,
                                       hash: hash,
                                       kind: kind, words: words, normalized: normalized))
            if startsBlock || blocks.isEmpty {
                blocks.append(SegmentedBlock(lines: i..<(i + 1), kind: kind))
            } else {
                blocks[blocks.count - 1].lines = blocks[blocks.count - 1].lines.lowerBound..<(i + 1)
            }
        }
        if let arrays {
            arrays.lineStorage = lines
            arrays.blockStorage = blocks
        }
        return (SegmentedDocument(lines: lines, blocks: blocks), text)
    }
}
