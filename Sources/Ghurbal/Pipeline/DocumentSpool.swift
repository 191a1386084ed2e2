import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The first pass's segmented, normalized documents, kept so that the second pass (apply the boilerplate decision,
/// sign what is left) neither reads, parses nor normalizes the input again.
///
/// Every worker appends to a writer of its own, in chunks of about 4 MiB; a document's record is found by its
/// location. Chunks (and the shared lines below) stay in memory up to `memoryBudget` bytes in all, the rest go to
/// temporary files (written with `write`, read back with `pread`, so that the page cache holds them, not the
/// process), unlinked when the spool goes.
/// Per document the record holds its non-blank lines (byte spans in the original text, kind, words, where a block
/// starts, hash) and their normalized text: 28 bytes per line plus the normalized text — except the text of lines
/// the writer has met before (the chrome of a site), which is kept once per writer (`SharedLines`) and referred to
/// with 8 bytes.
final class DocumentSpool: @unchecked Sendable {
    let writers: [SpoolWriter]

    /// `directory` should be on a local disk with room for about the size of the input's text beyond `memoryBudget`;
    /// its files are made when the first chunk has to go there, and a failure to write them is thrown by `finish`.
    /// (`chunkSize` is there for tests.)
    init(directory: String, workers: Int, memoryBudget: Int, chunkSize: Int = SpoolWriter.defaultChunkSize) {
        let stamp = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let count = max(1, workers)
        writers = (0..<count).map { w in
            SpoolWriter(path: (directory as NSString).appendingPathComponent(".ghurbal-spool-\(stamp)-\(w)"), number: w,
                        memoryBudget: memoryBudget / count, chunkSize: chunkSize)
        }
    }

    /// Hands the last chunks over; the spool takes no more records after this.
    func finish() throws -> SpoolReader {
        for w in writers { try w.finish() }
        return SpoolReader(writers: writers)
    }

    /// Gives the memory of the chunks and shared lines back (about the size of the text; unmapping it takes a few
    /// milliseconds per 100 MB, which a thread of its own can spend while the clusters are found). Nothing may be
    /// read from the spool after this; its files go when it does.
    func releaseMemory() {
        for w in writers { w.releaseMemory() }
    }
}

/// One line of a spooled document (28 bytes in the record).
struct SpoolLine {
    static let size = 28
    static let startsBlock: UInt8 = 1
    /// The line's text is not in the record but in its writer's `SharedLines`, at the record's next reference.
    static let textShared: UInt8 = 2
}

/// Appends records to chunks; used by one thread at a time.
final class SpoolWriter: @unchecked Sendable {
    let path: String
    let number: Int
    let memoryBudget: Int
    static let defaultChunkSize = 4 << 20
    let chunkSize: Int
    /// Finished chunks: in memory (`bytes`), or at `fileOffset` in the file.
    @exclusivity(unchecked) var chunks: [(bytes: UnsafeMutablePointer<UInt8>?, fileOffset: Int, capacity: Int)] = []
    /// The chunk being filled: in a mapping of its own (chunks are kept to the end of the run, so nothing is gained
    /// from heap memory that could be used again; huge pages with GHURBAL_HUGE_PAGES=1).
    @exclusivity(unchecked) var buffer: ByteBuffer
    @exclusivity(unchecked) var memoryUsed = 0
    @exclusivity(unchecked) var fd: Int32 = -1
    @exclusivity(unchecked) var fileBytes = 0
    /// The first write error, reported by `finish` (workers cannot throw).
    var failure: GhurbalError?
    /// The text of lines met more than once, which records refer to.
    let shared = SharedLines()
    /// Per spooled line of the record being written: its place in `shared`, or 0.
    @exclusivity(unchecked) private var places = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
    @exclusivity(unchecked) private var placeCapacity = 256
    /// A record's header: its line count, the bytes of its own text, its references to shared text (`UInt32` each).
    static let headerSize = 12

    init(path: String, number: Int, memoryBudget: Int, chunkSize: Int = SpoolWriter.defaultChunkSize) {
        self.path = path
        self.number = number
        self.memoryBudget = memoryBudget
        self.chunkSize = chunkSize
        buffer = ByteBuffer(capacity: chunkSize, pages: true)
    }

    deinit {
        places.deallocate()
        releaseMemory()
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
        // Room for the record as if no line were shared (every line's text, and a reference for each), so that the
        // chunk it goes to is settled before the lines are looked up. A record that does not fit starts the next
        // chunk (growing this one would copy it); only a record larger than a chunk makes one grow.
        var lineCount = 0
        var allText = 0
        for line in segments.lines where line.hash != 0 {
            lineCount += 1
            allText += line.normalized.count + 1
        }
        let bound = Self.headerSize + lineCount * (SpoolLine.size + 8) + allText + 3
        if buffer.count + bound > buffer.capacity { sealChunk() }
        buffer.reserve(extra: bound)
        let chunk = chunks.count
        if placeCapacity < lineCount {
            places.deallocate()
            placeCapacity = max(lineCount, 2 * placeCapacity)
            places = .allocate(capacity: placeCapacity)
        }
        // Which lines' text is shared (their place there; 0: in the record), and the record's own text: the other
        // lines, joined by single spaces. `whole`: that text is exactly `normalized`, as a segmenter's buffer holds
        // it when no line is shared; it is then copied in one piece.
        var sharedCount = 0
        // (The own text's length plus one, once it has a line: where the next line starts in `normalized` if that
        // holds the record's text.)
        var joined = 0
        var whole = true
        var n = 0
        let base = normalized.baseAddress
        // The shared lines and the chunks kept in memory share the budget.
        let mayGrow = memoryUsed + shared.memoryBytes + SharedLines.pieceSize <= memoryBudget
        for line in segments.lines where line.hash != 0 {
            let count = line.normalized.count
            var place: UInt64 = 0
            if SharedLines.eligible(count), let base,
               let found = shared.share(base + line.normalized.lowerBound, count: count, hash: line.hash,
                                        mayGrow: mayGrow, recordText: { recordText(at: $0) }) {
                place = found
                sharedCount += 1
                whole = false
            } else {
                if line.normalized.lowerBound != joined || (joined > 0 && normalized[joined - 1] != 0x20) { whole = false }
                joined += count + 1
            }
            places[n] = place
            n += 1
        }
        let textBytes = max(0, joined - 1)
        whole = whole && textBytes <= normalized.count
        let padded = (textBytes + 3) & ~3
        let length = Self.headerSize + lineCount * SpoolLine.size + sharedCount * 8 + padded
        let at = UInt64(number) << 56 | UInt64(chunk) << 32 | UInt64(buffer.count)
        let record = UnsafeMutableRawPointer(buffer.storage + buffer.count)
        record.storeBytes(of: UInt32(lineCount), as: UInt32.self)
        record.storeBytes(of: UInt32(textBytes), toByteOffset: 4, as: UInt32.self)
        record.storeBytes(of: UInt32(sharedCount), toByteOffset: 8, as: UInt32.self)
        var p = record + Self.headerSize
        var references = p + lineCount * SpoolLine.size
        let textStart = (references + sharedCount * 8).assumingMemoryBound(to: UInt8.self)
        var text = textStart
        if whole, textBytes > 0 {
            text.update(from: normalized.baseAddress!, count: textBytes)
            text += textBytes
        }
        var nextBlock = 0
        var first = true
        n = 0
        for (i, line) in segments.lines.enumerated() where line.hash != 0 {
            let place = places[n]
            n += 1
            p.storeBytes(of: UInt32(line.span.lowerBound), as: UInt32.self)
            p.storeBytes(of: UInt32(line.span.upperBound), toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(line.spanWithTerminator.upperBound), toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: UInt32(line.normalized.count), toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: UInt16(min(line.words, Int(UInt16.max))), toByteOffset: 16, as: UInt16.self)
            p.storeBytes(of: line.kind.rawValue, toByteOffset: 18, as: UInt8.self)
            var flags: UInt8 = place != 0 ? SpoolLine.textShared : 0
            if nextBlock < segments.blocks.count && segments.blocks[nextBlock].lines.lowerBound == i {
                flags |= SpoolLine.startsBlock
                nextBlock += 1
            }
            p.storeBytes(of: flags, toByteOffset: 19, as: UInt8.self)
            p.storeBytes(of: line.hash, toByteOffset: 20, as: UInt64.self)
            p += SpoolLine.size
            if place != 0 {
                references.storeBytes(of: place, as: UInt64.self)
                references += 8
                continue
            }
            // The line's text in the record: where it is (as the record was copied whole), or copied there now.
            let lineText: UnsafeMutablePointer<UInt8>
            if whole {
                lineText = textStart + line.normalized.lowerBound
            } else {
                if !first { text.pointee = 0x20; text += 1 }
                first = false
                text.update(from: normalized.baseAddress! + line.normalized.lowerBound, count: line.normalized.count)
                lineText = text
                text += line.normalized.count
            }
            if SharedLines.eligible(line.normalized.count) {
                shared.note(hash: line.hash, count: line.normalized.count,
                            place: UInt64(chunk) << 32 | UInt64(lineText - buffer.storage))
            }
        }
        (textStart + textBytes).initialize(repeating: 0, count: padded - textBytes)
        buffer.count += length
        if buffer.count >= chunkSize { sealChunk() }
        return (at, length)
    }

    /// The text at a record place (chunk << 32 | offset): in the chunk being filled or one kept in memory (`SharedLines`
    /// forgets the lines of a chunk that goes to the file).
    @inline(__always)
    private func recordText(at place: UInt64) -> UnsafePointer<UInt8> {
        let c = Int(place >> 32)
        return UnsafePointer((c == chunks.count ? buffer.storage : chunks[c].bytes!) + Int(place & 0xFFFF_FFFF))
    }

    /// Ends the current chunk: kept in memory while the budget allows, else written to the file.
    func sealChunk() {
        guard buffer.count > 0 else { return }
        if memoryUsed + shared.memoryBytes + buffer.capacity <= memoryBudget {
            memoryUsed += buffer.capacity
            chunks.append((buffer.storage, 0, buffer.capacity))
            buffer.storage = allocatePages(byteCount: chunkSize)
            buffer.capacity = chunkSize
            buffer.count = 0
            return
        }
        chunks.append((nil, fileBytes, 0))
        shared.forget(chunk: chunks.count - 1)
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

    /// Frees the chunks kept in memory and the shared lines (see `DocumentSpool.releaseMemory`).
    func releaseMemory() {
        for c in chunks.indices {
            if let bytes = chunks[c].bytes { deallocatePages(bytes, byteCount: chunks[c].capacity) }
            chunks[c] = (nil, chunks[c].fileOffset, 0)
        }
        shared.releasePieces()
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
    /// `SegmentedDocument` of its non-blank lines; their `normalized` ranges point into the returned bytes — the lines'
    /// normalized text joined by single spaces —, which live in the spool or in `buffer` (for a record read from a
    /// file, or one that refers to shared lines: its text is put together there). With `reusing`, that segmenter's arrays are
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
        let ownBytes = Int(record.load(fromByteOffset: 4, as: UInt32.self))
        let sharedCount = Int(record.load(fromByteOffset: 8, as: UInt32.self))
        let linesOffset = SpoolWriter.headerSize
        let referencesOffset = linesOffset + lineCount * SpoolLine.size
        let ownTextOffset = referencesOffset + sharedCount * 8
        var p = record + linesOffset
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
        // The lines' ranges are in their text joined by single spaces: the record's own text when no line is
        // shared, else rebuilt below.
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
        let textBytes = max(0, at - 1)
        var text = UnsafeBufferPointer(start: (record + ownTextOffset).assumingMemoryBound(to: UInt8.self), count: ownBytes)
        if sharedCount > 0 {
            // Rebuilt in `buffer`: after the record when the record was read into it.
            let recordInBuffer = chunk.bytes == nil
            if !recordInBuffer { buffer.removeAll() }
            let textOffset = buffer.count
            buffer.reserve(extra: textBytes)  // (may move the record: `buffer.count` bytes)
            let source = recordInBuffer ? UnsafeRawPointer(buffer.storage) : record
            var line = source + linesOffset
            var reference = source + referencesOffset
            var own = (source + ownTextOffset).assumingMemoryBound(to: UInt8.self)
            var out = buffer.storage + textOffset
            for i in 0..<lineCount {
                if i > 0 { out.pointee = 0x20; out += 1 }
                let length = lines[i].normalized.count
                if line.load(fromByteOffset: 19, as: UInt8.self) & SpoolLine.textShared != 0 {
                    out.update(from: writer.shared.text(at: reference.loadUnaligned(as: UInt64.self)), count: length)
                    reference += 8
                } else {
                    out.update(from: own, count: length)
                    own += length + 1
                }
                out += length
                line += SpoolLine.size
            }
            buffer.count = textOffset + textBytes
            text = UnsafeBufferPointer(start: buffer.storage + textOffset, count: textBytes)
        }
        if let arrays {
            arrays.lineStorage = lines
            arrays.blockStorage = blocks
        }
        return (SegmentedDocument(lines: lines, blocks: blocks), text)
    }
}
