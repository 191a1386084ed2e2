/// Sorts 64-bit words ascending: least significant digit first, 8 bits at a time, each pass stable. A digit that is
/// the same in every word costs nothing beyond the one counting pass. When the lower halves are already ascending
/// (an `LSHIndex` band: ids are appended in order) only the upper four digits are sorted, since stable passes keep
/// that order within equal upper halves. For the long arrays of the index, several times faster than `sort()`.
func radixSort(_ words: inout [UInt64]) {
    let n = words.count
    guard n > 64 else {
        words.sort()
        return
    }
    // The upper four digits are counted in one pass that also checks the lower halves; the lower four only when
    // those are not ascending (a second counting pass, rare).
    var counts = [Int](repeating: 0, count: 8 * 256)
    var lowerAscending = true
    words.withUnsafeBufferPointer { w in
        counts.withUnsafeMutableBufferPointer { c in
            var previous: UInt32 = 0
            for x in w {
                for d in 4..<8 { c[d &* 256 &+ Int((x >> UInt64(8 &* d)) & 0xFF)] &+= 1 }
                let low = UInt32(truncatingIfNeeded: x)
                if low < previous { lowerAscending = false }
                previous = low
            }
            if !lowerAscending {
                for x in w {
                    for d in 0..<4 { c[d &* 256 &+ Int((x >> UInt64(8 &* d)) & 0xFF)] &+= 1 }
                }
            }
        }
    }
    // (Not zeroed: every pass writes all n words before the next reads them.)
    var scratch = [UInt64](unsafeUninitializedCapacity: n) { _, count in count = n }
    var inWords = true
    for digit in (lowerAscending ? 4 : 0)..<8 {
        let base = digit * 256
        if counts[base..<(base + 256)].contains(n) { continue }
        var offsets = [Int](repeating: 0, count: 256)
        var sum = 0
        for v in 0..<256 {
            offsets[v] = sum
            sum += counts[base + v]
        }
        let shift = UInt64(8 * digit)
        words.withUnsafeMutableBufferPointer { w in
            scratch.withUnsafeMutableBufferPointer { s in
                offsets.withUnsafeMutableBufferPointer { o in
                    let (from, to) = inWords ? (w, s) : (s, w)
                    for x in from {
                        let v = Int((x >> shift) & 0xFF)
                        to[o[v]] = x
                        o[v] &+= 1
                    }
                }
            }
        }
        inWords.toggle()
    }
    if !inWords { swap(&words, &scratch) }
}
