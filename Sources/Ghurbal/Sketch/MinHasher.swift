internal import CGhurbalKernels

/// MinHash with *k* permutations derived from one 64-bit hash per shingle.
///
/// Permutation *p* is the affine map π_p(x) = (a_p·x + b_p) mod 2^64 with a_p odd (a bijection of 64-bit words) —
/// Dietzfelbinger's multiply-add family. Its high bits mix every bit of x, and the signature keeps the high
/// 32 bits of each minimum, so slot *p* holds ⌊min_x π_p(x) / 2^32⌋. `MinHasherTests` checks the estimates
/// against known Jaccard values. The fold runs in a C kernel compiled for AVX-512, AVX2 and the baseline and chosen
/// at load time (`kernelName`).
public struct MinHasher: Sendable {
    public let permutations: Int
    public let seed: UInt64
    let a: [UInt64]
    let b: [UInt64]

    public init(permutations: Int = 128, seed: UInt64 = 0x5EED_6875_7262_616C) {
        precondition(permutations >= 1, "at least one permutation")
        self.permutations = permutations
        self.seed = seed
        var state = seed
        var a = [UInt64](), b = [UInt64]()
        a.reserveCapacity(permutations)
        b.reserveCapacity(permutations)
        for _ in 0..<permutations {
            a.append(splitMix64(&state) | 1)
            b.append(splitMix64(&state))
        }
        self.a = a
        self.b = b
    }

    /// Which compiled kernel this CPU uses.
    public static var kernelName: String { String(cString: ghurbal_minhash_kernel_name()) }

    /// Folds `hashes` into `minima` (k 64-bit running minima, start from `UInt64.max`).
    @inline(__always)
    public func fold(_ hashes: UnsafeBufferPointer<UInt64>, into minima: UnsafeMutablePointer<UInt64>) {
        guard let h = hashes.baseAddress, hashes.count > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                ghurbal_minhash_fold(minima, pa.baseAddress!, pb.baseAddress!, permutations, h, hashes.count)
            }
        }
    }

    /// The same fold in plain Swift, one hash and one permutation at a time: the reference the kernel is tested
    /// against and the scalar baseline of the benchmark.
    public func foldScalar(_ hashes: UnsafeBufferPointer<UInt64>, into minima: UnsafeMutablePointer<UInt64>) {
        for x in hashes {
            for p in 0..<permutations {
                let v = a[p] &* x &+ b[p]
                if v < minima[p] { minima[p] = v }
            }
        }
    }

    /// The signature of a set of shingle hashes, written to `signature` (k slots). Returns false, leaving every
    /// slot at `UInt32.max`, when there are no hashes.
    @discardableResult
    public func sign(_ hashes: UnsafeBufferPointer<UInt64>, minima: UnsafeMutablePointer<UInt64>,
                     into signature: UnsafeMutablePointer<UInt32>) -> Bool {
        minima.update(repeating: .max, count: permutations)
        fold(hashes, into: minima)
        for p in 0..<permutations { signature[p] = UInt32(truncatingIfNeeded: minima[p] >> 32) }
        return hashes.count > 0
    }

    /// Convenience: the signature of `hashes` as an array.
    public func signature(of hashes: [UInt64]) -> MinHashSignature {
        var minima = [UInt64](repeating: .max, count: permutations)
        var slots = [UInt32](repeating: .max, count: permutations)
        hashes.withUnsafeBufferPointer { h in
            minima.withUnsafeMutableBufferPointer { m in
                slots.withUnsafeMutableBufferPointer { s in _ = sign(h, minima: m.baseAddress!, into: s.baseAddress!) }
            }
        }
        return MinHashSignature(slots: slots)
    }
}

/// A MinHash signature: k fixed-width slots.
public struct MinHashSignature: Sendable, Hashable {
    public var slots: [UInt32]
    public init(slots: [UInt32]) { self.slots = slots }

    /// The share of equal slots: an unbiased estimate of the Jaccard similarity of the two shingle sets.
    public func estimatedJaccard(_ other: MinHashSignature) -> Double {
        slots.withUnsafeBufferPointer { a in
            other.slots.withUnsafeBufferPointer { b in Ghurbal.estimatedJaccard(a, b) }
        }
    }
}

/// The share of equal slots of two signatures of the same length.
@inline(__always)
public func estimatedJaccard(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
    precondition(a.count == b.count && a.count > 0)
    var equal = 0
    for i in 0..<a.count where a[i] == b[i] { equal += 1 }
    return Double(equal) / Double(a.count)
}

/// SplitMix64, for deriving parameters from a seed.
@inline(__always)
func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
