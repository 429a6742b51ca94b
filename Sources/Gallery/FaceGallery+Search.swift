import COpenBLAS
import NetLayers
import FaceEmbedding
import Foundation

/// Open-set 1:N search.
///
/// 1. Distances: ‖q − g‖² = ‖q‖² + ‖g‖² − 2·q·g (clamped at 0), with the gallery's precomputed ‖g‖² `[N]`.
///    One query streams the `[N, D]` matrix once through `cblas_sgemv` tiles (`DistanceScan.stream`); a batch of
///    Q queries is scored by one `cblas_sgemm` per tile of gallery rows (`DistanceScan.gemm`: C `[Q, R]`,
///    R ≈ 2^18 / Q; for a gallery up to R rows that is a single sgemm, and a 1M-row gallery never needs a
///    `[Q, N]` score matrix).
/// 2. Candidates per query by partial selection (`IdentitySelection`; N is never sorted); an identity counts
///    once, by its nearest embedding. BLAS results depend on a row's place in its kernel's tile, so the selection
///    keeps everything within the error bound τ (`selectionTolerance`) of the K-th score, and
/// 3. the candidates' distances are recomputed exactly in one fixed order (`exactSquaredDistance`): the top K
///    identities are then exact, and equal rows tie exactly. Ties: lower identity index first, then lower row.
/// 4. For the K identities, the exact distance and the scorer's probability from the exact pair (query, nearest
///    embedding), e.g. the logistic head on |Δ| `PairFeatures`.
/// 5. Decision: the candidate of highest probability if it is ≥ the scorer's threshold, else unknown.
///
/// Every query must have the gallery's `dimension` components (`.embeddingDimensionMismatch` otherwise), and a
/// scorer that states its dimension must state the gallery's (`.scorerDimensionMismatch`).
///
/// Threads: `threads` workers (capped at 1 per 4096 rows) each scan a contiguous slice of the gallery rows with
/// their own selections, merged afterwards. OpenBLAS is set to one thread for the duration of the call (so the
/// workers' sgemm calls do not spawn further threads: no oversubscription) and restored afterwards; the
/// OpenBLAS thread count is process-wide, so do not run other BLAS work concurrently expecting its own count.
extension FaceGallery {
    /// Minimum gallery rows per worker thread.
    static let rowsPerWorker = 4096

    /// The K nearest identities of each query by Euclidean distance, nearest first (K = min(topK, count)).
    /// Throws `.invalidTopK` when topK < 1, `.embeddingDimensionMismatch(name: "query", …)` for a query whose size
    /// is not the gallery's `dimension` and `.nonFiniteEmbedding(name: "query", …)` for a NaN query.
    public func nearest(_ queries: [Embedding], topK: Int, threads: Int = 1) throws(GalleryError) -> [[Neighbour]] {
        guard topK >= 1 else { throw .invalidTopK(topK) }
        try checkDimension(of: queries, name: "query")
        if let bad = queries.firstIndex(where: { !$0.values.allSatisfy(\.isFinite) }) {
            throw .nonFiniteEmbedding(name: "query", index: bad)
        }
        guard !queries.isEmpty else { return [] }
        guard !isEmpty else { return queries.map { _ in [] } }
        let k = min(topK, count)
        let selections = select(queries, topK: k, threads: threads)
        return zip(queries, selections).map { query, s in exactNearest(query, candidates: s.candidateRows, topK: k) }
    }

    /// Open-set identification of each query: the K nearest identities scored by `scorer`, and a decision
    /// (see `SearchResult`). Throws `.scorerEncoderMismatch` / `.scorerDimensionMismatch` when the scorer expects
    /// another encoder or embedding size than the gallery's, and as `nearest`.
    public func search(_ queries: [Embedding], topK: Int = 5, scorer: some MatchScorer, threads: Int = 1) throws(GalleryError) -> [SearchResult] {
        try checkScorer(scorer)
        let neighbours = try nearest(queries, topK: topK, threads: threads)
        return zip(queries, neighbours).map { query, list in
            let matches = list.map { n in
                let p = scorer.probability(query, embedding(row: n.row))
                return Match(name: n.name, identityIndex: n.identityIndex, probability: p, distance: n.distance,
                             isAccepted: p >= scorer.threshold)
            }
            return SearchResult(matches: matches.sorted(by: Self.ranks))
        }
    }

    /// 1:1 verification: scores `query` against every embedding of `name` and returns the best (highest probability,
    /// then nearest). Throws `.unknownIdentity`, `.scorerEncoderMismatch`, `.scorerDimensionMismatch`,
    /// `.embeddingDimensionMismatch`, `.nonFiniteEmbedding`.
    public func verify(_ query: Embedding, name: String, scorer: some MatchScorer) throws(GalleryError) -> Match {
        try checkScorer(scorer)
        guard let identity = nameIndex[name] else { throw .unknownIdentity(name: name) }
        try checkDimension(of: [query], name: "query")
        guard query.values.allSatisfy(\.isFinite) else { throw .nonFiniteEmbedding(name: "query", index: 0) }
        let matches = rows(of: identity).map { row in
            let p = scorer.probability(query, embedding(row: row))
            return Match(name: name, identityIndex: identity, probability: p, distance: exactDistance(query, row: row),
                         isAccepted: p >= scorer.threshold)
        }
        return matches.sorted(by: Self.ranks)[0]
    }

    /// The order of `SearchResult.matches`: probability descending, distance ascending, identity ascending.
    static func ranks(_ a: Match, _ b: Match) -> Bool {
        if a.probability != b.probability { return a.probability > b.probability }
        if a.distance != b.distance { return a.distance < b.distance }
        return a.identityIndex < b.identityIndex
    }

    private func checkScorer(_ scorer: some MatchScorer) throws(GalleryError) {
        if let expected = scorer.expectedEncoder, expected != encoderFingerprint {
            throw .scorerEncoderMismatch(gallery: encoderFingerprint, scorer: expected)
        }
        if let expected = scorer.expectedDimension, let dimension, expected != dimension {
            throw .scorerDimensionMismatch(gallery: dimension, scorer: expected)
        }
    }

    /// Throws `.embeddingDimensionMismatch(name: name, index: i, …)` for the first of `embeddings` whose size is
    /// not the gallery's `dimension` (nothing to check while the gallery has none).
    func checkDimension(of embeddings: [Embedding], name: String) throws(GalleryError) {
        guard let dimension else { return }
        if let bad = embeddings.firstIndex(where: { $0.dimension != dimension }) {
            throw .embeddingDimensionMismatch(name: name, index: bad, gallery: dimension, found: embeddings[bad].dimension)
        }
    }

    /// ‖q − g_row‖² computed directly from the two vectors, in one fixed order (the query has the gallery's
    /// dimension): equal rows give bit-equal results, whatever their position in the matrix.
    func exactSquaredDistance(_ query: Embedding, row: Int) -> Float {
        let d = dimension!
        return query.values.withUnsafeBufferPointer { q in
            matrix.withUnsafeBufferPointer { m in
                let g = m.baseAddress! + row * d
                var s: Float = 0
                for k in 0..<d {
                    let x = q[k] - g[k]
                    s += x * x
                }
                return s
            }
        }
    }

    /// ‖q − g_row‖, the square root of `exactSquaredDistance`.
    func exactDistance(_ query: Embedding, row: Int) -> Float {
        exactSquaredDistance(query, row: row).squareRoot()
    }

    /// The `topK` nearest identities among `candidates` (identity, row) by exact distance: each identity by its
    /// nearest candidate row (ties: lower row), ordered by (distance, identity index).
    func exactNearest(_ query: Embedding, candidates: [(identity: Int32, row: Int32)], topK: Int) -> [Neighbour] {
        var best: [Int32: (distance: Float, row: Int32)] = [:]
        for c in candidates {
            let distance = exactDistance(query, row: Int(c.row))
            if let held = best[c.identity], held.distance < distance || (held.distance == distance && held.row <= c.row) { continue }
            best[c.identity] = (distance, c.row)
        }
        let ranked = best.sorted { a, b in a.value.distance != b.value.distance ? a.value.distance < b.value.distance : a.key < b.key }
        return ranked.prefix(topK).map { identity, e in
            Neighbour(name: names[Int(identity)], identityIndex: Int(identity), row: Int(e.row), distance: e.distance)
        }
    }

    /// The score margin τ of a search's selection for a query of squared norm `queryNorm`, in squared-distance units:
    /// twice the worst-case gap between a BLAS score (‖g‖² + c + ‖q‖² with c = −2·q·g, any summation order, ≤
    /// (2·D + 4)·u·S off) and `exactSquaredDistance` (≤ (2·D + 6)·u·S off), u = 2⁻²⁴, S = ‖q‖² + the largest ‖g‖²
    /// (Higham's γ_D bounds). It grows with D: 6·10⁻⁵·S for D = 128.
    static func selectionTolerance(queryNorm: Float, largestRowNorm: Float, dimension d: Int) -> Float {
        Float(4 * d + 10) * Float.ulpOfOne * (queryNorm + largestRowNorm)   // 2 · (4·D + 10)·u · S
    }

    /// The candidate selection of each query for its top `k` identities (k ≤ count, each query `[D]`), merged over
    /// worker threads, with the margin `selectionTolerance`: the exact top k are among its `candidateRows`.
    func select(_ queries: [Embedding], topK k: Int, threads: Int) -> [IdentitySelection] {
        let d = dimension!
        let n = embeddingCount
        let q = queries.count
        let workers = max(1, min(threads, n / Self.rowsPerWorker))
        var packed = [Float](repeating: 0, count: q * d)   // [Q, D]
        for (i, e) in queries.enumerated() { packed.replaceSubrange(i * d ..< (i + 1) * d, with: e.values) }
        let queryNorms = queries.map { e in e.values.withUnsafeBufferPointer { Self.squaredNorm($0.baseAddress!, dimension: d) } }   // [Q]
        let largestRowNorm = squaredNorms.max() ?? 0
        let tolerances = queryNorms.map { Self.selectionTolerance(queryNorm: $0, largestRowNorm: largestRowNorm, dimension: d) }   // [Q]

        BLASThreads.useSingleThreadedBLAS()     // workers split the rows; see BLASThreads

        var perWorker = [[IdentitySelection]](repeating: [], count: workers)
        matrix.withUnsafeBufferPointer { m in
            squaredNorms.withUnsafeBufferPointer { norms in
                owner.withUnsafeBufferPointer { own in
                    packed.withUnsafeBufferPointer { qs in
                      queryNorms.withUnsafeBufferPointer { qn in
                        perWorker.withUnsafeMutableBufferPointer { out in
                            let job = ScanJob(gallery: .init(matrix: m.baseAddress!, norms: norms.baseAddress!, owner: own.baseAddress!,
                                                             dimension: d),
                                              queries: qs.baseAddress!, queryNorms: qn.baseAddress!, tolerances: tolerances, queryCount: q, rows: n,
                                              workers: workers, k: k,
                                              out: out.baseAddress!)
                            if workers == 1 { job.run(worker: 0) } else {
                                DispatchQueue.concurrentPerform(iterations: workers) { w in job.run(worker: w) }
                            }
                        }
                      }
                    }
                }
            }
        }
        var merged = perWorker[0]
        for w in 1..<workers { for i in 0..<q { merged[i].merge(perWorker[w][i]) } }
        return merged
    }
}

/// One search's shared read-only inputs and per-worker output slots. `@unchecked Sendable`: worker w reads the
/// gallery and queries and writes only `out[w]`, all valid until `select` returns.
private struct ScanJob: @unchecked Sendable {
    let gallery: DistanceScan.Gallery
    let queries: UnsafePointer<Float>   // [Q, D]
    let queryNorms: UnsafePointer<Float>   // [Q]
    let tolerances: [Float]   // [Q] selection margin τ of each query
    let queryCount: Int
    let rows: Int
    let workers: Int
    let k: Int
    let out: UnsafeMutablePointer<[IdentitySelection]>   // [workers]

    func run(worker w: Int) {
        let lo = rows * w / workers, hi = rows * (w + 1) / workers
        var selections = tolerances.map { IdentitySelection(capacity: k, tolerance: $0) }   // [Q]
        if queryCount == 1 {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: DistanceScan.streamTileRows)   // [R]
            defer { scratch.deallocate() }
            DistanceScan.stream(query: queries, queryNorm: queryNorms[0], gallery: gallery, rows: lo..<hi,
                                scratch: scratch, into: &selections[0])
        } else {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: queryCount * DistanceScan.tileRows(queries: queryCount))   // [Q, R]
            defer { scratch.deallocate() }
            DistanceScan.gemm(queries: queries, queryNorms: queryNorms, count: queryCount, gallery: gallery, rows: lo..<hi,
                              scratch: scratch, into: &selections)
        }
        out[w] = selections
    }
}
