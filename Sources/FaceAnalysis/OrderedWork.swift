import Dispatch
import Foundation
import NetLayers

/// Runs `work` over `count` items on `threads` workers and hands each result to `emit` **in input order**,
/// as soon as it and all earlier ones are done (so output streams while later items still run). `emit` runs
/// under a lock, on whichever worker completed the missing item.
public enum OrderedWork {
    public static func run<R>(count: Int, threads: Int, work: @Sendable (Int) -> R, emit: (Int, R) -> Void) {
        guard count > 0 else { return }
        let state = State<R>(count: count)
        BLASThreads.useSingleThreadedBLAS()   // items in parallel; BLAS must not add threads of its own
        withoutActuallyEscaping(emit) { emit in
            let box = EmitBox(emit)
            DispatchQueue.concurrentPerform(iterations: min(max(1, threads), count)) { _ in
                while let i = state.take() {
                    let r = work(i)
                    state.finish(i, r) { j, value in box.emit(j, value) }
                }
            }
        }
    }

    private final class EmitBox<R>: @unchecked Sendable {
        let emit: (Int, R) -> Void
        init(_ emit: @escaping (Int, R) -> Void) { self.emit = emit }
    }

    private final class State<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0, cursor = 0
        private var pending: [Int: R] = [:]
        private let count: Int
        init(count: Int) { self.count = count }

        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }

        func finish(_ i: Int, _ r: R, emit: (Int, R) -> Void) {
            lock.lock(); defer { lock.unlock() }
            pending[i] = r
            while let v = pending.removeValue(forKey: cursor) {
                emit(cursor, v)
                cursor += 1
            }
        }
    }
}
