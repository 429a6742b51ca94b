import FaceEmbedding
@testable import Gallery
import LogisticHead
import SeededRandom
import XCTest

final class FaceGallerySearchTests: XCTestCase {
    /// The GEMM / streaming search equals a brute-force loop over identities and embeddings: the same identities in
    /// the same order, distances within 1e-4. Rounding differs between GEMM and the direct loop, so two identities
    /// whose distances differ by less than `tieTolerance` may come in either order (exact ties are tested apart).
    private func assertMatchesBruteForce(_ g: FaceGallery, _ brute: GalleryTestData.BruteForce, queries: [Embedding],
                                         topK: Int, threads: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let tieTolerance: Float = 1e-5
        let found = try g.nearest(queries, topK: topK, threads: threads)
        XCTAssertEqual(found.count, queries.count, file: file, line: line)
        for (qi, query) in queries.enumerated() {
            let expected = brute.nearest(query, topK: topK + 1)   // one more, to see a tie at the boundary
            let context = "query \(qi) of \(queries.count), K \(topK), threads \(threads)"
            XCTAssertEqual(found[qi].count, min(topK, g.count), context, file: file, line: line)
            XCTAssertEqual(Set(found[qi].map(\.identityIndex)).count, found[qi].count, "distinct identities", file: file, line: line)
            for (i, f) in found[qi].enumerated() {
                let e = expected[i]
                XCTAssertEqual(f.distance, e.distance, accuracy: 1e-4, context, file: file, line: line)
                XCTAssertEqual(f.name, g.identities[f.identityIndex].name, file: file, line: line)
                XCTAssertEqual(f.distance, brute.distance(query, identity: f.identityIndex), accuracy: 1e-4,
                               "reported distance is the identity's nearest embedding", file: file, line: line)
                XCTAssertEqual(g.exactDistance(query, row: f.row), f.distance, accuracy: 1e-6, file: file, line: line)
                let separated = (i == 0 || expected[i - 1].distance < e.distance - tieTolerance)
                    && (i + 1 >= expected.count || expected[i + 1].distance > e.distance + tieTolerance)
                if separated { XCTAssertEqual(f.name, e.name, "position \(i), " + context, file: file, line: line) }
            }
        }
    }

    private func queries(_ g: FaceGallery, count: Int, seed: UInt64) -> [Embedding] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            i % 2 == 0 ? GalleryTestData.embedding(&rng, dimension: g.dimension!)
                       : GalleryTestData.near(g.embedding(row: Int(rng.next() % UInt64(g.embeddingCount))), &rng, noise: 0.03)
        }
    }

    func testSmallGalleriesEqualBruteForce() throws {
        for (seed, size) in [(31, 1), (32, 7), (33, 150), (34, 600)] {
            let g = GalleryTestData.gallery(identities: size, seed: UInt64(seed))
            let brute = GalleryTestData.BruteForce(g)
            for q in [1, 2, 7, 33] {
                for k in [1, 3, 10, size + 5] {
                    try assertMatchesBruteForce(g, brute, queries: queries(g, count: q, seed: UInt64(seed * 100 + q)), topK: k, threads: 1)
                }
            }
        }
    }

    /// Enough rows for two workers, several GEMM tiles and a ragged last tile; one and two threads agree.
    func testLargerGalleryWithTwoThreadsEqualsBruteForce() throws {
        let g = GalleryTestData.gallery(identities: 4500, maxPerIdentity: 3, seed: 41)
        XCTAssertGreaterThan(g.embeddingCount, 2 * FaceGallery.rowsPerWorker)
        let brute = GalleryTestData.BruteForce(g)
        for q in [1, 5, 40] {
            let qs = queries(g, count: q, seed: UInt64(4100 + q))
            for threads in [1, 2] { try assertMatchesBruteForce(g, brute, queries: qs, topK: 4, threads: threads) }
            XCTAssertEqual(try g.nearest(qs, topK: 4, threads: 1), try g.nearest(qs, topK: 4, threads: 2))
        }
    }

    /// Identical embeddings under several names: ties go to the lower identity index, in every path.
    func testTiesAreBrokenByEnrolmentOrder() throws {
        var rng = SplitMix64(seed: 51)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        let shared = GalleryTestData.embedding(&rng)
        for i in 0..<40 { try g.enroll(name: "other\(i)", embeddings: [GalleryTestData.embedding(&rng)]) }
        for name in ["twin-c", "twin-a", "twin-b"] { try g.enroll(name: name, embeddings: [shared]) }
        // an identity with the shared vector twice is still one candidate
        try g.enroll(name: "twin-d", embeddings: [shared, shared])
        for q in [1, 3] {
            let qs = [GalleryTestData.near(shared, &rng, noise: 0.001)] + (1..<q).map { _ in GalleryTestData.embedding(&rng) }
            let top = try g.nearest(qs, topK: 3)[0]
            XCTAssertEqual(top.map(\.name), ["twin-c", "twin-a", "twin-b"])
            XCTAssertEqual(try g.nearest(qs, topK: 4)[0].map(\.name), ["twin-c", "twin-a", "twin-b", "twin-d"])
            XCTAssertEqual(try g.nearest(qs, topK: 4)[0].last?.row, 43, "the lower row of twin-d")
        }
    }

    func testOpenSetDecision() throws {
        var rng = SplitMix64(seed: 61)
        let g = GalleryTestData.gallery(identities: 50, seed: 62)
        let scorer = GalleryTestData.distanceScorer()
        let known = GalleryTestData.near(g.embeddings(of: "p17")![0], &rng, noise: 0.01)
        let stranger = Embedding([Float](repeating: 3, count: Embedding.faceDimension))   // far from everyone
        let results = try g.search([known, stranger], topK: 5, scorer: scorer)
        XCTAssertEqual(results[0].decision, "p17")
        XCTAssertEqual(results[0].best?.isAccepted, true)
        XCTAssertGreaterThan(results[0].best!.probability, 0.99)
        XCTAssertEqual(results[0].matches.count, 5)
        XCTAssertNil(results[1].decision, "unknown person")
        XCTAssertEqual(results[1].matches.count, 5)
        XCTAssertFalse(results[1].matches.contains { $0.isAccepted })
        // matches are ordered by probability, then distance
        for r in results {
            XCTAssertEqual(r.matches, r.matches.sorted(by: FaceGallery.ranks))
        }
        // an impossible threshold makes everyone unknown
        let strict = GalleryTestData.distanceScorer(threshold: 1.0)
        XCTAssertNil(try g.search([known], scorer: strict)[0].decision)
        // verify
        let v = try g.verify(known, name: "p17", scorer: scorer)
        XCTAssertTrue(v.isAccepted)
        XCTAssertEqual(v.distance, results[0].best!.distance, accuracy: 1e-6)
        XCTAssertFalse(try g.verify(known, name: "p3", scorer: scorer).isAccepted)
        XCTAssertThrowsError(try g.verify(known, name: "nobody", scorer: scorer)) {
            XCTAssertEqual($0 as? GalleryError, .unknownIdentity(name: "nobody"))
        }
    }

    func testLogisticHeadScoresWithPairFeatures() throws {
        var rng = SplitMix64(seed: 71)
        let g = GalleryTestData.gallery(identities: 30, seed: 72)
        // p = σ(b − Σ|Δ_k|·w): large distances give small probabilities
        let head = try LogisticHead(weights: [Float](repeating: -2, count: Embedding.faceDimension), balancedBias: 4,
                                    threshold: 0.5, encoderFingerprint: GalleryTestData.encoder)
        let query = GalleryTestData.near(g.embeddings(of: "p4")![0], &rng, noise: 0.005)
        let result = try g.search([query], topK: 3, scorer: head)[0]
        XCTAssertEqual(result.decision, "p4")
        let expected = head.probability(PairFeatures(query, g.embeddings(of: "p4")![0]))
        XCTAssertEqual(result.best?.probability, expected)
        // a head for another encoder is refused, naming both
        let other = try LogisticHead(weights: head.weights, balancedBias: 4, encoderFingerprint: "sha256:other")
        XCTAssertThrowsError(try g.search([query], scorer: other)) {
            XCTAssertEqual($0 as? GalleryError, .scorerEncoderMismatch(gallery: GalleryTestData.encoder, scorer: "sha256:other"))
        }
    }

    /// D = 64 (a Conv-4's size): the same GEMM / streaming search, one and two threads, equals brute force.
    func testSixtyFourDimensionalGalleryEqualsBruteForce() throws {
        for (seed, size) in [(91, 1), (92, 150), (93, 4500)] {
            let g = GalleryTestData.gallery(identities: size, seed: UInt64(seed), dimension: 64)
            XCTAssertEqual(g.dimension, 64)
            let brute = GalleryTestData.BruteForce(g)
            for q in [1, 7] {
                for threads in [1, 2] {
                    try assertMatchesBruteForce(g, brute, queries: queries(g, count: q, seed: UInt64(seed * 10 + q)), topK: 5, threads: threads)
                }
            }
        }
        // a 64-d head decides at 64
        var rng = SplitMix64(seed: 94)
        let g = GalleryTestData.gallery(identities: 30, seed: 95, dimension: 64)
        let head = try LogisticHead(weights: [Float](repeating: -2, count: 64), balancedBias: 4, encoderFingerprint: GalleryTestData.encoder)
        let query = GalleryTestData.near(g.embeddings(of: "p4")![0], &rng, noise: 0.005)
        XCTAssertEqual(try g.search([query], topK: 3, scorer: head)[0].decision, "p4")
        XCTAssertTrue(try g.verify(query, name: "p4", scorer: head).isAccepted)
    }

    func testSearchWithAnotherDimensionIsATypedError() throws {
        var rng = SplitMix64(seed: 96)
        let g = GalleryTestData.gallery(identities: 10, seed: 97, dimension: 64)
        let q64 = GalleryTestData.embedding(&rng, dimension: 64), q128 = GalleryTestData.embedding(&rng)
        XCTAssertThrowsError(try g.nearest([q64, q128], topK: 3)) { error in
            XCTAssertEqual(error as? GalleryError, .embeddingDimensionMismatch(name: "query", index: 1, gallery: 64, found: 128))
            let text = "\(error)"
            XCTAssertTrue(text.contains("64") && text.contains("128") && !text.contains("\n"), text)
        }
        XCTAssertThrowsError(try g.search([q128], scorer: GalleryTestData.distanceScorer())) {
            XCTAssertEqual($0 as? GalleryError, .embeddingDimensionMismatch(name: "query", index: 0, gallery: 64, found: 128))
        }
        XCTAssertThrowsError(try g.verify(q128, name: "p1", scorer: GalleryTestData.distanceScorer())) {
            XCTAssertEqual($0 as? GalleryError, .embeddingDimensionMismatch(name: "query", index: 0, gallery: 64, found: 128))
        }
        // a head of 128 weights with a gallery of 64-d embeddings (same encoder fingerprint): refused before scoring
        let head128 = try LogisticHead(weights: [Float](repeating: -2, count: 128), balancedBias: 4, encoderFingerprint: GalleryTestData.encoder)
        XCTAssertThrowsError(try g.search([q64], scorer: head128)) { error in
            XCTAssertEqual(error as? GalleryError, .scorerDimensionMismatch(gallery: 64, scorer: 128))
            XCTAssertTrue("\(error)".contains("64") && "\(error)".contains("128"), "\(error)")
        }
        XCTAssertThrowsError(try g.verify(q64, name: "p1", scorer: head128)) {
            XCTAssertEqual($0 as? GalleryError, .scorerDimensionMismatch(gallery: 64, scorer: 128))
        }
        // a gallery emptied by removals keeps its size and still refuses other queries
        var emptied = g
        for name in emptied.identities.map(\.name) { emptied.remove(name: name) }
        XCTAssertEqual(emptied.dimension, 64)
        XCTAssertThrowsError(try emptied.nearest([q128], topK: 1))
        XCTAssertEqual(try emptied.nearest([q64], topK: 1), [[]])
    }

    func testEdgeCases() throws {
        let empty = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        var rng = SplitMix64(seed: 81)
        let q = GalleryTestData.embedding(&rng)
        let r = try empty.search([q, q], scorer: GalleryTestData.distanceScorer())
        XCTAssertEqual(r.count, 2)
        XCTAssertNil(r[0].decision)
        XCTAssertTrue(r[0].matches.isEmpty)
        XCTAssertEqual(try empty.nearest([], topK: 3), [])
        XCTAssertThrowsError(try empty.nearest([q], topK: 0)) { XCTAssertEqual($0 as? GalleryError, .invalidTopK(0)) }
        var nan = q.values
        nan[0] = .nan
        XCTAssertThrowsError(try GalleryTestData.gallery(identities: 2).nearest([q, Embedding(nan)], topK: 1)) {
            XCTAssertEqual($0 as? GalleryError, .nonFiniteEmbedding(name: "query", index: 1))
        }
    }
}
