import FaceEmbedding
import Foundation
@testable import Gallery
import SeededRandom

/// Random embeddings and galleries for the tests (seeded, so every run sees the same data).
enum GalleryTestData {
    static let encoder = "sha256:test-encoder-1"

    /// A random embedding `[dimension]` with components uniform in [−scale, scale).
    static func embedding(_ rng: inout SplitMix64, scale: Float = 0.15, dimension: Int = Embedding.faceDimension) -> Embedding {
        Embedding((0..<dimension).map { _ in rng.symmetricUnit() * scale })
    }

    /// `base` plus uniform noise in [−noise, noise) per component.
    static func near(_ base: Embedding, _ rng: inout SplitMix64, noise: Float = 0.01) -> Embedding {
        Embedding(base.values.map { $0 + rng.symmetricUnit() * noise })
    }

    /// A gallery of `identities` people "p<i>", each with 1…`maxPerIdentity` embeddings of `dimension` components.
    static func gallery(identities: Int, maxPerIdentity: Int = 3, seed: UInt64 = 1,
                        dimension: Int = Embedding.faceDimension) -> FaceGallery {
        var rng = SplitMix64(seed: seed)
        var g = FaceGallery.create(encoderFingerprint: encoder)
        for i in 0..<identities {
            let base = embedding(&rng, dimension: dimension)
            let extra = Int(rng.next() % UInt64(maxPerIdentity))
            let list = [base] + (0..<extra).map { _ in near(base, &rng, noise: 0.05) }
            try! g.enroll(name: "p\(i)", embeddings: list)
        }
        return g
    }

    /// The K nearest identities by brute force: for every identity the minimum exact distance over its
    /// embeddings, sorted by (distance, identity index). Build once per gallery, query many times.
    struct BruteForce {
        /// `[K]` (name, `[rows of the identity]` each `[D]`).
        let identities: [(name: String, rows: [[Float]])]

        init(_ g: FaceGallery) {
            var rows = [[[Float]]](repeating: [], count: g.count)
            for j in 0..<g.embeddingCount { rows[Int(g.owner[j])].append(g.embedding(row: j).values) }
            identities = zip(g.identities, rows).map { ($0.name, $1) }
        }

        /// Exact distance from `query` to the nearest embedding of identity `index`.
        func distance(_ query: Embedding, identity index: Int) -> Float {
            query.values.withUnsafeBufferPointer { q in
                identities[index].rows.map { row in
                    row.withUnsafeBufferPointer { r in
                        var s: Float = 0
                        for k in 0..<r.count { let d = q[k] - r[k]; s += d * d }
                        return s.squareRoot()
                    }
                }.min()!
            }
        }

        func nearest(_ query: Embedding, topK: Int) -> [(name: String, index: Int, distance: Float)] {
            var all = identities.indices.map { (name: identities[$0].name, index: $0, distance: distance(query, identity: $0)) }
            all.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }
            return Array(all.prefix(topK))
        }
    }

    /// A scorer: a logistic curve in the distance, 0.5 at distance 0.6.
    static func distanceScorer(threshold: Float = 0.5, encoder: String? = encoder) -> ClosureScorer {
        ClosureScorer(threshold: threshold, expectedEncoder: encoder) { q, e in
            1 / (1 + exp(20 * (q.distance(to: e) - 0.6)))
        }
    }
}
