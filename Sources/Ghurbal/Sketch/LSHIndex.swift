internal import CXXHash
import Foundation

/// LSH over MinHash signatures: one 32-bit key per band (XXH3 of the band's rows), stored with the document id in one
/// 64-bit word, `key << 32 | id`, in one flat array per band. That is `bands × 8` bytes per document and no
/// per-bucket objects; a bucket is a run of equal keys once the array is sorted.
///
/// Two documents that share a 32-bit key in a band without sharing the band's rows (a key collision) become a
/// candidate pair that verification then rejects; with 10⁶ documents that is about a hundred pairs per band.
public struct LSHIndex: Sendable {
    public let parameters: LSHParameters
    public let seed: UInt64
    var bands: [[UInt64]]
    var sortedPrefix: [Int]
    public private(set) var count = 0

    /// Queries scan at most this many unsorted entries per band before the index sorts itself.
    static let unsortedLimit = 4096

    public init(parameters: LSHParameters, seed: UInt64 = 0x4C53_4821) {
        self.parameters = parameters
        self.seed = seed
        bands = Array(repeating: [], count: parameters.bands)
        sortedPrefix = Array(repeating: 0, count: parameters.bands)
    }

    /// The key of one band of a signature.
    @inline(__always)
    public func bandKey(_ signature: UnsafeBufferPointer<UInt32>, band: Int) -> UInt32 {
        let rows = parameters.rows
        precondition(signature.count >= parameters.bands * rows, "signature shorter than bands × rows")
        let h = XXH3_64bits_withSeed(signature.baseAddress! + band * rows, rows * 4, seed &+ UInt64(band))
        return UInt32(truncatingIfNeeded: h >> 32)
    }

    public mutating func reserveCapacity(_ documents: Int) {
        for b in 0..<bands.count { bands[b].reserveCapacity(documents) }
    }

    /// Adds a document. Ids are the caller's dense document numbers.
    public mutating func insert(id: UInt32, signature: UnsafeBufferPointer<UInt32>) {
        for b in 0..<parameters.bands {
            bands[b].append(UInt64(bandKey(signature, band: b)) << 32 | UInt64(id))
        }
        count += 1
    }

    /// Adds a document whose band keys (`bandKey(_:band:)` for every band) were computed already, on another thread
    /// say.
    public mutating func insert(id: UInt32, bandKeys: UnsafeBufferPointer<UInt32>) {
        precondition(bandKeys.count == parameters.bands)
        for b in 0..<parameters.bands {
            bands[b].append(UInt64(bandKeys[b]) << 32 | UInt64(id))
        }
        count += 1
    }

    /// Adds many documents at once, band by band on up to `threads` threads (nil: one per core): `ids` in the order
    /// they are to be added, and their keys in `keys`, where document `id`'s key for band `b` is at
    /// `keys[id × bands + b]`. The same index as inserting them one by one, faster.
    public mutating func insert(ids: [UInt32], keys: UnsafeBufferPointer<UInt32>, threads: Int? = nil) {
        let bandCount = parameters.bands
        precondition(ids.allSatisfy { (Int($0) + 1) * bandCount <= keys.count }, "an id without keys")
        guard !ids.isEmpty, let keyBase = keys.baseAddress else { return }
        let keyTable = UncheckedSendable(keyBase)
        changeBands(Array(0..<bandCount), threads: threads) { b, band in
            band.reserveCapacity(band.count + ids.count)
            for id in ids { band.append(UInt64(keyTable.value[Int(id) * bandCount + b]) << 32 | UInt64(id)) }
        }
        count += ids.count
    }

    /// Sorts every band so that buckets are contiguous, bands on up to `threads` threads (nil: one per core).
    /// Inserting afterwards is allowed.
    public mutating func seal(threads: Int? = nil) {
        let pending = (0..<bands.count).filter { sortedPrefix[$0] < bands[$0].count }
        guard !pending.isEmpty else { return }
        changeBands(pending, threads: threads) { _, band in radixSort(&band) }
        for b in pending { sortedPrefix[b] = bands[b].count }
    }

    /// Calls `change(b, &band)` for each of the bands `chosen`, a band per thread at a time on up to `threads` threads
    /// (nil: one per core). Each band moves into a slot of its own for it, so that the thread changing it holds the
    /// only reference (no copy on write).
    private mutating func changeBands(_ chosen: [Int], threads: Int?,
                                      _ change: @Sendable (Int, inout [UInt64]) -> Void) {
        let slots = ParallelSlots<[UInt64]>(count: chosen.count)
        for (i, b) in chosen.enumerated() {
            slots[i] = bands[b]
            bands[b] = []
        }
        parallelForEach(count: chosen.count, workers: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                        makeState: { _ in }) { _, i in
            var band = slots[i]!
            slots[i] = nil
            change(chosen[i], &band)
            slots[i] = band
        }
        for (i, b) in chosen.enumerated() { bands[b] = slots[i]! }
    }

    /// The ids that share at least one band with `signature`, ascending and without repeats.
    public mutating func query(_ signature: UnsafeBufferPointer<UInt32>) -> [UInt32] {
        var found: [UInt32] = []
        for b in 0..<parameters.bands {
            if bands[b].count - sortedPrefix[b] > Self.unsortedLimit {
                radixSort(&bands[b])
                sortedPrefix[b] = bands[b].count
            }
            let key = UInt64(bandKey(signature, band: b))
            let entries = bands[b]
            // Lower bound of key << 32 in the sorted prefix.
            var lo = 0, hi = sortedPrefix[b]
            while lo < hi {
                let mid = (lo + hi) / 2
                if entries[mid] >> 32 < key { lo = mid + 1 } else { hi = mid }
            }
            while lo < sortedPrefix[b] && entries[lo] >> 32 == key {
                found.append(UInt32(truncatingIfNeeded: entries[lo]))
                lo += 1
            }
            for i in sortedPrefix[b]..<entries.count where entries[i] >> 32 == key {
                found.append(UInt32(truncatingIfNeeded: entries[i]))
            }
        }
        found.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(found.count)
        for id in found where unique.last != id { unique.append(id) }
        return unique
    }

    /// Every pair of ids that share a bucket, as (band, earlier id, later id). Within a bucket each id is paired
    /// with at most `maxComparisonsPerEntry` ids before it (the nearest in id order), which bounds the work on huge
    /// buckets; a pair that shares several bands is reported once per band. Seal first.
    public func forEachCandidatePair(maxComparisonsPerEntry: Int, _ body: (Int, UInt32, UInt32) -> Void) {
        forEachCandidatePair(inBands: 0..<bands.count, maxComparisonsPerEntry: maxComparisonsPerEntry, body)
    }

    /// `forEachCandidatePair` over some of the bands only (one thread's share, say), in the order given.
    public func forEachCandidatePair(inBands chosen: some Sequence<Int>, maxComparisonsPerEntry: Int,
                                     _ body: (Int, UInt32, UInt32) -> Void) {
        forEachBucket(inBands: chosen) { band, bucket in
            for j in 1..<bucket.count {
                let later = UInt32(truncatingIfNeeded: bucket[j])
                for i in max(0, j - maxComparisonsPerEntry)..<j {
                    body(band, UInt32(truncatingIfNeeded: bucket[i]), later)
                }
            }
        }
    }

    /// Every bucket of two or more entries (`key << 32 | id` words, ids ascending), band by band. Seal first.
    public func forEachBucket(_ body: (Int, UnsafeBufferPointer<UInt64>) -> Void) {
        forEachBucket(inBands: 0..<bands.count, body)
    }

    /// `forEachBucket` over some of the bands only, in the order given.
    public func forEachBucket(inBands chosen: some Sequence<Int>, _ body: (Int, UnsafeBufferPointer<UInt64>) -> Void) {
        for b in chosen {
            precondition(sortedPrefix[b] == bands[b].count, "seal() the index before listing buckets")
            bands[b].withUnsafeBufferPointer { entries in
                var runStart = 0
                while runStart < entries.count {
                    let key = entries[runStart] >> 32
                    var runEnd = runStart + 1
                    while runEnd < entries.count && entries[runEnd] >> 32 == key { runEnd += 1 }
                    if runEnd - runStart > 1 { body(b, UnsafeBufferPointer(rebasing: entries[runStart..<runEnd])) }
                    runStart = runEnd
                }
            }
        }
    }

    /// The first band whose rows are equal in both signatures, or nil: lets a caller handle a pair only in the first
    /// band it shares, so each pair is verified once.
    public func firstSharedBand(_ x: UnsafeBufferPointer<UInt32>, _ y: UnsafeBufferPointer<UInt32>) -> Int? {
        let rows = parameters.rows
        outer: for b in 0..<parameters.bands {
            for r in (b * rows)..<((b + 1) * rows) where x[r] != y[r] { continue outer }
            return b
        }
        return nil
    }

    /// Bytes held by the band arrays.
    public var memoryBytes: Int { bands.reduce(0) { $0 + $1.capacity * 8 } }
}
