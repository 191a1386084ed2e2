import CXXHash
import Foundation
import Ghurbal

// Ghurbal's hot loop, the twin of Benchmarks/reference/minhash_reference.c: for each document (one normalized
// document per line), the same shingles, hashes and permutations, through the code DocumentSigner runs
// (ShingleHasher into a ShingleBuffer, then the MinHash fold).
//   HotLoop prepare SEEDS_FOLDER OUT.txt   write the seed pages as ~4.7 KB normalized documents, one per line, 4 MiB
//   HotLoop run DOCUMENTS.txt ROUNDS       time the loop

let arguments = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(64)
}
guard arguments.count >= 4 else { fail("usage: HotLoop prepare SEEDS OUT.txt | HotLoop run DOCUMENTS.txt ROUNDS") }

if arguments[1] == "prepare" {
    let folder = URL(fileURLWithPath: arguments[2])
    var raw: [UInt8] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".txt") {
        raw += try Data(contentsOf: folder.appendingPathComponent(name))
        raw.append(0x0A)
    }
    var oneLine = ArabicNormalizerOptions()
    oneLine.keepLineBreaks = false
    let normalizer = ArabicNormalizer(options: oneLine)
    let buffer = ByteBuffer()
    var out: [UInt8] = []
    var at = 0
    while out.count < 4 << 20 {
        let end = min(raw.count, at + 4700)
        raw[at..<end].withUnsafeBufferPointer { _ = normalizer.normalize($0, into: buffer) }
        out += buffer.array
        out.append(0x0A)
        at = end == raw.count ? 0 : end
    }
    try Data(out).write(to: URL(fileURLWithPath: arguments[3]))
    exit(0)
}

guard arguments[1] == "run", let rounds = Int(arguments[3]) else { fail("usage: HotLoop run DOCUMENTS.txt ROUNDS") }
let text = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
var documents: [Range<Int>] = []
var start = 0
for i in 0..<text.count where text[i] == 0x0A {
    documents.append(start..<i)
    start = i + 1
}
let hasher = ShingleHasher()
let minHasher = MinHasher(permutations: 128)
let buffer = ShingleBuffer(capacity: 1 << 14)
var signature = [UInt32](repeating: .max, count: 128)
var shingles = 0
var checksum: UInt64 = 0
let clock = ContinuousClock.now
text.withUnsafeBufferPointer { t in
    signature.withUnsafeMutableBufferPointer { sig in
        for _ in 0..<rounds {
            for d in documents {
                shingles += hasher.hashes(of: UnsafeBufferPointer(rebasing: t[d]), into: buffer)
                _ = minHasher.sign(buffer.hashes, into: sig.baseAddress!)
                checksum = (checksum ^ XXH3_64bits(sig.baseAddress, 128 * 4)) &* 0x100_0000_01B3
            }
        }
    }
}
let elapsed = ContinuousClock.now - clock
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("Ghurbal (Swift, \(MinHasher.kernelName) kernel): \(shingles) shingles in \(String(format: "%.3f", seconds)) s = "
    + "\(String(format: "%.1f", Double(shingles) / seconds / 1e6)) M shingles/s, signatures \(String(format: "%016llx", checksum))")
