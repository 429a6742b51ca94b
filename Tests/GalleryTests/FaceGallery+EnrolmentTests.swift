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

    func testDimensionComesFromTheFirstEnrolmentOrFromCreate() throws {
        var rng = SplitMix64(seed: 6)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        XCTAssertNil(g.dimension)
        let a = (0..<2).map { _ in GalleryTestData.embedding(&rng, dimension: 64) }
        XCTAssertEqual(try g.enroll(name: "Ana", embeddings: a), .added(embeddings: 2))
        XCTAssertEqual(g.dimension, 64)
        XCTAssertEqual(g.embeddings(of: "Ana"), a)
        XCTAssertEqual(g.embedding(row: 1).dimension, 64)
        XCTAssertEqual(g.squaredNorms[1], a[1].norm * a[1].norm, accuracy: 1e-6)
        let given = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder, dimension: 5)
        XCTAssertEqual(given.dimension, 5)
        XCTAssertTrue(given.isEmpty)
    }

    func testEnrolmentOfAnotherDimensionIsRefusedAndLeavesTheGalleryUnchanged() throws {
        var rng = SplitMix64(seed: 7)
        var g = GalleryTestData.gallery(identities: 4, seed: 8, dimension: 64)
        let before = (g.identities, g.matrix)
        let e64 = GalleryTestData.embedding(&rng, dimension: 64), e128 = GalleryTestData.embedding(&rng)
        let cases: [(String, [Embedding], GalleryError)] = [
            ("new", [e128], .embeddingDimensionMismatch(name: "new", index: 0, gallery: 64, found: 128)),
            ("new", [e64, e128], .embeddingDimensionMismatch(name: "new", index: 1, gallery: 64, found: 128)),
            ("p1", [e128], .embeddingDimensionMismatch(name: "p1", index: 0, gallery: 64, found: 128)),
        ]
        for (name, list, expected) in cases {
            for policy in FaceGallery.ExistingIdentityPolicy.allCases {
                XCTAssertThrowsError(try g.enroll(name: name, embeddings: list, ifEnrolled: policy)) { error in
                    XCTAssertEqual(error as? GalleryError, expected)
                    let text = "\(error)"
                    XCTAssertTrue(text.contains("64") && text.contains("128") && !text.contains("\n"), text)
                }
            }
        }
        XCTAssertEqual(g.identities, before.0)
        XCTAssertEqual(g.matrix, before.1)
        // a gallery created for 64-d embeddings refuses a 128-d first enrolment; a mixed first list is refused too
        var sized = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder, dimension: 64)
        XCTAssertThrowsError(try sized.enroll(name: "x", embeddings: [e128])) {
            XCTAssertEqual($0 as? GalleryError, .embeddingDimensionMismatch(name: "x", index: 0, gallery: 64, found: 128))
        }
        var fresh = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        XCTAssertThrowsError(try fresh.enroll(name: "x", embeddings: [e64, e128])) {
            XCTAssertEqual($0 as? GalleryError, .embeddingDimensionMismatch(name: "x", index: 1, gallery: 64, found: 128))
        }
        XCTAssertNil(fresh.dimension, "a refused first enrolment does not fix the size")
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

/// Names: one person whatever Unicode form spells the name; blank names are refused.
final class FaceGalleryNameTests: XCTestCase {
    let nfc = "Zo\u{00EB}", nfd = "Zoe\u{0308}"

    func testNFDAndNFCNamesAreOnePersonStoredInNFC() throws {
        var rng = SplitMix64(seed: 9)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        XCTAssertEqual(try g.enroll(name: nfd, embeddings: [GalleryTestData.embedding(&rng)]), .added(embeddings: 1))
        XCTAssertEqual(try g.enroll(name: nfc, embeddings: [GalleryTestData.embedding(&rng)]), .extended(total: 2))
        XCTAssertEqual(g.count, 1)
        XCTAssertEqual(Array(g.identities[0].name.utf8), Array(nfc.utf8), "stored in NFC")
        XCTAssertTrue(g.contains(name: nfd))
        XCTAssertEqual(g.embeddings(of: nfd)?.count, 2)
        XCTAssertEqual(try FaceGallery.normalizedName(nfd).utf8.count, nfc.utf8.count)
    }

    /// A gallery written before names were normalised (an NFD name in the file) loads with the name in NFC.
    func testOldGalleryWithAnNFDNameLoadsNormalised() throws {
        var rng = SplitMix64(seed: 10)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        try g.enroll(name: "placeholder", embeddings: [GalleryTestData.embedding(&rng)])
        g.names[0] = nfd   // as an older pairmatch stored it
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nfd-\(getpid()).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url)
        let loaded = try FaceGallery.load(from: url, expectingEncoder: nil)
        XCTAssertEqual(Array(loaded.identities[0].name.utf8), Array(nfc.utf8))
        XCTAssertTrue(loaded.contains(name: nfc))
    }

    func testEmptyOrWhitespaceOnlyNamesAreRefused() {
        var rng = SplitMix64(seed: 11)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder)
        for name in ["", "   ", "\u{3000}", " \u{00A0} "] {
            XCTAssertThrowsError(try g.enroll(name: name, embeddings: [GalleryTestData.embedding(&rng)]), "'\(name)'") {
                guard case .invalidName = $0 as? GalleryError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertTrue(g.isEmpty)
        XCTAssertNoThrow(try g.enroll(name: " Ana ", embeddings: [GalleryTestData.embedding(&rng)]))
    }
}
