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
        var byRoot: [Int: [Int]] = [:]
        for x in 0..<parent.count {
            let r = find(x)
            if parent[r] < -1 { byRoot[r, default: []].append(x) }
        }
        return byRoot.values.sorted { $0[0] < $1[0] }
    }
}
