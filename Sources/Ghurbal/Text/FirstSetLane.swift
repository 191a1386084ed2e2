/// The first lane of `mask` that is set (0…15), or nil when none is. Portable SIMD has no "move mask": the lanes become
/// the bytes of two 64-bit words (little-endian, lane k in byte k), whose trailing zero bits count the clear lanes before
/// the first set one. Used by the sixteen-byte scan of JSON strings.
@inline(__always)
func firstSetLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int? {
    let lanes = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: mask), to: SIMD2<UInt64>.self)
    let low = lanes[0].littleEndian, high = lanes[1].littleEndian
    if low != 0 { return low.trailingZeroBitCount >> 3 }
    if high != 0 { return 8 + high.trailingZeroBitCount >> 3 }
    return nil
}
