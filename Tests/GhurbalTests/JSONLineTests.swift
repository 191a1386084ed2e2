import Foundation
import Testing
@testable import Ghurbal

@Suite struct JSONLineTests {
    @Test func scansFieldsAndKeepsBytes() throws {
        let line = Array(#"{"id": 7, "text": "سلام \"عليكم\"\n", "meta": {"a": [1, 2.5e3, true, null]}, "url": "http://x/y"}"#.utf8)
        let json = try JSONLine(line)
        #expect(json.fields.map(json.key) == ["id", "text", "meta", "url"])
        #expect(json.idText("id") == "7")
        #expect(String(decoding: json.string("text")!, as: UTF8.self) == "سلام \"عليكم\"\n")
        #expect(String(decoding: line[json.field("meta")!.value], as: UTF8.self) == #"{"a": [1, 2.5e3, true, null]}"#)
        #expect(json.string("meta") == nil && json.string("missing") == nil)
        #expect(line[json.closingBrace] == UInt8(ascii: "}"))
    }

    @Test func decodesEscapes() throws {
        let json = try JSONLine(Array(#"{"t": "a\u0627\/\\\t\ud83d\ude00\ud800x"}"#.utf8))
        #expect(String(decoding: json.string("t")!, as: UTF8.self) == "aا/\\\t😀\u{FFFD}x")
        // Escapes first and last, runs between them, and the errors the decoder itself reports.
        let token = Array(#""\nسطر\n\u0041b\"""#.utf8)
        #expect(try JSONLine.decodeString(token, 0..<token.count) == Array("\nسطر\nAb\"".utf8))
        // Each error where it is (a byte offset in the token).
        for (bad, offset, reason) in [(#""a\q""#, 3, "unknown escape"), (#""\u12""#, 3, #"short \u escape"#),
                                      (#""x\u12G4""#, 6, #"bad hex digit in \u escape"#)] {
            let b = Array(bad.utf8)
            #expect("\(bad)") { try JSONLine.decodeString(b, 0..<b.count) } throws: { error in
                let e = error as? JSONLine.SyntaxError
                return e?.offset == offset && e?.reason == reason
            }
        }
        // Every letter escaped, as Python's json.dumps writes Arabic: the scanner steps over runs of escapes, and a
        // `\u` without four digits does not hide the quote after it.
        let escaped = try JSONLine(Array(#"{"t": "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0645\\", "n": 1}"#.utf8))
        #expect(String(decoding: escaped.string("t")!, as: UTF8.self) == "العربية م\\")
        #expect(escaped.idText("n") == "1")
        let broken = try JSONLine(Array(#"{"t": "\u12", "n": 2}"#.utf8))
        #expect(broken.string("t") == nil && broken.idText("n") == "2")
    }

    /// A string token's end as the scanner finds it (by runs of backslashes before each quote or control byte, 32
    /// bytes a step) against reading it byte by byte, each backslash taking the byte after it: the same end, or the
    /// same error at the same byte, on random strings of quotes, backslashes, `u`, digits, letters and control bytes.
    @Test func stringEndsAsReadByteByByte() {
        func byteByByte(_ b: [UInt8]) -> Result<Range<Int>, JSONLine.SyntaxError> {
            var i = 1
            while i < b.count {
                if b[i] == 0x22 { return .success(0..<(i + 1)) }
                if b[i] == 0x5C { i += 2; continue }
                if b[i] < 0x20 { return .failure(JSONLine.SyntaxError(offset: i, reason: "control character in a string at byte \(i + 1)")) }
                i += 1
            }
            return .failure(JSONLine.SyntaxError(offset: 0, reason: "unterminated string starting at byte 1"))
        }
        var rng = SplitMix64(seed: 3)
        let alphabet: [[UInt8]] = [[0x22], [0x5C], [0x5C, 0x5C], Array("u".utf8), Array("0627".utf8), Array("ab".utf8),
                                   Array("ا".utf8), [0x0A], [0x09], Array(" ".utf8), Array(String(repeating: "x", count: 40).utf8)]
        for round in 0..<20_000 {
            var token: [UInt8] = [0x22]
            for _ in 0..<Int(rng.next() % 24) { token += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if round % 3 != 0 { token.append(0x22) }
            let got: Result<Range<Int>, JSONLine.SyntaxError> = token.withUnsafeBufferPointer { b in
                var scanner = JSONLine.Scanner(bytes: b)
                do throws(JSONLine.SyntaxError) { return .success(try scanner.string()) } catch { return .failure(error) }
            }
            switch (got, byteByByte(token)) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(token)")
            case (.failure(let a), .failure(let b)): #expect(a.offset == b.offset && a.reason == b.reason, "\(token)")
            default: Issue.record("\(token): \(got) against \(byteByByte(token))")
            }
        }
    }

    /// The first pass takes each line's document where the line lies (`jsonLineDocument`); the write pass also keeps
    /// the line (`parseJSONLine`). Both must give the same document, or the same reason to skip it, and agree with
    /// `JSONLine`'s accessors on the line alone.
    @Test func documentsScannedInPlaceEqualParsedOnes() throws {
        let lines = [#"{"id": "a", "text": "سطر أول\nسطر ثان", "url": "http://x.com/1"}"#,
                     #"{"id": 7, "text": "بلا هروب", "priority": 2.5}"#,
                     #"{"text": "crlf ending"}"# + "\r",
                     #"{"id": "d", "text": "\u0627\u0644 \"x\""}"#,
                     #"{"id": "e", "text": 12}"#, #"{"id": "f"}"#, #"{"id": "g", "text": "   "}"#, #"{"id": "h", "text": "a\q"}"#,
                     #"{"id": "i", "te\u0078t": "escaped key", "id": "i2"}"#, #"{"id": "j", "text": }"#, "not json"]
        var options = ReaderOptions()
        options.priorityField = "priority"
        let source = try FileSource(files: [], options: options)
        let file = InputFile(path: "in.jsonl", format: .jsonl, gzip: false, input: 0, relativePath: "in.jsonl")
        // One block holding every line, as the reader cuts them: items are slices that do not start at 0.
        let block = Array(("{}\n" + lines.joined(separator: "\n")).utf8)
        var start = 3
        var items: [RawItem] = []
        for (n, line) in lines.enumerated() {
            let end = start + line.utf8.count
            let item = RawItem(kind: .jsonLine, bytes: block[start..<end], file: 0, line: Int32(n + 2))
            items.append(item)
            start = end + 1
            let inPlace = source.jsonLineDocument(item, file)
            let parsedLine = source.parseJSONLine(item, file)
            let parsed = parsedLine.map(\.document)
            // And both against the line parsed on its own with `JSONLine`'s accessors.
            var own = Array(line.utf8)
            if own.last == 0x0D { own.removeLast() }
            let reference = try? JSONLine(own)
            switch (inPlace, parsed) {
            case (.success(let a), .success(let b)):
                #expect(a.id == b.id && a.text == b.text && a.url == b.url && a.priority == b.priority && a.textToken == b.textToken, "\(line)")
                #expect(reference.map { r in
                    a.text == r.string("text") && a.id == (r.idText("id") ?? "in.jsonl:\(n + 2)")
                        && a.url == r.string("url").map { String(decoding: $0, as: UTF8.self) }
                        && a.textToken == r.field("text")?.value && (try? parsedLine.get())?.json.bytes == own
                } == true, "\(line)")
            case (.failure(let a), .failure(let b)):
                #expect("\(a)" == "\(b)", "\(line)")
                let text = reference.flatMap { $0.string("text") }
                #expect(text.map { $0.allSatisfy { $0 == 0x20 } } ?? true, "\(line)")  // no line, no string text, or blank
            default:
                Issue.record("\(line): \(inPlace) against \(parsed)")
            }
        }
        if case .success(let d) = source.jsonLineDocument(items[1], file) {
            #expect(d.id == "7" && d.text == Array("بلا هروب".utf8) && d.priority == 2.5)
        } else {
            Issue.record("line 2 should be a document")
        }
    }

    @Test func rejectsMalformedLines() {
        for bad in [#"{"a": }"#, #"{"a" 1}"#, #"["a"]"#, #"{"a": "x}"#, #"{"a": 1} x"#, #"{"a": tru}"#, "{\"a\": \"\u{1}\"}", "", "{"] {
            #expect(throws: JSONLine.SyntaxError.self, "\(bad)") { try JSONLine(Array(bad.utf8)) }
        }
    }

    /// The decoder (runs and one-letter escapes in the C kernel, `\u` in Swift) against a plain byte-by-byte reading of
    /// the same tokens: runs long and short around the kernel's 32-byte steps, every escape JSON has, and errors.
    @Test func decodingEqualsAByteByByteReading() throws {
        func reference(_ t: [UInt8]) -> [UInt8]? {
            var out: [UInt8] = [], i = 1
            while i < t.count - 1 {
                guard t[i] == 0x5C else { out.append(t[i]); i += 1; continue }
                switch t[i + 1] {
                case 0x22, 0x5C, 0x2F: out.append(t[i + 1])
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 6 <= t.count - 1, let v = UInt32(String(decoding: t[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)
                    else { return nil }
                    out += Array(String(Unicode.Scalar(v) ?? "\u{FFFD}").utf8)
                    i += 6
                    continue
                default: return nil
                }
                i += 2
            }
            return out
        }
        var rng = SplitMix64(seed: 9)
        let pieces: [String] = [#"\n"#, #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\r"#, #"\t"#, #"\u0627"#, #"\u0041"#,
                                "سطر", "a", String(repeating: "x", count: 40), String(repeating: "ب", count: 20), " ", #"\q"#]
        for trial in 0..<2000 {
            var body = ""
            for _ in 0..<Int(rng.next() % 12) {
                let piece = pieces[Int(rng.next() % UInt64(pieces.count))]
                if piece == #"\q"# && trial % 5 != 0 { continue }  // an error now and then
                body += piece
            }
            let token = Array(("\"" + body + "\"").utf8)
            let expected = reference(token)
            let got = try? JSONLine.decodeString(token, 0..<token.count)
            #expect(got == expected, "\(body)")
        }
    }

    @Test func escapingRoundTrips() throws {
        var rng = SplitMix64(seed: 1)
        let pieces: [[UInt8]] = [Array("سلام".utf8), [0x22], [0x5C], [0x0A], [0x01], [0x1F], [0x7F], Array("abcdefghij".utf8),
                                 [0xFF], Array("😀".utf8), [0x20], [0xE2, 0x80]]
        for _ in 0..<300 {
            var text: [UInt8] = []
            for _ in 0..<Int(rng.next() % 30) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            var out: [UInt8] = Array(#"{"t":"#.utf8)
            JSONLine.appendString(text, to: &out)
            out.append(UInt8(ascii: "}"))
            let parsed = try JSONSerialization.jsonObject(with: Data(out)) as! [String: String]
            #expect(parsed["t"] == String(decoding: text, as: UTF8.self))
            #expect(try String(decoding: JSONLine(out).string("t")!, as: UTF8.self) == String(decoding: text, as: UTF8.self))
        }
    }

    /// The report writers' byte appenders write what the string formatters write.
    @Test func byteAppendersEqualStringFormatters() {
        var rng = SplitMix64(seed: 9)
        var numbers: [Double] = [0, 1, 0.5, 0.99995, 0.00004, -0.00004, -2.5, 123.456789, .infinity, -.infinity, .nan]
        for _ in 0..<2000 { numbers.append(Double(rng.next() % 1_000_001) / 1_000_000 * (rng.next() % 5 == 0 ? -30 : 1)) }
        for x in numbers {
            for digits in 0...6 {
                var out: [UInt8] = []
                out.appendFixed(x, digits: digits)
                #expect(String(decoding: out, as: UTF8.self) == formatFixed(x, digits), "\(x) \(digits)")
            }
        }
        for n in [0, 7, -7, 10, 99, 100, Int.max, Int.min, 36000] + (0..<200).map({ _ in Int(truncatingIfNeeded: rng.next()) }) {
            var out: [UInt8] = []
            out.appendDecimal(n)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
        for text in ["", "سلام \"عليكم\"\n", "a\\b\t\u{1}\u{1F}\u{7F}😀", String(repeating: "ab\"", count: 40)] {
            var out: [UInt8] = []
            out.appendQuoted(text)
            #expect(String(decoding: out, as: UTF8.self) == JSONLine.quoted(text))
        }
    }

    /// Cutting decoded ranges out of the escaped token gives what decoding, cutting and encoding give — or refuses.
    @Test func cuttingEscapedTextEqualsDecodingCuttingEncoding() throws {
        var rng = SplitMix64(seed: 5)
        let pieces = ["سلام", "\\n", "\\\"", "\\\\", "\\u0627", "\\ud83d\\ude00", "\\ud800", "abc", "\\t", " ", "😀"]
        var refused = 0
        for _ in 0..<500 {
            var token = "\""
            for _ in 0..<Int(rng.next() % 25) { token += pieces[Int(rng.next() % UInt64(pieces.count))] }
            token += "\""
            let line = Array(("{\"t\":" + token + "}").utf8)
            let json = try JSONLine(line)
            let field = json.field("t")!
            let decoded = json.string("t")!
            var cuts: [Range<Int>] = []
            var at = 0
            while at < decoded.count {
                let start = at + Int(rng.next() % 6)
                let end = start + Int(rng.next() % 8)
                if end > decoded.count { break }
                cuts.append(start..<end)
                at = end + 1
            }
            var fast: [UInt8] = [0x58]
            if json.appendString(field.value, cutting: cuts, to: &fast) {
                var kept: [UInt8] = []
                var from = 0
                for c in cuts {
                    kept += decoded[from..<c.lowerBound]
                    from = c.upperBound
                }
                kept += decoded[from...]
                let reparsed = try JSONLine(Array("{\"t\":".utf8) + fast.dropFirst() + [0x7D]).string("t")!
                #expect(reparsed == kept, "\(token) \(cuts)")
                #expect(fast.first == 0x58)
            } else {
                refused += 1
                #expect(fast == [0x58])
            }
        }
        // Most cuts fall between escapes; some land inside one and are refused.
        #expect(refused > 0 && refused < 400)
    }
}
