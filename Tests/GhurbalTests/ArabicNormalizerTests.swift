import Foundation
import Testing
@testable import Ghurbal

@Suite struct ArabicNormalizerTests {
    let normalizer = ArabicNormalizer()

    func n(_ s: String) -> String { normalizer.normalize(s) }

    @Test func removesHarakatTanweenShaddaSukun() {
        // Every mark of U+064B–U+065F disappears and the word stays whole.
        for mark in 0x064B...0x065F {
            let s = "ك" + String(UnicodeScalar(UInt32(mark))!) + "تب"
            #expect(n(s) == "كتب", "U+\(String(mark, radix: 16))")
        }
        #expect(n("بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ") == "بسم الله الرحمن الرحيم")
        #expect(n("كتابٌ") == "كتاب")
    }

    @Test func removesSuperscriptAlefQuranicMarksAndTatweel() {
        #expect(n("هٰذا") == "هذا")
        for mark in [0x06D6, 0x06DA, 0x06DC, 0x06DF, 0x06E5, 0x06ED, 0x0610, 0x061A] {
            #expect(n("قل" + String(UnicodeScalar(UInt32(mark))!) + "ب") == "قلب", "U+\(String(mark, radix: 16))")
        }
        #expect(n("جـــمـيـل") == "جميل")
        #expect(n("الســلام") == "السلام")
    }

    @Test func unifiesAlefForms() {
        for alef in ["أ", "إ", "آ", "ٱ"] {
            #expect(n(alef + "ب") == "اب", "\(alef)")
        }
        #expect(n("الأمن") == n("الامن"))
        #expect(n("إطلاق") == n("اطلاق"))
        #expect(n("آسيا") == n("اسيا"))
        #expect(n("ٱلْحَمْدُ") == "الحمد")
    }

    @Test func unifiesYehTehMarbutaAndHamzaCarriers() {
        #expect(n("على") == "علي")
        #expect(n("المنظمة") == n("المنظمه"))
        #expect(n("مؤتمر") == "موتمر")
        #expect(n("رئيس") == "رييس")
        var keep = ArabicNormalizerOptions()
        keep.unifyHamzaCarriers = false
        keep.unifyTehMarbuta = false
        let k = ArabicNormalizer(options: keep)
        #expect(k.normalize("مؤتمر رئيس المنظمة") == "مؤتمر رئيس المنظمة")
    }

    @Test func foldsPersianAndUrduLookAlikes() {
        #expect(n("کتاب") == "كتاب")
        #expect(n("فارسی") == "فارسي")
        #expect(n("ہ") == "ه")
        #expect(n("ە") == "ه")
        #expect(n("ۀ") == "ه")
    }

    @Test func mapsDigits() {
        #expect(n("٢٠١٧") == "2017")
        #expect(n("۱۲۳۴۵۶۷۸۹۰") == "1234567890")
        #expect(n("٢٠١٧") == n("2017"))
        var fold = ArabicNormalizerOptions()
        fold.foldAllDigits = true
        let f = ArabicNormalizer(options: fold)
        #expect(f.normalize("عام ٢٠١٧ و 1999") == "عام 0000 و 0000")
    }

    @Test func foldsPresentationForms() {
        #expect(n("\u{FEFB}") == "لا")  // lam-alef isolated
        #expect(n("\u{FEF5}") == "لا")  // lam with alef madda above → alef unified
        #expect(n("\u{FDF2}") == "الله")
        #expect(n("\u{FDFA}") == "صلي الله عليه وسلم")
        #expect(n("\u{FE8D}\u{FEDF}\u{FEA4}\u{FEE4}\u{FEAA}") == "الحمد")
        #expect(n("\u{FE94}") == "ه")  // teh marbuta final → heh
        #expect(n("ب\u{FE70}") == "ب")  // isolated fathatan form is a mark
        #expect(n("\u{FF21}\u{FF42}") == "ab")  // fullwidth Latin
        #expect(n("a\u{FF0C}b") == "a b")  // fullwidth comma separates
    }

    @Test func lowercasesLatin() {
        #expect(n("Hello WORLD ÀÉ") == "hello world àé")
    }

    @Test func dropsZeroWidthAndBidiControls() {
        for c in [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                  0x2066, 0x2067, 0x2068, 0x2069, 0x061C, 0xFEFF] {
            #expect(n("سل" + String(UnicodeScalar(UInt32(c))!) + "ام") == "سلام", "U+\(String(c, radix: 16))")
        }
        #expect(n("\u{FEFF}مرحبا") == "مرحبا")
    }

    @Test func punctuationSeparatesWords() {
        #expect(n("قال،وأضاف؛ثم؟نعم۔لا") == "قال واضاف ثم نعم لا")
        #expect(n("«خبر»“عاجل”–الآن—هنا") == "خبر عاجل الان هنا")
        #expect(n("a.b,c!d?e(f)g\"h'i-j") == "a b c d e f g h i j")
        #expect(n("...!!! ، ") == "")
    }

    @Test func collapsesUnicodeSpaces() {
        #expect(n("  كلمة\u{00A0}\u{2003}\u{3000}\t أخرى  ") == "كلمه اخري")
        #expect(n("a\u{2009}\u{202F}\u{205F}b") == "a b")
    }

    @Test func keepsLinesApart() {
        #expect(n("سطر أول\nسطر ثان") == "سطر اول\nسطر ثان")
        #expect(n("a\r\nb\rc\u{2028}d") == "a\nb\nc\nd")
        // One output line per input line, blank lines included, and no spaces at the ends of lines.
        #expect(n(" a \n\n  b  \n") == "a\n\nb\n")
        var one = ArabicNormalizerOptions()
        one.keepLineBreaks = false
        #expect(ArabicNormalizer(options: one).normalize("a\nb\r\nc") == "a b c")
    }

    @Test func invalidUTF8BecomesOneSeparatorEachAndIsCounted() {
        let ok = Array("سلام".utf8)
        // Lone continuation byte, truncated two-byte sequence, overlong encoding, surrogate, out of range.
        let cases: [[UInt8]] = [[0x80], [0xD8], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5], [0xFF], [0xE2, 0x80]]
        for bad in cases {
            let (text, stats) = normalizer.normalize(bytes: ok + bad + ok)
            #expect(text == "سلام سلام", "\(bad)")
            #expect(stats.invalidSequences >= 1, "\(bad)")
            #expect(text.utf8.elementsEqual(Array(text.utf8)))
        }
        // A truncated sequence at the very end and a lone lead byte.
        let (t1, s1) = normalizer.normalize(bytes: ok + [0xD9])
        #expect(t1 == "سلام" && s1.invalidSequences == 1)
        // Maximal subparts: E2 80 followed by a letter is one invalid sequence, not two.
        let (_, s2) = normalizer.normalize(bytes: [0xE2, 0x80, 0x41])
        #expect(s2.invalidSequences == 1)
        // Random bytes never crash and always give valid UTF-8.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let (text, _) = normalizer.normalize(bytes: bytes)
            #expect(String(validating: Array(text.utf8), as: UTF8.self) != nil)
            #expect(n(text) == text)
        }
    }

    @Test func isIdempotent() throws {
        let seeds = try SeedFixtures.all()
        #expect(seeds.count == 5)
        for (name, text) in seeds {
            let once = n(text)
            #expect(n(once) == once, "\(name)")
            #expect(once.split(separator: "\n", omittingEmptySubsequences: false).count
                    == text.split(separator: "\n", omittingEmptySubsequences: false).count, "\(name)")
        }
        let tricky = "ﻻ ﷲ ٱلْـأَمْنُ ٢٠١٧ ‏«ک» \u{FDFA}\r\n..."
        #expect(n(n(tricky)) == n(tricky))
    }

    @Test func seedPairsNormalizeEqual() throws {
        let seeds = try SeedFixtures.all().map(\.text).joined(separator: "\n")
        // Each left-hand form occurs in the seeds; its variant must normalize to the same bytes.
        let pairs = [("الأمن", "الامن"), ("إطلاق", "اطلاق"), ("آسيا", "اسيا"), ("المنظمة", "المنظمه"),
                     ("قرغيزستان", "قرغيزستان"), ("الاتحاد الروسي", "الإتحاد الروسى")]
        for (a, b) in pairs {
            #expect(seeds.contains(a), "\(a) is in the seeds")
            #expect(n(a) == n(b), "\(a) ~ \(b)")
        }
        #expect(n("٢٠١٧") == n("2017"))
        // With and without tashkeel and tatweel.
        #expect(n("اعتُبرت تلك الاشتباكات") == n("اعتبرت تلك الاشتباكات"))
        #expect(n("الأكثـــر دَمَوِيَّةً") == n("الاكثر دموية"))
        #expect(n("منشآة") == n("منشاة"))
    }

    /// The 32-byte fast path (both builds of its C kernel: the one this CPU runs and the baseline one) must give the
    /// scalar loop's bytes and counts on any input and options: random texts of letters it copies, letters it folds,
    /// and everything that must stop it.
    @Test func vectorizedPathEqualsScalarPath() throws {
        let pieces: [[UInt8]] = [
            "كتب", "المنظمة", "الأمن", "إطلاق", "آسيا", "مسؤول", "رئيس", "على", "في", "ـ", "َ", "ٌّ", "ٰ", "ٱ",
            "abc", "ABC", "2017", "٢٠١٧", " ", "  ", ".", "،", "\n", "\r\n", "\t", "\u{200F}", "\u{00A0}", "ک", "ی",
            "ﻻ", "\u{FDFA}", "“", "—", "😀", "é", "ğ",
        ].map { Array($0.utf8) } + [[0xD8], [0xA7], [0xD9, 0x20], [0xE2, 0x80], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80]]
        var options = [ArabicNormalizerOptions(), .minimal]
        var o = ArabicNormalizerOptions(); o.keepLineBreaks = false; options.append(o)
        o.unifyTehMarbuta = false; o.foldAllDigits = true; options.append(o)
        o = ArabicNormalizerOptions(); o.unifyHamzaCarriers = false; o.unifyAlef = false; o.unifyAlefMaksura = false
        options.append(o)
        var generator = SeededGenerator(seed: 7)
        for option in options {
          for baseline in [false, true] {
            let fast = ArabicNormalizer(options: option, vectorized: true, baselineKernel: baseline)
            let scalar = ArabicNormalizer(options: option, vectorized: false)
            #expect(fast.tables.fast != nil || option == .minimal)
            let a = ByteBuffer(), b = ByteBuffer()
            for _ in 0..<3000 {
                var text: [UInt8] = []
                // Mostly letters and single spaces, so that the fast path runs and is cut at every kind of place.
                for _ in 0..<Int(generator.next() % 60) {
                    let r = Int(generator.next() % 100)
                    text += r < 70 ? pieces[r % 8] + [0x20] : pieces[Int(generator.next() % UInt64(pieces.count))]
                }
                let sa = text.withUnsafeBufferPointer { fast.normalize($0, into: a) }
                let sb = text.withUnsafeBufferPointer { scalar.normalize($0, into: b) }
                #expect(Array(a.bytes) == Array(b.bytes), "\(text)")
                #expect(sa == sb)
                // The spaces counted as they are written (a line's words, for the segmenter) are the spaces there.
                #expect(sb.spaces == b.bytes.reduce(0) { $0 + ($1 == 0x20 ? 1 : 0) }, "\(text)")
            }
          }
        }
        // Documents cut into lines by the segmenter.
        for var option in options.dropFirst() {
            option.keepLineBreaks = false
            let fast = DocumentSegmenter(normalizer: ArabicNormalizer(options: option, vectorized: true))
            let scalar = DocumentSegmenter(normalizer: ArabicNormalizer(options: option, vectorized: false))
            for _ in 0..<1000 {
                var text: [UInt8] = []
                for _ in 0..<Int(generator.next() % 80) {
                    let r = Int(generator.next() % 100)
                    text += r < 60 ? pieces[r % 8] + [0x20] : r < 75 ? [0x0A] : pieces[Int(generator.next() % UInt64(pieces.count))]
                }
                text.withUnsafeBufferPointer { t in
                    let a = fast.segment(t), b = scalar.segment(t)
                    #expect(Array(fast.normalized.bytes) == Array(scalar.normalized.bytes), "\(text)")
                    #expect(a.lines == b.lines && a.invalidUTF8 == b.invalidUTF8, "\(text)")
                }
            }
        }
        // The seeds, line by line as the segmenter calls it.
        let fast = ArabicNormalizer(options: options[2], vectorized: true)
        let scalar = ArabicNormalizer(options: options[2], vectorized: false)
        for (_, text) in try SeedFixtures.all() {
            for line in text.split(separator: "\n") { #expect(fast.normalize(String(line)) == scalar.normalize(String(line))) }
            #expect(fast.normalize(text) == scalar.normalize(text))
        }
    }

    /// The kernel reads a little around its text where that stays within the text's page, and never beyond: texts
    /// that start at a page's first byte or end at its last, between two pages that may not be read, normalize as the
    /// scalar loop does them (a read into either page would end the test with a fault).
    @Test func fastPathStaysWithinThePage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = try #require(mmap(nil, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(mapping, 3 * page) }
        #expect(mprotect(mapping, page, PROT_NONE) == 0)
        #expect(mprotect(mapping + 2 * page, page, PROT_NONE) == 0)
        let usable = (mapping + page).assumingMemoryBound(to: UInt8.self)
        var options = ArabicNormalizerOptions()
        options.keepLineBreaks = false
        let normalizers = [ArabicNormalizer(options: options, vectorized: true),
                           ArabicNormalizer(options: options, vectorized: true, baselineKernel: true)]
        let scalar = ArabicNormalizer(options: options, vectorized: false)
        let words = ["المنظمة", "كتب", "إطلاق", "abc", "2017"].map { Array($0.utf8) }
        var generator = SeededGenerator(seed: 11)
        let a = ByteBuffer(), b = ByteBuffer()
        for length in 1...100 {
            var text: [UInt8] = []
            while text.count < length { text += words[Int(generator.next() % 5)] + [0x20] }
            text = Array(text.prefix(length))
            for start in [0, page - length, page - length - 1, page - length - 33] where start >= 0 {
                let at = usable + start
                at.update(from: text, count: length)
                let expected = text.withUnsafeBufferPointer { scalar.normalize($0, into: b) }
                for normalizer in normalizers {
                    let stats = normalizer.normalize(UnsafeBufferPointer(start: at, count: length), into: a)
                    #expect(Array(a.bytes) == Array(b.bytes) && stats == expected, "length \(length) at \(start)")
                }
            }
        }
    }

    /// A wide expansion (ﷺ: 3 bytes in, 33 out) must leave room for the rest of the input: a few of them used to take
    /// it, and the letters after them were written past the end of the buffer.
    @Test func expansionsLeaveRoomForTheRest() {
        var options = ArabicNormalizerOptions()
        options.keepLineBreaks = false
        let reference = ArabicNormalizer(options: options, vectorized: false)
        for k in [1, 3, 8] {
            let text = Array((String(repeating: "\u{FDFA}", count: k) + String(repeating: "ب", count: 100) + " نص").utf8)
            let roomy = ByteBuffer(capacity: 1 << 16)
            text.withUnsafeBufferPointer { _ = reference.normalize($0, into: roomy) }
            for normalizer in [reference, ArabicNormalizer(options: options, vectorized: true),
                               ArabicNormalizer(options: options, vectorized: true, baselineKernel: true)] {
                let tight = ByteBuffer(capacity: text.count + 16)
                text.withUnsafeBufferPointer { _ = normalizer.normalize($0, into: tight) }
                #expect(tight.count <= tight.capacity, "k=\(k)")
                #expect(Array(tight.bytes) == Array(roomy.bytes), "k=\(k)")
            }
        }
    }

    @Test func tokenizerYieldsByteRanges() {
        var text = n("  الأمن، في  آسيا\nالوسطى ")
        let words: [String] = text.withUTF8 { buf in
            WordTokenizer(buf).map { String(decoding: UnsafeBufferPointer(rebasing: buf[$0]), as: UTF8.self) }
        }
        #expect(words == ["الامن", "في", "اسيا", "الوسطي"])
        var count = 0
        text.withUTF8 { WordTokenizer.forEachWord(in: $0) { _, _ in count += 1 } }
        #expect(count == 4)
        #expect(Array(WordTokenizer(UnsafeBufferPointer(start: nil, count: 0))).isEmpty)
    }
}
