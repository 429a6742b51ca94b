import Dispatch
import Foundation
import HTTPTypes
import NetLayers

/// The threads that run inference: a fixed number of worker threads of their own (not the event loop, not Swift's
/// cooperative pool, so a 300 ms face detection never stalls I/O or other tasks), each running one synchronous
/// workflow call at a time with OpenBLAS single-threaded, and a bounded queue in front of them.
///
/// `submit` suspends the caller until a worker has run the job and returns its result. It fails at once with
/// `.busy` when every worker is taken and `queueLimit` jobs already wait; a job still waiting `deadline` after it was
/// submitted is dropped with `.expired`; a cancelled caller's waiting job is dropped. A job that has started always
/// runs to the end (synchronous code cannot be interrupted), so its caller always gets an answer.
final class InferencePool: @unchecked Sendable {
    /// Why a job was not run. Each answers 503 (with `Retry-After: 1` where retrying can help).
    enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Every worker is busy and the queue is full.
        case busy(workers: Int, queueLimit: Int)
        /// The job waited longer than the deadline (seconds) for a worker.
        case expired(seconds: Double)
        /// The pool is shutting down.
        case shutDown

        var description: String {
            switch self {
            case .busy(let w, let q):
                return "the server is busy: all \(w) inference worker\(w == 1 ? " is" : "s are") running and \(q) request\(q == 1 ? " is" : "s are") waiting; retry shortly"
            case .expired(let s): return "the request waited \(s) s for an inference worker (the deadline); retry shortly"
            case .shutDown: return "the server is shutting down"
            }
        }

        var apiError: APIError {
            switch self {
            case .busy: return .busy(description)
            case .expired:
                var e = APIError.busy(description)
                e.code = "timeout"
                return e
            case .shutDown: return .notReady(description)
            }
        }
    }

    /// Worker threads.
    let workers: Int
    /// Jobs that may wait beyond the idle workers.
    let queueLimit: Int
    /// Longest wait for a worker, seconds.
    let deadline: Double

    private let condition = NSCondition()
    private var queue: [Job] = []          // waiting jobs, oldest first (≤ idle workers + queueLimit)
    private var running = 0                // jobs a worker is running now
    private var stopping = false
    private let onChange: @Sendable (_ waiting: Int, _ running: Int) -> Void

    /// Starts `workers` threads. `onChange(waiting, running)` is called (under the pool's lock, keep it cheap) whenever
    /// either count changes: the metrics' queue depth.
    init(workers: Int, queueLimit: Int, deadline: Double, onChange: @escaping @Sendable (_ waiting: Int, _ running: Int) -> Void = { _, _ in }) {
        precondition(workers >= 1 && queueLimit >= 0 && deadline > 0)
        self.workers = workers
        self.queueLimit = queueLimit
        self.deadline = deadline
        self.onChange = onChange
        BLASThreads.useSingleThreadedBLAS()   // one request per worker; BLAS must not add threads of its own
        for i in 0..<workers {
            let thread = Thread { [self] in self.work() }
            thread.name = "pairmatch-inference-\(i + 1)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Whether a job submitted now would be refused as busy (every worker running and the queue full). A fast
    /// check before a request's body is read; `submit` decides for real.
    var isFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !stopping && queue.count >= (workers - running) + queueLimit
    }

    /// Jobs waiting for a worker now.
    var waiting: Int { condition.lock(); defer { condition.unlock() }; return queue.count }

    /// Jobs a worker is running now.
    var active: Int { condition.lock(); defer { condition.unlock() }; return running }

    /// Runs `body` on a worker thread and returns its result (or rethrows its error). Throws `Refusal` when the job
    /// is not run (busy, expired, shutting down) and `CancellationError` when the caller was cancelled while it waited.
    func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let job = Job()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                job.run = { continuation.resume(with: Result { try body() }) }
                job.fail = { continuation.resume(throwing: $0) }
                if let refusal = enqueue(job) { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            self.drop(job, CancellationError())
        }
    }

    /// Stops accepting jobs; the workers finish the jobs already queued, then end.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: Internals

    private final class Job: @unchecked Sendable {
        enum State { case new, waiting, running, done }
        var state = State.new          // guarded by the pool's lock
        var cancelled = false          // guarded by the pool's lock
        var submitted = DispatchTime.now()
        var run: () -> Void = {}
        var fail: (Error) -> Void = { _ in }
    }

    /// Queues `job`, or returns why not (the caller resumes with it).
    private func enqueue(_ job: Job) -> Error? {
        condition.lock()
        defer { condition.unlock() }
        if job.cancelled { job.state = .done; return CancellationError() }
        if stopping { job.state = .done; return Refusal.shutDown }
        let idle = workers - running
        guard queue.count < idle + queueLimit else { job.state = .done; return Refusal.busy(workers: workers, queueLimit: queueLimit) }
        job.state = .waiting
        job.submitted = .now()
        queue.append(job)
        onChange(queue.count, running)
        condition.signal()
        DispatchQueue.global().asyncAfter(deadline: job.submitted + deadline) { [weak self] in
            self?.drop(job, Refusal.expired(seconds: self?.deadline ?? 0))
        }
        return nil
    }

    /// Fails `job` with `error` if it has not started (expired or cancelled); a no-op once it runs.
    private func drop(_ job: Job, _ error: Error) {
        condition.lock()
        switch job.state {
        case .new:
            job.cancelled = true
            condition.unlock()
        case .waiting:
            queue.removeAll { $0 === job }
            job.state = .done
            onChange(queue.count, running)
            condition.unlock()
            job.fail(error)
        case .running, .done:
            condition.unlock()
        }
    }

    /// One worker: takes the oldest job, runs it, until the pool stops and the queue is empty.
    private func work() {
        BLASThreads.useSingleThreadedBLAS()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            guard !queue.isEmpty else { condition.unlock(); return }
            let job = queue.removeFirst()
            let late = DispatchTime.now() > job.submitted + deadline
            job.state = late ? .done : .running
            if !late { running += 1 }
            onChange(queue.count, running)
            condition.unlock()
            if late { job.fail(Refusal.expired(seconds: deadline)); continue }
            job.run()
            job.run = {}
            condition.lock()
            job.state = .done
            running -= 1
            onChange(queue.count, running)
            condition.unlock()
        }
    }
}
