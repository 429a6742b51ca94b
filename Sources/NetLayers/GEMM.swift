import COpenBLAS

/// The project's one hot GEMM entry point (row-major single precision, OpenBLAS `cblas_sgemm` through
/// `pm_sgemm`): C = alpha·op(A)·op(B) + beta·C with op(A) [m, k], op(B) [k, n], C [m, n].
///
/// `lda`, `ldb`, `ldc` are row strides in elements (≥ the row length of the stored matrix). With `beta == 1`
/// OpenBLAS adds into C without a scaling pass (the convolution pre-fills C with the bias and uses that).
/// Thread-safe; the number of threads OpenBLAS uses inside is `BLASThreads.count` (process-wide).
public func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    pm_sgemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
             beta, c, Int32(ldc))
}

/// The one owner of OpenBLAS's process-wide worker-thread count (no other code calls `openblas_set_num_threads`).
///
/// The policy: pairmatch parallelises across items itself (faces, image chunks of a training batch, gallery
/// rows), each worker calling single-threaded GEMMs, so every entry point that runs BLAS work in parallel calls
/// `useSingleThreadedBLAS()` first. OpenBLAS's own threads measured slower on this project's small shapes (see
/// `Encoder`), and a fixed count keeps results reproducible. Only benchmarks that measure OpenBLAS threading
/// use `withThreads(_:_:)`, which restores the previous count.
public enum BLASThreads {
    /// The number of threads OpenBLAS uses per call.
    public static var count: Int { Int(pm_blas_get_threads()) }

    /// The policy above: OpenBLAS single-threaded (a no-op when it already is).
    public static func useSingleThreadedBLAS() { set(1) }

    /// Runs `body` with OpenBLAS on `threads` threads (≥ 1), then restores the previous count.
    public static func withThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let previous = count
        set(threads)
        defer { set(previous) }
        return try body()
    }

    private static func set(_ threads: Int) {
        let t = max(1, threads)
        if Int(pm_blas_get_threads()) != t { pm_blas_set_threads(Int32(t)) }
    }
}
