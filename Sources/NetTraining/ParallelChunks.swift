import Dispatch
import NetLayers

/// Runs numbered chunks of work on a fixed number of worker threads, each worker with its own scratch.
///
/// Determinism: a chunk's result must depend only on its index, never on the worker that runs it, and
/// reductions over chunks happen afterwards in chunk order. Layers choose their chunk partitions from shapes
/// alone, so a step's arithmetic is the same for any number of workers: results are bitwise identical for
/// the same seed whatever the thread count (OpenBLAS is kept single-threaded inside the workers).
final class ParallelChunks: @unchecked Sendable {
    /// Worker threads (≥ 1).
    let workers: Int
    /// One scratch arena per worker, grown on demand.
    let scratch: [FloatBuffer]

    init(workers: Int) {
        self.workers = max(1, workers)
        scratch = (0..<max(1, workers)).map { _ in FloatBuffer() }
    }

    /// Worker `worker`'s scratch, at least `count` floats (contents not preserved when it grows).
    func scratch(_ worker: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        scratch[worker].reserve(count)
        return scratch[worker].pointer
    }

    /// Calls `body(chunk, worker)` for chunk = 0..<count; chunk i runs on worker i mod workers.
    func run(_ count: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        if count <= 0 { return }
        let w = min(workers, count)
        if w == 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                for i in stride(from: worker, to: count, by: w) { work(i, worker) }
            }
        }
    }

    /// Splits `n` images into `count` nearly equal contiguous ranges (the first `n % count` one longer).
    static func ranges(_ n: Int, count: Int) -> [Range<Int>] {
        let c = max(1, min(count, n))
        let base = n / c, extra = n % c
        var out: [Range<Int>] = []
        var start = 0
        for i in 0..<c {
            let len = base + (i < extra ? 1 : 0)
            out.append(start..<(start + len))
            start += len
        }
        return out
    }

    /// The chunk count for `n` images needing `perImage` scratch floats each under `limit` floats per chunk:
    /// at least 2 (so two workers share a batch), even, at most n. Depends on shapes only.
    static func chunkCount(images n: Int, perImage: Int, limit: Int) -> Int {
        if n <= 1 { return 1 }
        let perChunk = max(1, limit / max(1, perImage))
        var c = max(2, (n + perChunk - 1) / perChunk)
        if c % 2 == 1 { c += 1 }
        return min(c, n)
    }
}
