/// Documents that can be read several times, in the same order each time: the engine reads its input once per pass.
///
/// `forEachBatch` runs on one thread (the engine's producer, while workers take the batches it hands over) and should
/// only cut the input into raw items (lines, files, records); `document(_:)` turns an item into a document on a worker
/// thread, which is where parsing belongs.
public protocol DocumentSource: Sendable {
    associatedtype Item: Sendable
    /// Calls `body` with consecutive batches of items; the same items in the same order on every call.
    func forEachBatch(_ body: ([Item]) throws -> Void) throws
    /// The document an item holds, or why it is skipped. Called from several threads at once.
    func document(_ item: Item) -> Result<SourceDocument, GhurbalError>
    /// Bytes an item stands for, for progress reports.
    func size(of item: Item) -> Int
    /// Where an item is, for a message about it found after `document(_:)` (a text that is not UTF-8).
    func location(of item: Item) -> InputLocation
    /// Where an item is, packed small enough to keep one per document for the reports (`FileSource`: its file and
    /// line, see `FileSource.origin(of:)`); 0 when the source has nothing to say.
    func origin(of item: Item) -> UInt64
}

extension DocumentSource {
    public func location(of item: Item) -> InputLocation { InputLocation(path: "(in memory)") }
    public func origin(of item: Item) -> UInt64 { 0 }
}

/// Documents already in memory.
public struct InMemorySource: DocumentSource {
    public let documents: [SourceDocument]
    public let batchSize: Int

    public init(_ documents: [SourceDocument], batchSize: Int = 4096) {
        self.documents = documents
        self.batchSize = batchSize
    }

    public func forEachBatch(_ body: ([SourceDocument]) throws -> Void) throws {
        var start = 0
        while start < documents.count {
            let end = min(documents.count, start + batchSize)
            try body(Array(documents[start..<end]))
            start = end
        }
    }

    public func document(_ item: SourceDocument) -> Result<SourceDocument, GhurbalError> { .success(item) }
    public func size(of item: SourceDocument) -> Int { item.textBytes.count }
}

/// Where a run is, for progress displays.
public struct CleaningProgress: Sendable {
    public var pass: Int
    public var passes: Int
    public var passName: String
    public var documents: Int
    /// Bytes of records handled in this pass.
    public var bytes: Int
    /// Bytes of records in the whole input, when known before reading (0 when not: compressed input).
    public var totalBytes: Int = 0
}
