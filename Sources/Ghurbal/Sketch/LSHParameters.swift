/// Bands × rows for LSH banding of MinHash signatures.
///
/// Two documents with Jaccard similarity *s* share at least one band with probability P(s) = 1 − (1 − s^r)^b. The
/// choice minimises, over b·r ≤ k, w_fp·∫₀ᵗ P(s) ds + w_fn·∫ₜ¹ 1 − P(s) ds, as datasketch does, but with other
/// weights: datasketch weighs both areas ½, which at t = 0.8, k = 128 gives (9, 13) and P(0.85) = 0.69 — a third of
/// the true duplicates just above the threshold are never even compared. Ghurbal verifies every candidate on the full
/// signature, so a false positive costs one comparison while a false negative loses a duplicate: the defaults are
/// w_fp = 0.05, w_fn = 0.95, which give (16, 8) at t = 0.8 with P(0.8) = 0.95, P(0.85) = 0.994 and P(0.5) = 0.06.
public struct LSHParameters: Sendable, Hashable, CustomStringConvertible {
    public let bands: Int
    public let rows: Int

    public init(bands: Int, rows: Int) {
        precondition(bands >= 1 && rows >= 1, "bands and rows must be positive")
        self.bands = bands
        self.rows = rows
    }

    /// The (bands, rows) with b·r ≤ `permutations` that minimises the weighted error areas around `threshold`.
    public static func optimal(threshold: Double, permutations: Int,
                               falsePositiveWeight: Double = 0.05, falseNegativeWeight: Double = 0.95) -> LSHParameters {
        precondition(threshold > 0 && threshold < 1, "threshold must be in (0, 1)")
        var best = LSHParameters(bands: 1, rows: 1)
        var bestError = Double.infinity
        for b in 1...permutations {
            for r in 1...(permutations / b) {
                let candidate = LSHParameters(bands: b, rows: r)
                let fp = integrate(0, threshold) { candidate.candidateProbability($0) }
                let fn = integrate(threshold, 1) { 1 - candidate.candidateProbability($0) }
                let error = falsePositiveWeight * fp + falseNegativeWeight * fn
                if error < bestError - 1e-15 {
                    bestError = error
                    best = candidate
                }
            }
        }
        return best
    }

    /// The probability that two documents of Jaccard similarity `s` share at least one band.
    public func candidateProbability(_ s: Double) -> Double {
        1 - pow1(1 - pow1(s, rows), bands)
    }

    public var description: String {
        let points = [0.5, 0.7, 0.8, 0.9].map { s in "P(\(s))=\(formatFixed(candidateProbability(s), 4))" }
        return "bands=\(bands) rows=\(rows) " + points.joined(separator: " ")
    }

    private static func integrate(_ lo: Double, _ hi: Double, _ f: (Double) -> Double) -> Double {
        // Midpoint rule; 200 steps is far below the differences between neighbouring (b, r).
        let steps = 200
        let h = (hi - lo) / Double(steps)
        var sum = 0.0
        for i in 0..<steps { sum += f(lo + (Double(i) + 0.5) * h) }
        return sum * h
    }
}

@inline(__always) func pow1(_ x: Double, _ n: Int) -> Double {
    var result = 1.0, base = x, e = n
    while e > 0 {
        if e & 1 == 1 { result *= base }
        base *= base
        e >>= 1
    }
    return result
}

/// `x` with `digits` decimals, without Foundation's formatter.
func formatFixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    let scale = pow1(10, digits)
    let scaled = (abs(x) * scale).rounded()
    let whole = Int(scaled / scale)
    let frac = Int(scaled - Double(whole) * scale)
    var fracText = String(frac)
    while fracText.count < digits { fracText = "0" + fracText }
    return (x < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fracText : "")
}
