import FaceEmbedding
import Foundation
@testable import Gallery
import SeededRandom
import XCTest

/// `setPeople`: the delta a follower applies gives the gallery that enrolments and removals give, twice the same,
/// and a bad entry changes nothing.
final class FaceGalleryChangesTests: XCTestCase {
    let d = 16

    func list(_ count: Int, _ rng: inout SplitMix64) -> [Embedding] {
        (0..<count).map { _ in GalleryTestData.embedding(&rng, dimension: d) }
    }

    /// Every identity with its embeddings, and the rows' norms as search uses them.
    func assertConsistent(_ g: FaceGallery, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(g.owner.count, g.embeddingCounts.reduce(0, +), file: file, line: line)
        XCTAssertEqual(g.matrix.count, g.owner.count * d, file: file, line: line)
        for (i, name) in g.names.enumerated() {
            XCTAssertEqual(g.nameIndex[name], i, file: file, line: line)
            XCTAssertEqual(g.owner.filter { $0 == Int32(i) }.count, g.embeddingCounts[i], name, file: file, line: line)
        }
        for j in g.owner.indices {
            let row = g.matrix[j * d ..< (j + 1) * d]
            XCTAssertEqual(g.squaredNorms[j], row.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-5, file: file, line: line)
        }
    }

    func testSettingPeopleEqualsTheEnrolmentsAndRemovalsItStandsFor() throws {
        var rng = SplitMix64(seed: 7)
        let start = GalleryTestData.gallery(identities: 12, seed: 3, dimension: d)
        let p5 = list(2, &rng), p7first = list(1, &rng), p7 = list(3, &rng), newcomer = list(2, &rng)

        var expected = start
        XCTAssertTrue(expected.remove(name: "p3"))
        try expected.enroll(name: "p5", embeddings: p5, metadata: "{\"door\":2}", ifEnrolled: .replace)
        try expected.enroll(name: "p7", embeddings: p7, ifEnrolled: .replace)
        try expected.enroll(name: "newcomer", embeddings: newcomer, metadata: nil)
        XCTAssertTrue(expected.remove(name: "p10"))

        var followed = start
        let changes: [(name: String, identity: FaceGallery.StoredIdentity?)] = [
            ("p3", nil),
            ("p5", .init(name: "p5", metadata: "{\"door\":2}", embeddings: p5)),
            ("p7", .init(name: "p7", metadata: nil, embeddings: p7first)),
            ("nobody", nil),                                            // not enrolled: nothing
            ("newcomer", .init(name: "newcomer", metadata: nil, embeddings: newcomer)),
            ("p7", .init(name: "p7", metadata: nil, embeddings: p7)),   // the last entry of a name counts
            ("p10", nil),
        ]
        try followed.setPeople(changes)
        XCTAssertEqual(followed.identities, expected.identities, "same people, same order (p5, p7 keep their place)")
        XCTAssertEqual(followed.identitiesWithEmbeddings, expected.identitiesWithEmbeddings)
        assertConsistent(followed)

        // Idempotent: the same delta again changes nothing.
        var again = followed
        try again.setPeople(changes)
        XCTAssertEqual(again.identitiesWithEmbeddings, followed.identitiesWithEmbeddings)
        assertConsistent(again)

        // Only additions: existing rows stay where they are.
        var added = start
        try added.setPeople([("x", .init(name: "x", metadata: "m", embeddings: newcomer))])
        XCTAssertEqual(Array(added.matrix.prefix(start.matrix.count)), start.matrix)
        XCTAssertEqual(added.identities.last, FaceGallery.Identity(name: "x", embeddingCount: 2, metadata: "m"))
        assertConsistent(added)
    }

    func testABadEntryChangesNothing() throws {
        var rng = SplitMix64(seed: 9)
        let start = GalleryTestData.gallery(identities: 5, seed: 4, dimension: d)
        let good = FaceGallery.StoredIdentity(name: "p1", metadata: nil, embeddings: list(1, &rng))
        let cases: [(FaceGallery.StoredIdentity, String)] = [
            (.init(name: "p2", metadata: nil, embeddings: []), "no embeddings"),
            (.init(name: "p2", metadata: nil, embeddings: [Embedding([Float](repeating: 0.1, count: d + 1))]), "another dimension"),
            (.init(name: "p2", metadata: nil, embeddings: [Embedding([Float](repeating: .nan, count: d))]), "NaN"),
            (.init(name: "p2", metadata: String(repeating: "m", count: GalleryLimits.maxMetadataBytes + 1), embeddings: list(1, &rng)), "metadata"),
        ]
        for (bad, why) in cases {
            var g = start
            XCTAssertThrowsError(try g.setPeople([("p0", nil), ("p1", good), ("p2", bad)]), why)
            XCTAssertEqual(g.identitiesWithEmbeddings, start.identitiesWithEmbeddings, why)
            XCTAssertEqual(g.matrix, start.matrix, why)
        }
        var g = start
        XCTAssertThrowsError(try g.setPeople([("bad\nname", good)])) { e in
            guard case GalleryError.invalidName = e else { return XCTFail("\(e)") }
        }
        XCTAssertEqual(g.identitiesWithEmbeddings, start.identitiesWithEmbeddings)
    }

    func testAnEmptyGalleryTakesItsDimensionFromTheFirstPerson() throws {
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        var rng = SplitMix64(seed: 2)
        try g.setPeople([("ana", .init(name: "ana", metadata: nil, embeddings: list(2, &rng)))])
        XCTAssertEqual(g.dimension, d)
        XCTAssertEqual(g.count, 1)
        assertConsistent(g)
        try g.setPeople([("ana", nil)])
        XCTAssertEqual(g.count, 0)
        XCTAssertEqual(g.dimension, d, "kept, as remove keeps it")
    }
}
