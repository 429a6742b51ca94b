import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import NIOPosix
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL store against a real server (a throw-away cluster started for this class): its schema, its
/// refusals (passwords in URLs, unreachable servers, missing databases, failed logins, foreign databases, newer
/// schemas), corrupt rows, and (in +Processes) killed and concurrent writer processes and `gallery copy` round trips.
/// The contract every store passes runs in `GalleryStoreTests`.
final class PostgresGalleryStoreTests: XCTestCase {
    nonisolated(unsafe) static var server: PostgresServer?
    var folder: URL!

    /// Whether this process is a child started by the process tests (it uses the parent's cluster).
    static var isChild: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment[SQLiteGalleryStoreCrashTests.crashChildVariable] != nil
            || environment[SQLiteGalleryStoreCrashTests.writerChildVariable] != nil
    }

    override class func setUp() {
        super.setUp()
        if !isChild { server = PostgresTestCluster.start(for: "PostgresGalleryStoreTests") }
    }
    override class func tearDown() {
        if !isChild { PostgresTestCluster.stop(server) }
        server = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        folder = StoreTestData.folder()
        if !Self.isChild, Self.server == nil { throw XCTSkip("no PostgreSQL cluster (see the SKIP line above)") }
    }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    /// The cluster (set whenever a test runs in the parent).
    var server: PostgresServer { Self.server! }

    /// A new empty database's store.
    func store(_ name: String = "people", lockWait: Double = 0) throws -> any GalleryStore {
        let store = try GalleryStores.open(StoreTestData.location(.postgres, in: folder, name: name), lockWait: lockWait)
        XCTAssertEqual(store.kind, .postgres)
        return store
    }

    /// The database name of `store`'s URL.
    func database(_ store: any GalleryStore) -> String { String(store.location.split(separator: "/").last!) }

    /// psql's answer to `sql` in `store`'s database.
    @discardableResult
    func sql(_ store: any GalleryStore, _ sql: String) throws -> String { try server.psql(sql, database: database(store)) }

    static func e(_ name: String, _ count: Int, seed: UInt64, metadata: String? = nil,
                  _ policy: FaceGallery.ExistingIdentityPolicy = .extend) -> GalleryEnrolment {
        GalleryEnrolment(name: name, embeddings: StoreTestData.embeddings(count, seed: seed), metadata: metadata, policy: policy)
    }

    // MARK: - Schema

    func testTheSchemaIsCreatedOnceWithItsVersionAndEveryCommitIsLogged() throws {
        let store = try store()
        // nothing enrollable: nothing created
        _ = try StoreTestData.enroll(store, [Self.e("", 1, seed: 1)])
        XCTAssertEqual(try sql(store, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0")
        XCTAssertFalse(store.exists())

        _ = try StoreTestData.enroll(store, [Self.e("Ada", 2, seed: 1, metadata: "m"), Self.e("Bob", 1, seed: 2)])
        let other = try GalleryStores.open(store.location)   // another object (its own connections) enrols too
        _ = try StoreTestData.enroll(other, [Self.e("Ada", 1, seed: 3), Self.e("Bob", 1, seed: 4, .replace)])
        XCTAssertTrue(try other.remove(name: "Bob"))
        XCTAssertEqual(try sql(store, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"),
                       "change_log,embeddings,meta,pairmatch_schema_version,people")
        XCTAssertEqual(try sql(store, "SELECT version FROM pairmatch_schema_version"), "1", "one row, version 1")
        XCTAssertEqual(try sql(store, "SELECT kind || ' ' || format_version || ' ' || encoder_fingerprint || ' ' || dimension || ' ' || generation FROM meta"),
                       "pairmatch.gallery 1 \(StoreTestData.encoder) \(StoreTestData.dimension) 6", "created (1), then 5 commits")
        XCTAssertEqual(try sql(store, "SELECT string_agg(generation || ' ' || person || ' ' || op, ',' ORDER BY id) FROM change_log"),
                       "2 Ada enrol,3 Bob enrol,4 Ada enrol,5 Bob replace,6 Bob remove")
        XCTAssertEqual(try store.changeToken(), 6)
        XCTAssertEqual(try sql(store, "SELECT count(*) || ' ' || min(length(vector)) || ' ' || max(length(vector)) FROM embeddings"),
                       "3 32 32", "Ada's three [8] float32 vectors")
        XCTAssertEqual(try sql(store, "SELECT count(*) FROM people WHERE enrolled_at > now() - interval '1 hour'"), "1")

        // migrate: nothing to do on a current schema
        XCTAssertEqual(try store.migrate(), GalleryMigration(from: 1, to: 1))
        XCTAssertEqual(try store.changeToken(), 6, "migrate wrote nothing")
    }

    func testMigrateCreatesTheTablesOfAnEmptyDatabaseOnly() throws {
        let store = try store()
        XCTAssertEqual(try store.migrate(), GalleryMigration(from: 0, to: 1))
        XCTAssertEqual(try sql(store, "SELECT version FROM pairmatch_schema_version"), "1")
        XCTAssertFalse(store.exists(), "tables, no gallery yet")
        XCTAssertNil(try store.changeToken())
        XCTAssertThrowsError(try store.load(expectingEncoder: nil, dimension: nil)) {
            XCTAssertEqual($0 as? GalleryStoreError, .missing(location: store.location))
        }
        XCTAssertThrowsError(try store.remove(name: "x")) {
            XCTAssertEqual($0 as? GalleryStoreError, .missing(location: store.location))
        }
        XCTAssertEqual(try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)]), [.success(.added(embeddings: 1))])
        XCTAssertEqual(try store.changeToken(), 2)
        XCTAssertEqual(try store.migrate(), GalleryMigration(from: 1, to: 1))
        // the other kinds have nothing to migrate
        XCTAssertNil(try GalleryStores.open(StoreTestData.location(.sqlite, in: folder)).migrate())
        XCTAssertNil(try GalleryStores.open(StoreTestData.location(.hdf5, in: folder)).migrate())
    }

    // MARK: - Locations

    func testLocationsAreParsedAndPasswordsComeOnlyFromTheEnvironment() throws {
        XCTAssertEqual(GalleryStores.kind(of: "postgres://u@h/db"), .postgres)
        XCTAssertEqual(GalleryStores.kind(of: "postgresql://u@h:5433/db"), .postgres)
        XCTAssertEqual(GalleryStores.kind(of: "POSTGRES://u@h/db"), .postgres)
        XCTAssertEqual(GalleryStores.kind(of: "postgres/people.db"), .sqlite)
        XCTAssertNil(GalleryStores.file(of: "postgres://u@h/db"))
        XCTAssertEqual(GalleryStores.file(of: "sqlite:x.bin"), "x.bin")

        let parsed = try PostgresLocation.parse("postgresql://ann%40work@[::1]:6543/gal%20lery", environment: [:])
        XCTAssertEqual(parsed, PostgresLocation(host: "::1", port: 6543, user: "ann@work", database: "gal lery", password: nil))
        XCTAssertEqual(parsed.address, "[::1]:6543")
        XCTAssertEqual(try PostgresLocation.parse("postgres://u@db.example/g", environment: [:]).port, 5432)

        // the password: PGPASSWORD first, else the first line of PAIRMATCH_PGPASSFILE's file
        let file = folder.appendingPathComponent("pass")
        try "s3cret\r\nsecond line\n".write(to: file, atomically: true, encoding: .utf8)
        let url = "postgres://u@127.0.0.1/g"
        XCTAssertEqual(try PostgresLocation.parse(url, environment: ["PAIRMATCH_PGPASSFILE": file.path]).password, "s3cret")
        XCTAssertEqual(try PostgresLocation.parse(url, environment: ["PGPASSWORD": "env", "PAIRMATCH_PGPASSFILE": file.path]).password, "env")
        XCTAssertNil(try PostgresLocation.parse(url, environment: [:]).password)
        XCTAssertThrowsError(try PostgresLocation.parse(url, environment: ["PAIRMATCH_PGPASSFILE": folder.appendingPathComponent("none").path])) {
            guard case .invalidLocation(let l, let r) = $0 as? GalleryStoreError else { return XCTFail("\($0)") }
            XCTAssertEqual(l, url)
            XCTAssertTrue(r.contains("PAIRMATCH_PGPASSFILE"), r)
        }

        for bad in ["postgres://h/db", "postgres://u@/db", "postgres://u@h", "postgres://u@h/", "postgres://u@h/a/b",
                    "postgres://u@h/db?sslmode=require", "postgres://u@h:0/db"] {
            XCTAssertThrowsError(try GalleryStores.open(bad), bad) {
                guard case .invalidLocation = $0 as? GalleryStoreError else { return XCTFail("\(bad): \($0)") }
                XCTAssertFalse("\($0)".contains(where: \.isNewline), "\($0)")
            }
        }
    }

    func testAURLWithAPasswordIsRefusedWithoutShowingIt() {
        for location in ["postgres://ann:hunter2@127.0.0.1:5432/people", "postgresql://ann:hunter2@localhost/people"] {
            XCTAssertThrowsError(try GalleryStores.open(location)) { error in
                guard case .invalidLocation(let shown, _) = error as? GalleryStoreError else { return XCTFail("\(error)") }
                let message = "\(error)"
                XCTAssertFalse(message.contains("hunter2"), message)
                XCTAssertFalse(shown.contains("hunter2"), shown)
                XCTAssertTrue(message.hasPrefix(shown), message)
                XCTAssertTrue(message.contains("PGPASSWORD"), message)
                XCTAssertFalse(message.contains(where: \.isNewline), message)
            }
        }
        XCTAssertThrowsError(try GalleryStores.open("postgres://ann:hunter2@h/db", lockWait: -1)) {
            XCTAssertFalse("\($0)".contains("hunter2"), "\($0)")
        }
    }

    // MARK: - Servers that cannot be used

    /// Runs `body` and checks it throws `.unavailable` naming `store`'s location (one line, no password), within `seconds`.
    func assertUnavailable(_ store: any GalleryStore, within seconds: Double, saying words: String, _ what: String,
                           _ body: () throws -> Void, line: UInt = #line) {
        let start = Date()
        XCTAssertThrowsError(try body(), what, line: line) { error in
            guard case .unavailable(let l, let reason) = error as? GalleryStoreError else { return XCTFail("\(what): \(error)", line: line) }
            XCTAssertEqual(l, store.location, line: line)
            XCTAssertTrue(reason.contains(words), "\(what): \(reason)", line: line)
            XCTAssertTrue("\(error)".hasPrefix(store.location + ": "), "\(error)", line: line)
            XCTAssertFalse("\(error)".contains(where: \.isNewline), line: line)
            XCTAssertFalse("\(error)".contains(server.password), line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), seconds, "\(what) took too long", line: line)
    }

    func testAnUnreachableServerIsAnErrorWithinSeconds() throws {
        let closed = try GalleryStores.open("postgres://postgres@127.0.0.1:\(try PostgresServer.freePort())/people")
        for (what, body) in [("load", { _ = try closed.load(expectingEncoder: nil, dimension: nil) }),
                             ("enroll", { _ = try StoreTestData.enroll(closed, [Self.e("Ada", 1, seed: 1)]) }),
                             ("changeToken", { _ = try closed.changeToken() }), ("migrate", { _ = try closed.migrate() })] as [(String, () throws -> Void)] {
            assertUnavailable(closed, within: 3, saying: "connection refused", what, body)
        }
        XCTAssertTrue(closed.exists(), "unreachable is not 'missing': load then says why")

        // a port that accepts connections but never answers: the connect timeout, not a hang
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(listen(listener, 8), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let silent = try GalleryStores.open("postgres://postgres@127.0.0.1:\(UInt16(bigEndian: address.sin_port))/people")
        assertUnavailable(silent, within: PostgresGalleryStore.connectTimeout + 3, saying: "no answer", "silent server") {
            _ = try silent.load(expectingEncoder: nil, dimension: nil)
        }
    }

    func testAMissingDatabaseOrARefusedLoginIsAnError() throws {
        let missing = try GalleryStores.open(server.url(database: "no_such_database"))
        assertUnavailable(missing, within: 3, saying: "does not exist", "missing database") { _ = try missing.changeToken() }

        let url = try server.database("login")
        let endpoint = try PostgresLocation.parse(url, environment: ["PGPASSWORD": "wrong"])
        let wrong = PostgresGalleryStore(location: url, endpoint: endpoint, lockTimeout: 5)
        assertUnavailable(wrong, within: 3, saying: "login refused", "wrong password") { _ = try wrong.load(expectingEncoder: nil, dimension: nil) }
        let none = PostgresGalleryStore(location: url, endpoint: try PostgresLocation.parse(url, environment: [:]), lockTimeout: 5)
        assertUnavailable(none, within: 3, saying: "PGPASSWORD", "no password") { _ = try none.changeToken() }
        let stranger = try GalleryStores.open(server.url(database: "login", user: "nobody"))
        assertUnavailable(stranger, within: 3, saying: "login refused", "unknown user") { _ = try stranger.changeToken() }

        // the password file works as PGPASSWORD does
        let file = folder.appendingPathComponent("pgpass")
        try (server.password + "\n").write(to: file, atomically: true, encoding: .utf8)
        let viaFile = PostgresGalleryStore(location: url, endpoint: try PostgresLocation.parse(url, environment: ["PAIRMATCH_PGPASSFILE": file.path]),
                                           lockTimeout: 5)
        XCTAssertNil(try viaFile.changeToken())
    }

    // MARK: - Databases that are not (this pairmatch's) galleries

    func testAnotherApplicationsDatabaseIsRefusedAndLeftAlone() throws {
        let store = try store("foreign")
        try sql(store, "CREATE TABLE customers (id integer PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'x')")
        XCTAssertTrue(store.exists())
        let operations: [(String, () throws -> Void)] = [
            ("load", { _ = try store.load(expectingEncoder: nil, dimension: nil) }),
            ("enroll", { _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)]) }),
            ("remove", { _ = try store.remove(name: "Ada") }), ("changeToken", { _ = try store.changeToken() }),
            ("importAll", { try store.importAll(FaceGallery.create(encoderFingerprint: "e", dimension: 2)) }),
            ("migrate", { _ = try store.migrate() }),
        ]
        for (what, body) in operations {
            XCTAssertThrowsError(try body(), what) {
                guard case .notAGallery(let l, let reason) = $0 as? GalleryStoreError else { return XCTFail("\(what): \($0)") }
                XCTAssertEqual(l, store.location)
                XCTAssertTrue(reason.contains("1 other table"), reason)
            }
        }
        XCTAssertEqual(try sql(store, "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"), "customers")
    }

    func testANewerSchemaOrFormatIsRefusedAndLeftAlone() throws {
        for (table, column) in [("pairmatch_schema_version", "version"), ("meta", "format_version")] {
            let store = try store(table)
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
            try sql(store, "UPDATE \(table) SET \(column) = 2")
            let before = try sql(store, "SELECT generation || ' ' || (SELECT count(*) FROM people) FROM meta")
            let operations: [(String, () throws -> Void)] = [
                ("load", { _ = try store.load(expectingEncoder: nil, dimension: nil) }),
                ("enroll", { _ = try StoreTestData.enroll(store, [Self.e("Bob", 1, seed: 2)]) }),
                ("remove", { _ = try store.remove(name: "Ada") }), ("changeToken", { _ = try store.changeToken() }),
                ("importAll", { try store.importAll(FaceGallery.create(encoderFingerprint: "e", dimension: 2)) }),
            ] + (table == "meta" ? [] : [("migrate", { _ = try store.migrate() })])
            for (what, body) in operations {
                XCTAssertThrowsError(try body(), "\(table) \(what)") {
                    XCTAssertEqual($0 as? GalleryStoreError, .unsupportedFormat(location: store.location, found: 2, supported: 1), "\(table) \(what)")
                }
            }
            XCTAssertEqual(try sql(store, "SELECT generation || ' ' || (SELECT count(*) FROM people) FROM meta"), before, table)
            XCTAssertEqual(try sql(store, "SELECT \(column) FROM \(table)"), "2", "\(table) not modified")
        }
    }

    func testAGalleryOfAnotherEncoderIsRefused() throws {
        let store = try store()
        _ = try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 1)])
        XCTAssertThrowsError(try StoreTestData.enroll(store, [Self.e("Bob", 1, seed: 2)], encoder: StoreTestData.otherEncoder)) {
            XCTAssertEqual($0 as? GalleryError, .encoderMismatch(path: store.location, gallery: StoreTestData.encoder, expected: StoreTestData.otherEncoder))
        }
        XCTAssertThrowsError(try store.load(expectingEncoder: StoreTestData.otherEncoder, dimension: nil)) {
            XCTAssertEqual($0 as? GalleryError, .encoderMismatch(path: store.location, gallery: StoreTestData.encoder, expected: StoreTestData.otherEncoder))
        }
        XCTAssertEqual(try sql(store, "SELECT count(*) FROM people"), "1")
    }

    // MARK: - Corrupt rows

    func testACorruptVectorIsAnErrorOnLoadNeverAWrongGallery() throws {
        let nan = EmbeddingBlob.encode(Embedding([1, 2, .nan, 4, 5, 6, 7, 8]))   // [8], its checksum right
        let infinite = EmbeddingBlob.encode(Embedding([1, 2, 3, 4, 5, 6, 7, -.infinity]))
        let hex = { (data: Data) in data.map { String(format: "%02x", $0) }.joined() }
        let damage: [(name: String, sql: String, words: String)] = [
            ("checksum", "UPDATE embeddings SET checksum = checksum + 1 WHERE id = 2", "fails its checksum"),
            ("bitflip", "UPDATE embeddings SET vector = set_byte(vector, 5, get_byte(vector, 5) # 1) WHERE id = 2", "fails its checksum"),
            ("short", "UPDATE embeddings SET vector = substring(vector FROM 1 FOR 28) WHERE id = 2", "28 bytes, expected 32"),
            ("long", "UPDATE embeddings SET vector = vector || '\\x00000000'::bytea WHERE id = 2", "36 bytes, expected 32"),
            ("nan", "UPDATE embeddings SET vector = '\\x\(hex(nan.vector))'::bytea, checksum = \(nan.checksum) WHERE id = 2", "component 2 is nan"),
            ("infinite", "UPDATE embeddings SET vector = '\\x\(hex(infinite.vector))'::bytea, checksum = \(infinite.checksum) WHERE id = 2", "component 7 is -inf"),
            ("nophotos", "DELETE FROM embeddings WHERE person_id = 1", "Ada"),
        ]
        for (name, statement, words) in damage {
            let store = try store(name)
            _ = try StoreTestData.enroll(store, [Self.e("Ada", 2, seed: 1), Self.e("Bob", 1, seed: 2)])
            try sql(store, statement)
            XCTAssertThrowsError(try store.load(expectingEncoder: nil, dimension: nil), name) {
                guard case .corrupt(let l, let reason) = $0 as? GalleryStoreError else { return XCTFail("\(name): \($0)") }
                XCTAssertEqual(l, store.location)
                XCTAssertTrue(reason.contains(words), "\(name): \(reason)")
                if name != "nophotos" { XCTAssertTrue(reason.contains("embedding 2 of \"Ada\""), "\(name): \(reason)") }
                XCTAssertFalse("\($0)".contains(where: \.isNewline))
            }
            if name != "nophotos" {   // extending the damaged person reads her rows: refused too, nothing written
                XCTAssertThrowsError(try StoreTestData.enroll(store, [Self.e("Ada", 1, seed: 3)]), name) {
                    guard case .corrupt = $0 as? GalleryStoreError else { return XCTFail("\(name): \($0)") }
                }
                XCTAssertEqual(try sql(store, "SELECT count(*) FROM embeddings"), "3", name)
            }
        }
    }

    // MARK: - Threads

    func testCallsFromAnEventLoopThreadAreRefusedNotDeadlocked() throws {
        let store = try store()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let message = try group.next().submit { () -> String? in
            do { _ = try store.changeToken(); return nil } catch { return "\(error)" }
        }.wait()
        XCTAssertTrue(message?.contains("event loop") ?? false, message ?? "no error")
        XCTAssertNil(try store.changeToken(), "fine from a plain thread")
    }
}
