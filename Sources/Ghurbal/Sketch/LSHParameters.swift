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
    ///
    /// Both areas by the midpoint rule, 200 steps each. For each number of rows r, the powers s^r at the 400 points
    /// are taken once, and (1 − s^r)^b for b = 1, 2, … by one more multiplication each: the search costs about as
    /// much as 700 evaluations of the 400 points, instead of 700 × 400 powers (it ran three times per job, on the
    /// critical path between passes).
    public static func optimal(threshold: Double, permutations: Int,
                               falsePositiveWeight: Double = 0.05, falseNegativeWeight: Double = 0.95) -> LSHParameters {
        precondition(threshold > 0 && threshold < 1, "threshold must be in (0, 1)")
        let steps = 200
        let below = (threshold - 0) / Double(steps), above = (1 - threshold) / Double(steps)
        var points = [Double]()
        for i in 0..<steps { points.append((Double(i) + 0.5) * below) }
        for i in 0..<steps { points.append(threshold + (Double(i) + 0.5) * above) }
        // errors[b - 1][r - 1]: the weighted error of b bands of r rows.
        var errors = (1...permutations).map { b in [Double](repeating: 0, count: permutations / b) }
        for r in 1...permutations {
            let missOne = points.map { 1 - pow1($0, r) }
            var missAll = missOne  // (1 − s^r)^b: no band shared
            for b in 1...(permutations / r) {
                if b > 1 { for i in 0..<(2 * steps) { missAll[i] *= missOne[i] } }
                var fp = 0.0, fn = 0.0
                for i in 0..<steps { fp += 1 - missAll[i] }
                for i in steps..<(2 * steps) { fn += missAll[i] }
                errors[b - 1][r - 1] = falsePositiveWeight * fp * below + falseNegativeWeight * fn * above
            }
        }
        var best = LSHParameters(bands: 1, rows: 1)
        var bestError = Double.infinity
        for b in 1...permutations {
            for r in 1...(permutations / b) where errors[b - 1][r - 1] < bestError - 1e-15 {
                bestError = errors[b - 1][r - 1]
                best = LSHParameters(bands: b, rows: r)
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
