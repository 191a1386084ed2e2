import Benchmark
import Foundation
import Ghurbal

/// The seed pages, normalized to one line and repeated to 4 MiB: realistic Arabic word lengths for shingling.
enum Corpus {
    static let raw: [UInt8] = {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        dir.appendPathComponent("seeds")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        var one: [UInt8] = []
        for name in names where name.hasSuffix(".txt") {
            one += FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) ?? Data()
            one.append(0x0A)
        }
        precondition(!one.isEmpty, "no seeds under \(dir.path)")
        var all: [UInt8] = []
        while all.count < 4 << 20 { all += one }
        return Array(all[0..<(4 << 20)])
    }()

    static let normalized: [UInt8] = {
        var o = ArabicNormalizerOptions()
        o.keepLineBreaks = false
        let out = ByteBuffer()
        raw.withUnsafeBufferPointer { _ = ArabicNormalizer(options: o).normalize($0, into: out) }
        return out.array
    }()

    static let shingleHashes: [UInt64] = {
        var h: [UInt64] = []
        normalized.withUnsafeBufferPointer { _ = ShingleHasher().hashes(of: $0, into: &h) }
        return h
    }()

    /// The seed pages as documents of about 4.7 KB each, 200 of them (≈0.9 MB).
    static let documents: [[UInt8]] = {
        var docs: [[UInt8]] = []
        var start = 0
        let chunk = 4700
        while docs.count < 200 { docs.append(Array(raw[start..<(start + chunk)])); start += chunk }
        return docs
    }()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(3),
        maxIterations: 300
    )
    let shingleCount = Corpus.shingleHashes.count

    // One iteration = every word 5-shingle of 4 MiB of normalized text (the count is in the name).
    Benchmark("XXH3 word 5-shingles (\(shingleCount) per iteration)") { benchmark in
        let text = Corpus.normalized
        let hasher = ShingleHasher()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var x: UInt64 = 0
            _ = text.withUnsafeBufferPointer { buf in hasher.forEachShingle(in: buf) { x ^= $0 } }
            blackHole(x)
        }
    }

    // One iteration = every shingle of the 4 MiB hashed into a reused buffer and folded into a 128-permutation
    // signature, as `DocumentSigner` does (the target: at least 40 M shingles per second on one core).
    Benchmark("XXH3 + MinHash fold, 128 permutations (\(shingleCount) shingles per iteration)") { benchmark in
        let text = Corpus.normalized
        let hasher = ShingleHasher()
        let m = MinHasher(permutations: 128)
        let buffer = ShingleBuffer(capacity: text.count / 2 + 2)
        var signature = [UInt32](repeating: .max, count: 128)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = text.withUnsafeBufferPointer { hasher.hashes(of: $0, into: buffer) }
            signature.withUnsafeMutableBufferPointer { m.fold(buffer.hashes, into: $0.baseAddress!) }
            blackHole(signature[0])
        }
    }

    // One iteration = the same hashes folded into a 128-permutation signature, by the C kernel and by the scalar
    // Swift reference.
    let folds: [(String, @Sendable (MinHasher, UnsafeBufferPointer<UInt64>, UnsafeMutablePointer<UInt32>) -> Void)] = [
        ("kernel \(MinHasher.kernelName)", { $0.fold($1, into: $2) }),
        ("scalar Swift", { $0.foldScalar($1, into: $2) }),
    ]
    for (name, fold) in folds {
        Benchmark("MinHash fold, 128 permutations, \(name) (\(shingleCount) hashes per iteration)") { benchmark in
            let hashes = Corpus.shingleHashes
            let m = MinHasher(permutations: 128)
            var minima = [UInt32](repeating: .max, count: 128)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                hashes.withUnsafeBufferPointer { h in minima.withUnsafeMutableBufferPointer { fold(m, h, $0.baseAddress!) } }
                blackHole(minima[0])
            }
        }
    }

    // One iteration = 200 documents of 4,700 bytes (940,000 bytes) normalized, shingled and signed on one core.
    Benchmark("Sign 200 documents (940,000 bytes) on one core") { benchmark in
        let docs = Corpus.documents
        let signer = DocumentSigner(normalizer: ArabicNormalizer(), shingler: ShingleHasher(), minHasher: MinHasher())
        let signature = UnsafeMutablePointer<UInt32>.allocate(capacity: 128)
        defer { signature.deallocate() }
        for d in docs { _ = d.withUnsafeBufferPointer { signer.sign($0, into: signature) } }  // grow scratch buffers
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for d in docs { blackHole(d.withUnsafeBufferPointer { signer.sign($0, into: signature) }) }
        }
    }

    // One iteration = 20,000 signatures inserted, then queried.
    Benchmark("LSH insert + query, 16×8 bands, 20,000 signatures") { benchmark in
        let m = MinHasher()
        var rng = SystemRandomNumberGenerator()
        let sigs = (0..<20_000).map { _ in m.signature(of: (0..<50).map { _ in rng.next() }).slots }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var index = LSHIndex(parameters: LSHParameters(bands: 16, rows: 8))
            index.reserveCapacity(sigs.count)
            for (i, s) in sigs.enumerated() { s.withUnsafeBufferPointer { index.insert(id: UInt32(i), signature: $0) } }
            index.seal()
            var found = 0
            for s in sigs { found += s.withUnsafeBufferPointer { index.query($0).count } }
            blackHole(found)
        }
    }
}
