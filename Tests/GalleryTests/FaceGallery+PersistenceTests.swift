import FaceEmbedding
@testable import Gallery
import SeededRandom
import TestSupport
import WeightStore
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class FaceGalleryPersistenceTests: XCTestCase {
    private var folder: URL!

    override func setUp() { folder = TestPaths.temporaryDirectory("gallery-test") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func assertSame(_ a: FaceGallery, _ b: FaceGallery, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.encoderFingerprint, b.encoderFingerprint, file: file, line: line)
        XCTAssertEqual(a.dimension, b.dimension, file: file, line: line)
        XCTAssertEqual(a.created, b.created, file: file, line: line)
        XCTAssertEqual(a.updated, b.updated, file: file, line: line)
        XCTAssertEqual(a.identities, b.identities, file: file, line: line)
        for identity in a.identities {
            XCTAssertEqual(a.embeddings(of: identity.name), b.embeddings(of: identity.name), identity.name, file: file, line: line)
        }
        XCTAssertEqual(a.squaredNorms, b.squaredNorms, file: file, line: line)
    }

    func testRoundTripKeepsNamesMetadataEmbeddingsAndTimes() throws {
        var rng = SplitMix64(seed: 11)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000.75)
        var g = FaceGallery.create(encoderFingerprint: GalleryTestData.encoder, now: t0)
        try g.enroll(name: "Zoë Ångström", embeddings: (0..<3).map { _ in GalleryTestData.embedding(&rng) },
                     metadata: "{\"dept\": \"Forschung\", \"note\": \"größte\"}", now: t0)
        try g.enroll(name: "李小龙", embeddings: [GalleryTestData.embedding(&rng)], now: t0.addingTimeInterval(60))
        try g.enroll(name: "O'Brien \"Bob\"", embeddings: [GalleryTestData.embedding(&rng)], metadata: "",
                     now: t0.addingTimeInterval(120))
        try g.enroll(name: "Zoë Ångström", embeddings: [GalleryTestData.embedding(&rng)], now: t0.addingTimeInterval(180))
        let url = folder.appendingPathComponent("people.h5")
        try g.save(to: url)

        let back = try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder)
        assertSame(g, back)
        XCTAssertEqual(back.created, Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(back.updated, Date(timeIntervalSince1970: 1_700_000_180))
        XCTAssertEqual(back.identity(named: "Zoë Ångström")?.embeddingCount, 4)
        XCTAssertEqual(back.identity(named: "O'Brien \"Bob\"")?.metadata, "")
        XCTAssertNil(back.identity(named: "李小龙")?.metadata)

        // the documented layout
        let archive = try WeightArchive.read(from: url, kind: FaceGallery.archiveKind)
        XCTAssertEqual(archive.formatVersion, 1)
        XCTAssertEqual(try archive.tensor("embeddings").shape, [6, 128])
        XCTAssertEqual(try archive.tensor("owner").values, [0, 0, 0, 1, 2, 0])
        XCTAssertEqual(try archive.string("created"), "2023-11-14T22:13:20Z")
        XCTAssertEqual(try archive.integer("identity_count"), 3)

        // inspecting without an encoder, an empty gallery, loadOrCreate
        assertSame(g, try FaceGallery.load(from: url, expectingEncoder: nil))
        let empty = FaceGallery.create(encoderFingerprint: "e", now: t0)
        let emptyURL = folder.appendingPathComponent("empty.h5")
        try empty.save(to: emptyURL)
        assertSame(empty, try FaceGallery.load(from: emptyURL, expectingEncoder: "e"))
        let fresh = try FaceGallery.loadOrCreate(at: folder.appendingPathComponent("new.h5"), encoderFingerprint: "e")
        XCTAssertTrue(fresh.isEmpty)
        XCTAssertEqual(try FaceGallery.loadOrCreate(at: url, encoderFingerprint: GalleryTestData.encoder).count, 3)
    }

    func testSixtyFourDimensionalGalleryRoundTripsAndRecordsItsSize() throws {
        var g = GalleryTestData.gallery(identities: 25, seed: 13, dimension: 64)
        XCTAssertTrue(g.remove(name: "p3"))
        let url = folder.appendingPathComponent("g64.h5")
        try g.save(to: url)
        let archive = try WeightArchive.read(from: url, kind: FaceGallery.archiveKind)
        XCTAssertEqual(archive.formatVersion, 1)
        XCTAssertEqual(try archive.tensor("embeddings").shape, [g.embeddingCount, 64])
        XCTAssertEqual(try archive.integer("embedding_dimension"), 64)
        let back = try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder, dimension: 64)
        assertSame(g, back)
        XCTAssertEqual(back.dimension, 64)
        XCTAssertEqual(try FaceGallery.loadOrCreate(at: url, encoderFingerprint: GalleryTestData.encoder, dimension: 64).count, 24)
        // searching the loaded gallery finds the enrolled rows
        let probe = back.embeddings(of: "p7")![0]
        XCTAssertEqual(try back.nearest([probe], topK: 1)[0][0].name, "p7")

        // empty galleries keep a given size, or none
        let sized = FaceGallery.create(encoderFingerprint: "e", dimension: 64)
        try sized.save(to: url)
        XCTAssertEqual(try FaceGallery.load(from: url, expectingEncoder: "e").dimension, 64)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: "e", dimension: 128))
        try FaceGallery.create(encoderFingerprint: "e").save(to: url)
        let unsized = try FaceGallery.load(from: url, expectingEncoder: "e", dimension: 128)
        XCTAssertNil(unsized.dimension, "no size yet: any encoder size is accepted")
        XCTAssertEqual(try WeightArchive.read(from: url).tensor("embeddings").shape, [0, 0])
        let new = try FaceGallery.loadOrCreate(at: folder.appendingPathComponent("new.h5"), encoderFingerprint: "e", dimension: 64)
        XCTAssertEqual(new.dimension, 64)
    }

    func testGalleryOfAnotherDimensionIsRefusedNamingTheFileAndBothSizes() throws {
        let url = folder.appendingPathComponent("g64.h5")
        try GalleryTestData.gallery(identities: 3, dimension: 64).save(to: url)
        // the size is checked before the fingerprint: a 128-d encoder hears about the sizes
        for fingerprint in [GalleryTestData.encoder, "sha256:face-resnet"] {
            XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: fingerprint, dimension: 128)) { error in
                XCTAssertEqual(error as? GalleryError, .dimensionMismatch(path: url.path, gallery: 64, expected: 128))
                let text = "\(error)"
                XCTAssertTrue(text.contains(url.path) && text.contains("64") && text.contains("128"), text)
                XCTAssertFalse(text.contains("\n"))
            }
            XCTAssertThrowsError(try FaceGallery.loadOrCreate(at: url, encoderFingerprint: fingerprint, dimension: 128)) {
                XCTAssertEqual($0 as? GalleryError, .dimensionMismatch(path: url.path, gallery: 64, expected: 128))
            }
        }
        // inspecting without a size still works
        XCTAssertEqual(try FaceGallery.load(from: url, expectingEncoder: nil).dimension, 64)
    }

    /// A file as format_version 1 was written before galleries had a size: no `embedding_dimension`, `[N, 128]`.
    private func withoutDimensionAttribute(_ archive: WeightArchive) throws -> WeightArchive {
        var old = WeightArchive(kind: archive.kind, formatVersion: archive.formatVersion)
        for path in archive.tensorPaths { old.set(try archive.tensor(path), at: path) }
        for name in archive.attributeNames() where !["kind", "format_version", "embedding_dimension"].contains(name) {
            old.set(attribute: name, try archive.attribute(name))
        }
        XCTAssertFalse(old.attributeNames().contains("embedding_dimension"))
        return old
    }

    func testOldGalleryFilesWithoutADimensionStillLoad() throws {
        let g = GalleryTestData.gallery(identities: 12, seed: 14)
        let url = folder.appendingPathComponent("old.h5")
        try withoutDimensionAttribute(g.archive()).write(to: url)
        let back = try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder, dimension: 128)
        assertSame(g, back)
        XCTAssertEqual(back.dimension, 128)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder, dimension: 64)) {
            XCTAssertEqual($0 as? GalleryError, .dimensionMismatch(path: url.path, gallery: 128, expected: 64))
        }
        // an old empty gallery: [0, 128]
        var empty = WeightArchive(kind: FaceGallery.archiveKind, formatVersion: 1)
        let template = FaceGallery.create(encoderFingerprint: "e", dimension: 128).archive()
        for path in template.tensorPaths { empty.set(try template.tensor(path), at: path) }
        for name in template.attributeNames() where name != "embedding_dimension" { empty.set(attribute: name, try template.attribute(name)) }
        XCTAssertEqual(try empty.tensor("embeddings").shape, [0, 128])
        try empty.write(to: url)
        XCTAssertEqual(try FaceGallery.load(from: url, expectingEncoder: "e").dimension, 128)
        // old and new files search alike
        try g.save(to: url)
        let current = try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder)
        XCTAssertEqual(current.matrix, back.matrix)
    }

    func testInconsistentDimensionIsDamage() throws {
        let url = folder.appendingPathComponent("bad.h5")
        var archive = GalleryTestData.gallery(identities: 3, dimension: 64).archive()
        archive.set(attribute: "embedding_dimension", .integer(128))
        try archive.write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
            guard case .corrupt(url.path, let reason)? = error as? GalleryError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("embedding_dimension 128"), reason)
        }
        var rows = GalleryTestData.gallery(identities: 3, dimension: 64).archive()
        let e = try rows.tensor("embeddings")
        rows.set(Tensor(shape: [e.count], values: e.values), at: "embeddings")
        try rows.write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
            guard case .corrupt(url.path, let reason)? = error as? GalleryError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("'embeddings'"), reason)
        }
    }

    func testRemoveThenSaveAndLoad() throws {
        var g = GalleryTestData.gallery(identities: 20, seed: 12)
        XCTAssertTrue(g.remove(name: "p7"))
        let url = folder.appendingPathComponent("g.h5")
        try g.save(to: url)
        let back = try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder)
        assertSame(g, back)
        XCTAssertFalse(back.contains(name: "p7"))
        XCTAssertEqual(back.count, 19)
    }

    func testEncoderMismatchNamesBothFingerprints() throws {
        let url = folder.appendingPathComponent("g.h5")
        try GalleryTestData.gallery(identities: 2).save(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: "sha256:other-encoder")) { error in
            XCTAssertEqual(error as? GalleryError,
                           .encoderMismatch(path: url.path, gallery: GalleryTestData.encoder, expected: "sha256:other-encoder"))
            let text = "\(error)"
            XCTAssertTrue(text.contains(GalleryTestData.encoder), text)
            XCTAssertTrue(text.contains("sha256:other-encoder"), text)
            XCTAssertTrue(text.contains(url.path), text)
        }
        XCTAssertThrowsError(try FaceGallery.loadOrCreate(at: url, encoderFingerprint: "sha256:other-encoder"))
    }

    func testOtherFilesAreRefused() throws {
        let url = folder.appendingPathComponent("head.h5")
        try WeightArchive(kind: "pairmatch.head", formatVersion: 1).write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) {
            XCTAssertEqual($0 as? WeightStoreError, .wrongKind(path: url.path, expected: "pairmatch.gallery", found: "pairmatch.head"))
        }
        XCTAssertThrowsError(try FaceGallery.load(from: folder.appendingPathComponent("none.h5"), expectingEncoder: nil)) {
            XCTAssertEqual($0 as? WeightStoreError, .missingFile(path: self.folder.appendingPathComponent("none.h5").path))
        }
        // inconsistent content: an owner index out of range
        var archive = GalleryTestData.gallery(identities: 3).archive()
        var owner = try archive.tensor("owner")
        owner.values[0] = 7
        archive.set(owner, at: "owner")
        try archive.write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
            guard case .corrupt(let path, let reason)? = error as? GalleryError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("owner[0]"), reason)
        }
        // a newline inside a name, a NaN in an embedding
        let good = GalleryTestData.gallery(identities: 3).archive()
        var names = try good.tensor("names/bytes")
        names.values[1] = 10
        var embeddings = try good.tensor("embeddings")
        embeddings.values[130] = .nan
        var bad = good
        bad.set(names, at: "names/bytes")
        try bad.write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
            guard case .corrupt(_, let reason)? = error as? GalleryError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("control character"), reason)
        }
        // A NaN embedding is refused by WeightStore before the gallery sees it (row 1, column 2 of [3, 128]).
        bad = good
        bad.set(embeddings, at: "embeddings")
        try bad.write(to: url)
        XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
            XCTAssertEqual(error as? WeightStoreError, .nonFinite(path: url.path, tensor: "embeddings", index: 130))
        }
    }

    /// A save that fails half-way (the file-size limit stands in for a full disk) leaves the previous gallery and no
    /// temporary file. The failing save runs in a forked child that leaves with `_exit`: after a failed write HDF5's
    /// own exit handler crashes (reported to WeightStore), which must not take the test process down.
    func testFailedSaveLeavesThePreviousGallery() throws {
        let url = folder.appendingPathComponent("g.h5")
        let small = GalleryTestData.gallery(identities: 3, seed: 21)
        try small.save(to: url)
        let big = GalleryTestData.gallery(identities: 2000, seed: 22)   // ≈ 1.5 MB

        let child = fork()
        if child == 0 {
            signal(SIGXFSZ, SIG_IGN)
            var limited = rlimit()
            getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
            limited.rlim_cur = 256 * 1024
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
            do {
                try big.save(to: url)
                _exit(1)   // the save should have failed
            } catch {
                _exit("\(error)".contains(url.path) && "\(error)".contains("cannot write") ? 0 : 2)
            }
        }
        XCTAssertGreaterThan(child, 0, "fork")
        var status: Int32 = 0
        waitpid(child, &status, 0)
        XCTAssertEqual(status, 0, "the child's save must fail with a writeFailed error naming the file (0 = as expected, 1 = it succeeded)")

        assertSame(small, try FaceGallery.load(from: url, expectingEncoder: GalleryTestData.encoder))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "g.h5" }
        XCTAssertEqual(leftovers, [], "temporary files are removed")
        // a missing folder fails before touching anything
        XCTAssertThrowsError(try big.save(to: folder.appendingPathComponent("no/such/g.h5"))) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
    }
}
