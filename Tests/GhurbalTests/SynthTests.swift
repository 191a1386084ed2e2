import Foundation
import Testing
@testable import Ghurbal

@Suite struct SynthTests {
    static func model() throws -> ArabicTextModel {
        try ArabicTextModel(texts: try SeedFixtures.all().map(\.text))
    }

    func generate(_ configuration: SynthConfiguration) throws -> [SynthDocument] {
        var docs: [SynthDocument] = []
        CorpusSynthesizer(model: try Self.model(), configuration: configuration).generate { docs.append($0) }
        return docs
    }

    @Test func deterministicForASeed() throws {
        var c = SynthConfiguration()
        c.documents = 300
        let a = try generate(c), b = try generate(c)
        #expect(a.map(\.text) == b.map(\.text))
        #expect(a.map(\.jaccard) == b.map(\.jaccard))
        c.seed = 43
        #expect(try generate(c).map(\.text) != a.map(\.text))
        // No pages for a count of 0 or less (a negative count trapped in the library; the command line refuses it).
        c.documents = -5
        #expect(try generate(c).isEmpty)
    }

    @Test func truthSpansAndLinesPointAtChrome() throws {
        var c = SynthConfiguration()
        c.documents = 200
        let docs = try generate(c)
        for doc in docs {
            let bytes = Array(doc.text.utf8)
            let lines = doc.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(doc.chromeSpans.count == doc.chromeLines.count)
            for (span, line) in zip(doc.chromeSpans, doc.chromeLines) {
                // Each span is exactly its line's bytes.
                #expect(String(decoding: bytes[span], as: UTF8.self) == lines[line])
            }
            let chrome = doc.chromeLines.map { lines[$0] }
            #expect(chrome.contains("أخبار ذات صلة"))
            #expect(chrome.filter { $0.hasPrefix("- ") }.count >= 8)
            #expect(chrome.contains { $0.hasPrefix("جميع الحقوق محفوظة") })
            #expect(URL(string: doc.url)?.host == "site\(doc.site).example")
        }
        // Teasers are chrome too, and they occur on some pages only.
        let teasers = docs.filter { d in d.chromeLines.contains { d.text.split(separator: "\n", omittingEmptySubsequences: false)[$0].hasPrefix("اقرأ أيضا") } }
        #expect(teasers.count > 20 && teasers.count < 120)
    }

    @Test func jaccardInTruthIsExact() throws {
        var c = SynthConfiguration()
        c.documents = 400
        c.duplicateShare = 0.5
        let docs = try generate(c)
        let byID = Dictionary(uniqueKeysWithValues: docs.map { ($0.id, $0) })
        var o = ArabicNormalizerOptions()
        o.keepLineBreaks = false
        let normalizer = ArabicNormalizer(options: o)
        func story(_ d: SynthDocument) -> [UInt64] {
            // The story is every non-chrome, non-blank line.
            let lines = d.text.split(separator: "\n", omittingEmptySubsequences: false)
            let body = lines.indices.filter { !d.chromeLines.contains($0) && !lines[$0].isEmpty }.map { String(lines[$0]) }
            var text = normalizer.normalize(body.joined(separator: "\n"))
            var hashes: [UInt64] = []
            text.withUTF8 { _ = ShingleHasher().hashes(of: $0, into: &hashes) }
            return Array(Set(hashes)).sorted()
        }
        var copies = 0, exact = 0, edited = 0
        for d in docs {
            guard let original = d.original.flatMap({ byID[$0] }) else {
                #expect(d.jaccard == 1 && d.editStrength == 0)
                continue
            }
            copies += 1
            #expect(original.story == d.story)
            let j = exactJaccard(story(original), story(d))
            #expect(abs(j - d.jaccard) < 1e-3, "\(d.id): truth \(d.jaccard), measured \(j)")
            if d.editStrength == 0 { exact += 1; #expect(d.jaccard == 1) } else { edited += 1 }
        }
        #expect(copies > 120 && exact > 10 && edited > 80)
    }

    @Test func endToEndEvaluation() throws {
        // synth → clean --annotate → evaluate, through the binary, on a small dump.
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let pages = tmp.appendingPathComponent("pages.jsonl.gz").path
        let truth = tmp.appendingPathComponent("truth.jsonl").path
        let s = try CLI.run(["synth", "--docs", "600", "-o", pages, "--truth", truth, "--source", SeedFixtures.directory.path])
        #expect(s.status == 0, "\(s.stderr)")
        let out = tmp.appendingPathComponent("out").path
        let c = try CLI.run(["clean", pages, "-o", out, "--annotate", "-q"])
        #expect(c.status == 0, "\(c.stderr)")
        let e = try CLI.run(["evaluate", "--truth", truth, out, "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        let pairs = report["pairs"] as! [String: Any]
        let copies = report["copies_jaccard_85"] as! [String: Any]
        let lines = report["boilerplate_lines"] as! [String: Any]
        #expect(report["documents"] as? Int == 600)
        #expect((pairs["precision"] as! Double) >= 0.98)
        #expect((copies["recall"] as! Double) >= 0.9)
        #expect((lines["precision"] as! Double) >= 0.98 && (lines["recall"] as! Double) >= 0.95)
        let table = try CLI.run(["evaluate", "--truth", truth, out])
        #expect(table.stdout.contains("boilerplate lines"))
    }
}
