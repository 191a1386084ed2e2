import Foundation
import Ghurbal

/// What a person sees on standard error: warnings (the first 20, then a count) and a five-second summary.
final class Console {
    let quiet: Bool
    var warnings = 0
    static let shownWarnings = 20

    init(quiet: Bool) { self.quiet = quiet }

    func write(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    func warn(_ error: GhurbalError) {
        warnings += 1
        guard !quiet else { return }
        if warnings <= Self.shownWarnings { write("warning: skipped \(error.description)") }
        if warnings == Self.shownWarnings + 1 { write("warning: more skipped records; every one is counted in summary.json") }
    }

    func error(_ message: String) { write("ghurbal: error: \(message)") }

    func finish(_ s: CleanJob.Summary, output: String, annotate: Bool, reportOnly: Bool) {
        guard !quiet else { return }
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
        if st.invalidUTF8Sequences > 0 { lines.append("  invalid UTF-8: \(st.invalidUTF8Sequences) sequences repaired") }
        lines.append("  \(String(format: "%.2f", mb)) MB in \(String(format: "%.2f", s.seconds)) s (\(String(format: "%.1f", rate)) MB/s); "
            + "text \(st.bytesIn) → \(st.bytesOut) bytes")
        lines.append("  output: \(output)/ (" + (reportOnly ? "" : "corpus/, ") + "clusters.jsonl, boilerplate.jsonl, summary.json)")
        write(lines.joined(separator: "\n"))
    }
}
