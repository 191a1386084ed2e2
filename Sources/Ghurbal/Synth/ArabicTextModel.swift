/// A deterministic random number generator (SplitMix64): the same seed gives the same corpus on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 { splitMix64(&state) }

    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A word bigram model of real Arabic text: the generator's source of new sentences. Sentences follow the source's
/// word pairs, with a jump to a random word now and then so that long verbatim runs of the source stay rare and
/// generated stories do not share sentences by accident.
public struct ArabicTextModel: Sendable {
    let words: [String]
    /// For each word, the indices of the words that follow it in the source.
    let successors: [[Int32]]
    let starts: [Int32]

    /// The fewest distinct words a model is built from.
    public static let minimumWords = 50

    /// The texts hold fewer than `minimumWords` distinct Arabic words.
    public struct TooFewWords: Error, Sendable {
        public let words: Int
    }

    /// Builds the model from texts; words are whitespace-separated tokens with at least one Arabic letter, stripped
    /// of surrounding punctuation.
    public init(texts: [String]) throws(TooFewWords) {
        var index: [String: Int32] = [:]
        var words: [String] = []
        var successors: [[Int32]] = []
        var starts: [Int32] = []
        for text in texts {
            for line in text.split(whereSeparator: \.isNewline) {
                var previous: Int32?
                for raw in line.split(separator: " ") {
                    let token = raw.trimmingCharacters(in: CharacterSetLite.punctuation)
                    guard token.unicodeScalars.contains(where: { $0.value >= 0x0621 && $0.value <= 0x064A }) else {
                        previous = nil
                        continue
                    }
                    let id = index[token] ?? {
                        let id = Int32(words.count)
                        index[token] = id
                        words.append(token)
                        successors.append([])
                        return id
                    }()
                    if let p = previous { successors[Int(p)].append(id) } else { starts.append(id) }
                    previous = id
                }
            }
        }
        guard words.count >= Self.minimumWords else { throw TooFewWords(words: words.count) }
        self.words = words
        self.successors = successors
        self.starts = starts.isEmpty ? [0] : starts
    }

    public var vocabularySize: Int { words.count }

    public func randomWord(_ rng: inout SeededGenerator) -> String { words[Int(rng.next() % UInt64(words.count))] }

    /// A sentence of `length` words.
    public func sentence(_ length: Int, _ rng: inout SeededGenerator) -> [String] {
        var out: [String] = []
        var current = Int(starts[Int(rng.next() % UInt64(starts.count))])
        for _ in 0..<length {
            out.append(words[current])
            let next = successors[current]
            if next.isEmpty || rng.chance(0.25) {
                current = Int(rng.next() % UInt64(words.count))
            } else {
                current = Int(next[Int(rng.next() % UInt64(next.count))])
            }
        }
        return out
    }
}

/// Punctuation to strip from tokens, without Foundation's CharacterSet in the model.
enum CharacterSetLite {
    static let punctuation: Set<Character> = Set(".,;:!?()[]{}\"'«»“”‘’–—-…،؛؟۔/\\|*•·")
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
