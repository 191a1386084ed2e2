/// Settings of the scraped-dump generator.
public struct SynthConfiguration: Sendable, Hashable {
    /// Pages to make (none when 0 or less).
    public var documents = 1000
    public var sites = 8
    /// Share of documents that are copies (republished or re-crawled) of an earlier story. Default 0.3.
    public var duplicateShare = 0.3
    /// Share of copies that are exact (no edit at all). Default 0.2.
    public var exactShare = 0.2
    /// Each edited copy gets an edit strength drawn uniformly from (0, maxEditStrength]. Default 0.3.
    public var maxEditStrength = 0.3
    /// Share of copies that go to another site (the rest are re-crawls of the same site). Default 0.6.
    public var otherSiteShare = 0.6
    public var seed: UInt64 = 42
    public init() {}
}

/// One generated page with its truth.
public struct SynthDocument: Sendable {
    public var id: String
    public var url: String
    public var site: Int
    public var text: String
    /// Pages with one story id form a true duplicate cluster.
    public var story: Int
    /// The id of the page this one copies, or nil for an original.
    public var original: String?
    /// Exact Jaccard of the story's shingles (normalized, word 5-grams) with the original's; 1 for originals.
    public var jaccard: Double
    public var editStrength: Double
    /// Byte ranges (UTF-8, in `text`) of every chrome line, and their 0-based line numbers.
    public var chromeSpans: [Range<Int>]
    public var chromeLines: [Int]
}

/// Generates pages of several sites from real Arabic text (`ArabicTextModel`): each site has a navigation menu, a
/// "related news" list that rotates from page to page (items added, dropped, reordered), a byline, a footer and
/// sometimes a "read also" teaser; a share of stories is republished on other sites or re-crawled with edits (words
/// substituted, sentences added, dropped or reordered) and with spelling noise that normalization must undo
/// (tashkeel, tatweel, hamza and alef variants, ى/ي and ة/ه swaps, Arabic-Indic digits, other punctuation). Streaming:
/// only a seed per story is kept, and a copied story is regenerated from it.
public final class CorpusSynthesizer {
    public let configuration: SynthConfiguration
    let model: ArabicTextModel
    var rng: SeededGenerator
    var sites: [SiteChrome] = []
    var sitePages: [Int] = []
    /// Story seed, the id of the page that first carried it, and that page's site.
    var stories: [(seed: UInt64, page: String, site: Int)] = []
    let shingleNormalizer: ArabicNormalizer
    let shingler = ShingleHasher()
    let buffer = ByteBuffer()

    struct SiteChrome {
        var host: String
        var name: String
        var navigation: [String]
        var related: [String]
        var bylines: [String]
        var footer: [String]
    }

    struct Story {
        var title: [String]
        var paragraphs: [[[String]]]
    }

    public init(model: ArabicTextModel, configuration: SynthConfiguration) {
        self.configuration = configuration
        self.model = model
        rng = SeededGenerator(seed: configuration.seed)
        var o = ArabicNormalizerOptions()
        o.keepLineBreaks = false
        shingleNormalizer = ArabicNormalizer(options: o)
        for s in 0..<max(1, configuration.sites) { sites.append(makeSite(s)) }
        sitePages = Array(repeating: 0, count: sites.count)
    }

    func phrase(_ words: ClosedRange<Int>, _ r: inout SeededGenerator) -> String {
        model.sentence(r.int(words), &r).joined(separator: " ")
    }

    func makeSite(_ s: Int) -> SiteChrome {
        var r = SeededGenerator(seed: configuration.seed &+ 0x517E_0000 &+ UInt64(s))
        let name = phrase(1...2, &r)
        let navigation = (0..<r.int(6...9)).map { _ in phrase(1...2, &r) }
        let related = (0..<40).map { _ in phrase(6...11, &r) }
        let bylines = (0..<3).map { _ in "\(name) – \(model.randomWord(&r))" }
        let footer = ["جميع الحقوق محفوظة لموقع \(name) © 2024", "تابعونا على \(model.randomWord(&r)) و\(model.randomWord(&r))"]
        return SiteChrome(host: "site\(s).example", name: name, navigation: navigation, related: related, bylines: bylines, footer: footer)
    }

    func makeStory(_ seed: UInt64) -> Story {
        var r = SeededGenerator(seed: seed)
        let title = model.sentence(r.int(6...12), &r)
        let paragraphs = (0..<r.int(2...6)).map { _ in (0..<r.int(1...3)).map { _ in model.sentence(r.int(8...20), &r) } }
        return Story(title: title, paragraphs: paragraphs)
    }

    /// Content edits of strength `s`: words substituted, sentences dropped, added and swapped.
    func edit(_ story: Story, strength s: Double, _ r: inout SeededGenerator) -> Story {
        var out = story
        func words(_ sentence: [String]) -> [String] {
            sentence.map { r.chance(0.15 * s) ? model.randomWord(&r) : $0 }
        }
        out.title = words(story.title)
        out.paragraphs = story.paragraphs.map { paragraph in
            var sentences: [[String]] = []
            for sentence in paragraph {
                if r.chance(0.1 * s) && paragraph.count > 1 { continue }
                sentences.append(words(sentence))
                if r.chance(0.1 * s) { sentences.append(model.sentence(r.int(8...20), &r)) }
            }
            if sentences.isEmpty { sentences = [words(paragraph[0])] }
            if sentences.count > 1 {
                for i in 0..<(sentences.count - 1) where r.chance(0.2 * s) { sentences.swapAt(i, i + 1) }
            }
            return sentences
        }
        return out
    }

    /// Spelling noise that `ArabicNormalizer` undoes.
    func noise(_ text: String, _ r: inout SeededGenerator) -> String {
        let harakat: [Character] = ["\u{064E}", "\u{064F}", "\u{0650}", "\u{0651}", "\u{0652}", "\u{064B}"]
        let arabicDigits: [Character] = ["٠", "١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩"]
        let chars = Array(text)
        var out = ""
        out.reserveCapacity(text.utf8.count * 2)
        for (i, c) in chars.enumerated() {
            let atWordStart = i == 0 || chars[i - 1] == " "
            let atWordEnd = i == chars.count - 1 || chars[i + 1] == " " || chars[i + 1] == "."
            var ch = c
            if atWordStart && c == "ا" && r.chance(0.3) { ch = r.chance(0.5) ? "أ" : "إ" }
            else if (c == "أ" || c == "إ") && r.chance(0.3) { ch = "ا" }
            else if atWordEnd && c == "ي" && r.chance(0.3) { ch = "ى" }
            else if atWordEnd && c == "ة" && r.chance(0.3) { ch = "ه" }
            else if let d = c.asciiValue, d >= 0x30 && d <= 0x39 { ch = arabicDigits[Int(d - 0x30)] }
            else if c == "،" && r.chance(0.5) { ch = "," }
            else if c == "." && r.chance(0.3) { ch = "۔" }
            out.append(ch)
            if let v = c.unicodeScalars.first?.value, v >= 0x0628 && v <= 0x064A {
                if r.chance(0.06) { out.append(harakat[Int(r.next() % 6)]) }
                if !atWordEnd && r.chance(0.02) { out.append("ـ") }
            }
        }
        return out
    }

    func render(_ story: Story) -> (title: String, paragraphs: [String]) {
        (story.title.joined(separator: " "),
         story.paragraphs.map { $0.map { $0.joined(separator: " ") + "." }.joined(separator: " ") })
    }

    /// The story's shingle set, as ghurbal sees it (normalized, word 5-grams).
    func shingles(_ title: String, _ paragraphs: [String]) -> [UInt64] {
        var text = ([title] + paragraphs).joined(separator: "\n")
        text.withUTF8 { _ = shingleNormalizer.normalize($0, into: buffer) }
        var hashes: [UInt64] = []
        shingler.hashes(of: buffer.bytes, into: &hashes)
        return Array(Set(hashes)).sorted()
    }

    /// Generates every page, in order.
    public func generate(_ body: (SynthDocument) throws -> Void) rethrows {
        let c = configuration
        for d in 0..<max(0, c.documents) {
            let id = "doc-\(d)"
            var site = Int(rng.next() % UInt64(sites.count))
            var storyNumber: Int
            var original: String?
            var strength = 0.0
            var story: Story
            var title: String, paragraphs: [String]
            var jaccard = 1.0
            if !stories.isEmpty && rng.chance(c.duplicateShare) {
                storyNumber = Int(rng.next() % UInt64(stories.count))
                original = stories[storyNumber].page
                let base = makeStory(stories[storyNumber].seed)
                let exact = rng.chance(c.exactShare)
                strength = exact ? 0 : max(0.01, rng.unit() * c.maxEditStrength)
                story = exact ? base : edit(base, strength: strength, &rng)
                (title, paragraphs) = render(story)
                if !exact && rng.chance(0.5) {
                    title = noise(title, &rng)
                    paragraphs = paragraphs.map { noise($0, &rng) }
                }
                let (t0, p0) = render(base)
                jaccard = exact ? 1 : exactJaccard(shingles(t0, p0), shingles(title, paragraphs))
                // Republished elsewhere, or re-crawled on the same site.
                let originalSite = stories[storyNumber].site
                site = rng.chance(c.otherSiteShare) ? (originalSite + 1 + Int(rng.next() % UInt64(max(1, sites.count - 1)))) % sites.count : originalSite
            } else {
                let seed = rng.next()
                storyNumber = stories.count
                stories.append((seed, id, site))
                story = makeStory(seed)
                (title, paragraphs) = render(story)
            }
            try body(page(id: id, site: site, story: storyNumber, original: original, jaccard: jaccard,
                          strength: strength, title: title, paragraphs: paragraphs))
        }
    }

    func page(id: String, site s: Int, story: Int, original: String?, jaccard: Double, strength: Double,
              title: String, paragraphs: [String]) -> SynthDocument {
        let site = sites[s]
        let p = sitePages[s]
        sitePages[s] += 1
        var lines: [(String, Bool)] = []  // (text, is chrome)
        for item in site.navigation { lines.append((item, true)) }
        lines.append(("", false))
        lines.append((title, false))
        lines.append((site.bylines[Int(rng.next() % 3)], true))
        lines.append(("", false))
        for (i, paragraph) in paragraphs.enumerated() {
            lines.append((paragraph, false))
            lines.append(("", false))
            if i == 0 && rng.chance(0.3) {
                lines.append(("اقرأ أيضا: " + site.related[Int(rng.next() % UInt64(site.related.count))], true))
                lines.append(("", false))
            }
        }
        // The related list: a window over the site's 40 headlines that moves one item every three pages, with an
        // item dropped, one added from elsewhere in the pool, and two swapped now and then.
        var window = (0..<10).map { site.related[(p / 3 + $0) % site.related.count] }
        if rng.chance(0.3) { window.remove(at: Int(rng.next() % UInt64(window.count))) }
        if rng.chance(0.3) { window.insert(site.related[Int(rng.next() % 40)], at: Int(rng.next() % UInt64(window.count + 1))) }
        if rng.chance(0.3) { window.swapAt(Int(rng.next() % UInt64(window.count)), Int(rng.next() % UInt64(window.count))) }
        lines.append(("أخبار ذات صلة", true))
        for item in window { lines.append(("- " + item, true)) }
        lines.append(("", false))
        for f in site.footer { lines.append((f, true)) }

        var text = ""
        var spans: [Range<Int>] = []
        var chromeLines: [Int] = []
        var offset = 0
        for (n, (line, chrome)) in lines.enumerated() {
            let count = line.utf8.count
            if chrome {
                spans.append(offset..<(offset + count))
                chromeLines.append(n)
            }
            text += line
            text += "\n"
            offset += count + 1
        }
        return SynthDocument(id: id, url: "https://\(site.host)/news/\(p)", site: s, text: text, story: story,
                             original: original, jaccard: jaccard, editStrength: strength, chromeSpans: spans,
                             chromeLines: chromeLines)
    }
}
