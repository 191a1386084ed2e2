import CXXHash
import Foundation
import Testing
@testable import Ghurbal

@Suite struct SegmenterTests {
    func segment(_ s: String) -> SegmentedDocument {
        var t = s
        return t.withUTF8 { DocumentSegmenter().segment($0) }
    }

    @Test func linesKeepSpansAndKinds() {
        let text = "- أول خبر\r\n- ثاني خبر\n\nعنوان قصير\nهذه فقرة طويلة فيها كلمات كثيرة جدا تزيد على عشر كلمات في سطر واحد هنا\n"
        let doc = segment(text)
        #expect(doc.lines.count == 5)
        #expect(doc.lines.map(\.kind) == [.listItem, .listItem, .blank, .short, .paragraph])
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[doc.lines[0].span], as: UTF8.self) == "- أول خبر")
        #expect(bytes[doc.lines[0].spanWithTerminator].suffix(2) == [0x0D, 0x0A])
        #expect(doc.blocks.map(\.lines) == [0..<2, 3..<4, 4..<5])
        // The same words normalize to the same line hash, bullets and variants aside.
        #expect(segment("- الأمن").lines[0].hash == segment("* الامن").lines[0].hash)
    }

    @Test func bullets() {
        for line in ["- a", "* a", "• a", "· a", "▪ a", "● a", "► a", "– a", "1. a", "12) a", "٣. a", "  - a"] {
            #expect(segment(line).lines[0].kind == .listItem, "\(line)")
        }
        for line in ["-a", "2017 a", "a - b", "1.5 a"] {
            #expect(segment(line).lines[0].kind != .listItem, "\(line)")
        }
    }

    @Test func sketchesKeepBlockKeysAndSixteenBitSlots() {
        let doc = segment("- أول خبر\n- ثاني خبر\n- ثالث خبر\n\nعنوان قصير\n\nسطر أول\nسطر ثان\n")
        let sketcher = BoilerplateSketcher(configuration: BoilerplateConfiguration())
        let sketch = sketcher.sketch(doc)
        let multiLine = doc.blocks.indices.filter { doc.blocks[$0].lines.count >= 2 }
        let k = sketcher.configuration.blockPermutations
        #expect(multiLine.count == 2)
        #expect(sketch.blockKeys.count == multiLine.count * sketcher.keysPerBlock)
        #expect(sketch.blockSignatures.count == multiLine.count * k)
        let hasher = MinHasher(permutations: k, seed: 0xB10C)
        for (i, b) in multiLine.enumerated() {
            let full = hasher.signature(of: doc.blocks[b].lines.map { doc.lines[$0].hash }).slots
            let record = Array(sketch.blockKeys[(i * sketcher.keysPerBlock)...].prefix(sketcher.keysPerBlock))
            #expect(record[0] == UInt32(b))
            let whole = full.withUnsafeBufferPointer { XXH3_64bits_withSeed($0.baseAddress, k * 4, 0xB10C) }
            #expect(record[1] == UInt32(truncatingIfNeeded: whole) && record[2] == UInt32(truncatingIfNeeded: whole >> 32))
            #expect(Array(sketch.blockSignatures[(i * k)..<((i + 1) * k)]) == full.map { UInt16(truncatingIfNeeded: $0) })
        }
        var off = BoilerplateConfiguration()
        off.detectBlocks = false
        let none = BoilerplateSketcher(configuration: off).sketch(doc)
        #expect(none.blockKeys.isEmpty && none.blockSignatures.isEmpty && !none.lineHashes.isEmpty)
    }

    @Test func blockBandKeysDependOnTheirBandsRowsAndSite() {
        // Two signatures that agree in the rows of band 0 and nowhere else, at 3 and at 5 rows a band.
        for rows in [3, 5] {
            let bands = 4
            let x: [UInt16] = (0..<(bands * rows)).map { UInt16(truncatingIfNeeded: $0 &* 40_503 &+ 7) }
            var y = x
            for i in rows..<(bands * rows) { y[i] = x[i] ^ 0x5A5A }
            func key(_ s: [UInt16], _ band: Int, site: Int32) -> UInt32 {
                s.withUnsafeBytes { BoilerplateSketcher.bandKey(slots: $0.baseAddress!, band: band, rows: rows,
                                                                siteMix: BoilerplateDetector.siteMix(site)) }
            }
            #expect(key(x, 0, site: 1) == key(y, 0, site: 1))
            for band in 1..<bands { #expect(key(x, band, site: 1) != key(y, band, site: 1)) }
            // The same rows in another band or at another site: another key.
            #expect(key(x, 0, site: 1) != key(x, 0, site: 2))
            var shifted = x
            for i in 0..<rows { shifted[rows + i] = x[i] }
            #expect(key(shifted, 1, site: 1) != key(x, 0, site: 1))
            // Every row counts, the fifth (in a second word) as well as the first.
            for i in 0..<rows {
                var z = x
                z[i] ^= 1
                #expect(key(z, 0, site: 1) != key(x, 0, site: 1))
            }
        }
        // All bands at once (read eight bytes a band where there is room, else one band at a time): the same keys.
        for (bands, rows, slotCount) in [(21, 3, 64), (21, 3, 63), (16, 4, 64), (16, 4, 66), (9, 7, 64), (64, 1, 64), (32, 2, 64)] {
            let x: [UInt16] = (0..<slotCount).map { UInt16(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
            let mix = BoilerplateDetector.siteMix(3)
            var all = [UInt32](repeating: 0, count: bands)
            x.withUnsafeBytes { slots in
                BoilerplateSketcher.bandKeys(slots: slots.baseAddress!, slotCount: slotCount, bands: bands, rows: rows,
                                             siteMix: mix, into: &all)
                for band in 0..<bands {
                    #expect(all[band] == BoilerplateSketcher.bandKey(slots: slots.baseAddress!, band: band, rows: rows, siteMix: mix))
                }
            }
        }
    }

    @Test func identicalBlocksOfASiteShareOneSignature() {
        let detector = BoilerplateDetector()
        let menu = "- الرئيسية\n- أخبار محلية\n- اقتصاد\n- رياضة\n"
        let other = "- الرئيسية\n- أخبار محلية\n- اقتصاد\n- ثقافة\n"
        // Site 0: the menu three times, another list once; site 1: the same menu, which is not site 0's.
        for (site, list) in [(0, menu), (0, menu), (0, other), (0, menu), (1, menu), (1, menu)] {
            detector.add(site: site, segments: segment(list + "\nفقرة الخبر نفسه هنا\n"))
        }
        #expect(detector.blockSignatureNumber.count == 6)
        #expect(detector.blockSignatures.count == 3)
        #expect(detector.blockSignatureNumber == [0, 0, 1, 0, 2, 2])
        #expect(detector.signatureSite == [0, 0, 1])
    }

    @Test func emptyAndNoTrailingNewline() {
        #expect(segment("").lines.isEmpty)
        #expect(segment("a").lines.count == 1)
        #expect(segment("a\n").lines.count == 1)
        #expect(segment("\n\n").lines.map(\.kind) == [.blank, .blank])
    }
}

/// The bucket walk keeps the latest block of at most sixteen recent groups, newest first; checked against the same walk
/// written plainly on an array, on buckets with more groups than that, so that the oldest group's slot is given up.
@Suite struct BucketGrouperTests {
    @Test func matchesAPlainWalkOverAnArray() {
        var rng = SplitMix64(seed: 17)
        for round in 0..<40 {
            let blocks = 200
            // Blocks join when they fall in the same class; a few classes make long runs, many make more than sixteen
            // groups in a bucket.
            let classes = 2 + round % 30
            let classOf = (0..<blocks).map { _ in Int(rng.next() % UInt64(classes)) }
            let join: (Int, Int) -> Bool = { a, b in classOf[a] == classOf[b] }
            var grouper = BucketGrouper(count: blocks)
            defer { grouper.deallocate() }
            var groups = UnionFind(count: blocks)
            var recent: [Int] = []
            for _ in 0..<6 {
                let bucket = (0..<(1 + Int(rng.next() % 120))).map { _ in Int(rng.next() % UInt64(blocks)) }
                grouper.startBucket()
                recent.removeAll()
                for j in bucket {
                    grouper.visit(j, join: join)
                    var root = groups.find(j)
                    for a in recent where groups.find(a) != root && join(a, j) {
                        groups.union(a, j)
                        root = groups.find(j)
                    }
                    if let same = recent.firstIndex(where: { groups.find($0) == root }) { recent.remove(at: same) }
                    recent.insert(j, at: 0)
                    if recent.count > 16 { recent.removeLast() }
                    #expect((0..<grouper.recentCount).map { Int(grouper.recent[$0]) } == recent)
                }
            }
            #expect(grouper.groups.groups() == groups.groups())
        }
    }
}

@Suite struct SeedAcceptanceTests {
    static func seeds() throws -> [SourceDocument] {
        try SeedFixtures.all().map { SourceDocument(id: $0.name, text: $0.text) }
    }

    func keptLines(_ result: CleaningResult, _ docs: [SourceDocument], _ d: Int) -> [String] {
        String(decoding: result.outcomes[d].cleanedText(of: docs[d].text), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The summary's counts are the outcomes' counts, with boilerplate-only documents dropped or not: a copy of a
    /// seed (a duplicate), a page of nothing but the site's "related news" list (boilerplate only) and a second copy
    /// of that page (both at once, counted once).
    @Test(arguments: [false, true])
    func statisticsCountWhatTheOutcomesSay(dropBoilerplateOnly: Bool) throws {
        var docs = try Self.seeds()
        let listItems = String(decoding: docs[0].text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("- ") }
        // (With one sentence of its own, the same in both copies, so that what is left of them is a duplicate.)
        let chromeOnly = listItems.joined(separator: "\n") + "\nوهذه جملة قصيرة واحدة تبقى بعد حذف القائمة كلها من الصفحة\n"
        docs.append(SourceDocument(id: "copy-of-002", text: docs[2].text))
        docs.append(SourceDocument(id: "chrome-only", text: chromeOnly))
        docs.append(SourceDocument(id: "chrome-only-again", text: chromeOnly))
        var configuration = CleaningConfiguration()
        configuration.dropBoilerplateOnly = dropBoilerplateOnly
        let result = try CorpusCleaner(configuration: configuration).clean(docs)
        let o = result.outcomes
        let s = result.statistics
        #expect(o[5].duplicateOf == 2)
        #expect(o[6].boilerplateOnly && o[7].boilerplateOnly && o[7].duplicateOf == 6, "the fixture has a document that is both")
        for (d, x) in o.enumerated() {
            #expect(x.kept == (x.duplicateOf == nil && !(x.boilerplateOnly && dropBoilerplateOnly)), "\(docs[d].id)")
        }
        #expect(s.keptDocuments == (dropBoilerplateOnly ? 5 : 6))
        #expect(s.keptDocuments == o.filter(\.kept).count)
        #expect(s.duplicates == o.filter { $0.duplicateOf != nil }.count)
        #expect(s.boilerplateOnly == o.filter(\.boilerplateOnly).count)
        #expect(s.boilerplateLinesRemoved == o.reduce(0) { $0 + $1.removedLines.count })
        #expect(s.bytesIn == docs.reduce(0) { $0 + $1.text.count })
        #expect(s.bytesOut == o.indices.filter { o[$0].kept }.reduce(0) { $0 + docs[$1].text.count - o[$1].removedBytes })
    }

    @Test func relatedNewsListsAreRemovedAndBodiesKept() throws {
        let docs = try Self.seeds()
        #expect(docs.map(\.id).map { String($0.prefix(3)) } == ["000", "001", "002", "003", "004"])
        let result = try CorpusCleaner().clean(docs)

        // Every "related news" item of 000, 002 and 003 goes: 15 each, including the two of 003 found nowhere else.
        for d in [0, 2, 3] {
            let original = String(decoding: docs[d].text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("- ") }
            #expect(original.count == 15)
            let kept = keptLines(result, docs, d)
            #expect(kept.filter { $0.hasPrefix("- ") }.isEmpty, "\(docs[d].id) keeps no list item")
            #expect(result.outcomes[d].removedLines.count == 15, "\(docs[d].id)")
        }
        #expect(keptLines(result, docs, 3).allSatisfy { !$0.contains("يطالب إيران بتسهيل مرور الغاز") })
        #expect(result.outcomes[3].removedLines.filter { $0.reason == .block }.count == 2)

        // No sentence of the five bodies is removed.
        let bodies: [(Int, String)] = [
            (0, "بعد مواجهات مع طاجيكستان.. إجلاء الآلاف من حدود قرغيزستان"),
            (0, "وأوضح مكتب المنظمة غير الحكومية في منطقة باتكن حيث اندلعت المواجهات أن 19 ألف شخص"),
            (0, "ويستضيف البلدان قواعد عسكرية روسية."),
            (1, "بوتين وجاباروف يبحثان الوضع على الحدود بين قرغيزستان وطاجيكستان"),
            (1, "وقال حاكم إقليم باتكين القيرغيزي إن الحكومة الطاجيكية رفضت إزالة الكاميرات في وقت لاحق."),
            (2, "مقتل جنديين من قره باخ برصاص أطلق من أذربيجان"),
            (2, "وقال الجانبان إنهما تبادلا إطلاق النار الليلة الماضية"),
            (3, "“الأمن الجماعي” قلقة إزاء الأحداث على الحدود بين أرمينيا وأذربيجان"),
            (3, "من جانبها، حملت وزارة الدفاع الأرمينية الجانب الأذربيجاني مسؤولية التصعيد الأخير"),
            (4, "بوتين يدعو إلى حل الأزمة الحدودية بين طاجيكستان وقرغيزستان دبلوماسيًا"),
            (4, "ورفض مسؤولو الحكومة الروسية إشارات الغرب إلى أن موسكو ستستخدم الأسلحة النووية"),
        ]
        for (d, sentence) in bodies {
            let text = String(decoding: docs[d].text, as: UTF8.self)
            #expect(text.contains(sentence), "fixture: \(docs[d].id) has «\(sentence)»")
            #expect(keptLines(result, docs, d).contains { $0.contains(sentence) }, "\(docs[d].id) keeps «\(sentence)»")
        }
        for d in [1, 4] { #expect(result.outcomes[d].removedLines.isEmpty, "\(docs[d].id) has no chrome shared with others") }

        // Every removed line is one of the list items; the rest of each text is byte-for-byte the original.
        for d in 0..<5 {
            for r in result.outcomes[d].removedLines {
                #expect(String(decoding: docs[d].text[r.span], as: UTF8.self).hasPrefix("- "))
            }
            let cleaned = result.outcomes[d].cleanedText(of: docs[d].text)
            #expect(cleaned.count == docs[d].text.count - result.outcomes[d].removedBytes)
        }

        // The five seeds form no duplicate cluster, and the report lists the list items.
        #expect(result.clusters.isEmpty)
        #expect(result.outcomes.allSatisfy { $0.kept && $0.duplicateOf == nil })
        #expect(result.boilerplate.count == 17)
        #expect(result.boilerplate.first?.documents == 3)
        #expect(result.boilerplate.allSatisfy { $0.text.hasPrefix("- ") && $0.sites == 1 })
    }

    @Test func copiesOfOneStoryAreNeverEmptied() throws {
        // Three copies of 001 (one exact, one lightly edited) beside the seeds: their lines are in three documents,
        // but in one story, so they are not boilerplate; the copies are duplicates of the first.
        var docs = try Self.seeds()
        let original = String(decoding: docs[1].text, as: UTF8.self)
        docs.append(SourceDocument(id: "copy-exact", text: original))
        docs.append(SourceDocument(id: "copy-edited", text: original.replacingOccurrences(of: "الحدود", with: "الحدوُد")
            .replacingOccurrences(of: "وقال بوتين", with: "وأضاف بوتين")))
        let result = try CorpusCleaner().clean(docs)
        #expect(result.outcomes[1].removedLines.isEmpty)
        #expect(result.outcomes[1].kept)
        #expect(result.outcomes[5].duplicateOf == 1 && result.outcomes[6].duplicateOf == 1)
        #expect(result.clusters.count == 1 && result.clusters[0].representative == 1)
        // The list items are still removed from 000, 002, 003.
        for d in [0, 2, 3] { #expect(result.outcomes[d].removedLines.count == 15) }
    }

    @Test func sitesCountSeparately() throws {
        // The same three pages under three different hosts: nothing recurs within a site, so nothing is removed.
        let seeds = try Self.seeds()
        let docs = [0, 2, 3].map { d in
            SourceDocument(id: seeds[d].id, text: seeds[d].text, url: "https://site\(d).example/a")
        }
        let result = try CorpusCleaner().clean(docs)
        #expect(result.outcomes.allSatisfy { $0.removedLines.isEmpty })
        #expect(CorpusCleaner.host(of: "https://WWW.Example.com:8080/x?y") == "example.com")
    }

    @Test func teasersOfShortAndLongChromeLinesAreRemoved() throws {
        // Eight pages of one site, each its own story. Chrome: a five-word headline of the site's list and a 40-word
        // disclaimer, alone on pages 0–2 (three pages: just enough); on pages 3–7, a label of one to three words before
        // them (a teaser). A line of as many words as the headline plus its label, but other words, stays; so do the
        // stories.
        var random = SplitMix64(seed: 7)
        let vocabulary = (0..<400).map { i in "كلمة" + String(repeating: "ب", count: i % 7) + ["ا", "ت", "ن", "ي", "و"][i % 5] + "\(i)" }
        func words(_ n: Int) -> String { (0..<n).map { _ in vocabulary[Int(random.next() % 400)] }.joined(separator: " ") }
        let headline = "قمة الدوحة تبحث أزمة الحدود"
        let disclaimer = words(40)
        let labels = ["اقرأ:", "اقرأ أيضا:", "اقرأ أيضا الآن:"]
        var docs: [SourceDocument] = []
        var expected: [(doc: Int, line: String, reason: RemovalReason?)] = []
        for d in 0..<8 {
            var lines = [words(30), words(35)]
            if d < 3 {
                lines += [headline, disclaimer]
            } else {
                let label = labels[d % 3]
                lines += [label + " " + headline, label + " " + disclaimer, words(5 + label.split(separator: " ").count)]
                expected += [(d, label + " " + headline, .teaser), (d, label + " " + disclaimer, .teaser), (d, lines[4], nil)]
            }
            lines += [words(25)]
            expected += [(d, lines[0], nil), (d, lines[1], nil), (d, lines.last!, nil)]
            docs.append(SourceDocument(id: "page-\(d)", text: Array(lines.joined(separator: "\n").utf8), url: "https://news.example/\(d)"))
        }
        let result = try CorpusCleaner().clean(docs)
        for (d, line, reason) in expected {
            #expect(String(decoding: docs[d].text, as: UTF8.self).contains(line))
            let removed = result.outcomes[d].removedLines.first {
                String(decoding: docs[d].text[$0.span], as: UTF8.self).trimmingCharacters(in: .newlines) == line
            }
            #expect(removed?.reason == reason, "page \(d): «\(line.prefix(40))» \(reason.map { "\($0)" } ?? "kept")")
        }
        for d in 0..<3 { #expect(result.outcomes[d].removedLines.map(\.reason) == [.line, .line], "page \(d)") }
    }

    @Test func threadCountDoesNotChangeTheResult() throws {
        var docs = try Self.seeds()
        docs += docs.map { SourceDocument(id: $0.id + "-again", text: $0.text) }
        var outcomes: [[String]] = []
        for threads in [1, 2, 4] {
            var c = CleaningConfiguration()
            c.nearDuplicates.threads = threads
            let r = try CorpusCleaner(configuration: c).clean(docs)
            outcomes.append(r.outcomes.map { "\($0.removedLines.map(\.span)) \($0.duplicateOf ?? -1) \($0.kept)" }
                + r.clusters.map { "\($0)" })
        }
        #expect(outcomes[0] == outcomes[1] && outcomes[1] == outcomes[2])
    }
}
