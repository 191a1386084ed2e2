/// JSON pieces appended to a line of bytes, for the report writers: no string is built per value.
extension Array where Element == UInt8 {
    mutating func appendASCII(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(0x2D) }
        var v = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(0x30 + v % 10)
                v /= 10
                count += 1
            } while v > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// `x` with `digits` decimals, exactly as `formatFixed` writes it.
    mutating func appendFixed(_ x: Double, digits: Int) {
        let scale = pow1(10, digits)
        let scaled = (abs(x) * scale).rounded()
        let whole = Int(exactly: (scaled / scale).rounded(.towardZero)) ?? -1
        let frac = whole < 0 ? -1 : Int(scaled - Double(whole) * scale)
        guard x.isFinite, frac >= 0 else { append(contentsOf: formatFixed(x, digits).utf8); return }
        if x < 0 && scaled != 0 { append(0x2D) }
        appendDecimal(whole)
        guard digits > 0 else { return }
        append(0x2E)
        var width = 1, limit = 10
        while frac >= limit && width < 18 { width += 1; limit *= 10 }
        for _ in width..<Swift.max(width, digits) { append(0x30) }
        appendDecimal(frac)
    }

    /// `text` as a JSON string token, as `JSONLine.quoted` writes it.
    mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { JSONLine.appendEscaped($0, to: &self) }
    }
}
