internal import CGhurbalKernels

/// MinHash with *k* permutations derived from one 64-bit hash per shingle.
///
/// The shingle hash h is folded to y = (h ⊕ h≫32) mod 2^32, and permutation *p* is the bijection of 32-bit words
/// π_p(y) = a_p·(y ⊕ s_p) + b_p mod 2^32, a_p odd, s_p and b_p random (all from the seed by SplitMix64): an
/// xor-multiply-add family. Slot *p* of the signature is min π_p(y) over the shingles. Unlike multiply-add-shift
/// (which needs a 64-bit product) it is not 2-universal in theory — an affine map mod 2^32 mixes its low bits poorly —
/// but its inputs are XXH3 outputs, not structured keys, and the minimum is taken over whole 32-bit words, whose order
/// the high bits decide. The tests hold it to what MinHash needs. 32-bit lanes because every
/// x86-64 vector unit multiplies and compares them natively; a mod 2^64 family measured 44 ns per hash with AVX2 (no
/// 64-bit vector multiply), this one is in `SketchBenchmark`. `MinHasherTests` checks estimates, their mean and their
/// variance against known Jaccard values. The fold runs in a C kernel compiled for AVX-512, AVX2 and the baseline,
/// chosen at load time (`kernelName`).
public struct MinHasher: Sendable {
    public let permutations: Int
    public let seed: UInt64
    let a: [UInt32]
    let b: [UInt32]
    let s: [UInt32]

    public init(permutations: Int = 128, seed: UInt64 = 0x5EED_6875_7262_616C) {
        precondition(permutations >= 1, "at least one permutation")
        self.permutations = permutations
        self.seed = seed
        var state = seed
        var a = [UInt32](), b = [UInt32](), s = [UInt32]()
        for _ in 0..<permutations {
            let r = splitMix64(&state)
            a.append(UInt32(truncatingIfNeeded: r) | 1)
            b.append(UInt32(truncatingIfNeeded: r >> 32))
            s.append(UInt32(truncatingIfNeeded: splitMix64(&state)))
        }
        self.a = a
        self.b = b
        self.s = s
    }

    /// Which compiled kernel this CPU uses.
    public static var kernelName: String { String(cString: ghurbal_minhash_kernel_name()) }

    /// Folds `hashes` into `signature` (k running minima; start from `UInt32.max`).
    @inline(__always)
    public func fold(_ hashes: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutablePointer<UInt32>) {
        guard let h = hashes.baseAddress, hashes.count > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                s.withUnsafeBufferPointer { ps in
                    ghurbal_minhash_fold(signature, pa.baseAddress!, pb.baseAddress!, ps.baseAddress!, permutations,
                                         h, hashes.count)
                }
            }
        }
    }

    /// The same fold in plain Swift, one hash and one permutation at a time: the reference the kernel is tested
    /// against and the scalar baseline of the benchmark.
    public func foldScalar(_ hashes: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutablePointer<UInt32>) {
        for h in hashes {
            let y = UInt32(truncatingIfNeeded: h ^ (h >> 32))
            for p in 0..<permutations {
                let v = a[p] &* (y ^ s[p]) &+ b[p]
                if v < signature[p] { signature[p] = v }
            }
        }
    }

    /// The signature of a set of shingle hashes, written to `signature` (k slots). Returns false, leaving every
    /// slot at `UInt32.max`, when there are no hashes.
    @discardableResult
    public func sign(_ hashes: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutablePointer<UInt32>) -> Bool {
        signature.update(repeating: .max, count: permutations)
        fold(hashes, into: signature)
        return hashes.count > 0
    }

    /// Convenience: the signature of `hashes` as an array.
    public func signature(of hashes: [UInt64]) -> MinHashSignature {
        var slots = [UInt32](repeating: .max, count: permutations)
        hashes.withUnsafeBufferPointer { h in
            slots.withUnsafeMutableBufferPointer { _ = sign(h, into: $0.baseAddress!) }
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
    // Eight slots at a time and no branch per slot (which mispredicts half the time near J = 0.5).
    let x = UnsafeRawPointer(a.baseAddress!), y = UnsafeRawPointer(b.baseAddress!)
    let n = a.count
    var lanes = SIMD8<UInt32>()
    var i = 0
    while i + 8 <= n {
        let u = x.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self)
        let v = y.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self)
        lanes &+= SIMD8<UInt32>(repeating: 0).replacing(with: 1, where: u .== v)
        i += 8
    }
    var equal = Int(lanes.wrappedSum())
    while i < n {
        if a[i] == b[i] { equal += 1 }
        i += 1
    }
    return Double(equal) / Double(n)
}

/// The number of equal slots among the first `count` 16-bit slots at `a` and `b` (signatures cut to 16 bits a slot, as
/// the boilerplate detector keeps its block signatures), sixteen slots at a time.
@inline(__always)
func equalSlots16(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count n: Int) -> Int {
    var lanes = SIMD16<UInt16>()
    var i = 0
    while i + 16 <= n {
        let u = a.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<UInt16>.self)
        let v = b.loadUnaligned(fromByteOffset: i * 2, as: SIMD16<UInt16>.self)
        lanes &+= SIMD16<UInt16>(repeating: 0).replacing(with: 1, where: u .== v)
        i += 16
    }
    var equal = Int(lanes.wrappedSum())
    while i < n {
        if a.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self) == b.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self) {
            equal += 1
        }
        i += 1
    }
    return equal
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
