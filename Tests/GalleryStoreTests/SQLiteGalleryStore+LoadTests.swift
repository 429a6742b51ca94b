import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import GRDB
import SeededRandom
import WeightStore
import XCTest

/// Damaged or foreign databases: every one is an error naming the file, never a wrong gallery.
final class SQLiteGalleryStoreLoadTests: XCTestCase {
    private var folder: URL!
    override func setUp() { folder = StoreTestData.folder() }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private var path: String { folder.appendingPathComponent("x.db").path }

    /// A gallery of `people` people with 1…3 `[64]` embeddings each at `path`, closed (no store object left open).
    private func makeGallery(people: Int = 5) throws {
        let store = try GalleryStores.open(path)
        _ = try StoreTestData.enroll(store, (0..<people).map { StoreTestData.numberedPerson($0) },
                                     dimension: StoreTestData.numberedDimension)
    }

    /// Edits the database with a plain GRDB connection (foreign keys off, so orphans can be made).
    private func edit(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        var config = Configuration()
        config.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// Asserts that loading `path` (with a new store object) throws `expected` (when given) naming the file.
    private func assertLoadFails(_ expected: ((GalleryStoreError) -> Bool)? = nil, _ message: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try GalleryStores.open(path).load(expectingEncoder: nil, dimension: nil), message, file: file, line: line) { error in
            XCTAssertTrue("\(error)".hasPrefix(path), "\(message): the error names the file: \(error)", file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), "\(message): one line", file: file, line: line)
            if let expected {
                guard let e = error as? GalleryStoreError else { return XCTFail("\(message): \(type(of: error)) \(error)", file: file, line: line) }
                XCTAssertTrue(expected(e), "\(message): \(e)", file: file, line: line)
            }
        }
    }

    private func isCorrupt(_ fragment: String) -> (GalleryStoreError) -> Bool {
        { if case .corrupt(_, let reason) = $0 { reason.contains(fragment) } else { false } }
    }

    func testRandomBytesAreNotAGalleryAndAreLeftAlone() throws {
        var rng = SplitMix64(seed: 3)
        let bytes = Data((0..<8192).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        _ = FileManager.default.createFile(atPath: path, contents: bytes)
        assertLoadFails({ if case .notAGallery = $0 { true } else { false } }, "random bytes")
        let store = try GalleryStores.open(path)
        XCTAssertTrue(store.exists(), "something is there")
        XCTAssertThrowsError(try StoreTestData.enroll(store, [StoreTestData.numberedPerson(0)], dimension: StoreTestData.numberedDimension))
        XCTAssertThrowsError(try store.importAll(FaceGallery.create(encoderFingerprint: "x")))
        XCTAssertEqual(FileManager.default.contents(atPath: path), bytes, "the file is untouched")
    }

    func testATruncatedDatabaseFails() throws {
        try makeGallery(people: 300)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "closed cleanly: the WAL is checkpointed away")
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertGreaterThan(whole.count, 16 * 4096)
        for keep in [whole.count / 2, 3 * 4096] {
            _ = FileManager.default.createFile(atPath: path, contents: whole.prefix(keep))
            assertLoadFails({ if case .corrupt = $0 { true } else { false } }, "truncated to \(keep) bytes")
        }
    }

    func testAVectorOfTheWrongLengthFails() throws {
        try makeGallery()
        try edit("UPDATE embeddings SET vector = substr(vector, 1, 100) WHERE id = 2")
        assertLoadFails(isCorrupt("embedding 2 of \"person-000001\": vector is 100 bytes, expected 256"), "short vector")
    }

    func testAFlippedByteFailsTheChecksum() throws {
        try makeGallery()
        let queue = try DatabaseQueue(path: path)
        var blob = try XCTUnwrap(try queue.read { db in try Data.fetchOne(db, sql: "SELECT vector FROM embeddings WHERE id = 3") })
        blob[17] ^= 0x01
        try queue.write { db in try db.execute(sql: "UPDATE embeddings SET vector = ? WHERE id = 3", arguments: [blob]) }
        assertLoadFails(isCorrupt("fails its checksum"), "flipped byte")
        // the enrolment path verifies that person's rows too
        let store = try GalleryStores.open(path)
        let owner = try queue.read { db in try String.fetchOne(db, sql: "SELECT p.name FROM people p JOIN embeddings e ON e.person_id = p.id WHERE e.id = 3") }
        var extend = StoreTestData.numberedPerson(0)
        extend.name = try XCTUnwrap(owner)
        extend.policy = .extend
        XCTAssertThrowsError(try StoreTestData.enroll(store, [extend], dimension: StoreTestData.numberedDimension)) {
            XCTAssertTrue("\($0)".contains("fails its checksum"), "\($0)")
        }
    }

    func testANaNVectorWithAValidChecksumFails() throws {
        try makeGallery()
        var values = [Float](repeating: 0.25, count: StoreTestData.numberedDimension)   // [64]
        values[5] = .nan
        let nan = Embedding(values)
        let (vector, checksum) = EmbeddingBlob.encode(nan)
        try edit("UPDATE embeddings SET vector = ?, checksum = ? WHERE id = 1", [vector, checksum])
        assertLoadFails(isCorrupt("component 5 is nan"), "NaN component")
        values[5] = .infinity
        let (inf, infChecksum) = EmbeddingBlob.encode(Embedding(values))
        try edit("UPDATE embeddings SET vector = ?, checksum = ? WHERE id = 1", [inf, infChecksum])
        assertLoadFails(isCorrupt("not a finite number"), "infinite component")
    }

    func testOrphanRowsAndPeopleWithoutRowsFail() throws {
        try makeGallery()
        let (vector, checksum) = EmbeddingBlob.encode(StoreTestData.embedding(seed: 1, dimension: StoreTestData.numberedDimension))
        try edit("INSERT INTO embeddings (person_id, vector, checksum) VALUES (999, ?, ?)", [vector, checksum])
        assertLoadFails(isCorrupt("belongs to person 999"), "orphan row")
        try edit("DELETE FROM embeddings WHERE person_id = 999")
        XCTAssertEqual(try GalleryStores.open(path).load(expectingEncoder: nil, dimension: nil).count, 5, "repaired")
        try edit("DELETE FROM embeddings WHERE person_id = (SELECT id FROM people WHERE name = 'person-000002')")
        assertLoadFails(isCorrupt("\"person-000002\" owns no embedding"), "person without rows")
    }

    func testBadNamesFail() throws {
        try makeGallery()
        try edit("UPDATE people SET name = 'Zoe\u{0308}' WHERE id = 1")
        try edit("UPDATE people SET name = 'Zo\u{00EB}' WHERE id = 2")
        assertLoadFails(isCorrupt("stored twice"), "NFD and NFC spellings of one name")
        try edit("UPDATE people SET name = 'a' || char(10) || 'b' WHERE id = 2")
        assertLoadFails(isCorrupt("invalid name"), "a control character")
    }

    func testForeignOrNewerDatabasesAreRefusedWithoutBeingChanged() throws {
        // another application's database (rollback journal, not WAL): refused, and not switched to WAL
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)") }
        try queue.close()
        let before = try XCTUnwrap(FileManager.default.contents(atPath: path))
        assertLoadFails({ if case .notAGallery = $0 { true } else { false } }, "another application's database")
        let store = try GalleryStores.open(path)
        XCTAssertThrowsError(try StoreTestData.enroll(store, [StoreTestData.numberedPerson(0)], dimension: StoreTestData.numberedDimension))
        XCTAssertNil(try? store.changeToken())
        XCTAssertEqual(FileManager.default.contents(atPath: path), before, "not converted to WAL, not written")
        try FileManager.default.removeItem(atPath: path)

        try makeGallery()
        try edit("UPDATE meta SET value = 'something.else' WHERE key = 'kind'")
        assertLoadFails({ if case .notAGallery(_, let r) = $0 { r.contains("something.else") } else { false } }, "another kind")
        try edit("UPDATE meta SET value = 'pairmatch.gallery' WHERE key = 'kind'")
        try edit("UPDATE meta SET value = 2 WHERE key = 'format_version'")
        assertLoadFails({ $0 == .unsupportedFormat(location: self.path, found: 2, supported: 1) }, "a newer format")
        try edit("UPDATE meta SET value = 1 WHERE key = 'format_version'")
        try edit("UPDATE meta SET value = 'sixty-four' WHERE key = 'embedding_dimension'")
        assertLoadFails(isCorrupt("embedding_dimension"), "a dimension that is not a number")
        try edit("UPDATE meta SET value = 64 WHERE key = 'embedding_dimension'")
        try edit("DELETE FROM meta WHERE key = 'generation'")
        assertLoadFails(isCorrupt("generation"), "no generation")
    }
}
