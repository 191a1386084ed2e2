/// Words of normalized text as byte ranges: a word is a maximal run of bytes that are neither a space nor a
/// newline. No strings are made; the ranges index the buffer the tokenizer was given.
///
/// The buffer must outlive the iteration (it is the caller's, typically a `ByteBuffer`).
public struct WordTokenizer: Sequence, IteratorProtocol {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    public init(_ normalized: UnsafeBufferPointer<UInt8>) {
        self.bytes = normalized
    }

    public mutating func next() -> Range<Int>? {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return nil }
        var i = position
        while i < n && (p[i] == 0x20 || p[i] == 0x0A) { i += 1 }
        if i == n { position = n; return nil }
        let start = i
        while i < n && p[i] != 0x20 && p[i] != 0x0A { i += 1 }
        position = i
        return start..<i
    }

    /// Calls `body` with each word's byte range; the fastest way to walk the words.
    @inline(__always)
    public static func forEachWord(in normalized: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        guard let p = normalized.baseAddress else { return }
        let n = normalized.count
        var i = 0
        while i < n {
            while i < n && (p[i] == 0x20 || p[i] == 0x0A) { i += 1 }
            if i == n { return }
            let start = i
            while i < n && p[i] != 0x20 && p[i] != 0x0A { i += 1 }
            body(start, i)
        }
    }
}
