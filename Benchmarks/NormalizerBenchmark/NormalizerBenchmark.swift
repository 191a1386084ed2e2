import Benchmark
import Foundation
import Ghurbal

/// Arabic text for the benchmarks: the seed pages repeated to about 4 MB, so one iteration is long enough to
/// time and the working set is larger than the caches, as a real corpus is.
enum BenchmarkText {
    static let seedDirectory: URL = {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("seeds")
    }()

    static let arabic: [UInt8] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: seedDirectory.path))?.sorted() ?? []
        var one: [UInt8] = []
        for name in names where name.hasSuffix(".txt") {
            if let data = FileManager.default.contents(atPath: seedDirectory.appendingPathComponent(name).path) {
                one += data
                one.append(0x0A)
            }
        }
        precondition(!one.isEmpty, "no seed text under \(seedDirectory.path)")
        var all: [UInt8] = []
        all.reserveCapacity(4 << 20)
        while all.count < 4 << 20 { all += one }
        // Exactly 4 MiB, cut after a line break so no character is split.
        var end = 4 << 20
        while all[end - 1] != 0x0A { end -= 1 }
        all.removeSubrange(end...)
        all += Array(repeating: 0x20, count: (4 << 20) - end)
        return all
    }()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    // Throughput counts iterations: one iteration normalizes 4 MiB (4,194,304 bytes), so MB/s = 4.194 × iterations/s.
    Benchmark("ArabicNormalizer 4 MiB (seeds, default options)") { benchmark in
        let text = BenchmarkText.arabic
        let normalizer = ArabicNormalizer()
        let out = ByteBuffer(capacity: text.count + 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            text.withUnsafeBufferPointer { _ = normalizer.normalize($0, into: out) }
            blackHole(out.count)
        }
    }

    Benchmark("ArabicNormalizer 4 MiB, line by line") { benchmark in
        let text = BenchmarkText.arabic
        var oneLine = ArabicNormalizerOptions()
        oneLine.keepLineBreaks = false
        let normalizer = ArabicNormalizer(options: oneLine)
        let out = ByteBuffer(capacity: text.count + 64)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.removeAll()
            text.withUnsafeBufferPointer { buf in
                var start = 0
                for i in 0..<buf.count where buf[i] == 0x0A {
                    normalizer.append(UnsafeBufferPointer(rebasing: buf[start..<i]), to: out)
                    start = i + 1
                }
            }
            blackHole(out.count)
        }
    }
}
