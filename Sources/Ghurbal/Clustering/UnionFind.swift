/// Disjoint sets over dense integer ids 0..<n, in one array: path halving and union by size (the size lives in
/// the root's slot as a negative number).
public struct UnionFind: Sendable {
    var parent: [Int32]

    public init(count: Int) {
        parent = Array(repeating: -1, count: count)
    }

    public var count: Int { parent.count }

    public mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] >= 0 {
            let p = Int(parent[x])
            if parent[p] >= 0 { parent[x] = parent[p] }
            x = p
        }
        return x
    }

    /// Joins the sets of `a` and `b`; returns false when they were already one.
    @discardableResult
    public mutating func union(_ a: Int, _ b: Int) -> Bool {
        var ra = find(a), rb = find(b)
        if ra == rb { return false }
        if parent[ra] > parent[rb] { swap(&ra, &rb) }
        parent[ra] += parent[rb]
        parent[rb] = Int32(ra)
        return true
    }

    public mutating func setSize(_ x: Int) -> Int { Int(-parent[find(x)]) }

    /// The sets with more than one member, each sorted ascending, ordered by their smallest member.
    public mutating func groups() -> [[Int]] {
        // Counting by root in two passes over flat arrays: members come out ascending, groups by smallest member.
        let n = parent.count
        var root = [Int32](repeating: 0, count: n)
        var slot = [Int32](repeating: -1, count: n)
        var sizes: [Int] = []
        for x in 0..<n {
            let r = find(x)
            root[x] = Int32(r)
            guard parent[r] < -1 else { continue }
            if slot[r] < 0 {
                slot[r] = Int32(sizes.count)
                sizes.append(Int(-parent[r]))
            }
        }
        var result = sizes.map { size -> [Int] in
            var g: [Int] = []
            g.reserveCapacity(size)
            return g
        }
        for x in 0..<n where slot[Int(root[x])] >= 0 { result[Int(slot[Int(root[x])])].append(x) }
        return result
    }
}
