import FaceEmbedding
import Foundation
import SeededRandom

/// `pairmatch bench gallery`: file size, load time and search latency of a synthetic gallery.
///
/// Procedure for `run(size:…)`: build `FaceGallery.synthetic(size:dimension:seed:)` (N identities, one random unit
/// vector of `dimension` components each, 128 by default as for the face ResNet), save it to a temporary file
/// (removed afterwards) and drop it; load it `loadRepeats` times (median; the last copy is searched); then for each thread count time `singleRepeats` one-query searches
/// (median, after one warm-up) and `batchRepeats` searches of `batchSize` queries (median batch time ÷
/// `batchSize`). Queries are gallery rows plus small noise (seeded), top-K = `topK`, scored by a distance-based
/// logistic `ClosureScorer` (its cost is negligible: K pairs per query). Times are wall-clock milliseconds.
public enum GalleryBenchmark {
    /// One thread count's figures. JSON (`JSONEncoder`) keys: `size`, `file_bytes`, `load_ms`, `single_query_ms`,
    /// `batched_query_ms`, `threads`, `batch_size`, `top_k`. `file_bytes` and `load_ms` are measured once per run and
    /// repeated in every report (loading is single-threaded).
    public struct Report: Codable, Sendable, Equatable {
        /// N, the number of identities (= embeddings).
        public var size: Int
        /// Size of the saved gallery file, bytes.
        public var fileBytes: Int
        /// Median time of `FaceGallery.load`, ms.
        public var loadMs: Double
        /// Median latency of a one-query search, ms.
        public var singleQueryMs: Double
        /// Median time of a `batchSize`-query search divided by `batchSize`, ms per query.
        public var batchedQueryMs: Double
        /// The `threads:` given to the searches.
        public var threads: Int
        /// Queries per batch.
        public var batchSize: Int
        /// K of the searches.
        public var topK: Int

        enum CodingKeys: String, CodingKey {
            case size, threads
            case fileBytes = "file_bytes", loadMs = "load_ms", singleQueryMs = "single_query_ms"
            case batchedQueryMs = "batched_query_ms", batchSize = "batch_size", topK = "top_k"
        }

        /// One aligned line for humans, e.g. `N=1000000 threads=2 file=...`.
        public var summary: String {
            String(format: "size %d, threads %d: file %.1f MB, load %.0f ms, single query %.2f ms, batched %.3f ms/query (batch %d, K %d)",
                   size, threads, Double(fileBytes) / 1e6, loadMs, singleQueryMs, batchedQueryMs, batchSize, topK)
        }
    }

    /// Runs the benchmark (see the type's doc) and returns one report per entry of `threadCounts`.
    /// `folder` holds the temporary gallery file (default: the system temporary folder); `progress` receives a
    /// line per stage. Throws the save/load errors of `FaceGallery`.
    public static func run(size: Int, dimension: Int = Embedding.faceDimension, threadCounts: [Int] = [1, 2],
                           batchSize: Int = 256, topK: Int = 5, seed: UInt64 = 42, loadRepeats: Int = 3,
                           singleRepeats: Int = 21, batchRepeats: Int = 3,
                           folder: URL? = nil, progress: ((String) -> Void)? = nil) throws -> [Report] {
        precondition(size >= 1 && dimension >= 1 && batchSize >= 1 && topK >= 1 && loadRepeats >= 1 && singleRepeats >= 1 && batchRepeats >= 1)
        let url = (folder ?? FileManager.default.temporaryDirectory)
            .appendingPathComponent("pairmatch-bench-gallery-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: url) }

        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let queries: [Embedding]   // [singleRepeats + 1 + batchSize]
        do {
            let (built, buildMs) = timed { FaceGallery.synthetic(size: size, dimension: dimension, seed: seed, encoderFingerprint: "synthetic") }
            progress?(String(format: "built %d identities in %.0f ms", size, buildMs))
            queries = (0..<(singleRepeats + 1 + batchSize)).map { _ in
                let row = built.embedding(row: Int(rng.next() % UInt64(size)))
                return Embedding(row.values.map { $0 + rng.symmetricUnit() * 0.02 })
            }
            let (_, saveMs) = try timed { try built.save(to: url) }
            progress?(String(format: "saved %@ in %.0f ms", url.path, saveMs))
        }
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0

        var gallery: FaceGallery?
        var loadTimes: [Double] = []
        for _ in 0..<loadRepeats {
            gallery = nil   // free the previous copy first: memory stays ≈ one matrix
            let (g, ms) = try timed { try FaceGallery.load(from: url, expectingEncoder: "synthetic", dimension: dimension) }
            gallery = g
            loadTimes.append(ms)
        }
        let g = gallery!
        let loadMs = median(loadTimes)
        progress?(String(format: "loaded %d bytes in %.0f ms (median of %d)", fileBytes, loadMs, loadRepeats))

        let scorer = ClosureScorer(threshold: 0.5) { q, e in 1 / (1 + exp(20 * (q.distance(to: e) - 0.6))) }
        let batch = Array(queries.suffix(batchSize))
        var reports: [Report] = []
        for threads in threadCounts {
            _ = try g.search([queries[0]], topK: topK, scorer: scorer, threads: threads)   // warm-up
            let single = try (1...singleRepeats).map { i in
                try timed { try g.search([queries[i]], topK: topK, scorer: scorer, threads: threads) }.1
            }
            let batched = try (0..<batchRepeats).map { _ in
                try timed { try g.search(batch, topK: topK, scorer: scorer, threads: threads) }.1
            }
            let report = Report(size: size, fileBytes: fileBytes, loadMs: loadMs, singleQueryMs: median(single),
                                batchedQueryMs: median(batched) / Double(batchSize), threads: threads,
                                batchSize: batchSize, topK: topK)
            progress?(report.summary)
            reports.append(report)
        }
        return reports
    }

    /// `reports` as a JSON array of report objects (keys as documented on `Report`), one line.
    public static func json(_ reports: [Report]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(reports), as: UTF8.self)
    }

    /// The value of `body` and its wall-clock duration in milliseconds.
    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }

    /// The median of a non-empty list (the mean of the two middle values for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
