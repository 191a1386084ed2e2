import Dispatch

/// Calls `body(state, i)` for every i in 0..<count on up to `workers` threads. Thread w (0 ≤ w < workers) makes its
/// own state once with `makeState(w)` (a segmenter, a signer: scratch that must not be shared) and takes
/// i = w, w + threads, w + 2·threads, …
func parallelForEach<State>(count: Int, workers: Int, makeState: @Sendable (Int) -> State,
                               _ body: @Sendable (State, Int) -> Void) {
    let threads = min(max(1, workers), count)
    guard threads > 0 else { return }
    DispatchQueue.concurrentPerform(iterations: threads) { w in
        let state = makeState(w)
        var i = w
        while i < count {
            body(state, i)
            i += threads
        }
    }
}

/// Write-once slots filled from several threads, each slot by one thread only.
final class ParallelSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    let count: Int
    init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(1, count))
        storage.initialize(repeating: nil, count: count)
    }
    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }
    subscript(i: Int) -> T? {
        get { storage[i] }
        set { storage[i] = newValue }
    }
}

/// A pointer handed to worker threads that write disjoint parts of it.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
