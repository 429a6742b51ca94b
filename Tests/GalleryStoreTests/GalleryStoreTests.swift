import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import TestSupport
import WeightStore
import XCTest

/// The `GalleryStore` contract, run on every implementation: every operation gives what the same operation on an
/// in-memory `FaceGallery` gives. The PostgreSQL store runs in a throw-away cluster started for this class (skipped,
/// with the reason printed, only when PostgreSQL's binaries are missing or the cluster cannot start).
final class GalleryStoreTests: XCTestCase {
    private var folder: URL!
    nonisolated(unsafe) private static var server: PostgresServer?
    private var kinds: [GalleryStoreKind] { [.hdf5, .sqlite] + (Self.server == nil ? [] : [.postgres]) }

    override class func setUp() {
        super.setUp()
        server = PostgresTestCluster.start(for: "GalleryStoreTests")
        if let server { print("GalleryStoreTests: the contract runs on hdf5, sqlite and postgres (a cluster on 127.0.0.1:\(server.port))") }
    }
    override class func tearDown() {
        PostgresTestCluster.stop(server)
        server = nil
        super.tearDown()
    }

    override func setUp() { folder = StoreTestData.folder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func store(_ kind: GalleryStoreKind, name: String = "people") throws -> any GalleryStore {
        let store = try GalleryStores.open(StoreTestData.location(kind, in: folder, name: name))
        XCTAssertEqual(store.kind, kind)
        return store
    }

    private typealias E = GalleryEnrolment
    private static func e(_ name: String, _ count: Int, seed: UInt64, metadata: String? = nil,
                          _ policy: FaceGallery.ExistingIdentityPolicy = .extend) -> GalleryEnrolment {
        GalleryEnrolment(name: name, embeddings: StoreTestData.embeddings(count, seed: seed), metadata: metadata, policy: policy)
    }

    /// Batches covering new people, extend (with and without metadata), replace, refuse, and every per-entry refusal.
    private static let batches: [[GalleryEnrolment]] = [
        [e("Ada", 2, seed: 1, metadata: "{\"team\": 1}"), e("Bob", 1, seed: 2), e("Cleo", 3, seed: 3, metadata: "c")],
        [e("Ada", 1, seed: 4)],                                  // extend, metadata kept
        [e("Bob", 2, seed: 5, metadata: "new")],                 // extend, metadata replaced
        [e("Ada", 2, seed: 6, .replace)],                        // replace, metadata dropped
        [e("Cleo", 1, seed: 7, .refuse), e("Dan", 1, seed: 8)],  // refused, the next one goes on
        [e("", 1, seed: 9), e("tab\there", 1, seed: 10), e("   ", 1, seed: 11),
         GalleryEnrolment(name: "NaN", embeddings: [Embedding([Float](repeating: .nan, count: StoreTestData.dimension))]),
         GalleryEnrolment(name: "Short", embeddings: [Embedding([1, 2, 3])]),
         GalleryEnrolment(name: "Nothing", embeddings: []),
         GalleryEnrolment(name: "Long", embeddings: StoreTestData.embeddings(1, seed: 12),
                          metadata: String(repeating: "x", count: GalleryLimits.maxMetadataBytes + 1)),
         e("Eve", 2, seed: 13)],
        [e("Ada", 1, seed: 14, metadata: "back")],
    ]

    func testOperationsMatchTheInMemoryGallery() throws {
        for kind in kinds {
            let store = try store(kind)
            var memory = FaceGallery.create(encoderFingerprint: StoreTestData.encoder, dimension: StoreTestData.dimension)
            for (b, batch) in Self.batches.enumerated() {
                let got = try StoreTestData.enroll(store, batch)
                let expected = StoreTestData.enroll(&memory, batch)
                XCTAssertEqual(got, expected, "\(kind) batch \(b)")
                StoreTestData.assertSame(try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension),
                                         memory, times: false, "\(kind) after batch \(b)")
            }
            // the refusals are the ones of FaceGallery.enroll
            let refusals = try StoreTestData.enroll(store, [Self.e("Cleo", 1, seed: 20, .refuse)])
            XCTAssertEqual(refusals, [.failure(.alreadyEnrolled(name: "Cleo"))], "\(kind)")

            XCTAssertTrue(try store.remove(name: "Bob"), "\(kind)")
            XCTAssertTrue(memory.remove(name: "Bob"))
            XCTAssertFalse(try store.remove(name: "Bob"), "\(kind) removed twice")
            XCTAssertFalse(try store.remove(name: "nobody"), "\(kind)")
            XCTAssertFalse(try store.remove(name: ""), "\(kind) invalid name")
            StoreTestData.assertSame(try store.load(expectingEncoder: nil, dimension: nil), memory, times: false, "\(kind) after remove")

            let after = [Self.e("Fay", 1, seed: 30), Self.e("Cleo", 1, seed: 31)]
            XCTAssertEqual(try StoreTestData.enroll(store, after), StoreTestData.enroll(&memory, after), "\(kind)")
            let loaded = try store.load(expectingEncoder: StoreTestData.encoder, dimension: nil)
            StoreTestData.assertSame(loaded, memory, times: false, "\(kind) at the end")
            XCTAssertEqual(loaded.identities.map(\.name), ["Ada", "Cleo", "Dan", "Eve", "Fay"], "\(kind)")
            XCTAssertEqual(loaded.identity(named: "Ada"), FaceGallery.Identity(name: "Ada", embeddingCount: 3, metadata: "back"), "\(kind)")
            // a reopened store object reads the same
            StoreTestData.assertSame(try self.store(kind).load(expectingEncoder: nil, dimension: nil), loaded, "\(kind) reopened")
        }
    }

    func testUnicodeNamesAreOnePersonInNFCAndNFD() throws {
        let nfd = "Zoe\u{0308} A\u{030A}ngstro\u{0308}m", nfc = "Zo\u{00EB} \u{00C5}ngstr\u{00F6}m"
        XCTAssertNotEqual(Array(nfd.utf8), Array(nfc.utf8))
        for kind in kinds {
            let store = try store(kind)
            XCTAssertEqual(try StoreTestData.enroll(store, [Self.e(nfd, 1, seed: 1), Self.e("李小龙", 1, seed: 2)]),
                           [.success(.added(embeddings: 1)), .success(.added(embeddings: 1))], "\(kind)")
            XCTAssertEqual(try StoreTestData.enroll(store, [Self.e(nfc, 2, seed: 3)]), [.success(.extended(total: 3))], "\(kind)")
            XCTAssertEqual(try StoreTestData.enroll(store, [Self.e(nfd, 1, seed: 4, .refuse)]), [.failure(.alreadyEnrolled(name: nfc))], "\(kind)")
            let g = try store.load(expectingEncoder: nil, dimension: nil)
            XCTAssertEqual(g.identities.map { Array($0.name.utf8) }, [Array(nfc.utf8), Array("李小龙".utf8)], "\(kind): stored in NFC")
            XCTAssertEqual(g.identity(named: nfc)?.embeddingCount, 3, "\(kind)")
            XCTAssertTrue(try store.remove(name: nfd), "\(kind): removed by its NFD spelling")
            XCTAssertEqual(try store.load(expectingEncoder: nil, dimension: nil).identities.map(\.name), ["李小龙"], "\(kind)")
        }
    }

    func testImportAllBothWaysKeepsEverything() throws {
        // HDF5 → SQLite → HDF5, the gallery built by the operations above (removals, replaces, metadata)
        let h5 = try store(.hdf5, name: "source")
        for batch in Self.batches { _ = try StoreTestData.enroll(h5, batch) }
        XCTAssertTrue(try h5.remove(name: "Bob"))
        var source = try h5.load(expectingEncoder: nil, dimension: nil)
        XCTAssertGreaterThan(source.count, 3)

        let db = try store(.sqlite, name: "copy")
        try db.importAll(source)
        let viaSQLite = try db.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
        StoreTestData.assertSame(viaSQLite, source, "HDF5 → SQLite")

        let back = try store(.hdf5, name: "back")
        try back.importAll(viaSQLite)
        StoreTestData.assertSame(try back.load(expectingEncoder: nil, dimension: nil), source, "SQLite → HDF5")
        // the HDF5 file is the one the CLI reads
        let url = URL(fileURLWithPath: back.location)
        StoreTestData.assertSame(try FaceGallery.load(from: url, expectingEncoder: StoreTestData.encoder), source, "FaceGallery.load")

        // times survive to the second, names and metadata in unicode too
        let t0 = Date(timeIntervalSince1970: 1_600_000_000)
        source = FaceGallery.create(encoderFingerprint: "enc-ü", dimension: 3, now: t0)
        try source.enroll(name: "Zoë", embeddings: [Embedding([1, -2, 3.5])], metadata: "größte", now: t0.addingTimeInterval(90))
        for kind in kinds {
            let s = try store(kind, name: "times")
            try s.importAll(source)
            let g = try s.load(expectingEncoder: "enc-ü", dimension: 3)
            StoreTestData.assertSame(g, source, "\(kind) times")
            XCTAssertEqual(g.updated, Date(timeIntervalSince1970: 1_600_000_090), "\(kind)")
        }
    }

    func testImportAllRefusesANonEmptyStoreAndTakesAnEmptyOne() throws {
        let source = try FaceGallery.assemble(source: "test", encoderFingerprint: StoreTestData.otherEncoder, dimension: StoreTestData.dimension,
                                              created: Date(timeIntervalSince1970: 1_700_000_000), updated: Date(timeIntervalSince1970: 1_700_000_100),
                                              identities: [.init(name: "Gus", metadata: nil, embeddings: StoreTestData.embeddings(2, seed: 5))])
        for kind in kinds {
            let store = try store(kind)
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
            let before = try store.load(expectingEncoder: nil, dimension: nil)
            let token = try store.changeToken()
            XCTAssertThrowsError(try store.importAll(source), "\(kind)") { error in
                XCTAssertEqual(error as? GalleryStoreError, .notEmpty(location: store.location, identities: 1), "\(kind)")
                XCTAssertTrue("\(error)".hasPrefix(store.location), "\(kind): \(error)")
            }
            StoreTestData.assertSame(try store.load(expectingEncoder: nil, dimension: nil), before, "\(kind) unchanged")
            XCTAssertEqual(try store.changeToken(), token, "\(kind)")

            // emptied, it takes the imported gallery whole, encoder included
            XCTAssertTrue(try store.remove(name: "Ada"))
            try store.importAll(source)
            StoreTestData.assertSame(try store.load(expectingEncoder: StoreTestData.otherEncoder, dimension: nil), source, "\(kind) into empty")
        }
    }

    func testEncoderOrDimensionMismatchIsRefusedBeforeWriting() throws {
        for kind in kinds {
            let store = try store(kind)
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
            let before = try store.load(expectingEncoder: nil, dimension: nil)
            let token = try store.changeToken()
            let loc = store.location
            XCTAssertThrowsError(try StoreTestData.enroll(store, [Self.e("Bob", 1, seed: 2)], encoder: StoreTestData.otherEncoder), "\(kind)") {
                XCTAssertEqual($0 as? GalleryError, .encoderMismatch(path: loc, gallery: StoreTestData.encoder, expected: StoreTestData.otherEncoder), "\(kind)")
            }
            let wide = [GalleryEnrolment(name: "Bob", embeddings: StoreTestData.embeddings(1, seed: 2, dimension: 16))]
            XCTAssertThrowsError(try StoreTestData.enroll(store, wide, dimension: 16), "\(kind)") {
                XCTAssertEqual($0 as? GalleryError, .dimensionMismatch(path: loc, gallery: StoreTestData.dimension, expected: 16), "\(kind)")
            }
            XCTAssertThrowsError(try store.load(expectingEncoder: StoreTestData.otherEncoder, dimension: nil), "\(kind)") {
                XCTAssertEqual($0 as? GalleryError, .encoderMismatch(path: loc, gallery: StoreTestData.encoder, expected: StoreTestData.otherEncoder), "\(kind)")
            }
            XCTAssertThrowsError(try store.load(expectingEncoder: StoreTestData.encoder, dimension: 128), "\(kind)") {
                XCTAssertEqual($0 as? GalleryError, .dimensionMismatch(path: loc, gallery: StoreTestData.dimension, expected: 128), "\(kind)")
                XCTAssertTrue("\($0)".hasPrefix(loc), "\(kind): \($0)")
            }
            StoreTestData.assertSame(try store.load(expectingEncoder: nil, dimension: nil), before, "\(kind) unchanged")
            XCTAssertEqual(try store.changeToken(), token, "\(kind): nothing written")
        }
    }

    func testAMissingStoreIsMissingAndNothingIsCreatedUntilAnEntryIsEnrolled() throws {
        for kind in kinds {
            let store = try store(kind)
            let loc = store.location
            XCTAssertFalse(store.exists(), "\(kind)")
            XCTAssertThrowsError(try store.load(expectingEncoder: nil, dimension: nil), "\(kind)") {
                XCTAssertEqual($0 as? GalleryStoreError, .missing(location: loc), "\(kind)")
                XCTAssertTrue("\($0)".hasPrefix(loc), "\(kind): \($0)")
            }
            XCTAssertThrowsError(try store.remove(name: "Ada"), "\(kind)") {
                XCTAssertEqual($0 as? GalleryStoreError, .missing(location: loc), "\(kind)")
            }
            XCTAssertNil(try store.changeToken(), "\(kind)")
            // a batch that enrols nothing creates nothing, and says why each entry was refused
            let refused = try StoreTestData.enroll(store, [Self.e("", 1, seed: 1), GalleryEnrolment(name: "x", embeddings: [Embedding([1])])])
            XCTAssertEqual(refused, [.failure(.invalidName(name: "", reason: "empty")),
                                     .failure(.embeddingDimensionMismatch(name: "x", index: 0, gallery: StoreTestData.dimension, found: 1))], "\(kind)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "\(kind): no file written")
            XCTAssertFalse(store.exists(), "\(kind)")

            XCTAssertEqual(try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)]), [.success(.added(embeddings: 1))], "\(kind)")
            XCTAssertTrue(store.exists(), "\(kind)")
            XCTAssertNotNil(try store.changeToken(), "\(kind)")
            let g = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
            XCTAssertEqual(g.dimension, StoreTestData.dimension, "\(kind): created with the given dimension")
            try FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }

    func testChangeTokenChangesWithEveryCommitAndOnlyThen() throws {
        for kind in kinds {
            let store = try store(kind)
            let other = try self.store(kind)   // another store object: its own connection / file handle
            var seen: [Int64] = []
            func committed(_ what: String, line: UInt = #line) throws {
                let token = try XCTUnwrap(try store.changeToken(), "\(kind) \(what)", line: line)
                XCTAssertFalse(seen.contains(token), "\(kind): \(what) did not change the token", line: line)
                XCTAssertEqual(try other.changeToken(), token, "\(kind): both objects see one token", line: line)
                seen.append(token)
            }
            func unchanged(_ what: String, line: UInt = #line) throws {
                XCTAssertEqual(try store.changeToken(), seen.last, "\(kind): \(what) changed the token", line: line)
            }
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
            try committed("first enrolment")
            _ = try store.load(expectingEncoder: nil, dimension: nil)
            try unchanged("a load")
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 2, .refuse)])
            try unchanged("a refused enrolment")
            XCTAssertFalse(try store.remove(name: "nobody"))
            try unchanged("removing nobody")
            XCTAssertThrowsError(try store.importAll(FaceGallery.create(encoderFingerprint: "x")))
            try unchanged("a refused import")
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 3)])
            try committed("extend")
            _ = try StoreTestData.enroll(other, [Self.e("Bob", 1, seed: 4)])
            try committed("the other object's enrolment")
            XCTAssertTrue(try other.remove(name: "Ada"))
            try committed("the other object's removal")
            _ = try StoreTestData.enroll(store, [Self.e("Bob", 2, seed: 5, .replace)])
            try committed("replace")
            try unchanged("nothing")
        }
    }

    func testStoresAreSafeToShareBetweenThreads() throws {
        for kind in kinds {
            let store = try GalleryStores.open(StoreTestData.location(kind, in: folder), lockWait: 10)
            let failures = LockedList()
            DispatchQueue.concurrentPerform(iterations: 8) { t in
                do {
                    for i in 0..<5 {
                        _ = try StoreTestData.enroll(store, [Self.e("t\(t)-\(i)", 1, seed: UInt64(t * 10 + i))])
                        _ = try store.load(expectingEncoder: StoreTestData.encoder, dimension: nil)
                    }
                } catch { failures.append("\(error)") }
            }
            XCTAssertEqual(failures.items, [], "\(kind)")
            let g = try store.load(expectingEncoder: nil, dimension: nil)
            XCTAssertEqual(g.count, 40, "\(kind)")
            for t in 0..<8 {
                for i in 0..<5 {
                    XCTAssertEqual(g.embeddings(of: "t\(t)-\(i)"), StoreTestData.embeddings(1, seed: UInt64(t * 10 + i)), "\(kind)")
                }
            }
        }
    }
}

/// A list appended to from several threads.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
