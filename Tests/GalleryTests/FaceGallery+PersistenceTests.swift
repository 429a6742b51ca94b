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
        for (path, tensor, expected) in [("names/bytes", names, "control character"), ("embeddings", embeddings, "row 1")] {
            var bad = good
            bad.set(tensor, at: path)
            try bad.write(to: url)
            XCTAssertThrowsError(try FaceGallery.load(from: url, expectingEncoder: nil)) { error in
                guard case .corrupt(_, let reason)? = error as? GalleryError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(expected), reason)
            }
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
