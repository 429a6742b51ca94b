import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import GRDB
import WeightStore
import XCTest

/// The SQLite store's own promises: the documented schema and pragmas, rows touched per enrolment, no file before
/// the first write, busy handling.
final class SQLiteGalleryStoreTests: XCTestCase {
    private var folder: URL!
    override func setUp() { folder = StoreTestData.folder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private var path: String { folder.appendingPathComponent("people.db").path }

    private func sqliteStore(_ location: String? = nil, lockWait: Double = 0) throws -> SQLiteGalleryStore {
        try XCTUnwrap(try GalleryStores.open(location ?? path, lockWait: lockWait) as? SQLiteGalleryStore)
    }

    private static func e(_ name: String, _ count: Int, seed: UInt64, metadata: String? = nil,
                          _ policy: FaceGallery.ExistingIdentityPolicy = .extend) -> GalleryEnrolment {
        GalleryEnrolment(name: name, embeddings: StoreTestData.embeddings(count, seed: seed), metadata: metadata, policy: policy)
    }

    func testConnectionIsWALWithFullSynchronousAndForeignKeys() throws {
        let store = try sqliteStore()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        let pool = try XCTUnwrap(try store.database(creating: false))
        let (journal, synchronous, foreignKeys) = try pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        XCTAssertEqual(journal, "wal")
        XCTAssertEqual(synchronous, 2, "synchronous=FULL")
        XCTAssertEqual(foreignKeys, 1)
        // WAL is recorded in the file itself (header bytes 18 and 19 are 2)
        let header = try XCTUnwrap(FileManager.default.contents(atPath: path)).prefix(20)
        XCTAssertEqual(Array(header.prefix(16)), Array("SQLite format 3\0".utf8))
        XCTAssertEqual(Array(header.suffix(2)), [2, 2])
    }

    func testSchemaAndStoredRowsAreTheDocumentedOnes() throws {
        let store = try sqliteStore()
        let ada = [Embedding([1, -2, 0.5, 0, 3, 4, 5, 6])]
        _ = try StoreTestData.enroll(store, [GalleryEnrolment(name: "Ada", embeddings: ada, metadata: "m"), Self.e("Bob", 2, seed: 2)])
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            XCTAssertEqual(tables, ["embeddings", "meta", "people"])
            let meta = try Row.fetchAll(db, sql: "SELECT key, value FROM meta")
            var values = [String: DatabaseValue]()
            for row in meta { values[row[0]] = row[1] as DatabaseValue }
            XCTAssertEqual(values["kind"], "pairmatch.gallery".databaseValue)
            XCTAssertEqual(values["format_version"], 1.databaseValue)
            XCTAssertEqual(values["encoder_fingerprint"], StoreTestData.encoder.databaseValue)
            XCTAssertEqual(values["embedding_dimension"], StoreTestData.dimension.databaseValue)
            XCTAssertEqual(values["generation"], 3.databaseValue, "creation + two enrolments")
            let people = try Row.fetchAll(db, sql: "SELECT id, name, metadata FROM people ORDER BY id")
            XCTAssertEqual(people.map { $0[1] as String }, ["Ada", "Bob"])
            XCTAssertEqual(people.map { $0[2] as String? }, ["m", nil])
            let rows = try Row.fetchAll(db, sql: "SELECT person_id, vector, checksum FROM embeddings ORDER BY id")
            XCTAssertEqual(rows.count, 3)
            let blob = rows[0][1] as Data
            XCTAssertEqual(blob.count, 4 * StoreTestData.dimension)
            XCTAssertEqual(Array(blob.prefix(8)), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0], "1.0, −2.0 little-endian float32")
            XCTAssertEqual(UInt64(bitPattern: rows[0][2] as Int64), TensorChecksum.digest(ada[0].values).xxh64)
            XCTAssertEqual(rows.map { $0[0] as Int64 }, [people[0][0], people[1][0], people[1][0]])
        }
    }

    func testAnEnrolmentTouchesOnlyThatPersonsRows() throws {
        let store = try sqliteStore()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 2, seed: 1), Self.e("Bob", 2, seed: 2), Self.e("Cleo", 1, seed: 3)])
        func snapshot() throws -> [Row] {
            try DatabaseQueue(path: path).read { db in
                try Row.fetchAll(db, sql: "SELECT e.id, e.person_id, e.vector, e.checksum FROM embeddings e JOIN people p ON p.id = e.person_id WHERE p.name <> 'Bob' ORDER BY e.id")
            }
        }
        let others = try snapshot()
        _ = try StoreTestData.enroll(store, [Self.e("Bob", 3, seed: 4, .replace)])
        _ = try StoreTestData.enroll(store, [Self.e("Bob", 1, seed: 5, metadata: "x")])
        XCTAssertEqual(try snapshot(), others, "other people's rows are untouched (same ids, same bytes)")
        let g = try store.load(expectingEncoder: nil, dimension: nil)
        XCTAssertEqual(g.identities.map(\.name), ["Ada", "Bob", "Cleo"], "a replaced person keeps its place")
        XCTAssertEqual(g.embeddings(of: "Bob"), StoreTestData.embeddings(3, seed: 4) + StoreTestData.embeddings(1, seed: 5))
    }

    func testRemovalCascadesToTheEmbeddings() throws {
        let store = try sqliteStore()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 2, seed: 1), Self.e("Bob", 3, seed: 2)])
        XCTAssertTrue(try store.remove(name: "Bob"))
        let count = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM embeddings") }
        XCTAssertEqual(count, 2)
    }

    func testNothingIsCreatedOnDiskBeforeTheFirstWrite() throws {
        let store = try sqliteStore()
        XCTAssertFalse(store.exists())
        XCTAssertNil(try store.changeToken())
        XCTAssertThrowsError(try store.load(expectingEncoder: nil, dimension: nil))
        XCTAssertThrowsError(try store.remove(name: "x"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
        // an empty file (touch) is not a store yet either, and becomes one on the first write
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        XCTAssertFalse(store.exists())
        XCTAssertThrowsError(try store.load(expectingEncoder: nil, dimension: nil)) {
            XCTAssertEqual($0 as? GalleryStoreError, .missing(location: self.path))
        }
        XCTAssertEqual(try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)]), [.success(.added(embeddings: 1))])
        XCTAssertTrue(store.exists())
    }

    func testTheSQLitePrefixNamesAnyPath() throws {
        let location = "sqlite:" + folder.appendingPathComponent("gallery.bin").path
        let store = try sqliteStore(location)
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("gallery.bin").path))
        XCTAssertEqual(try store.load(expectingEncoder: nil, dimension: nil).count, 1)
        XCTAssertThrowsError(try store.load(expectingEncoder: "other", dimension: nil)) {
            XCTAssertTrue("\($0)".hasPrefix(location), "names the location as given: \($0)")
        }
    }

    func testAReplacedFileIsReopened() throws {
        let store = try sqliteStore()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        try FileManager.default.removeItem(atPath: path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        XCTAssertFalse(store.exists())
        XCTAssertNil(try store.changeToken())
        _ = try StoreTestData.enroll(store, [Self.e("Bob", 1, seed: 2)])
        XCTAssertEqual(try GalleryStores.open(path).load(expectingEncoder: nil, dimension: nil).identities.map(\.name), ["Bob"])
    }

    func testAWriterWaitsForAnotherWriterThenGivesUp() throws {
        let store = try sqliteStore()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        // another connection holds the write lock
        let holder = try DatabaseQueue(path: path)
        let quick = SQLiteGalleryStore(location: path, path: path, busyTimeout: 0.2)
        try holder.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let started = Date()
            XCTAssertThrowsError(try StoreTestData.enroll(quick, [Self.e("Bob", 1, seed: 2)])) {
                XCTAssertEqual($0 as? GalleryStoreError, .busy(location: self.path, waited: 0.2))
                XCTAssertTrue("\($0)".hasPrefix(self.path), "\($0)")
            }
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.15, "waited for the busy timeout")
            // readers are not blocked by the writer (WAL)
            XCTAssertEqual(try quick.load(expectingEncoder: nil, dimension: nil).count, 1)
            try db.execute(sql: "ROLLBACK")
        }
        // a writer released within the timeout is waited for
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? holder.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                release.signal()
                usleep(300_000)
                try db.execute(sql: "COMMIT")
            }
            done.signal()
        }
        release.wait()
        let patient = try sqliteStore(lockWait: 10)
        XCTAssertEqual(try StoreTestData.enroll(patient, [Self.e("Bob", 1, seed: 2)]), [.success(.added(embeddings: 1))])
        done.wait()
        XCTAssertEqual(try store.load(expectingEncoder: nil, dimension: nil).count, 2)
    }

    func testAGalleryWithoutDimensionTakesTheFirstEnrolmentsDimension() throws {
        let store = try sqliteStore()
        try store.importAll(FaceGallery.create(encoderFingerprint: StoreTestData.encoder))
        let empty = try store.load(expectingEncoder: nil, dimension: nil)
        XCTAssertNil(empty.dimension)
        XCTAssertTrue(empty.isEmpty)
        XCTAssertEqual(try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)]), [.success(.added(embeddings: 1))])
        XCTAssertEqual(try store.load(expectingEncoder: nil, dimension: StoreTestData.dimension).dimension, StoreTestData.dimension)
    }
}

extension SQLiteGalleryStoreTests {
    func testALargeGalleryRoundTripsExactly() throws {
        let source = FaceGallery.synthetic(size: 20_000, dimension: 128, seed: 7, encoderFingerprint: StoreTestData.encoder,
                                           now: Date(timeIntervalSince1970: 1_700_000_000))
        let store = try sqliteStore()
        var started = Date()
        try store.importAll(source)
        let imported = Date().timeIntervalSince(started)
        started = Date()
        let back = try store.load(expectingEncoder: StoreTestData.encoder, dimension: 128)
        let loaded = Date().timeIntervalSince(started)
        print("20000 × 128: importAll \(String(format: "%.2f", imported)) s, load \(String(format: "%.2f", loaded)) s")
        XCTAssertEqual(back.count, 20_000)
        XCTAssertTrue(back.searchMatrix == source.searchMatrix, "the [N, D] matrix bit for bit")
        XCTAssertEqual(back.rowOwners, source.rowOwners)
        XCTAssertEqual(back.identityNames, source.identityNames)
        XCTAssertEqual(back.created, source.created)
    }
}
