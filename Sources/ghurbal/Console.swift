import Foundation
import Ghurbal

/// What a person sees on standard error: warnings (the first 20 skipped records, then a count; every damaged gzip
/// file) and a five-second summary.
final class Console {
    let quiet: Bool
    let terminal = isatty(2) == 1
    var warnings = 0
    static let shownWarnings = 20
    var passStarted = Date()
    var currentPass = 0
    var lastDrawn = Date.distantPast
    var lineOpen = false

    init(quiet: Bool) { self.quiet = quiet }

    /// A bar redrawn in place on a terminal; otherwise a plain line every 5 seconds.
    func progress(_ p: CleaningProgress) {
        guard !quiet else { return }
        let now = Date()
        if p.pass != currentPass { currentPass = p.pass; passStarted = now }
        guard now.timeIntervalSince(lastDrawn) >= (terminal ? 0.2 : 5) else { return }
        lastDrawn = now
        let elapsed = max(1e-3, now.timeIntervalSince(passStarted))
        let mb = Double(p.bytes) / 1e6
        var text = "pass \(p.pass)/\(p.passes) \(p.passName): \(p.documents) documents, \(String(format: "%.1f", mb)) MB, "
            + "\(String(format: "%.1f", mb / elapsed)) MB/s"
        if p.totalBytes > 0 {
            let share = min(1, Double(p.bytes) / Double(p.totalBytes))
            let eta = share > 0 ? elapsed * (1 - share) / share : 0
            let filled = Int(share * 20)
            text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + text
                + ", ETA \(Int(eta) / 60):" + String(format: "%02d", Int(eta) % 60)
        }
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            lineOpen = true
        } else {
            write(text)
        }
    }

    func closeLine() {
        if lineOpen { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); lineOpen = false }
    }

    func write(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    func warn(_ error: GhurbalError) {
        closeLine()
        guard !quiet else { return }
        if case .corruptGzip = error {
            // A damaged file (one warning at most per file) is always shown, however many records went before it.
            write("warning: \(error.description); the records decoded before it are kept, nothing after it can be read")
            return
        }
        warnings += 1
        if warnings <= Self.shownWarnings { write("warning: skipped \(error.description)") }
        if warnings == Self.shownWarnings + 1 { write("warning: more skipped records; every one is counted in summary.json") }
    }

    func error(_ message: String) { closeLine(); write("ghurbal: error: \(message)") }

    func finish(_ s: CleanJob.Summary, output: String, annotate: Bool, reportOnly: Bool) {
        guard !quiet else { return }
        closeLine()
        let st = s.statistics
        let mb = Double(s.bytesRead) / 1e6
        let rate = s.seconds > 0 ? mb / s.seconds : 0
        let skipped = s.skipped.values.reduce(0, +)
        var lines: [String] = []
        let out = annotate ? st.documents : st.keptDocuments
        lines.append("ghurbal: \(st.documents) documents in, \(reportOnly ? "reports only" : "\(out) out")"
            + (skipped > 0 ? " (\(skipped) bad records skipped: " + s.skipped.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ") + ")" : ""))
        lines.append("  duplicates: \(st.duplicates) documents removed in \(st.clusters) clusters (LSH \(s.lsh.bands) bands × \(s.lsh.rows) rows)")
        lines.append("  boilerplate: \(st.boilerplateLinesRemoved) lines removed"
            + (st.boilerplateOnly > 0 ? ", \(st.boilerplateOnly) documents are boilerplate only" : ""))
        for entry in s.topBoilerplate.prefix(3) {
            let text = entry.text.count > 70 ? String(entry.text.prefix(70)) + "…" : entry.text
            lines.append("    \(entry.documents)× \(text)")
        }
        if !s.ignoredFiles.isEmpty {
            let counts = s.ignoredFiles.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.value) \($0.key.isEmpty ? "without extension" : $0.key)" }
            lines.append("  ignored: \(s.ignoredFiles.values.reduce(0, +)) files whose names say no format ("
                + counts.prefix(4).joined(separator: ", ") + (counts.count > 4 ? ", …" : "") + "); --format reads them")
        }
        if s.ignoredFolderLinks > 0 {
            lines.append("  ignored: \(s.ignoredFolderLinks) symbolic link\(s.ignoredFolderLinks == 1 ? "" : "s") to a folder "
                + "(not followed; give the folder itself as an input)")
        }
        if !s.readByContent.isEmpty {
            let n = s.readByContent.count
            lines.append("  read by content: \(n) file\(n == 1 ? "" : "s") compressed or not against \(n == 1 ? "its name" : "their names") ("
                + s.readByContent.prefix(3).joined(separator: ", ") + (n > 3 ? ", …" : "") + ")")
        }
        if st.invalidUTF8Sequences > 0 { lines.append("  invalid UTF-8: \(st.invalidUTF8Sequences) sequences repaired") }
        lines.append("  \(String(format: "%.2f", mb)) MB in \(String(format: "%.2f", s.seconds)) s (\(String(format: "%.1f", rate)) MB/s); "
            + "text \(st.bytesIn) → \(st.bytesOut) bytes")
        lines.append("  output: \(output)/ (" + (reportOnly ? "" : "corpus/, ") + "clusters.jsonl, boilerplate.jsonl, summary.json)")
        write(lines.joined(separator: "\n"))
    }
}
