import Dispatch
import Foundation
import Synchronization

/// How a layer splits its work: part w of `count` runs on worker w (0 is the caller).
///
/// - `.one`: the caller alone.
/// - `.dispatch(n)`: `DispatchQueue.concurrentPerform` (simple; waking a pool thread costs tens of µs per call).
/// - `.team(t)`: a `WorkerTeam`'s spin-waiting helpers (well under a µs to start while they are awake): for one
///   face split across cores, where each layer's share is only ~100 µs.
public struct Workers: Sendable {
    /// Parts a job is split into (≥ 1).
    public let count: Int
    let team: WorkerTeam?

    public static let one = Workers(count: 1, team: nil)
    public static func dispatch(_ n: Int) -> Workers { Workers(count: max(1, n), team: nil) }
    public static func team(_ t: WorkerTeam) -> Workers { Workers(count: t.size, team: t) }

    /// Runs `body(w)` for w in 0 ..< count, returning when all are done.
    public func run(_ body: @Sendable (Int) -> Void) {
        if count == 1 { body(0) } else if let team { team.run(body) } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}

/// `size − 1` helper threads kept for one user at a time (e.g. one encoder workspace), which spin briefly waiting
/// for work and then sleep on a semaphore until the next job. `run` is not reentrant and not for concurrent
/// callers.
public final class WorkerTeam: @unchecked Sendable {
    /// Workers per job, the caller included.
    public let size: Int
    private let shared: Shared

    /// State the helpers hold (so that the team's deinit can stop them).
    private final class Shared: @unchecked Sendable {
        let posted = Atomic<Int>(0)            // job generation
        let finished = Atomic<Int>(0)          // helpers done with the current generation
        let stopping = Atomic<Bool>(false)
        /// One per helper: whether it sleeps on its semaphore.
        final class Slot: Sendable {
            let sleeping = Atomic<Bool>(false)
            let wake = DispatchSemaphore(value: 0)
        }
        let slots: [Slot]
        /// The current job (written before `posted` is released, read after it is acquired).
        nonisolated(unsafe) var job: (@Sendable (Int) -> Void)?

        init(helpers: Int) {
            slots = (0..<helpers).map { _ in Slot() }
        }
    }

    /// Spin iterations (each a relaxed load) before a helper goes to sleep: ~0.5 ms.
    static let spinLimit = 200_000

    /// A team of `size` workers (≥ 1; `size − 1` threads are started).
    public init(size: Int) {
        self.size = max(1, size)
        shared = Shared(helpers: self.size - 1)
        for h in 0..<(self.size - 1) {
            let s = shared
            let thread = Thread { WorkerTeam.helperLoop(s, helper: h) }
            thread.name = "pairmatch layer worker \(h + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stopping.store(true, ordering: .releasing)
        shared.posted.add(1, ordering: .releasing)
        for slot in shared.slots { slot.wake.signal() }
    }

    /// Runs `body(w)` for w in 0 ..< size: 0 on the caller, the others on the helpers; returns when all are done.
    public func run(_ body: @Sendable (Int) -> Void) {
        guard size > 1 else { body(0); return }
        withoutActuallyEscaping(body) { job in
            shared.job = job
            shared.finished.store(0, ordering: .relaxed)
            shared.posted.add(1, ordering: .sequentiallyConsistent)   // with the helper's store-then-load: no lost wake-up
            for slot in shared.slots where slot.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                slot.wake.signal()
            }
            job(0)
            while shared.finished.load(ordering: .acquiring) < size - 1 { }
            shared.job = nil
        }
    }

    private static func helperLoop(_ s: Shared, helper h: Int) {
        let slot = s.slots[h]
        var seen = 0                                   // the generation at the team's creation: a job posted before this thread ran is still seen
        while true {
            var spins = 0
            var now = s.posted.load(ordering: .acquiring)
            while now == seen {
                spins += 1
                if spins >= spinLimit {
                    slot.sleeping.store(true, ordering: .sequentiallyConsistent)
                    now = s.posted.load(ordering: .sequentiallyConsistent)
                    if now != seen {
                        // a job arrived meanwhile: if the poster already cleared the flag it signals too
                        if !slot.sleeping.exchange(false, ordering: .sequentiallyConsistent) { slot.wake.wait() }
                        break
                    }
                    slot.wake.wait()
                    spins = 0
                }
                now = s.posted.load(ordering: .acquiring)
            }
            seen = s.posted.load(ordering: .acquiring)
            if s.stopping.load(ordering: .acquiring) { return }
            s.job?(h + 1)
            s.finished.add(1, ordering: .releasing)
        }
    }
}
