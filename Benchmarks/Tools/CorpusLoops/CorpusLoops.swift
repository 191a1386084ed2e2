import Foundation
import Ghurbal

// The per-document loops of `ghurbal clean`, one thread, over the texts of a real or generated JSONL dump (the hot-loop
// benchmarks use the seed pages, whose mix of letters, digits and punctuation differs from a whole corpus):
//   swift run -c release CorpusLoops DUMP.jsonl [ROUNDS]
// prints seconds and MB/s of text for normalizing each document, segmenting it (normalize and hash every line) and
// signing it (normalize, shingle, MinHash), best of ROUNDS (default 3).

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: CorpusLoops DUMP.jsonl [ROUNDS]\n".utf8))
    exit(64)
}
let rounds = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 3) : 3
var texts: [[UInt8]] = []
for line in try Data(contentsOf: URL(fileURLWithPath: arguments[1])).split(separator: 0x0A) {
    guard let json = try? JSONLine(Array(line)), let text = json.string("text") else { continue }
    texts.append(text)
}
let total = texts.reduce(0) { $0 + $1.count }
print("\(texts.count) documents, \(total) bytes of text")

func best(_ name: String, _ body: () -> Void) {
    var seconds = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        body()
        let d = ContinuousClock.now - start
        seconds = min(seconds, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    print(name.padding(toLength: 12, withPad: " ", startingAt: 0),
          String(format: "%.3f s  %5.0f MB/s", seconds, Double(total) / seconds / 1e6))
}

/// The loops run inside a function: top-level variables of a main file are globals, and every access to one from a
/// closure is checked for exclusivity at run time, which would be measured along with the loops.
func measure(_ texts: [[UInt8]]) {
    var oneLine = ArabicNormalizerOptions()
    oneLine.keepLineBreaks = false
    let normalizer = ArabicNormalizer(options: oneLine)
    let buffer = ByteBuffer(capacity: 1 << 20)
    let segmenter = DocumentSegmenter(normalizer: normalizer)
    let signer = DocumentSigner(normalizer: normalizer, shingler: ShingleHasher(), minHasher: MinHasher(permutations: 128))
    let signature = UnsafeMutablePointer<UInt32>.allocate(capacity: 128)
    var lines = 0
    best("normalize") { for t in texts { t.withUnsafeBufferPointer { _ = normalizer.normalize($0, into: buffer) } } }
    best("segment") { lines = 0; for t in texts { t.withUnsafeBufferPointer { lines += segmenter.segment($0).lines.count } } }
    best("sign") { for t in texts { t.withUnsafeBufferPointer { _ = signer.sign($0, into: signature) } } }
    print("\(lines) lines")
}
measure(texts)
