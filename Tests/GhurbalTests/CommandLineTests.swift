import Foundation
import Testing
@testable import Ghurbal

/// Runs the built `ghurbal` binary, as a user would.
enum CLI {
    static var binary: URL {
        // The test bundle sits in the build products folder beside the executable.
        let products = Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
        let candidate = products.appendingPathComponent("ghurbal")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        return SeedFixtures.directory.deletingLastPathComponent().appendingPathComponent(".build/debug/ghurbal")
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ghurbal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func lines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

@Suite(.serialized) struct CommandLineTests {
    @Test func binaryIsBuilt() {
        #expect(FileManager.default.fileExists(atPath: CLI.binary.path), "\(CLI.binary.path)")
    }

    @Test func cleansTheSeeds() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", SeedFixtures.directory.path, "--output", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("5 documents in, 5 out"))
        #expect(r.stderr.contains("45 lines removed"))
        let corpus = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("corpus").path).sorted()
        #expect(corpus.count == 5 && corpus[0].hasPrefix("000_"))
        let cleaned = try String(contentsOf: out.appendingPathComponent("corpus/003_f5c84ddaf1f3e51e.txt"), encoding: .utf8)
        #expect(!cleaned.contains("- ") || !cleaned.split(separator: "\n").contains { $0.hasPrefix("- ") })
        #expect(cleaned.contains("“الأمن الجماعي” قلقة إزاء الأحداث"))
        // 001 had nothing removed: byte for byte the input.
        let original = try Data(contentsOf: SeedFixtures.directory.appendingPathComponent("001_f1a9fc29f83a22c3.txt"))
        #expect(try Data(contentsOf: out.appendingPathComponent("corpus/001_f1a9fc29f83a22c3.txt")) == original)
        #expect(try String(contentsOf: out.appendingPathComponent("clusters.jsonl"), encoding: .utf8).isEmpty)
        let report = try CLI.lines(out.appendingPathComponent("boilerplate.jsonl"))
        #expect(report.count == 17)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["documents_in"] as? Int == 5 && summary["boilerplate_lines_removed"] as? Int == 45)
        // No temporary folder is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out"])
    }

    @Test func jsonlGzipAndStdinWithBadLines() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        var lines: [String] = []
        for (i, seed) in seeds.enumerated() {
            lines.append("{\"doc\": \(i), \"body\": \(JSONLine.quoted(seed.text)), \"link\": \"https://news.example/\(i)\", \"extra\": {\"k\": [1, 2]}}")
        }
        lines.insert("{\"doc\": 99, \"body\": ", at: 2)            // malformed
        lines.insert("{\"doc\": 98, \"title\": \"no body\"}", at: 4)  // missing field
        lines.append("{\"doc\": 97, \"body\": \"   \"}")              // empty text
        lines.append("{\"doc\": 5, \"body\": \(JSONLine.quoted(seeds[1].text)), \"link\": \"https://news.example/5\"}") // copy of 001
        let jsonl = tmp.appendingPathComponent("pages.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: jsonl, atomically: true, encoding: .utf8)
        let arguments = ["--id-field", "doc", "--text-field", "body", "--url-field", "link"]

        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", jsonl.path, "-o", out.path] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("pages.jsonl:3: malformed JSON"))
        #expect(r.stderr.contains("pages.jsonl:5 (field \"body\"): the field is missing"))
        #expect(r.stderr.contains("3 bad records skipped"))
        let written = try CLI.lines(out.appendingPathComponent("corpus/pages.jsonl"))
        #expect(written.count == 5)  // 6 documents, one duplicate
        #expect(written.map { $0["doc"] as! Int } == [0, 1, 2, 3, 4])
        #expect((written[0]["extra"] as? [String: Any])?["k"] as? [Int] == [1, 2])
        #expect(!(written[0]["body"] as! String).contains("- كوريا الجنوبية"))
        let clusters = try CLI.lines(out.appendingPathComponent("clusters.jsonl"))
        #expect(clusters.count == 1 && clusters[0]["representative"] as? String == "1")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["skipped"] as? [String: Int] == ["malformed_json": 1, "missing_text": 1, "empty": 1])

        // The same through gzip and through standard input, annotated: every document kept, spans added.
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gz.arguments = ["-k", jsonl.path]
        try gz.run()
        gz.waitUntilExit()
        let outGz = tmp.appendingPathComponent("out-gz")
        let g = try CLI.run(["clean", jsonl.path + ".gz", "-o", outGz.path, "--annotate", "--quiet"] + arguments)
        #expect(g.status == 0 && g.stderr.isEmpty, "\(g.stderr)")
        let annotated = try CLI.gunzippedLines(outGz.appendingPathComponent("corpus/pages.jsonl.gz"))
        #expect(annotated.count == 6)
        // At level 0 (stored), the same lines in a larger file.
        let outStored = tmp.appendingPathComponent("out-stored")
        let stored = try CLI.run(["clean", jsonl.path + ".gz", "-o", outStored.path, "--annotate", "--quiet", "--gzip-level", "0"] + arguments)
        #expect(stored.status == 0, "\(stored.stderr)")
        let storedCorpus = outStored.appendingPathComponent("corpus/pages.jsonl.gz")
        #expect(try CLI.gunzippedLines(storedCorpus).map { $0["doc"] as! Int } == annotated.map { $0["doc"] as! Int })
        let size = { (url: URL) in try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int }
        #expect(try size(storedCorpus) > 2 * size(outGz.appendingPathComponent("corpus/pages.jsonl.gz")))
        #expect(annotated[5]["duplicate_of"] as? String == "1")
        let spans = annotated[0]["removed_spans"] as! [[Any]]
        #expect(spans.count == 15)
        let body = annotated[0]["body"] as! String
        let scalars = Array(body.unicodeScalars)
        let first = spans[0]
        let removed = String(String.UnicodeScalarView(scalars[(first[0] as! Int)..<(first[1] as! Int)]))
        #expect(removed.hasPrefix("- كوريا الجنوبية"))
        // Every document's cleaned text (cut out of the escaped line where the first pass found it) is its annotated
        // text without the removed spans.
        for d in 0..<5 {
            let all = Array((annotated[d]["body"] as! String).unicodeScalars)
            var kept = String.UnicodeScalarView()
            var at = 0
            for span in annotated[d]["removed_spans"] as! [[Any]] {
                kept.append(contentsOf: all[at..<(span[0] as! Int)])
                at = span[1] as! Int
            }
            kept.append(contentsOf: all[at...])
            #expect(written[d]["body"] as? String == String(kept), "document \(d)")
        }

        let outStdin = tmp.appendingPathComponent("out-stdin")
        let s = try CLI.run(["report", "-", "-o", outStdin.path] + arguments, stdin: try Data(contentsOf: jsonl))
        #expect(s.status == 0, "\(s.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outStdin.appendingPathComponent("corpus").path))
        #expect(try CLI.lines(outStdin.appendingPathComponent("clusters.jsonl")).count == 1)
        // Gzip on standard input is known by its first bytes: the same documents as the plain file gave.
        let outStdinGz = tmp.appendingPathComponent("out-stdin-gz")
        let z = try CLI.run(["clean", "-", "-o", outStdinGz.path] + arguments, stdin: try Data(contentsOf: jsonl.appendingPathExtension("gz")))
        #expect(z.status == 0, "\(z.stderr)")
        #expect(try CLI.lines(outStdinGz.appendingPathComponent("corpus/stdin.jsonl")).map { $0["doc"] as! Int } == [0, 1, 2, 3, 4])
        // A named pipe (as bash's `<(zcat pages.jsonl.gz)` gives) is read once, copied, and read from the copy: every
        // document reaches the corpus, as from the file.
        let fifo = tmp.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let feeder = Process()
        feeder.executableURL = URL(fileURLWithPath: "/bin/sh")
        feeder.arguments = ["-c", "cat \"$0\" > \"$1\"", jsonl.path + ".gz", fifo.path]
        try feeder.run()
        let outPipe = tmp.appendingPathComponent("out-pipe")
        let p = try CLI.run(["clean", fifo.path, "-o", outPipe.path, "--format", "jsonl"] + arguments)
        if feeder.isRunning { feeder.terminate() }  // (a run that never opened the pipe would leave it blocked)
        feeder.waitUntilExit()
        #expect(p.status == 0, "\(p.stderr)")
        #expect(try CLI.lines(outPipe.appendingPathComponent("corpus/pipe")).map { $0["doc"] as! Int } == [0, 1, 2, 3, 4])
    }

    @Test func strictStopsWithoutOutput() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let jsonl = tmp.appendingPathComponent("bad.jsonl")
        try "{\"id\": 1, \"text\": \"سلام\"}\n{broken\n".write(to: jsonl, atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", jsonl.path, "-o", out.path, "--strict"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("bad.jsonl:2: malformed JSON"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["bad.jsonl"])
    }

    @Test func refusesToOverwriteAndReportsMissingInput() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "mine".write(to: out.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["clean", SeedFixtures.directory.path, "-o", out.path])
        #expect(r.status == 73)
        #expect(r.stderr.contains("--force"))
        #expect(try String(contentsOf: out.appendingPathComponent("keep.txt"), encoding: .utf8) == "mine")
        let forced = try CLI.run(["clean", SeedFixtures.directory.path, "-o", out.path, "--force", "-q"])
        #expect(forced.status == 0)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("keep.txt").path))
        // The replaced output (deleted on a thread of its own) is gone before the program ends.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out"])
        let missing = try CLI.run(["clean", tmp.appendingPathComponent("nope").path, "-o", tmp.appendingPathComponent("o2").path])
        #expect(missing.status == 66 && missing.stderr.contains("no such file"))
        let usage = try CLI.run(["clean", SeedFixtures.directory.path, "-o", tmp.appendingPathComponent("o3").path, "--threshold", "2"])
        #expect(usage.status == 64)
        let level = try CLI.run(["clean", SeedFixtures.directory.path, "-o", tmp.appendingPathComponent("o4").path, "--gzip-level", "13"])
        #expect(level.status == 64 && level.stderr.contains("--gzip-level must be 0…12"))
    }

    /// An output folder that is an input, or holds one, is refused even with --force (replacing it would delete the
    /// input); an output folder inside an input folder is not read as input by the next run.
    @Test func outputNeverHoldsTheInput() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let input = tmp.appendingPathComponent("in")
        try CLI.writeSeeds(to: input)
        let names = try FileManager.default.contentsOfDirectory(atPath: input.path).sorted()
        for output in [input.path, tmp.path, input.path + "/./", input.appendingPathComponent("sub/..").path] {
            let r = try CLI.run(["clean", input.path, "-o", output, "--force"])
            #expect(r.status == 64 && r.stderr.contains("choose an output folder outside the inputs"), "\(output): \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: input.path).sorted() == names)
        }
        let inner = input.appendingPathComponent("out")
        for _ in 0..<2 {
            let r = try CLI.run(["clean", input.path, "-o", inner.path, "--force"])
            #expect(r.status == 0 && !r.stderr.contains("warning"), "\(r.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: inner.appendingPathComponent("summary.json"))) as! [String: Any]
            #expect(summary["documents_in"] as? Int == names.count && summary["duplicates"] as? Int == 0)
        }
    }

    @Test func textFolderWithEmptyBinaryAndInvalidFiles() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let input = tmp.appendingPathComponent("in/sub")
        try CLI.writeSeeds(to: input)
        try Data().write(to: input.appendingPathComponent("empty.txt"))
        try Data([0x00, 0x01, 0x02, 0x41]).write(to: input.appendingPathComponent("binary.txt"))
        try Data(Array("نص عربي ".utf8) + [0xFF, 0xFE] + Array(" سليم".utf8)).write(to: input.appendingPathComponent("invalid.txt"))
        // A name that is not UTF-8 (as an archive made on Windows in cp1256 leaves it) and a broken link: listed,
        // not readable by name; reported and counted, not lost without a word.
        let rawName = Array(input.appendingPathComponent("name-").path.utf8) + [0xE3, 0xD5, 0xD1] + Array(".txt".utf8) + [0]
        let fd = rawName.withUnsafeBytes { open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        close(fd)
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("broken.txt").path,
                                                   withDestinationPath: "/nonexistent-ghurbal-target")
        // Files whose names say no format are left out, and said to be.
        try "<p>نص</p>".write(to: input.appendingPathComponent("page.HTML"), atomically: true, encoding: .utf8)
        try "notes".write(to: input.appendingPathComponent("NOTES"), atomically: true, encoding: .utf8)
        // A link to a folder (here, to the folder that holds it) is not followed, and said to be.
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("up").path, withDestinationPath: "..")
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", tmp.appendingPathComponent("in").path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("empty.txt: empty document"))
        #expect(r.stderr.contains("binary.txt: not text"))
        #expect(r.stderr.contains("name-\u{FFFD}\u{FFFD}\u{FFFD}.txt: cannot read: the name is not valid UTF-8"))
        #expect(r.stderr.contains("broken.txt: cannot read: listed in its folder but cannot be opened"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect((summary["skipped"] as? [String: Int])?["unreadable"] == 2)
        #expect(summary["ignored_files"] as? [String: Int] == ["": 1, ".html": 1])
        #expect(r.stderr.contains("ignored: 2 files whose names say no format (1 without extension, 1 .html)"))
        #expect(summary["ignored_folder_links"] as? Int == 1)
        #expect(r.stderr.contains("ignored: 1 symbolic link to a folder (not followed"))
        // FF and FE are two maximal invalid subsequences: two repairs, two U+FFFD.
        #expect(r.stderr.contains("invalid UTF-8: 2 sequences repaired"))
        let repaired = try String(contentsOf: out.appendingPathComponent("corpus/sub/invalid.txt"), encoding: .utf8)
        #expect(repaired == "نص عربي \u{FFFD}\u{FFFD} سليم")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("corpus/sub/000_bd1fe51ea12c4d40.txt").path))
    }

    /// The encodings Arabic text comes in besides UTF-8: UTF-16 with a byte order mark (Windows' "Unicode") is read
    /// and written as UTF-8; a UTF-8 byte order mark before a JSONL file's first record is not part of it; windows-1256
    /// (or ISO-8859-6) text is skipped and reported, not written back as U+FFFD — and read with `--encoding`; a few stray
    /// bytes in UTF-8 are repaired.
    @Test func encodingsArabicTextComesIn() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let input = tmp.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let seeds = try SeedFixtures.all()
        let little = seeds[0].text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try Data([0xFF, 0xFE] + little).write(to: input.appendingPathComponent("utf16le.txt"))
        let big = seeds[2].text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        try Data([0xFE, 0xFF] + big).write(to: input.appendingPathComponent("utf16be.txt"))
        // "الأخبار العربية اليوم من المدينة" in windows-1256, twice.
        let cp1256: [UInt8] = [0xC7, 0xE1, 0xC3, 0xCE, 0xC8, 0xC7, 0xD1, 0x20, 0xC7, 0xE1, 0xDA, 0xD1, 0xC8, 0xED, 0xC9, 0x20,
                               0xC7, 0xE1, 0xED, 0xE6, 0xE3, 0x20, 0xE3, 0xE4, 0x20, 0xC7, 0xE1, 0xE3, 0xCF, 0xED, 0xE4, 0xC9]
        try Data(cp1256 + [0x0A] + cp1256).write(to: input.appendingPathComponent("cp1256.txt"))
        let record = "{\"id\": \"bom\", \"text\": \(JSONLine.quoted(seeds[3].text))}\n"
        try Data([0xEF, 0xBB, 0xBF] + Array(record.utf8)).write(to: input.appendingPathComponent("bom.jsonl"))
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", input.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("cp1256.txt: not UTF-8: ") && r.stderr.contains(" invalid sequences in 65 bytes (a legacy encoding"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["documents_in"] as? Int == 3)
        #expect(summary["skipped"] as? [String: Int] == ["not_utf8": 1])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("corpus/cp1256.txt").path))
        // Read as the seeds are: the same chrome removed, written as UTF-8.
        let seedOut = tmp.appendingPathComponent("seeds-out")
        #expect(try CLI.run(["clean", SeedFixtures.directory.path, "-o", seedOut.path, "-q"]).status == 0)
        for (name, seed) in [("utf16le.txt", seeds[0].name), ("utf16be.txt", seeds[2].name)] {
            let cleaned = try String(contentsOf: out.appendingPathComponent("corpus/" + name), encoding: .utf8)
            #expect(cleaned == (try String(contentsOf: seedOut.appendingPathComponent("corpus/" + seed), encoding: .utf8)), "\(name)")
        }
        let bom = try CLI.lines(out.appendingPathComponent("corpus/bom.jsonl"))
        #expect(bom.count == 1 && bom[0]["id"] as? String == "bom")
        #expect(r.stderr.contains("read it with --encoding windows-1256"))

        // With --encoding windows-1256 the same bytes are read, as text and inside a JSON line, and written as UTF-8.
        let legacy = tmp.appendingPathComponent("legacy")
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        try Data(cp1256 + [0x0A] + cp1256).write(to: legacy.appendingPathComponent("cp1256.txt"))
        let line = Array("{\"id\": \"j\", \"text\": \"".utf8) + cp1256 + Array("\"}\n".utf8)
        try Data(line).write(to: legacy.appendingPathComponent("cp1256.jsonl"))
        let legacyOut = tmp.appendingPathComponent("legacy-out")
        let l = try CLI.run(["clean", legacy.path, "-o", legacyOut.path, "--encoding", "windows-1256", "--threshold", "0.99"])
        #expect(l.status == 0 && !l.stderr.contains("warning"), "\(l.stderr)")
        let phrase = "الأخبار العربية اليوم من المدينة"
        #expect(try String(contentsOf: legacyOut.appendingPathComponent("corpus/cp1256.txt"), encoding: .utf8) == phrase + "\n" + phrase)
        #expect(try CLI.lines(legacyOut.appendingPathComponent("corpus/cp1256.jsonl")).first?["text"] as? String == phrase)
    }

    /// Shards that number their documents from 0 each give the same id twice: clusters.jsonl and boilerplate.jsonl
    /// say where each document is (file and line), so that the reports stay unambiguous.
    @Test func reportsSayWhereEachDocumentIs() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        let input = tmp.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for shard in ["a", "b"] {
            let lines = [0, 2, 3].enumerated().map { "{\"id\": \($0.offset), \"text\": \(JSONLine.quoted(seeds[$0.element].text))}" }
            try (lines.joined(separator: "\n") + "\n").write(to: input.appendingPathComponent(shard + ".jsonl"), atomically: true, encoding: .utf8)
        }
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", input.path, "-o", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let clusters = try CLI.lines(out.appendingPathComponent("clusters.jsonl"))
        #expect(clusters.count == 3)
        for (k, cluster) in clusters.enumerated() {
            let members = cluster["members"] as! [[String: Any]]
            #expect(members.map { $0["id"] as! String } == ["\(k)", "\(k)"])
            #expect(members.map { $0["source"] as! String } == [input.path + "/a.jsonl:\(k + 1)", input.path + "/b.jsonl:\(k + 1)"])
        }
        let boilerplate = try CLI.lines(out.appendingPathComponent("boilerplate.jsonl"))
        #expect(!boilerplate.isEmpty)
        for entry in boilerplate {
            let ids = entry["examples"] as! [String], sources = entry["example_sources"] as! [String]
            #expect(sources.count == ids.count)
            #expect(zip(ids, sources).allSatisfy { id, source in
                ["a", "b"].contains { source == input.path + "/\($0).jsonl:\(Int(id)! + 1)" }
            }, "\(ids) \(sources)")
        }
    }

    /// Every JSONL input has its corpus file, empty when none of its documents is kept (an empty shard stays a shard),
    /// and corpus/ is there when nothing is kept at all.
    @Test func everyShardHasItsCorpusFile() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        let input = tmp.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let lines = seeds.enumerated().map { "{\"id\": \"a\($0.offset)\", \"text\": \(JSONLine.quoted($0.element.text))}\n" }.joined()
        try lines.write(to: input.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
        try "{\"id\": \"b0\", \"text\": \"  \"}\n".write(to: input.appendingPathComponent("b.jsonl"), atomically: true, encoding: .utf8)
        try CLI.gzipOutput(["-c", input.appendingPathComponent("a.jsonl").path]).write(to: input.appendingPathComponent("c.jsonl.gz"))
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", input.path, "-o", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let corpus = out.appendingPathComponent("corpus")
        #expect(try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() == ["a.jsonl", "b.jsonl", "c.jsonl.gz"])
        #expect(try CLI.lines(corpus.appendingPathComponent("a.jsonl")).count == seeds.count)
        #expect(try Data(contentsOf: corpus.appendingPathComponent("b.jsonl")).isEmpty)
        #expect(try CLI.gzipOutput(["-dc", corpus.appendingPathComponent("c.jsonl.gz").path]).isEmpty)

        let empty = tmp.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(try CLI.run(["clean", empty.path, "-o", tmp.appendingPathComponent("out-empty").path, "-q"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent("out-empty/corpus").path).isEmpty)
    }

    /// Whether a file is gzip is read from its first bytes: a file named `.jsonl.gz` that is not compressed (a
    /// download tool decompressed it) lost every record to "corrupt gzip data", and a compressed file named `.jsonl`
    /// was read as malformed lines. Both are read, each corpus file is written as its name says, and the summary and
    /// the console name them; correctly named files are not listed.
    @Test func gzipIsToldByContentNotName() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        let input = tmp.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        func lines(_ prefix: String) -> String {
            seeds.enumerated().map { "{\"id\": \"\(prefix)\($0.offset)\", \"text\": \(JSONLine.quoted($0.element.text))}\n" }.joined()
        }
        try lines("p").write(to: input.appendingPathComponent("plain.jsonl.gz"), atomically: true, encoding: .utf8)
        let packed = input.appendingPathComponent("packed.txt")
        try lines("z").write(to: packed, atomically: true, encoding: .utf8)
        try CLI.gzipOutput(["-c", packed.path]).write(to: input.appendingPathComponent("packed.jsonl"))
        try FileManager.default.removeItem(at: packed)
        try lines("n").write(to: input.appendingPathComponent("named.jsonl"), atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("out")
        // (Annotated: the three files carry the same pages, which a plain run would drop as duplicates.)
        let r = try CLI.run(["clean", input.path, "-o", out.path, "--annotate"])
        #expect(r.status == 0 && !r.stderr.contains("warning"), "\(r.stderr)")
        #expect(r.stderr.contains("read by content: 2 files compressed or not against their names (")
                && r.stderr.contains("packed.jsonl") && r.stderr.contains("plain.jsonl.gz"), "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(Set(summary["read_by_content"] as? [String] ?? []) == [input.appendingPathComponent("packed.jsonl").path,
                                                                        input.appendingPathComponent("plain.jsonl.gz").path])
        #expect(summary["documents_in"] as? Int == 3 * seeds.count && (summary["skipped"] as? [String: Int])?.isEmpty == true)
        let corpus = out.appendingPathComponent("corpus")
        // Each corpus file as its name says: gzip for .gz, plain otherwise.
        let unpacked = try CLI.gzipOutput(["-dc", corpus.appendingPathComponent("plain.jsonl.gz").path])
        #expect(String(decoding: unpacked, as: UTF8.self).contains("\"id\": \"p0\""))
        #expect(try CLI.lines(corpus.appendingPathComponent("packed.jsonl")).compactMap { $0["id"] as? String }.contains("z0"))
    }

    /// `synth` on sources with too little Arabic text, or asked to write pages and truth to one file, says so and
    /// writes nothing (it trapped, and lost one of the two files).
    @Test func synthRefusesWhatItCannotDo() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let empty = tmp.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let pages = tmp.appendingPathComponent("pages.jsonl").path, truth = tmp.appendingPathComponent("truth.jsonl").path
        let few = try CLI.run(["synth", "--docs", "10", "--source", empty.path, "-o", pages, "--truth", truth])
        #expect(few.status == 65 && few.stderr.contains("distinct Arabic words; pages are built from at least 50"), "\(few.stderr)")
        let one = try CLI.run(["synth", "--docs", "10", "-o", pages, "--truth", pages])
        #expect(one.status == 74 && one.stderr.contains("the pages and the truth cannot go to one file"), "\(one.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["empty"])
    }

    /// Options out of range are usage errors (exit 64, the option named), for every command: `--block-threshold` 0, 1
    /// or NaN, `lsh-parameters` on such a threshold, and `synth --docs=-1` trapped; `synth` took `--sites 0`,
    /// `--duplicates 2` and `--edit-strength 5` without a word.
    @Test func optionsOutOfRangeAreUsageErrors() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out").path
        let pages = tmp.appendingPathComponent("pages.jsonl").path, truth = tmp.appendingPathComponent("truth.jsonl").path
        let cases: [([String], String)] = [
            (["clean", SeedFixtures.directory.path, "-o", out, "--block-threshold", "0"], "--block-threshold must be greater than 0 and less than 1"),
            (["clean", SeedFixtures.directory.path, "-o", out, "--block-threshold", "1"], "--block-threshold must be greater than 0 and less than 1"),
            (["report", SeedFixtures.directory.path, "-o", out, "--block-threshold", "nan"], "--block-threshold must be greater than 0 and less than 1"),
            (["clean", SeedFixtures.directory.path, "-o", out, "--threshold", "1"], "--threshold must be greater than 0 and less than 1"),
            (["lsh-parameters", "--threshold", "1"], "--threshold must be greater than 0 and less than 1"),
            (["lsh-parameters", "--threshold=-0.5"], "--threshold must be greater than 0 and less than 1"),
            (["lsh-parameters", "--permutations", "0"], "--permutations must be 8…1024"),
            (["synth", "--docs=-1", "-o", pages, "--truth", truth], "--docs must be 0 or more"),
            (["synth", "--sites", "0", "-o", pages, "--truth", truth], "--sites must be at least 1"),
            (["synth", "--duplicates", "2", "-o", pages, "--truth", truth], "--duplicates must be between 0 and 1"),
            (["synth", "--edit-strength", "5", "-o", pages, "--truth", truth], "--edit-strength must be between 0 and 1"),
        ]
        for (arguments, message) in cases {
            let r = try CLI.run(arguments)
            #expect(r.status == 64 && r.stderr.contains(message), "\(arguments): \(r.status) \(r.stderr)")
        }
        // Nothing was written.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        let valid = try CLI.run(["lsh-parameters", "--threshold", "0.8"])
        #expect(valid.status == 0 && valid.stdout.hasPrefix("bands=16 rows=8"), "\(valid.stdout)")
    }

    @Test func hugeLinesAreSkippedAndCounted() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        var lines = seeds.enumerated().map { "{\"id\": \($0.offset), \"text\": \(JSONLine.quoted($0.element.text))}" }
        lines.insert("{\"id\": 77, \"text\": \"" + String(repeating: "كلمة ", count: 40_000) + "\"}", at: 1)  // ~400 KB
        let jsonl = tmp.appendingPathComponent("huge.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: jsonl, atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", jsonl.path, "-o", out.path, "--max-document-bytes", "100000"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("huge.jsonl:2: not text: line of"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["skipped"] as? [String: Int] == ["too_large": 1])
        #expect(try CLI.lines(out.appendingPathComponent("corpus/huge.jsonl")).map { $0["id"] as! Int } == [0, 1, 2, 3, 4])
        let strict = try CLI.run(["clean", jsonl.path, "-o", tmp.appendingPathComponent("o2").path, "--max-document-bytes", "100000", "--strict"])
        #expect(strict.status == 65 && !FileManager.default.fileExists(atPath: tmp.appendingPathComponent("o2").path))
        // A text file over the limit (its size as the reader's stamp gives it) is skipped whole.
        let big = tmp.appendingPathComponent("big.txt")
        try String(repeating: "كلمة ", count: 40_000).write(to: big, atomically: true, encoding: .utf8)
        let text = try CLI.run(["clean", big.path, "-o", tmp.appendingPathComponent("o3").path, "--max-document-bytes", "100000"])
        #expect(text.status == 0 && text.stderr.contains("big.txt: not text: 360000 bytes is over the limit of 100000"), "\(text.stderr)")
    }

    /// A truncated or corrupt gzip file keeps the records decoded before the damage, reports the damage (file and last
    /// line read) and counts it; `--strict` stops at it.
    @Test func damagedGzipKeepsWhatCameBefore() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        // 400 one-line documents of words drawn at random: no two near-duplicates, no line recurring.
        let words = ["كتاب", "مدينة", "نهر", "سوق", "طريق", "بحر", "جبل", "شمس", "قمر", "باب", "بيت", "شجرة", "ماء",
                     "نار", "ريح", "علم", "عمل", "قلم", "ورق", "خبز", "ملح", "لون", "صوت", "يوم", "ليل", "سنة"]
        var state: UInt64 = 0x9E3779B97F4A7C15
        func document(_ i: Int) -> String {
            var text: [String] = []
            for _ in 0..<40 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text.append(words[Int(state >> 33) % words.count])
            }
            return "{\"id\": \(i), \"text\": \"\(text.joined(separator: " "))\"}\n"
        }
        let lines = (0..<400).map(document)
        func gzip(_ text: String) throws -> Data {
            let plain = tmp.appendingPathComponent("plain")
            try text.write(to: plain, atomically: true, encoding: .utf8)
            return try CLI.gzipOutput(["-c", plain.path])
        }
        func clean(_ name: String, _ data: Data, strict: Bool = false) throws -> (CLI.Result, [String: Any]?, [Int]) {
            let input = tmp.appendingPathComponent(name)
            try data.write(to: input)
            let out = tmp.appendingPathComponent("out-" + name)
            let r = try CLI.run(["clean", input.path, "-o", out.path] + (strict ? ["--strict"] : []))
            guard r.status == 0 else { return (r, nil, []) }
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any]
            let ids = try CLI.gunzippedLines(out.appendingPathComponent("corpus/" + name)).map { $0["id"] as! Int }
            return (r, summary, ids)
        }

        // Two members, the second cut in half, after 25 malformed lines: the first member's 200 documents and the
        // second's whole lines before the cut are kept, in order; the cut line (if the cut fell inside one) is
        // malformed; the truncation is reported, however many warnings went before it.
        let broken = String(repeating: "{broken\n", count: 25)
        let first = try gzip(broken + lines[..<200].joined()), second = try gzip(lines[200...].joined())
        let (cut, cutSummary, cutIDs) = try clean("cut.jsonl.gz", first + second.prefix(second.count / 2))
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(cutIDs.count >= 200 && cutIDs.count < 400 && cutIDs == Array(0..<cutIDs.count))
        #expect(cutSummary?["documents_in"] as? Int == cutIDs.count)
        let cutSkipped = cutSummary?["skipped"] as? [String: Int] ?? [:]
        let malformed = cutSkipped["malformed_json"] ?? 0
        #expect(cutSkipped["corrupt_gzip"] == 1 && (malformed == 25 || malformed == 26) && cutSkipped.count == 2)
        #expect(cut.stderr.contains("cut.jsonl.gz:\(cutIDs.count + malformed): corrupt gzip data: the file ends inside a gzip member (truncated)"))

        // One member whose checksum does not match: every line was decoded, so every document is kept, and the
        // checksum is reported.
        var damaged = try gzip(lines.joined())
        damaged[damaged.count - 8] ^= 0xFF
        let (crc, crcSummary, crcIDs) = try clean("crc.jsonl.gz", damaged)
        #expect(crc.status == 0, "\(crc.stderr)")
        #expect(crcIDs == Array(0..<400))
        #expect(crcSummary?["skipped"] as? [String: Int] == ["corrupt_gzip": 1])
        #expect(crc.stderr.contains("crc.jsonl.gz:400: corrupt gzip data: incorrect data check"))

        let (strict, _, _) = try clean("strict.jsonl.gz", damaged, strict: true)
        #expect(strict.status == 65 && strict.stderr.contains("strict.jsonl.gz:400: corrupt gzip data"))
    }

    @Test func sitesFromFolders() throws {
        // 000, 002 and 003 under three different site folders share nothing within a site.
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let seeds = try SeedFixtures.all()
        for (i, d) in [0, 2, 3].enumerated() {
            let folder = tmp.appendingPathComponent("in/site\(i)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try seeds[d].text.write(to: folder.appendingPathComponent(seeds[d].name), atomically: true, encoding: .utf8)
        }
        let one = try CLI.run(["clean", tmp.appendingPathComponent("in").path, "-o", tmp.appendingPathComponent("o1").path])
        #expect(one.stderr.contains("45 lines removed"))
        let split = try CLI.run(["clean", tmp.appendingPathComponent("in").path, "-o", tmp.appendingPathComponent("o2").path, "--sites-from-folders"])
        #expect(split.status == 0 && split.stderr.contains("0 lines removed"), "\(split.stderr)")
        // With --min-docs 4 nothing recurs often enough. A share of a half of the site's three stories lowers the bar
        // to two: the list goes whole again, and so does the agency byline that only 000 and 002 carry.
        let strict = try CLI.run(["clean", tmp.appendingPathComponent("in").path, "-o", tmp.appendingPathComponent("o3").path, "--min-docs", "4"])
        #expect(strict.stderr.contains("0 lines removed"), "\(strict.stderr)")
        let share = try CLI.run(["clean", tmp.appendingPathComponent("in").path, "-o", tmp.appendingPathComponent("o4").path, "--min-docs", "4", "--min-share", "0.5"])
        #expect(share.stderr.contains("47 lines removed"), "\(share.stderr)")
        let byline = try CLI.lines(tmp.appendingPathComponent("o4/boilerplate.jsonl")).filter { ($0["text"] as? String)?.hasPrefix("- ") == false }
        #expect(byline.map { $0["text"] as? String } == ["أنباء آسيا الوسطى والقوقاز – وكالات"])
    }

    @Test func wetInput() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        var wet = ""
        func record(_ type: String, _ uri: String?, _ id: String, _ body: String) {
            let bytes = Array(body.utf8).count
            wet += "WARC/1.0\r\nWARC-Type: \(type)\r\n" + (uri.map { "WARC-Target-URI: \($0)\r\n" } ?? "")
            wet += "WARC-Record-ID: <urn:uuid:\(id)>\r\nContent-Type: text/plain\r\nContent-Length: \(bytes)\r\n\r\n\(body)\r\n\r\n"
        }
        record("warcinfo", nil, "info", "software: test\r\n")
        for seed in try SeedFixtures.all() { record("conversion", "https://site.example/\(seed.name)", seed.name, seed.text) }
        let path = tmp.appendingPathComponent("crawl.warc.wet")
        try wet.write(to: path, atomically: true, encoding: .utf8)
        let out = tmp.appendingPathComponent("out")
        let r = try CLI.run(["clean", path.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let docs = try CLI.lines(out.appendingPathComponent("corpus/crawl.warc.wet.jsonl"))
        #expect(docs.count == 5)
        #expect(docs[0]["id"] as? String == "<urn:uuid:000_bd1fe51ea12c4d40.txt>")
        #expect(docs[0]["url"] as? String == "https://site.example/000_bd1fe51ea12c4d40.txt")
        #expect(r.stderr.contains("45 lines removed"))
        #expect(!r.stderr.contains("warning"), "\(r.stderr)")

        // A WARC file of HTML responses (and a request) holds no text: said once, counted, not a silent empty run.
        wet = ""
        record("warcinfo", nil, "info", "software: test\r\n")
        for i in 0..<3 { record("response", "https://site.example/\(i)", "r\(i)", "HTTP/1.1 200 OK\r\n\r\n<p>نص</p>") }
        record("request", "https://site.example/0", "q0", "GET / HTTP/1.1\r\n\r\n")
        let warc = tmp.appendingPathComponent("crawl.warc")
        try wet.write(to: warc, atomically: true, encoding: .utf8)
        let h = try CLI.run(["clean", warc.path, "-o", tmp.appendingPathComponent("out-warc").path])
        #expect(h.status == 0, "\(h.stderr)")
        #expect(h.stderr.contains("crawl.warc: 4 records hold no text (1 request, 3 response): ghurbal reads the text of WET"))
        #expect(h.stderr.contains("0 documents in, 0 out (1 bad records skipped: 1 not_wet_text)"))
    }

    @Test func threadCountsGiveIdenticalOutput() throws {
        let tmp = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        var outputs: [[Data]] = []
        // (And with huge pages not asked for: memory, not results.)
        for (threads, hugePages) in [("1", "1"), ("4", "1"), ("2", "0")] {
            let out = tmp.appendingPathComponent("out\(threads)")
            let r = try CLI.run(["clean", SeedFixtures.directory.path, SeedFixtures.directory.path, "-o", out.path, "--threads", threads, "-q"],
                                environment: ["GHURBAL_HUGE_PAGES": hugePages])
            #expect(r.status == 0)
            let files = ["clusters.jsonl", "boilerplate.jsonl"] + (try FileManager.default.subpathsOfDirectory(atPath: out.appendingPathComponent("corpus").path).sorted().map { "corpus/" + $0 })
            outputs.append(files.map { (try? Data(contentsOf: out.appendingPathComponent($0))) ?? Data() })
        }
        #expect(outputs[0] == outputs[1] && outputs[0] == outputs[2])
        // The same folder given twice is written to two folders, never over itself.
        let annotated = tmp.appendingPathComponent("annotated")
        let a = try CLI.run(["clean", SeedFixtures.directory.path, SeedFixtures.directory.path, "-o", annotated.path, "--annotate", "-q"])
        #expect(a.status == 0)
        let written = try FileManager.default.subpathsOfDirectory(atPath: annotated.appendingPathComponent("corpus").path).filter { $0.hasSuffix(".txt") }
        #expect(written.count == 10 && written.contains("seeds-2/000_bd1fe51ea12c4d40.txt"))
        // Two copies of the seeds: five clusters of two.
        let clusters = try CLI.lines(tmp.appendingPathComponent("out1/clusters.jsonl"))
        #expect(clusters.count == 5)
        #expect(clusters[0]["representative"] as? String == "seeds/000_bd1fe51ea12c4d40.txt")
        #expect((clusters[0]["members"] as? [[String: Any]])?.last?["id"] as? String == "seeds-2/000_bd1fe51ea12c4d40.txt")
    }
}

extension CLI {
    /// The seed pages, as text files in `folder` (made with its parents).
    static func writeSeeds(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for seed in try SeedFixtures.all() {
            try seed.text.write(to: folder.appendingPathComponent(seed.name), atomically: true, encoding: .utf8)
        }
    }

    /// What the system's gzip, run with `arguments`, writes to standard output.
    static func gzipOutput(_ arguments: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    /// Lines of a gzip-compressed JSONL file, decompressed by the system's gzip.
    static func gunzippedLines(_ gzipped: URL) throws -> [[String: Any]] {
        let data = try gzipOutput(["-dc", gzipped.path])
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}
