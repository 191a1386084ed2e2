import Foundation
import Testing
@testable import Ghurbal

/// The pieces the fast path is built of, each against a slow and obvious version of itself.
@Suite struct PipelinePartsTests {
    @Test func flatHashMapAgreesWithDictionaryThroughGrowth() {
        var rng = SplitMix64(seed: 7)
        var map = FlatHashMap(expected: 4)
        var reference: [UInt64: UInt64] = [:]
        var keys: [UInt64] = [0, 1]  // 0 is stored as 1: both must still count (as one key)
        for step in 0..<50_000 {
            let key = step % 3 == 0 ? keys[Int(rng.next() % UInt64(keys.count))] : rng.next() >> (step % 5 == 0 ? 50 : 0)
            keys.append(key)
            map.update(key, initial: 10) { $0 + 1 }
            reference[key == 0 ? 1 : key, default: 10] += 1
        }
        #expect(map.count == reference.count)
        for (key, value) in reference { #expect(map.value(key) == value) }
        var seen = 0
        map.forEach { key, value in
            seen += 1
            #expect(reference[key] == value)
        }
        #expect(seen == reference.count)
        #expect(map.value(0xDEAD_BEEF_0000_0001) == nil || reference[0xDEAD_BEEF_0000_0001] != nil)
    }

    /// Large buffers (from the heap, or from `allocatePages` in mappings of their own advised to be huge
    /// pages): what is written stays, growing keeps it, a zeroed one reads as zero, and a signature store keeps its
    /// signatures across chunks.
    @Test func scalarOffsetsCountLikeTheStandardLibrary() {
        // Random text of one- to four-byte scalars, offsets at scalar boundaries (ascending, repeats allowed), on both
        // sides of the kernel's 32-byte steps.
        var rng = SplitMix64(seed: 32)
        let alphabet: [Unicode.Scalar] = ["a", " ", "\n", "é", "ب", "ة", "\u{200F}", "€", "😀", "\u{10FFFF}"]
        for length in [0, 1, 31, 32, 33, 100, 1000] {
            let scalars = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            var text: [UInt8] = []
            var boundaries = [0]
            for s in scalars { text += Array(String(s).utf8); boundaries.append(text.count) }
            var picks = (0..<6).map { _ in Int(rng.next() % UInt64(boundaries.count)) }
            picks.sort()
            let offsets = picks.map { boundaries[$0] }
            #expect(CleanJob.scalarOffsets(text, offsets, valid: true) == picks, "length \(length)")
            #expect(CleanJob.scalarOffsets(text, offsets, valid: false) == picks, "length \(length)")
        }
    }

    @Test func largeBuffersKeepTheirBytes() {
        for pages in [false, true] {
            let buffer = ByteBuffer(capacity: 1 << 20, pages: pages)
            for i in 0..<(3 << 20) { buffer.append(UInt8(truncatingIfNeeded: i &* 31)) }
            #expect(buffer.count == 3 << 20)
            #expect(buffer.bytes.indices.allSatisfy { buffer.bytes[$0] == UInt8(truncatingIfNeeded: $0 &* 31) })
        }
        let mapped = allocatePages(byteCount: 5 << 20)
        #expect(UnsafeBufferPointer(start: mapped, count: 5 << 20).allSatisfy { $0 == 0 })
        deallocatePages(mapped, byteCount: 5 << 20)
        var map = FlatHashMap(expected: 200_000)  // 2 × 512 Ki slots of 8 bytes: two zeroed buffers of 4 MiB
        #expect(map.value(12345) == nil)
        for key in 1...200_000 as ClosedRange<UInt64> { map.update(key &* 0x9E37_79B9, initial: key) { $0 } }
        #expect(map.count == 200_000)
        #expect(map.value(77 &* 0x9E37_79B9) == 77)
        for permutations in [16, 64, 128] {
            let store = SignatureStore(permutations: permutations)
            let n = 2 * SignatureStore.chunkSignatures + 3
            _ = store.appendEmpty(n)
            for d in stride(from: 0, to: n, by: 97) { store.slotsPointer(d).update(repeating: UInt32(d), count: permutations) }
            #expect((0..<n).allSatisfy { d in store[d].allSatisfy { $0 == (d % 97 == 0 ? UInt32(d) : .max) } })
        }
    }

    @Test func radixSortEqualsSort() {
        var rng = SplitMix64(seed: 3)
        for n in [0, 1, 63, 64, 65, 1000, 70_000] {
            // Few distinct keys with ascending ids (an LSH band), and arbitrary words.
            var band = (0..<n).map { UInt64(rng.next() % 97) << 32 | UInt64($0) }
            var words = (0..<n).map { _ in rng.next() }
            var expectedBand = band, expectedWords = words
            expectedBand.sort()
            expectedWords.sort()
            radixSort(&band)
            radixSort(&words)
            #expect(band == expectedBand)
            #expect(words == expectedWords)
        }
    }

    /// Chunks of 128 KiB, two writers.
    static let spoolBudgets = [0, 2 * (SharedLines.pieceSize + 2 * (128 << 10) + 1024), 1 << 30]

    @Test(arguments: spoolBudgets)
    func spoolGivesBackWhatPassOneSaw(memoryBudget: Int) throws {
        // Budget 0: every chunk goes to the file, no line is shared; the middle one: a writer's shared lines and first
        // two chunks stay in memory, the other chunks go to the file and refer to those lines; a large one: every chunk
        // stays in memory.
        let text = try SeedFixtures.all().map(\.text).joined(separator: "\n\n- item one\n- item two\n\r\n")
        let segmenter = DocumentSegmenter()
        let directory = FileManager.default.temporaryDirectory.path
        let spool = DocumentSpool(directory: directory, workers: 2, memoryBudget: memoryBudget, chunkSize: 128 << 10)
        var expected: [(SegmentedDocument, [UInt8])] = []
        var locations: [(UInt64, Int)] = []
        // Enough copies to fill several chunks, each with a line of its own.
        for copy in 0..<200 {
            var t = "نسخة رقم \(copy) من الصفحة\n" + text + String(repeating: " كلمة", count: copy % 7)
            let segments = t.withUTF8 { segmenter.segment($0) }
            locations.append(spool.writers[copy % 2].append(segments, normalized: segmenter.normalized.bytes))
            var nonBlank = segments
            nonBlank.lines = segments.lines.filter { $0.hash != 0 }
            expected.append((nonBlank, Array(segmenter.normalized.bytes)))
        }
        let reader = try spool.finish()
        let buffer = ByteBuffer()
        let arrays = DocumentSegmenter()  // its arrays refilled for every other record
        for (i, (location, length)) in locations.enumerated() {
            let (segments, normalized) = try reader.document(at: location, length: length, into: buffer,
                                                             reusing: i % 2 == 0 ? arrays : nil)
            let (want, wantText) = expected[i]
            #expect(segments.lines.map(\.span) == want.lines.map(\.span))
            #expect(segments.lines.map(\.spanWithTerminator) == want.lines.map(\.spanWithTerminator))
            #expect(segments.lines.map(\.hash) == want.lines.map(\.hash))
            #expect(segments.lines.map(\.kind) == want.lines.map(\.kind))
            #expect(segments.lines.map(\.words) == want.lines.map(\.words))
            #expect(Array(normalized) == wantText)
            // Blocks: the same runs of lines, counted over non-blank lines only.
            #expect(segments.blocks.map(\.lines.count) == expected[i].0.blocks.map(\.lines.count))
        }
        #expect(memoryBudget > 0 || spool.writers.allSatisfy { $0.chunks.allSatisfy { $0.bytes == nil } })
        // The copies repeat their lines: after the first, they refer to shared text, within the budget.
        for writer in spool.writers {
            #expect(writer.shared.pieces.isEmpty == (memoryBudget == 0))
            let inMemory = writer.chunks.reduce(0) { $0 + ($1.bytes == nil ? 0 : $1.capacity) }
            #expect(inMemory + writer.shared.memoryBytes <= memoryBudget / 2)
            if memoryBudget == Self.spoolBudgets[1] {
                #expect(writer.chunks.contains { $0.bytes != nil } && writer.chunks.contains { $0.bytes == nil })
            }
        }
    }

    @Test func sharedLinesCompareBytesNotJustHashes() {
        let shared = SharedLines()
        let first = Array("سطر يتكرر في كل صفحة من الموقع".utf8)
        var other = first
        other[other.count - 1] ^= 1  // as long, another line: taken as one whose hash collided
        let hash: UInt64 = 0x1234_5678_9ABC_DEF0
        first.withUnsafeBufferPointer { record in
            let recordText: (UInt64) -> UnsafePointer<UInt8> = { place in
                #expect(place == 7 << 32 | 40)
                return record.baseAddress!
            }
            // Not seen yet: stays in its record, which is noted.
            #expect(shared.share(record.baseAddress!, count: record.count, hash: hash, mayGrow: true, recordText: recordText) == nil)
            shared.note(hash: hash, count: record.count, place: 7 << 32 | 40)
            other.withUnsafeBufferPointer { o in
                #expect(shared.share(o.baseAddress!, count: o.count, hash: hash, mayGrow: true, recordText: recordText) == nil)
                #expect(shared.share(o.baseAddress!, count: o.count - 1, hash: hash, mayGrow: true, recordText: recordText) == nil)
            }
            // No room and no growing: not shared.
            #expect(shared.share(record.baseAddress!, count: record.count, hash: hash, mayGrow: false, recordText: recordText) == nil)
            let again = Array(first)  // the same line in another document
            again.withUnsafeBufferPointer { a in
                guard let place = shared.share(a.baseAddress!, count: a.count, hash: hash, mayGrow: true, recordText: recordText) else {
                    Issue.record("a line met twice is shared")
                    return
                }
                #expect(place & SharedLines.sharedPlace != 0)
                #expect(Array(UnsafeBufferPointer(start: shared.text(at: place), count: a.count)) == first)
                // Met a third time: the same place, without the record.
                #expect(shared.share(a.baseAddress!, count: a.count, hash: hash, mayGrow: false,
                                     recordText: { _ in Issue.record("the record is not read again"); return a.baseAddress! }) == place)
            }
        }
        #expect(shared.memoryBytes == SharedLines.pieceSize)
        // A chunk that goes to the file is forgotten: its lines are not found there again.
        shared.note(hash: 42, count: first.count, place: 3 << 32)
        shared.forget(chunk: 3)
        first.withUnsafeBufferPointer { f in
            #expect(shared.share(f.baseAddress!, count: f.count, hash: 42, mayGrow: true,
                                 recordText: { _ in Issue.record("a forgotten chunk is not read"); return f.baseAddress! }) == nil)
        }
    }

    /// The batch pipeline the passes run on: every item once, on one thread at a time per worker state; batches merged
    /// in order, each only once all its items are done, one merge at a time; the producer held back to a few batches
    /// ahead — with one thread or more threads than cores, empty batches, and items that take uneven times.
    @Test(arguments: [1, 2, 3, 8])
    func batchPipelineMergesInOrderOnceItsItemsAreDone(workers: Int) throws {
        let sizes = [64, 0, 1, 5, 3, 200, 0, 17, 1, 33, 256, 2, 0, 90, 7]
        let maxInFlight = 3
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var processed: [[Int]]
            var busyStates = Set<Int>()
            var merged: [Int] = []
            var submitted = 0
            var mostAhead = 0
            var merging = false
            var faults: [String] = []
            init(_ sizes: [Int]) { processed = sizes.map { [Int](repeating: 0, count: $0) } }
            func fault(_ s: String) { faults.append(s) }
        }
        let log = Log(sizes)
        try pipelineBatches(workers: workers, maxInFlight: maxInFlight, makeState: { w in w }, produce: { submit in
            for (b, n) in sizes.enumerated() {
                try submit(b, n)
                log.lock.withLock {
                    log.submitted += 1
                    log.mostAhead = max(log.mostAhead, log.submitted - log.merged.count)
                }
            }
        }, process: { state, b, i in
            log.lock.withLock {
                if !log.busyStates.insert(state).inserted { log.fault("state \(state) used by two threads at once") }
                if log.merged.contains(b) { log.fault("item \(i) of batch \(b) after its merge") }
            }
            if (b + i) % 7 == 0 { usleep(100) }
            log.lock.withLock {
                log.processed[b][i] += 1
                log.busyStates.remove(state)
            }
        }, merge: { b in
            log.lock.withLock {
                if log.merging { log.fault("two merges at once") }
                log.merging = true
                if log.processed[b].contains(where: { $0 != 1 }) { log.fault("batch \(b) merged before all its items were done once") }
            }
            usleep(300)  // a slow merge: the workers go on with later batches meanwhile
            log.lock.withLock {
                log.merging = false
                log.merged.append(b)
            }
        })
        #expect(log.faults.isEmpty, "\(log.faults.prefix(3))")
        #expect(log.merged == Array(sizes.indices))
        #expect(log.processed.allSatisfy { $0.allSatisfy { $0 == 1 } })
        // In flight: up to `maxInFlight` waiting, and the one being merged.
        #expect(log.mostAhead <= maxInFlight + 1)
    }

    @Test func batchPipelineStopsAtAMergesError() {
        struct Stop: Error {}
        final class Log: @unchecked Sendable { var merged: [Int] = []; var producedAll = false }
        let log = Log()
        #expect(throws: Stop.self) {
            try pipelineBatches(workers: 2, maxInFlight: 2, makeState: { _ in }, produce: { submit in
                for b in 0..<1_000 { try submit(b, 10) }
                log.producedAll = true
            }, process: { _, _, _ in }, merge: { b in
                if b == 3 { throw Stop() }
                log.merged.append(b)
            })
        }
        #expect(log.merged == [0, 1, 2], "no batch is merged after the one that failed")
        #expect(!log.producedAll, "the producer is stopped")
    }

    @Test func batchPipelineThrowsTheProducersError() {
        struct ReadFailed: Error {}
        #expect(throws: ReadFailed.self) {
            try pipelineBatches(workers: 2, makeState: { _ in }, produce: { submit in
                for b in 0..<3 { try submit(b, 5) }
                throw ReadFailed()
            }, process: { _, _, _ in }, merge: { _ in })
        }
    }

    @Test func spoolThatCannotBeWrittenSaysWhere() throws {
        let spool = DocumentSpool(directory: "/nonexistent-ghurbal-folder", workers: 1, memoryBudget: 0)
        let segmenter = DocumentSegmenter()
        var text = "سطر أول\nسطر ثان"
        let segments = text.withUTF8 { segmenter.segment($0) }
        _ = spool.writers[0].append(segments, normalized: segmenter.normalized.bytes)
        #expect {
            _ = try spool.finish()
        } throws: { error in
            guard let error = error as? GhurbalError else { return false }
            return "\(error)".contains("/nonexistent-ghurbal-folder")
        }
    }

    @Test func lineBlocksEqualLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ghurbal-blocks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 4.5 MB of lines, so that some cross the 4 MiB buffer; one over the limit; no final newline.
        var rng = SplitMix64(seed: 11)
        var lines: [[UInt8]] = []
        var data = Data()
        for i in 0..<150 {
            let length = i == 70 ? 300_000 : Int(rng.next() % 60_000)
            lines.append([UInt8](repeating: UInt8(0x61 + i % 26), count: length))
            data.append(contentsOf: lines[i])
            if i < 149 { data.append(0x0A) }
        }
        #expect(FileManager.default.createFile(atPath: path, contents: data))
        let limit = 256 << 10
        var got: [ByteReader.BlockLine] = []
        var texts: [[UInt8]] = []
        let reader = try ByteReader(path: path, gzip: false)
        while let (block, blockLines) = try reader.readLineBlock(maxLength: limit) {
            for line in blockLines {
                got.append(line)
                if case .line(let r) = line { texts.append(Array(block[r])) }
            }
        }
        #expect(got.count == lines.count)
        var expectedTexts: [[UInt8]] = []
        for (i, line) in lines.enumerated() {
            if line.count > limit {
                if case .tooLong(let n) = got[i] { #expect(n == line.count) } else { Issue.record("line \(i) not too long") }
            } else {
                expectedTexts.append(line)
            }
        }
        #expect(texts == expectedTexts)
    }

    /// A gzip output file in members compressed on other threads: written in order whatever order they finish in,
    /// more of them than may be in flight at once, and read back (by `ByteReader` and by `gzip -d`) as the bytes
    /// written; an empty file is still valid gzip; every level gives the bytes back.
    @Test func gzipMembersReadBackInOrder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ghurbal-gzip-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var rng = SplitMix64(seed: 11)
        var written: [UInt8] = []
        let path = folder + "/many.gz"
        let file = try OutputFile(path: path, gzip: true, syncOnClose: false)
        for i in 0..<40 {
            // Pieces of up to 400 KB: a member every few of them (6 MB in all), some compressible, some not.
            let length = Int(rng.next() % 400_000)
            var piece = [UInt8](repeating: UInt8(0x61 + i % 7), count: length)
            if i % 3 == 0 {
                piece.withUnsafeMutableBytes { raw in
                    for j in 0..<(length / 8) { raw.storeBytes(of: rng.next(), toByteOffset: 8 * j, as: UInt64.self) }
                }
            }
            written += piece
            try file.write(piece)
        }
        try file.close()
        #expect(file.members >= 4)
        let empty = try OutputFile(path: folder + "/empty.gz", gzip: true, syncOnClose: false)
        try empty.close()
        // Arabic text at the lowest, the fastest and the highest level: the same bytes back, smaller at higher levels.
        let text = Array(try SeedFixtures.all().map(\.text).joined(separator: "\n").utf8)
        var sizes: [Int32: Int] = [:]
        for level: Int32 in [0, 1, 12] {
            let leveled = try OutputFile(path: folder + "/level\(level).gz", gzip: true, level: level, syncOnClose: false)
            try leveled.write(text)
            try leveled.close()
            sizes[level] = try FileManager.default.attributesOfItem(atPath: folder + "/level\(level).gz")[.size] as? Int
        }
        #expect(sizes[0]! > text.count && sizes[1]! < text.count / 2 && sizes[12]! < sizes[1]!, "\(sizes), \(text.count)")
        for (name, expected) in [("many.gz", written), ("empty.gz", []), ("level0.gz", text), ("level1.gz", text), ("level12.gz", text)] {
            let reader = try ByteReader(path: folder + "/" + name, gzip: true)
            var read: [UInt8] = []
            while case let piece = try reader.read(count: 1 << 16), !piece.isEmpty { read += piece }
            #expect(read == expected)
            #expect(reader.gzipProblem == nil)
            let gunzip = Process()
            gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gunzip.arguments = ["-t", folder + "/" + name]
            try gunzip.run()
            gunzip.waitUntilExit()
            #expect(gunzip.terminationStatus == 0)
        }
    }

    /// WARC header lines read as bytes: names in any case, values trimmed of spaces and tabs, the last of a repeated
    /// header counts, and a Content-Length that is not a plain number is none.
    /// A file that changes between two reads of a run (a crawler still appending to it) stops the run with the
    /// file's name, instead of reading records the first pass never saw; the same file read again unchanged is fine.
    @Test func inputThatChangesBetweenReadsIsCaught() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ghurbal-grow-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"id\": 1, \"text\": \"نص\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let files = try InputResolver.resolve([path], options: ReaderOptions())
        let source = try FileSource(files: files, options: ReaderOptions())
        func count() throws -> Int {
            var n = 0
            try source.forEachBatch { n += $0.count }
            return n
        }
        #expect(try count() == 1)
        #expect(try count() == 1)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"id\": 2, \"text\": \"نص آخر\"}\n".utf8))
        try handle.close()
        #expect {
            _ = try count()
        } throws: { error in
            guard case GhurbalError.inputChanged(let changed) = error else { return false }
            return changed == path
        }

        // Appended to while a later pass reads it (after that pass opened it, before it ends): the pass stops before
        // it hands over an item the first pass did not have.
        let line = "{\"id\": 3, \"text\": \"" + String(repeating: "نص طويل ", count: 50) + "\"}\n"
        try String(repeating: line, count: 8_000).write(toFile: path, atomically: true, encoding: .utf8)  // ~6.5 MB
        let grown = try FileSource(files: files, options: ReaderOptions())
        var first = 0
        try grown.forEachBatch { first += $0.count }
        var seen = 0
        #expect {
            try grown.forEachBatch { items in
                if seen == 0 {
                    let handle = try #require(FileHandle(forWritingAtPath: path))
                    try handle.seekToEnd()
                    // (More than a batch: the stamp checked at the file's end would stop only the last one.)
                    try handle.write(contentsOf: Data(String(repeating: line, count: 1_000).utf8))
                    try handle.close()
                }
                seen += items.count
            }
        } throws: { error in
            guard case GhurbalError.inputChanged = error else { return false }
            return true
        }
        #expect(seen <= first, "seen \(seen) first \(first)")
    }

    /// Gzip members of every size read back as gzip writes them: tiny ones and a hundred small ones (decoded whole by
    /// libdeflate), one whose compressed bytes run past the reader's buffer, one whose text is longer than the
    /// whole-member limit (both through zlib's stream), an empty one; and a file cut inside its last member keeps
    /// everything before the cut and says it is truncated.
    @Test func gzipMembersOfEverySizeReadBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ghurbal-members-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SplitMix64(seed: 5)
        func noise(_ n: Int) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: n)
            bytes.withUnsafeMutableBytes { raw in
                for j in 0..<(n / 8) { raw.storeBytes(of: rng.next(), toByteOffset: 8 * j, as: UInt64.self) }
            }
            return bytes
        }
        let words = Array(try SeedFixtures.all()[0].text.utf8)
        var pieces: [[UInt8]] = [Array("x".utf8), []]
        for i in 0..<100 { pieces.append(Array(words[(i * 37 % 1000)...].prefix(3000))) }
        pieces.append(noise(ByteReader.chunk * 3 / 4))                          // compressed bytes past the buffer
        var long: [UInt8] = []
        while long.count <= ByteReader.wholeMemberLimit { long.append(contentsOf: words) }
        pieces.append(long)                                                       // text past the whole-member limit
        pieces.append(Array("tail".utf8))
        var file: [UInt8] = []
        for (i, piece) in pieces.enumerated() {
            let plain = folder.appendingPathComponent("piece\(i)")
            try Data(piece).write(to: plain)
            file.append(contentsOf: try CLI.gzipOutput(["-c", plain.path]))
        }
        func read(_ bytes: [UInt8]) throws -> ([UInt8], String?) {
            let path = folder.appendingPathComponent("all.gz").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reader = try ByteReader(path: path, gzip: true)
            var out: [UInt8] = []
            while case let part = try reader.read(count: 1 << 16), !part.isEmpty { out.append(contentsOf: part) }
            return (out, reader.gzipProblem)
        }
        var expected: [UInt8] = []
        for piece in pieces { expected.append(contentsOf: piece) }
        // (Compared with memcmp: an element-by-element comparison of megabytes is slow in a debug build.)
        func same(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
            a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
        }
        let whole = try read(file)
        #expect(same(whole.0, expected[...]) && whole.1 == nil)
        let cut = try read(Array(file.dropLast(7)))
        #expect(cut.1 == "the file ends inside a gzip member (truncated)")
        #expect(cut.0.count >= expected.count - pieces.last!.count && same(cut.0, expected.prefix(cut.0.count)))
    }

    /// windows-1256 and ISO-8859-6 to UTF-8: ASCII kept, Arabic letters and the code page's other characters (two- and
    /// three-byte UTF-8) by the tables, ISO-8859-6's undefined bytes as U+FFFD; UTF-8 passes through untouched.
    @Test func legacyEncodingsConvertToUTF8() {
        let bytes: ArraySlice<UInt8> = [0x41, 0xC7, 0xE1, 0x20, 0x80, 0x9D, 0xA1, 0xFF]
        #expect(String(decoding: InputEncoding.windows1256.utf8(bytes), as: UTF8.self)
                == "A\u{0627}\u{0644} \u{20AC}\u{200C}\u{060C}\u{06D2}")
        #expect(String(decoding: InputEncoding.iso8859_6.utf8(bytes), as: UTF8.self)
                == "A\u{0627}\u{0641} \u{0080}\u{009D}\u{FFFD}\u{FFFD}")
        #expect(InputEncoding.utf8.utf8(bytes) == bytes)
        #expect(InputEncoding.windows1256Table.count == 128 && InputEncoding.iso8859_6Table.count == 128)
    }

    @Test func wetHeadersAsBytes() {
        func headers(_ lines: [String]) -> WETHeaders {
            var h = WETHeaders()
            for line in lines { h.read(Array(line.utf8)) }
            return h
        }
        let h = headers(["WARC-TYPE:\tconversion ", "warc-record-id:  <urn:uuid:1> ", "Content-Length: 42",
                         "WARC-Target-URI: https://x.example/ص", "no colon here", "Content-Type: text/plain"])
        #expect(h.isConversion && h.contentLength == 42)
        #expect(h.recordID == "<urn:uuid:1>" && h.targetURI == "https://x.example/ص")
        #expect(headers(["WARC-Type: Conversion"]).isConversion == false)
        #expect(headers(["WARC-Type: conversion", "WARC-Type: response"]).isConversion == false)
        #expect(headers(["Content-Length : 5"]).contentLength == nil)  // the name is "Content-Length ", not the header
        for (value, expected) in [("+7", 7), ("007", 7), ("0", 0), ("-3", nil), ("", nil), ("12a", nil), ("1 2", nil),
                                  ("9999999999999999999", nil)] as [(String, Int?)] {
            #expect(headers(["Content-Length: " + value]).contentLength == expected, "\(value)")
        }
        #expect(headers(["Content-Length: 10", "Content-Length: x"]).contentLength == nil)
        #expect(FileSource.countNewlines(UnsafeBufferPointer(start: nil, count: 0)) == 0)
        let text = Array("a\nb\n\nc".utf8)
        #expect(text.withUnsafeBufferPointer { FileSource.countNewlines($0) } == 3)
    }

    @Test func hostOfURLs() {
        let cases = [
            ("https://WWW.Example.com:8080/x?y", "example.com"),
            ("http://user:pw@News.Site.org/a/b", "news.site.org"),
            ("https://[::1]:8080/", "[::1]:8080"),
            ("example.com/path", "example.com"),
            ("site-a", "site-a"),
            ("https://مثال.إختبار/خبر", "مثال.إختبار"),
            ("HTTPS://WWW.ÉCOLE.FR/x", "école.fr"),
        ]
        for (url, host) in cases { #expect(CorpusCleaner.host(of: url) == host, "\(url)") }
    }
}
