internal import CGhurbalKernels

/// A map from 64-bit hashes to 64-bit values with open addressing and linear probing, in two flat arrays: no
/// per-entry allocation and no rehashing of keys that are hashes already (Fibonacci hashing picks the slot).
/// Key 0 marks an empty slot, so a key of 0 is stored as 1. Reads from several threads are safe once writing is over.
struct FlatHashMap: @unchecked Sendable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private(set) var values: UnsafeMutablePointer<UInt64>
    private(set) var capacity: Int
    private var shift: UInt64
    private(set) var count = 0
    private var owner: Storage

    /// Frees the arrays when the last copy goes.
    private final class Storage: @unchecked Sendable {
        var keys: UnsafeMutablePointer<UInt64>
        var values: UnsafeMutablePointer<UInt64>
        init(_ keys: UnsafeMutablePointer<UInt64>, _ values: UnsafeMutablePointer<UInt64>) {
            self.keys = keys
            self.values = values
        }
        deinit {
            keys.deallocate()
            values.deallocate()
        }
    }

    /// Room for `expected` entries at a load of at most one half.
    init(expected: Int) {
        var c = 16
        while c < expected * 2 { c *= 2 }
        capacity = c
        shift = UInt64(64 - c.trailingZeroBitCount)
        keys = .allocate(capacity: c)
        keys.initialize(repeating: 0, count: c)
        values = .allocate(capacity: c)
        values.initialize(repeating: 0, count: c)
        owner = Storage(keys, values)
    }

    @inline(__always) private static func stored(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always) private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Starts loading the slot where a look-up of `key` begins (a hint; nothing changes): issued for a run of keys
    /// before they are looked up, their cache misses overlap instead of coming one after another.
    @inline(__always)
    func prefetch(_ key: UInt64) {
        let i = slot(Self.stored(key))
        ghurbal_prefetch(keys + i)
        ghurbal_prefetch(values + i)
    }

    /// The value of `key`, or nil.
    func value(_ key: UInt64) -> UInt64? {
        let k = Self.stored(key)
        let mask = capacity - 1
        var i = slot(k)
        while true {
            let here = keys[i]
            if here == k { return values[i] }
            if here == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Calls `update` with the value of `key` (or `initial` for a new key), stores what it returns and returns it.
    @inline(__always) @discardableResult
    mutating func update(_ key: UInt64, initial: UInt64, _ update: (UInt64) -> UInt64) -> UInt64 {
        if (count + 1) * 2 > capacity { grow() }
        let k = Self.stored(key)
        let mask = capacity - 1
        var i = slot(k)
        while true {
            let here = keys[i]
            if here == k { values[i] = update(values[i]); return values[i] }
            if here == 0 {
                keys[i] = k
                values[i] = update(initial)
                count += 1
                return values[i]
            }
            i = (i + 1) & mask
        }
    }

    /// The index stored under `key`, or nil after storing `index` there: "the first item with this key" for items
    /// numbered 0, 1, 2, … (a value of 0 is never stored, so there is no confusion with an empty slot's).
    mutating func firstIndex(for key: UInt64, else index: Int) -> Int? {
        var first: Int?
        update(key, initial: 0) { v in
            if v == 0 { return UInt64(index + 1) }
            first = Int(v) - 1
            return v
        }
        return first
    }

    /// Every entry, in slot order.
    func forEach(_ body: (UInt64, UInt64) -> Void) {
        for i in 0..<capacity where keys[i] != 0 { body(keys[i], values[i]) }
    }

    /// Moves every entry into arrays twice as large. (Field by field: an earlier `self = bigger` here lost entries in
    /// optimized builds, reproduced in a stand-alone program built with -O.)
    @inline(never)
    private mutating func grow() {
        var bigger = FlatHashMap(expected: capacity)
        for i in 0..<capacity where keys[i] != 0 { bigger.insertNew(keys[i], values[i]) }
        owner = bigger.owner
        keys = bigger.keys
        values = bigger.values
        capacity = bigger.capacity
        shift = bigger.shift
        count = bigger.count
    }

    /// Adds a key known to be absent, with room known to be there.
    private mutating func insertNew(_ k: UInt64, _ v: UInt64) {
        let mask = capacity - 1
        var i = slot(k)
        while keys[i] != 0 { i = (i + 1) & mask }
        keys[i] = k
        values[i] = v
        count += 1
    }
}
