internal import CGhurbalKernels
import Foundation

/// A JSON object on one line, scanned only as deep as needed: the top-level keys and the byte range of each value.
/// Nothing is rebuilt, so a writer can replace one field and copy every other byte as it was.
public struct JSONLine: Sendable {
    public struct Field: Sendable {
        /// The key's token in the line, quotes included.
        public var keyToken: Range<Int>
        /// The value's bytes in the line, quotes included for strings.
        public var value: Range<Int>
    }

    /// A field's key, decoded.
    public func key(_ field: Field) -> String {
        bytes.withUnsafeBufferPointer { view($0).key(field) }
    }

    public let bytes: [UInt8]
    public let fields: [Field]
    /// Index of the object's closing brace.
    public let closingBrace: Int

    public struct SyntaxError: Error, Sendable {
        public var offset: Int
        public var reason: String
    }

    public init(_ bytes: [UInt8]) throws(SyntaxError) {
        self.bytes = bytes
        let scanned = try bytes.withUnsafeBufferPointer { b throws(SyntaxError) in try JSONLineView(b) }
        fields = scanned.fields
        closingBrace = scanned.closingBrace
    }

    /// A line scanned before (`JSONLineView`), with its bytes.
    init(bytes: [UInt8], fields: [Field], closingBrace: Int) {
        self.bytes = bytes
        self.fields = fields
        self.closingBrace = closingBrace
    }

    private func view(_ b: UnsafeBufferPointer<UInt8>) -> JSONLineView {
        JSONLineView(bytes: b, fields: fields, closingBrace: closingBrace)
    }

    /// The last field named `key` (keys are compared as bytes, escapes decoded only where there are some).
    public func field(_ key: String) -> Field? {
        bytes.withUnsafeBufferPointer { view($0).field(key) }
    }

    /// The value of `key` when it is a string (decoded to UTF-8 bytes), nil when absent or not a string.
    public func string(_ key: String) -> [UInt8]? {
        field(key).flatMap(string)
    }

    /// A field's value when it is a string (decoded to UTF-8 bytes), nil when it is not.
    public func string(_ field: Field) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { view($0).string(field) }
    }

    /// The value of `key` as text for an id: a string's content, or a number's or literal's raw text.
    public func idText(_ key: String) -> String? {
        bytes.withUnsafeBufferPointer { view($0).idText(key) }
    }

    /// The first backslash in `base[from..<to]`, or `to` when there is none.
    @inline(__always)
    static func nextBackslash(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        guard from < to, let hit = memchr(base + from, 0x5C, to - from) else { return to }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// The value of the four hexadecimal digits at `p` (a `\uXXXX` escape's), or nil when one is not a digit.
    @inline(__always)
    static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32? {
        let v = ghurbal_hex4(p)
        return v < 0 ? nil : UInt32(v)
    }

    /// Appends `scalar` (a `\uXXXX` escape's, or a surrogate pair's) as UTF-8 at `o`, U+FFFD for a lone surrogate;
    /// returns the bytes written.
    @inline(__always)
    static func encodeUTF8(_ scalar: UInt32, at o: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case ..<0x80:
            o[0] = UInt8(scalar)
            return 1
        case ..<0x800:
            o[0] = 0xC0 | UInt8(scalar >> 6)
            o[1] = 0x80 | UInt8(scalar & 0x3F)
            return 2
        case 0xD800..<0xE000:
            o[0] = 0xEF; o[1] = 0xBF; o[2] = 0xBD
            return 3
        case ..<0x10000:
            o[0] = 0xE0 | UInt8(scalar >> 12)
            o[1] = 0x80 | UInt8(scalar >> 6 & 0x3F)
            o[2] = 0x80 | UInt8(scalar & 0x3F)
            return 3
        default:
            o[0] = 0xF0 | UInt8(scalar >> 18)
            o[1] = 0x80 | UInt8(scalar >> 12 & 0x3F)
            o[2] = 0x80 | UInt8(scalar >> 6 & 0x3F)
            o[3] = 0x80 | UInt8(scalar & 0x3F)
            return 4
        }
    }

    /// Decodes the string token at `range` (quotes included). Lone surrogates become U+FFFD.
    public static func decodeString(_ bytes: [UInt8], _ range: Range<Int>) throws(SyntaxError) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "the token must lie in the bytes")
        return try bytes.withUnsafeBufferPointer { b throws(SyntaxError) in try decodeString(b, range) }
    }

    /// `decodeString` for a token in `bytes`.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(SyntaxError) -> [UInt8] {
        let start = range.lowerBound + 1
        let end = range.upperBound - 1
        guard start < end, let base = bytes.baseAddress else { return [] }
        // Most strings have no escape at all: one copy.
        let firstEscape = nextBackslash(base, start, end)
        guard firstEscape < end else { return Array(UnsafeBufferPointer(rebasing: bytes[start..<end])) }
        // Escapes never decode to more bytes than they take (\uXXXX: six bytes for at most three, a surrogate pair
        // twelve for four), so the token's length is room enough: written through a pointer, runs between escapes
        // with memcpy.
        var failure: SyntaxError?
        let out = [UInt8](unsafeUninitializedCapacity: max(1, end - start)) { out, count in
            let o = out.baseAddress!
            o.update(from: base + start, count: firstEscape - start)
            do throws(SyntaxError) {
                count = firstEscape - start + (try decodeEscapes(base, firstEscape, end, into: o + (firstEscape - start)))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Decodes `base[from..<end]` (a string token's content, escapes and all) into `out`, which has room for
    /// `end - from` bytes; returns the bytes written. Runs and one-letter escapes go through the C kernel
    /// (`ghurbal_json_decode_run`), which stops at each `\\u` escape (decoded here) and at an escape JSON does not have.
    static func decodeEscapes(_ base: UnsafePointer<UInt8>, _ from: Int, _ end: Int,
                              into out: UnsafeMutablePointer<UInt8>) throws(SyntaxError) -> Int {
        var o = 0
        var i = from
        while i < end {
            if base[i] != 0x5C || base[i + 1] != UInt8(ascii: "u") {
                var at = i
                o += ghurbal_json_decode_run(base, &at, end, out + o)
                i = at
                guard i < end else { break }
                // (`base[end]`, the closing quote, is in the token: a backslash just before it reads it as an escaped
                // quote, and the loop ends.)
                guard base[i + 1] == UInt8(ascii: "u") else { throw SyntaxError(offset: i + 1, reason: "unknown escape") }
            }
            guard i + 6 <= end else { throw SyntaxError(offset: i + 2, reason: "short \\u escape") }
            guard var scalar = hex4(base + i + 2) else { throw badHexDigit(base, i + 2) }
            i += 6
            if scalar >= 0xD800 && scalar < 0xDC00, i + 6 <= end, base[i] == 0x5C, base[i + 1] == UInt8(ascii: "u"),
               let low = hex4(base + i + 2), low >= 0xDC00 && low < 0xE000 {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            o += encodeUTF8(scalar, at: out + o)
        }
        return o
    }

    /// The error for the `\\u` escape whose digits start at `at`: the first byte that is not a digit.
    static func badHexDigit(_ base: UnsafePointer<UInt8>, _ at: Int) -> SyntaxError {
        // (Four of a byte make no number when it is not a digit.)
        let bad = (at..<(at + 4)).first { hex4(Array(repeating: base[$0], count: 4)) == nil } ?? at
        return SyntaxError(offset: bad, reason: "bad hex digit in \\u escape")
    }

    /// Appends the string token at `token` (quotes included) without the decoded bytes in `cuts` (ascending, disjoint
    /// ranges of offsets into the decoded string), copying the escaped bytes between them as they are: no decoding and
    /// no encoding. Returns false, having appended nothing, when a cut ends inside the decoded bytes of an escape or
    /// the token is malformed; the caller then decodes, cuts and encodes.
    public func appendString(_ token: Range<Int>, cutting cuts: some Sequence<Range<Int>>, to out: inout [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { Self.appendString(in: $0, token, cutting: cuts, to: &out) }
    }

    /// `appendString(_:cutting:to:)` for a token in `b` (a line not parsed into a `JSONLine`: its token found before).
    public static func appendString(in b: UnsafeBufferPointer<UInt8>, _ token: Range<Int>, cutting cuts: some Sequence<Range<Int>>,
                                    to out: inout [UInt8]) -> Bool {
        let before = out.count
        let ok = { () -> Bool in
            guard let base = b.baseAddress else { return false }
            let end = token.upperBound - 1
            var i = token.lowerBound + 1
            var decoded = 0
            // Moves i to where `target` decoded bytes have been read; nil when that is inside an escape.
            func seek(_ target: Int) -> Int? {
                while decoded < target {
                    guard i < end else { return nil }
                    if b[i] != 0x5C {
                        let next = nextBackslash(base, i, end)
                        let run = min(next - i, target - decoded)
                        i += run
                        decoded += run
                        continue
                    }
                    guard i + 1 < end else { return nil }
                    var escaped = 2, length = 1
                    if b[i + 1] == UInt8(ascii: "u") {
                        // As `decodeString`: a surrogate pair is one 4-byte scalar, a lone surrogate U+FFFD.
                        guard i + 6 <= end, let v = hex4(base + i + 2) else { return nil }
                        escaped = 6
                        if v >= 0xD800 && v < 0xDC00, i + 12 <= end, b[i + 6] == 0x5C, b[i + 7] == UInt8(ascii: "u"),
                           let low = hex4(base + i + 8), low >= 0xDC00 && low < 0xE000 {
                            escaped = 12
                            length = 4
                        } else {
                            length = v < 0x80 ? 1 : v < 0x800 ? 2 : 3
                        }
                    }
                    guard decoded + length <= target else { return nil }
                    i += escaped
                    decoded += length
                }
                return i
            }
            out.append(0x22)
            var keptFrom = i
            for cut in cuts {
                guard let a = seek(cut.lowerBound) else { return false }
                out.append(contentsOf: UnsafeBufferPointer(start: base + keptFrom, count: a - keptFrom))
                guard let z = seek(cut.upperBound) else { return false }
                keptFrom = z
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + keptFrom, count: end - keptFrom))
            out.append(0x22)
            return true
        }()
        if !ok { out.removeLast(out.count - before) }
        return ok
    }

    /// Appends `text` as a JSON string token; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
    /// Runs that need no escaping are copied in bulk.
    public static func appendString(_ text: some Collection<UInt8>, to out: inout [UInt8]) {
        var repaired = String(decoding: text, as: UTF8.self)
        repaired.withUTF8 { appendEscaped($0, to: &out) }
    }

    /// Appends valid UTF-8 as a JSON string token (quotes included).
    static func appendEscaped(_ buf: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        let n = buf.count
        out.reserveCapacity(out.count + n + 2)
        var runStart = 0
        var i = 0
        while i < n {
            i = nextSpecial(buf, i)
            if i >= n { break }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
            let b = buf[i]
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
            i += 1
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n]))
        out.append(0x22)
    }

    /// The first byte at or after `from` that a JSON string must escape (`"`, `\\`, below 0x20), 32 bytes a step
    /// (`ghurbal_json_next_special`, in C with AVX2 where the CPU has it).
    @inline(__always)
    static func nextSpecial(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        guard let base = buf.baseAddress, from < buf.count else { return buf.count }
        return ghurbal_json_next_special(base, buf.count, from)
    }

    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendString(Array(text.utf8), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: i, reason: reason + " at byte \(i + 1)") }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        }

        mutating func string() throws(SyntaxError) -> Range<Int> {
            let start = i
            let base = bytes.baseAddress!  // (called at a quote: there are bytes)
            i += 1
            // Each backslash escapes the byte after it, so a quote or control byte is escaped when an odd run of
            // backslashes comes just before it: the candidates are found 32 bytes a step, escapes and all (a string
            // of escaped letters, as Python's json.dumps writes Arabic, is no slower than one of letters).
            while i < bytes.count {
                i = ghurbal_json_next_quote_or_control(base, bytes.count, i)
                guard i < bytes.count else { break }
                var backslashes = 0
                while i - backslashes - 1 > start && bytes[i - backslashes - 1] == 0x5C { backslashes += 1 }
                if backslashes & 1 == 1 { i += 1; continue }
                if bytes[i] == 0x22 { i += 1; return start..<i }
                throw error("control character in a string")
            }
            throw SyntaxError(offset: start, reason: "unterminated string starting at byte \(start + 1)")
        }

        mutating func value(depth: Int) throws(SyntaxError) {
            guard depth < 512 else { throw error("nested too deeply") }
            guard let b = peek() else { throw error("expected a value") }
            switch b {
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "{"):
                i += 1
                skipSpace()
                if peek() == UInt8(ascii: "}") { i += 1; return }
                while true {
                    skipSpace()
                    guard peek() == UInt8(ascii: "\"") else { throw error("expected a key") }
                    _ = try string()
                    skipSpace()
                    guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
                    i += 1
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if peek() == UInt8(ascii: ",") { i += 1; continue }
                    if peek() == UInt8(ascii: "}") { i += 1; return }
                    throw error("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if peek() == UInt8(ascii: "]") { i += 1; return }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if peek() == UInt8(ascii: ",") { i += 1; continue }
                    if peek() == UInt8(ascii: "]") { i += 1; return }
                    throw error("expected ',' or ']'")
                }
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), 0x30...0x39:
                let start = i
                i += 1
                while let c = peek(), (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x65 || c == 0x45 || c == 0x2B || c == 0x2D { i += 1 }
                if i - start == 1 && bytes[start] == UInt8(ascii: "-") { throw error("bad number") }
            default:
                throw error("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { throw error("bad literal") }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw error("bad literal") }
            i += n
        }
    }
}

/// A JSON line scanned where it lies (a slice of a read block, say): its top-level fields, without a copy of the line.
/// `JSONLine` is this with the bytes kept.
struct JSONLineView {
    typealias Field = JSONLine.Field
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: [Field]
    let closingBrace: Int

    init(bytes: UnsafeBufferPointer<UInt8>, fields: [Field], closingBrace: Int) {
        self.bytes = bytes
        self.fields = fields
        self.closingBrace = closingBrace
    }

    /// Scans `bytes`, which must hold one JSON object (and spaces around it).
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONLine.SyntaxError) {
        self.bytes = bytes
        var scanner = JSONLine.Scanner(bytes: bytes)
        scanner.skipSpace()
        guard scanner.peek() == UInt8(ascii: "{") else { throw scanner.error("expected an object") }
        scanner.i += 1
        var fields: [Field] = []
        fields.reserveCapacity(8)  // (one allocation for a typical record, not four as the array grows)
        scanner.skipSpace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.i += 1
        } else {
            while true {
                scanner.skipSpace()
                guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a key") }
                let keyRange = try scanner.string()
                if JSONLine.nextBackslash(bytes.baseAddress!, keyRange.lowerBound, keyRange.upperBound) < keyRange.upperBound {
                    _ = try JSONLine.decodeString(bytes, keyRange)  // a malformed escape is a syntax error
                }
                scanner.skipSpace()
                guard scanner.peek() == UInt8(ascii: ":") else { throw scanner.error("expected ':'") }
                scanner.i += 1
                scanner.skipSpace()
                let start = scanner.i
                try scanner.value(depth: 0)
                fields.append(Field(keyToken: keyRange, value: start..<scanner.i))
                scanner.skipSpace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.i += 1; continue }
                if scanner.peek() == UInt8(ascii: "}") { scanner.i += 1; break }
                throw scanner.error("expected ',' or '}'")
            }
        }
        closingBrace = scanner.i - 1
        scanner.skipSpace()
        guard scanner.i == bytes.count else { throw scanner.error("text after the object") }
        self.fields = fields
    }

    /// A field's key, decoded.
    func key(_ field: Field) -> String {
        String(decoding: (try? JSONLine.decodeString(bytes, field.keyToken)) ?? [], as: UTF8.self)
    }

    /// The last field named `key` (keys are compared as bytes, escapes decoded only where there are some).
    func field(_ key: String) -> Field? {
        var key = key
        return key.withUTF8 { want in
            fields.last { f in
                let token = (f.keyToken.lowerBound + 1)..<(f.keyToken.upperBound - 1)
                if JSONLine.nextBackslash(bytes.baseAddress!, token.lowerBound, token.upperBound) == token.upperBound {
                    return token.count == want.count
                        && (want.count == 0 || memcmp(bytes.baseAddress! + token.lowerBound, want.baseAddress!, want.count) == 0)
                }
                return self.key(f).utf8.elementsEqual(want)
            }
        }
    }

    /// A field's value when it is a string (decoded to UTF-8 bytes), nil when it is not.
    func string(_ field: Field) -> [UInt8]? {
        guard bytes[field.value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        return try? JSONLine.decodeString(bytes, field.value)
    }

    /// Where a string field's content is in the line when it has no escape (so it is its decoded bytes as they lie),
    /// nil when the field is not a string or has escapes.
    func unescapedString(_ field: Field) -> Range<Int>? {
        guard bytes[field.value.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let content = (field.value.lowerBound + 1)..<(field.value.upperBound - 1)
        return JSONLine.nextBackslash(bytes.baseAddress!, content.lowerBound, content.upperBound) == content.upperBound ? content : nil
    }

    /// A string field's value as a `String` (invalid UTF-8 repaired), nil when the field is not a string. Made from the
    /// line's bytes when the value has no escapes.
    func text(_ field: Field) -> String? {
        if let content = unescapedString(field) { return String(decoding: UnsafeBufferPointer(rebasing: bytes[content]), as: UTF8.self) }
        return string(field).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of `key` as text for an id: a string's content, or a number's or literal's raw text.
    func idText(_ key: String) -> String? {
        guard let f = field(key) else { return nil }
        if let s = text(f) { return s }
        let first = bytes[f.value.lowerBound]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "n") { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[f.value]), as: UTF8.self)
    }
}
