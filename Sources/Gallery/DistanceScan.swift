import COpenBLAS

/// The scoring kernels of the search: BLAS computes C = −2·q·g for a tile of gallery rows, then a scan turns C into
/// squared distances s = max(0, (‖g_j‖² + C_j) + ‖q‖²) and offers the few below the selection's bound.
///
/// - one query: `cblas_sgemv` over tiles of `streamTileRows` rows, C `[R]` (stays in L1/L2). A 1M-row gallery is
///   512 MB, so this is memory-bound: each row is read once.
/// - several queries: one `cblas_sgemm` per tile, C `[Q, R]` = −2 · queries `[Q, D]` · tile `[R, D]`ᵀ, with
///   R ≈ `tileFloats / Q` so C stays ≈ 1 MiB (cache-resident for the scan). No `[Q, N]` matrix is ever formed.
/// - the scan tests blocks of 64 scores at once, branch-free in the integer domain (non-negative floats order like
///   their bit patterns), which LLVM vectorises to AVX2; only blocks holding a candidate are revisited one by one.
///
/// Both scan a contiguous range of rows; the search gives each thread its own range and selections.
enum DistanceScan {
    /// Target size of the C tile of a batch, in floats (1 MiB).
    static let tileFloats = 1 << 18
    /// Rows per sgemv tile of a single query (C is 32 KiB).
    static let streamTileRows = 8192
    /// Scores tested together by `anyAtMost`.
    static let scanBlock = 64

    /// The gallery arrays as raw pointers (valid for the duration of one search) and their row length D.
    struct Gallery {
        let matrix: UnsafePointer<Float>   // [N, D]
        let norms: UnsafePointer<Float>    // [N]
        let owner: UnsafePointer<Int32>    // [N]
        /// D, the components of each row (and of each query).
        let dimension: Int
    }

    /// Scores rows `rows` against one `[D]` query of squared norm `queryNorm`, offering candidates to `selection`.
    /// `scratch` holds `streamTileRows` floats.
    static func stream(query: UnsafePointer<Float>, queryNorm: Float, gallery g: Gallery, rows: Range<Int>,
                       scratch: UnsafeMutablePointer<Float>, into selection: inout IdentitySelection) {
        let d = g.dimension
        var lo = rows.lowerBound
        while lo < rows.upperBound {
            let r = min(streamTileRows, rows.upperBound - lo)
            // C [r] = −2 · G[lo..<lo+r] [r, D] · q [D]
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(r), Int32(d), -2, g.matrix + lo * d, Int32(d), query, 1, 0, scratch, 1)
            scan(scratch, count: r, firstRow: lo, queryNorm: queryNorm, gallery: g, into: &selection)
            lo += r
        }
    }

    /// Rows per GEMM tile for `queries` queries: ≈ `tileFloats / queries`, a multiple of 64, at least 256.
    static func tileRows(queries: Int) -> Int {
        max(256, (tileFloats / max(queries, 1)) & ~63)
    }

    /// Scores rows `rows` against `count` queries `[count, D]` (squared norms `queryNorms` `[count]`) with one
    /// sgemm per tile, offering candidates to `selections[i]` for query i. `scratch` holds
    /// `count * tileRows(queries: count)` floats. OpenBLAS's thread count is the caller's business (the search sets
    /// it to 1 and runs one range per thread).
    static func gemm(queries: UnsafePointer<Float>, queryNorms: UnsafePointer<Float>, count: Int, gallery g: Gallery,
                     rows: Range<Int>, scratch: UnsafeMutablePointer<Float>, into selections: inout [IdentitySelection]) {
        let d = g.dimension
        let tile = tileRows(queries: count)
        var lo = rows.lowerBound
        while lo < rows.upperBound {
            let r = min(tile, rows.upperBound - lo)
            // C [count, r] = −2 · Q [count, D] · G[lo..<lo+r] [r, D]ᵀ
            pm_sgemm(0, 1, Int32(count), Int32(r), Int32(d), -2, queries, Int32(d), g.matrix + lo * d, Int32(d),
                     0, scratch, Int32(r))
            for i in 0..<count {
                scan(scratch + i * r, count: r, firstRow: lo, queryNorm: queryNorms[i], gallery: g, into: &selections[i])
            }
            lo += r
        }
    }

    /// The squared distance of row `firstRow + l` from its C entry: max(0, (‖g‖² + c) + ‖q‖²). Every path computes
    /// it with this one expression, so the block test and the offer agree exactly.
    @inline(__always)
    static func squaredDistance(norm: Float, c: Float, queryNorm: Float) -> Float {
        max(0, (norm + c) + queryNorm)
    }

    /// Offers every row of the tile whose squared distance is ≤ the selection's bound.
    @inline(__always)
    static func scan(_ c: UnsafePointer<Float>, count: Int, firstRow: Int, queryNorm: Float, gallery g: Gallery,
                     into selection: inout IdentitySelection) {
        let norms = g.norms + firstRow
        var j = 0
        while j < count {
            let e = min(j + scanBlock, count)
            if anyAtMost(c + j, norms + j, e - j, queryNorm: queryNorm, bound: selection.bound) {
                for l in j..<e {
                    let s = squaredDistance(norm: norms[l], c: c[l], queryNorm: queryNorm)
                    if s <= selection.bound { selection.offer(score: s, identity: g.owner[firstRow + l], row: Int32(firstRow + l)) }
                }
            }
            j = e
        }
    }

    /// Whether some max(0, (n[l] + c[l]) + queryNorm), l < count, is ≤ `bound` (≥ 0 or +∞). Branch-free: for
    /// non-negative floats a ≤ b ⇔ bits(a) ≤ bits(b) as Int32, so the test ANDs bits(bound) − bits(s) over the block
    /// (the sign bit survives only if every difference is negative); negative sums are clamped to bits 0.
    @inline(__always)
    static func anyAtMost(_ c: UnsafePointer<Float>, _ n: UnsafePointer<Float>, _ count: Int, queryNorm: Float, bound: Float) -> Bool {
        let boundBits = Int32(bitPattern: bound.bitPattern)
        var acc: Int32 = -1
        for l in 0..<count {
            let bits = Int32(bitPattern: ((n[l] + c[l]) + queryNorm).bitPattern)
            acc &= boundBits &- (bits & ~(bits &>> 31))
        }
        return acc >= 0
    }
}
