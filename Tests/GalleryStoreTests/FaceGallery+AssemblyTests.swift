import FaceEmbedding
import Foundation
import Gallery
import XCTest

/// `FaceGallery.assemble` and the part accessors (Sources/Gallery/FaceGallery+Assembly.swift), which the stores build on.
final class FaceGalleryAssemblyTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_700_000_000.9)

    private func enrolled() throws -> FaceGallery {
        var g = FaceGallery.create(encoderFingerprint: "enc", dimension: 3, now: t0)
        try g.enroll(name: "Ada", embeddings: [Embedding([1, 0, 0]), Embedding([0, 1, 0])], metadata: "a")
        try g.enroll(name: "Bob", embeddings: [Embedding([0, 0, 1])])
        try g.enroll(name: "Ada", embeddings: [Embedding([1, 1, 0])])   // rows of Ada: 0, 1, 3
        try g.enroll(name: "Cleo", embeddings: [Embedding([2, 0, 0])], ifEnrolled: .replace)
        try g.enroll(name: "Bob", embeddings: [Embedding([0, 2, 0]), Embedding([0, 3, 0])], metadata: "b", ifEnrolled: .replace)
        return g
    }

    func testPartsGiveTheSameGalleryBack() throws {
        let g = try enrolled()
        XCTAssertEqual(g.rowOwners, [0, 0, 0, 2, 1, 1])
        XCTAssertEqual(g.searchMatrix.count, 6 * 3)
        let back = try FaceGallery.assemble(source: "t", encoderFingerprint: g.encoderFingerprint, dimension: g.dimension,
                                            created: g.created, updated: g.updated, names: g.identityNames,
                                            metadata: g.identityMetadata, matrix: g.searchMatrix, owner: g.rowOwners)
        StoreTestData.assertSame(back, g)
        XCTAssertEqual(back.created, Date(timeIntervalSince1970: 1_700_000_000))
        // searching gives the same answer (norms recomputed)
        let q = Embedding([0.9, 0.1, 0])
        XCTAssertEqual(try back.nearest([q], topK: 3), try g.nearest([q], topK: 3))
    }

    func testIdentitiesWithEmbeddingsAreGroupedInRowOrder() throws {
        let g = try enrolled()
        XCTAssertEqual(g.identitiesWithEmbeddings, [
            .init(name: "Ada", metadata: "a", embeddings: [Embedding([1, 0, 0]), Embedding([0, 1, 0]), Embedding([1, 1, 0])]),
            .init(name: "Bob", metadata: "b", embeddings: [Embedding([0, 2, 0]), Embedding([0, 3, 0])]),
            .init(name: "Cleo", metadata: nil, embeddings: [Embedding([2, 0, 0])]),
        ])
        for identity in g.identitiesWithEmbeddings { XCTAssertEqual(g.embeddings(of: identity.name), identity.embeddings) }
        let regrouped = try FaceGallery.assemble(source: "t", encoderFingerprint: "enc", dimension: nil, created: t0, updated: t0,
                                                 identities: g.identitiesWithEmbeddings)
        XCTAssertEqual(regrouped.identities, g.identities)
        XCTAssertEqual(regrouped.dimension, 3, "taken from the first embedding")
        XCTAssertEqual(regrouped.rowOwners, [0, 0, 0, 1, 1, 2], "identity after identity")
    }

    func testInvalidPartsAreCorruptNamingTheSource() {
        let one: [Float] = [1, 2, 3]
        let cases: [(String, [String], [String?], Int?, [Float], [Int32])] = [
            ("names but", ["a"], [], 3, one, [0]),
            ("matrix values", ["a"], [nil], 3, one + [4], [0]),
            ("not one of the 1 stored", ["a"], [nil], 3, one, [1]),
            ("owns no embedding", ["a", "b"], [nil, nil], 3, one, [0]),
            ("stored twice", ["Zoe\u{0308}", "Zo\u{00EB}"], [nil, nil], 3, one + one, [0, 1]),
            ("invalid name", ["a\u{0007}"], [nil], 3, one, [0]),
            ("invalid name", ["  "], [nil], 3, one, [0]),
            ("NaN or infinity", ["a"], [nil], 3, [1, .nan, 3], [0]),
            ("NaN or infinity", ["a"], [nil], 3, [1, .infinity, 3], [0]),
            ("no embedding dimension", ["a"], [nil], nil, one, [0]),
            ("not ≥ 1", [], [], 0, [], []),
            ("more than", ["a"], [String(repeating: "m", count: GalleryLimits.maxMetadataBytes + 1)], 3, one, [0]),
        ]
        for (fragment, names, metadata, d, matrix, owner) in cases {
            XCTAssertThrowsError(try FaceGallery.assemble(source: "src.db", encoderFingerprint: "e", dimension: d, created: t0, updated: t0,
                                                          names: names, metadata: metadata, matrix: matrix, owner: owner), fragment) {
                guard case .corrupt(let path, let reason) = $0 as? GalleryError else { return XCTFail("\(fragment): \($0)") }
                XCTAssertEqual(path, "src.db")
                XCTAssertTrue(reason.contains(fragment), "\(fragment): \(reason)")
            }
        }
        // NFD names become NFC, like the HDF5 load does for old files
        let g = try? FaceGallery.assemble(source: "s", encoderFingerprint: "e", dimension: 3, created: t0, updated: t0,
                                          names: ["Zoe\u{0308}"], metadata: [nil], matrix: one, owner: [0])
        XCTAssertEqual(g?.identityNames.map { Array($0.utf8) }, [Array("Zo\u{00EB}".utf8)])
        XCTAssertTrue(g?.contains(name: "Zo\u{00EB}") ?? false)
    }
}
