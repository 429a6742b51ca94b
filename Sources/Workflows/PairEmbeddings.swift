import FaceAnalysis
import FaceEmbedding
import Foundation
import PairsInput

/// The labelled pairs of a pairs file turned into head features: every distinct image embedded once (in
/// parallel, with a progress bar), rows without a label, with a problem or with an image that failed are
/// skipped and counted by reason. Pair mining (`extraPairs`) adds pairs from the images' identities.
public struct PairEmbeddings: Sendable {
    /// Usable pairs: both embeddings and the label.
    public var pairs: [(a: Embedding, b: Embedding, label: Bool)] = []
    /// The file's images that were embedded, with their outcome (for extra pairs and reports).
    public var images: [(url: URL, outcome: ImageOutcome)] = []
    /// Skipped rows by reason (e.g. "no face found" → 3).
    public var skipped: [String: Int] = [:]

    public var skippedCount: Int { skipped.values.reduce(0, +) }

    public init() {}

    /// Embeds every distinct image of `list` once with `batch`; `progress(done, total)` after each image, in order.
    public static func compute(_ list: PairsFile, batch: BatchEmbedder,
                               progress: (Int, Int) -> Void = { _, _ in }) -> PairEmbeddings {
        var result = PairEmbeddings()
        let urls = list.distinctImages
        var done = 0
        let outcomes = batch.run(urls) { _, _ in done += 1; progress(done, urls.count) }
        var byURL: [URL: ImageOutcome] = [:]
        for (u, o) in zip(urls, outcomes) { byURL[u] = o; result.images.append((u, o)) }
        for row in list.rows {
            guard row.problem == nil, let a = row.a, let b = row.b else { result.skip("malformed row"); continue }
            guard let l = row.label else { result.skip("no label"); continue }
            switch (byURL[a]!, byURL[b]!) {
            case (.success(let fa), .success(let fb)): result.pairs.append((fa.embedding, fb.embedding, l))
            case (.failure(let e), _), (_, .failure(let e)):
                result.skip(e.reason == .noFace ? "no face found" : "image unreadable")
            }
        }
        return result
    }

    public mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

    /// Extra pairs from the identities of the embedded images (identity = the image's folder name, LFW's
    /// layout): every same-identity pair, and as many different-identity pairs drawn with a seeded generator.
    /// Pairs already in `pairs` are not repeated.
    public func extraPairs(seed: UInt64 = 1) -> [(a: Embedding, b: Embedding, label: Bool)] {
        var byIdentity: [String: [(URL, Embedding)]] = [:]
        for (url, outcome) in images {
            if case .success(let f) = outcome { byIdentity[url.deletingLastPathComponent().lastPathComponent, default: []].append((url, f.embedding)) }
        }
        var existing = Set<[Float]>()
        for p in pairs { existing.insert(p.a.values + p.b.values); existing.insert(p.b.values + p.a.values) }
        var extra: [(Embedding, Embedding, Bool)] = []
        let names = byIdentity.keys.sorted()
        for name in names {
            let list = byIdentity[name]!.sorted { $0.0.path < $1.0.path }
            for i in 0..<list.count { for j in (i + 1)..<list.count where !existing.contains(list[i].1.values + list[j].1.values) {
                extra.append((list[i].1, list[j].1, true))
            } }
        }
        let flat = names.flatMap { n in byIdentity[n]!.sorted { $0.0.path < $1.0.path }.map { (n, $0.1) } }
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let positives = extra.count
        var added = 0, attempts = 0
        while added < positives, flat.count > 1, attempts < positives * 20 {
            attempts += 1
            let i = next() % flat.count, j = next() % flat.count
            guard flat[i].0 != flat[j].0, !existing.contains(flat[i].1.values + flat[j].1.values) else { continue }
            extra.append((flat[i].1, flat[j].1, false))
            added += 1
        }
        return extra.map { (a: $0.0, b: $0.1, label: $0.2) }
    }
}
