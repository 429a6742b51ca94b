import FaceEmbedding
@testable import Gallery
import SeededRandom
import XCTest

final class FaceGalleryEnrolmentTests: XCTestCase {
    func testEnrolKeepsEveryEmbeddingAndListsIdentities() throws {
        var rng = SplitMix64(seed: 3)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        let a = (0..<3).map { _ in GalleryTestData.embedding(&rng) }
        let b = GalleryTestData.embedding(&rng)
        XCTAssertEqual(try g.enroll(name: "Ana", embeddings: a, metadata: "{\"id\":1}"), .added(embeddings: 3))
        XCTAssertEqual(try g.enroll(name: "Bo", embeddings: [b]), .added(embeddings: 1))
        XCTAssertEqual(g.count, 2)
        XCTAssertEqual(g.embeddingCount, 4)
        XCTAssertEqual(g.identities, [.init(name: "Ana", embeddingCount: 3, metadata: "{\"id\":1}"),
                                      .init(name: "Bo", embeddingCount: 1, metadata: nil)])
        XCTAssertEqual(g.embeddings(of: "Ana"), a)
        XCTAssertNil(g.embeddings(of: "Cy"))

        // extend (default) adds, keeps metadata when none is given
        let a2 = GalleryTestData.embedding(&rng)
        XCTAssertEqual(try g.enroll(name: "Ana", embeddings: [a2]), .extended(total: 4))
        XCTAssertEqual(g.embeddings(of: "Ana"), a + [a2])
        XCTAssertEqual(g.identity(named: "Ana")?.metadata, "{\"id\":1}")
        // replace drops the old embeddings and metadata, keeps the index
        XCTAssertEqual(try g.enroll(name: "Ana", embeddings: [b], ifEnrolled: .replace), .replaced(total: 1))
        XCTAssertEqual(g.embeddings(of: "Ana"), [b])
        XCTAssertNil(g.identity(named: "Ana")?.metadata)
        XCTAssertEqual(g.identities.map(\.name), ["Ana", "Bo"])
        XCTAssertEqual(g.embeddingCount, 2)
        // refuse
        XCTAssertThrowsError(try g.enroll(name: "Bo", embeddings: [a2], ifEnrolled: .refuse)) {
            XCTAssertEqual($0 as? GalleryError, .alreadyEnrolled(name: "Bo"))
        }
    }

    func testInvalidInputIsRefusedAndLeavesTheGalleryUnchanged() {
        var rng = SplitMix64(seed: 4)
        var g = GalleryTestData.gallery(identities: 3)
        let before = g.identities
        let e = GalleryTestData.embedding(&rng)
        var nan = e.values
        nan[5] = .nan
        let cases: [(String, [Embedding], String?, GalleryError)] = [
            ("", [e], nil, .invalidName(name: "", reason: "empty")),
            ("a\nb", [e], nil, .invalidName(name: "a\nb", reason: "contains a control character")),
            ("x", [], nil, .noEmbeddings(name: "x")),
            ("x", [e, Embedding(nan)], nil, .nonFiniteEmbedding(name: "x", index: 1)),
            ("x", [e], String(repeating: "m", count: GalleryLimits.maxMetadataBytes + 1),
             .metadataTooLong(name: "x", bytes: GalleryLimits.maxMetadataBytes + 1)),
        ]
        for (name, list, meta, expected) in cases {
            XCTAssertThrowsError(try g.enroll(name: name, embeddings: list, metadata: meta)) { error in
                XCTAssertEqual(error as? GalleryError, expected)
                XCTAssertFalse("\(error)".contains("\n"), "one-line message: \(error)")
            }
        }
        XCTAssertEqual(g.identities, before)
        XCTAssertEqual(g.embeddingCount, before.reduce(0) { $0 + $1.embeddingCount })
    }

    func testRemoveCompactsRowsAndReindexes() throws {
        var g = GalleryTestData.gallery(identities: 6, seed: 5)
        let kept = ["p0", "p1", "p3", "p4", "p5"]
        let embeddings = kept.map { g.embeddings(of: $0)! }
        XCTAssertTrue(g.remove(name: "p2"))
        XCTAssertFalse(g.remove(name: "p2"))
        XCTAssertFalse(g.remove(name: "nobody"))
        XCTAssertEqual(g.identities.map(\.name), kept)
        XCTAssertEqual(kept.map { g.embeddings(of: $0)! }, embeddings)
        XCTAssertEqual(g.embeddingCount, embeddings.reduce(0) { $0 + $1.count })
        XCTAssertEqual(g.squaredNorms.count, g.embeddingCount)
        // the norms stay in step with the rows
        for j in 0..<g.embeddingCount {
            XCTAssertEqual(g.squaredNorms[j], g.embedding(row: j).norm * g.embedding(row: j).norm, accuracy: 1e-5)
        }
        // the moved identities are still found by search
        let hit = try g.nearest([embeddings[3][0]], topK: 1)[0][0]
        XCTAssertEqual(hit.name, "p4")
        XCTAssertEqual(hit.identityIndex, 3)
        XCTAssertEqual(hit.distance, 0, accuracy: 1e-4)
        for name in kept { XCTAssertTrue(g.remove(name: name)) }
        XCTAssertTrue(g.isEmpty)
        XCTAssertEqual(g.embeddingCount, 0)
    }
}
