import Dispatch
import Foundation
import Synchronization

/// Calls `body(state, i)` for every i in 0..<count on up to `workers` threads, and returns when all are done. Thread w
/// (0 ≤ w < workers) makes its own state once with `makeState(w)` (scratch that must not be shared). Items are handed
/// out in small chunks as threads ask for them, so an uneven item does not hold the others up. (For a stream of
/// batches, `pipelineBatches` has no barrier between them.)
func parallelForEach<State>(count: Int, workers: Int,
                            makeState: @Sendable (Int) -> State, _ body: @Sendable (State, Int) -> Void) {
    let threads = max(1, min(max(1, workers), count))
    let next = Atomic<Int>(0)
    let chunk = claimSize(items: count, threads: threads)
    withoutActuallyEscaping(makeState) { makeState in
        withoutActuallyEscaping(body) { body in
            let job = UncheckedJob(makeState: makeState, body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { w in
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

/// How many items a thread takes at a time from `items` shared by `threads`: small (about an eighth of a thread's
/// share, at most 16), so that an uneven item holds only its own claim up.
private func claimSize(items: Int, threads: Int) -> Int {
    max(1, min(16, items / (threads * 8)))
}

/// A stream of batches through `workers` threads with no barrier between batches: a thread that finds no item left
/// in the oldest unfinished batch takes items of the next one, while whichever thread completes the oldest batch
/// merges it (`merge`, in input order, one batch at a time). With a barrier per batch, as `parallelForEach` has, the
/// other threads wait at the end of every batch for the last items and for the thread that wakes them: on the 101 MB
/// dump, about a tenth of two cores' time.
///
/// `produce` runs on a thread of its own and hands over each batch in order with `submit(work, itemCount)`, which
/// waits while `maxInFlight` batches are not yet merged and throws (to stop the producer) once a merge has thrown.
/// `process(state, work, i)` runs for every item on one of the workers, thread w having made its state once with
/// `makeState(w)`; `merge` may touch state the caller owns (one merge at a time, each after the one before). Errors:
/// a merge's error, else the producer's, is thrown once every thread has stopped; after an error, no further batch
/// is merged.
func pipelineBatches<Work, State>(workers: Int, maxInFlight: Int = 4, makeState: (Int) -> State,
                                  produce: @escaping (_ submit: (Work, Int) throws -> Void) throws -> Void,
                                  process: (State, Work, Int) -> Void,
                                  merge: (Work) throws -> Void) throws {
    let threads = max(1, workers)
    let line = BatchLine<Work>(maxInFlight: max(1, maxInFlight), workers: threads)
    let producer = UncheckedSendable(produce)
    let produced = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        do {
            try producer.value { work, count in try line.submit(work, count: count) }
            line.close(failure: nil)
        } catch {
            line.close(failure: error)
        }
        produced.signal()
    }
    try withoutActuallyEscaping(makeState) { makeState in
        try withoutActuallyEscaping(process) { process in
            try withoutActuallyEscaping(merge) { merge in
                let job = UncheckedSendable((makeState, process, merge))
                DispatchQueue.concurrentPerform(iterations: threads) { w in
                    let (makeState, process, merge) = job.value
                    line.work(makeState: { makeState(w) }, process: process, merge: merge)
                }
                produced.wait()
                if let failure = line.failure { throw failure }
            }
        }
    }
}

/// The batches of `pipelineBatches` not yet merged, in order, and who does what next (under one lock).
private final class BatchLine<Work>: @unchecked Sendable {
    private final class Batch {
        let work: Work
        let count: Int
        let chunk: Int
        var claimed = 0
        var done = 0
        init(work: Work, count: Int, chunk: Int) { (self.work, self.count, self.chunk) = (work, count, chunk) }
    }
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private let maxInFlight: Int
    private let workers: Int
    private var closed = false
    private var merging = false
    /// A merge's error, or the producer's.
    private(set) var failure: Error?

    init(maxInFlight: Int, workers: Int) {
        self.maxInFlight = maxInFlight
        self.workers = workers
    }

    func submit(_ work: Work, count: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= maxInFlight && failure == nil { condition.wait() }
        if let failure { throw failure }
        batches.append(Batch(work: work, count: count, chunk: claimSize(items: count, threads: workers)))
        condition.broadcast()
    }

    /// The producer is done (or failed): the workers finish what was submitted (or stop) and return.
    func close(failure error: Error?) {
        condition.lock()
        closed = true
        if let error, failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// A worker: merges the oldest batch when it is complete and nobody else is merging, else claims items of the
    /// oldest batch that has some left, else waits.
    func work<State>(makeState: () -> State, process: (State, Work, Int) -> Void, merge: (Work) throws -> Void) {
        let state = makeState()
        condition.lock()
        while failure == nil {
            if !merging, let head = batches.first, head.done == head.count {
                batches.removeFirst()
                merging = true
                condition.broadcast()  // room for the producer
                condition.unlock()
                var error: Error?
                do { try merge(head.work) } catch let e { error = e }
                condition.lock()
                merging = false
                if let error, failure == nil { failure = error }
                condition.broadcast()
                continue
            }
            if let batch = batches.first(where: { $0.claimed < $0.count }) {
                let start = batch.claimed
                let end = min(batch.count, start + batch.chunk)
                batch.claimed = end
                condition.unlock()
                for i in start..<end { process(state, batch.work, i) }
                condition.lock()
                // (Nobody is woken when the batch is complete: this thread goes round and merges it if it is the
                // oldest and no merge is running, else the thread merging goes round and finds it.)
                batch.done += end - start
                continue
            }
            if closed && batches.isEmpty && !merging { break }
            condition.wait()
        }
        condition.unlock()
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
