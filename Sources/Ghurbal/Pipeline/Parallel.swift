import Dispatch
import Foundation
import Synchronization

/// Calls `body(state, i)` for every i in 0..<count on up to `workers` threads. Thread w (0 ≤ w < workers) makes its
/// own state once with `makeState(w)` (a segmenter, a signer: scratch that must not be shared). Items are handed out
/// in small chunks as threads ask for them, so an uneven item (or `alongside`) does not hold the others up.
///
/// `alongside`, when given, runs once on one of the threads before it joins in: the serial step of the previous
/// batch (merging its results in input order) overlaps the parallel step of this one. It may touch state the caller
/// owns: the caller is blocked until everything is done, and nothing else runs `alongside`.
func parallelForEach<State>(count: Int, workers: Int, alongside: (() -> Void)? = nil,
                            makeState: @Sendable (Int) -> State, _ body: @Sendable (State, Int) -> Void) {
    let threads = max(1, min(max(1, workers), count))
    let next = Atomic<Int>(0)
    let serial = UncheckedSendable(alongside)
    let chunk = max(1, min(16, count / (threads * 8)))
    withoutActuallyEscaping(makeState) { makeState in
        withoutActuallyEscaping(body) { body in
            let job = UncheckedJob(makeState: makeState, body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
                if w == 0 { serial.value?() }
                guard count > 0 else { return }
                let state = job.makeState(w)
                while true {
                    let start = next.add(chunk, ordering: .relaxed).oldValue
                    if start >= count { break }
                    for i in start..<min(count, start + chunk) { job.body(state, i) }
                }
            }
        }
    }
}

/// A throwing serial step (the merge of a batch) as an `alongside` job of `parallelForEach`, with the error it threw.
final class AlongsideJob {
    private let step: (() throws -> Void)?
    private(set) var failure: Error?

    init(_ step: (() throws -> Void)?) { self.step = step }

    /// Nil when there is no step.
    var run: (() -> Void)? {
        guard let step else { return nil }
        return { [self] in
            do { try step() } catch { failure = error }
        }
    }
}

/// The caller's closures, made escaping for the length of `concurrentPerform` (which returns only when all is done).
private struct UncheckedJob<State>: @unchecked Sendable {
    let makeState: @Sendable (Int) -> State
    let body: @Sendable (State, Int) -> Void
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

/// A value handed to worker threads that use disjoint parts of it (thread w takes element w, say, or writes its own
/// slots through a pointer), or that only one of them runs (a closure its owner waits for).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A value computed on a thread of its own from the moment it is made; `value` waits for it.
final class BackgroundValue<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    init(_ compute: @escaping @Sendable () -> T) {
        Thread.detachNewThread { [self] in
            result = compute()
            done.signal()
        }
    }

    /// The value, once computed (the thread writes it before it signals; the signal is passed on for a later call).
    var value: T {
        done.wait()
        defer { done.signal() }
        return result!
    }
}
