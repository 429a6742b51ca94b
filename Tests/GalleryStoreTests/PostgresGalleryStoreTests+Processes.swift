import FaceEmbedding
import Foundation
import Gallery
@testable import GalleryStore
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Writer processes killed with SIGKILL or running at once, as `SQLiteGalleryStoreCrashTests` does for SQLite: the
/// test bundle runs itself again as a child (`testChildProcess` of this class, with the cluster's URL and password in
/// its environment), and the copy round trip HDF5 → PostgreSQL → SQLite.
extension PostgresGalleryStoreTests {
    /// The test method the children run.
    static let childTest = "GalleryStoreTests.PostgresGalleryStoreTests/testChildProcess"

    /// Does nothing unless started as a child by the tests below (then it is the child's whole work).
    func testChildProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        if let location = environment[SQLiteGalleryStoreCrashTests.crashChildVariable] {
            try SQLiteGalleryStoreCrashTests.enrolUntilKilled(location)
        } else if let location = environment[SQLiteGalleryStoreCrashTests.writerChildVariable] {
            let prefix = environment[SQLiteGalleryStoreCrashTests.prefixVariable] ?? "w"
            if let barrier = environment[SQLiteGalleryStoreCrashTests.barrierVariable] {
                try SQLiteGalleryStoreCrashTests.meet(at: URL(fileURLWithPath: barrier), as: prefix,
                                                      parties: Int(environment[SQLiteGalleryStoreCrashTests.partiesVariable] ?? "") ?? 1)
            }
            try SQLiteGalleryStoreCrashTests.enrolNumbered(location, prefix: prefix,
                                                           count: Int(environment[SQLiteGalleryStoreCrashTests.countVariable] ?? "") ?? 10)
        }
    }

    /// This test bundle started again with only `childTest` selected, `environment` and the cluster's password added;
    /// its standard output is piped back, its standard error goes to `log`.
    private func spawnChild(_ environment: [String: String], log: URL) throws -> (Process, FileHandle) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = [Self.childTest]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["PGPASSWORD": server.password]) { a, _ in a }) { _, new in new }
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out.fileHandleForReading)
    }

    func testKilledWritersLoseNoCommittedPersonAndLeaveNoHalfPerson() throws {
        let location = try server.database("crash")
        var printed: [String] = []   // every name a child reported committed, all rounds
        var previousToken: Int64?
        for round in 0..<3 {
            // a different moment each round: after 3…42 commits, then 0…5 ms more of writing
            let threshold = 3 + Int.random(in: 0..<40)
            let delay = UInt32.random(in: 0..<5_000)
            let log = folder.appendingPathComponent("child-\(round).log")
            let (child, output) = try spawnChild([SQLiteGalleryStoreCrashTests.crashChildVariable: location], log: log)
            var buffer = Data()
            var thisRound: [String] = []
            var killed = false
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }   // EOF: the child is gone
                buffer.append(chunk)
                thisRound += SQLiteGalleryStoreCrashTests.committedNames(&buffer)
                if !killed, thisRound.count >= threshold {
                    usleep(delay)
                    kill(child.processIdentifier, SIGKILL)
                    killed = true
                }
            }
            child.waitUntilExitSafely()
            let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            XCTAssertTrue(killed, "round \(round): the child ended before \(threshold) commits: \(stderr)")
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "round \(round): killed, not finished: \(stderr)")
            XCTAssertEqual(child.terminationStatus, SIGKILL, "round \(round)")
            printed += thisRound
            print("postgres round \(round): killed after \(threshold) commits + \(delay) µs; \(thisRound.count) reported committed")

            // reopen: everything reported is there and whole, nothing half-written, nothing beyond one unreported person
            let store = try GalleryStores.open(location)
            let g = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.numberedDimension)
            let names = g.identities.map(\.name)
            XCTAssertEqual(names, (0..<g.count).map { StoreTestData.numberedPerson($0).name }, "round \(round): people in order, no gap")
            XCTAssertEqual(Array(names.prefix(printed.count)), printed, "round \(round): every reported person is stored")
            XCTAssertTrue(g.count == printed.count || g.count == printed.count + 1,
                          "round \(round): \(g.count) stored, \(printed.count) reported (at most one committed unreported)")
            for identity in g.identitiesWithEmbeddings {
                let expected = StoreTestData.numberedPerson(Int(identity.name.dropFirst("person-".count))!)
                XCTAssertEqual(identity.embeddings.count, expected.embeddings.count, "round \(round): \(identity.name) has all its embeddings")
                XCTAssertTrue(identity.embeddings == expected.embeddings, "round \(round): \(identity.name)'s embeddings are the ones enrolled")
                XCTAssertEqual(identity.metadata, expected.metadata, "round \(round): \(identity.name)")
            }
            // the generation and the change log agree with what is stored: one commit per person, after the creation
            let token = try XCTUnwrap(try store.changeToken())
            XCTAssertEqual(token, Int64(1 + g.count), "round \(round)")
            XCTAssertNotEqual(token, previousToken, "round \(round): the child's commits changed the token")
            XCTAssertEqual(try server.psql("SELECT count(*) || ' ' || count(DISTINCT person) || ' ' || coalesce(max(generation), 0) FROM change_log WHERE op = 'enrol'",
                                           database: "crash"), "\(g.count) \(g.count) \(token)", "round \(round)")
            XCTAssertEqual(try server.psql("SELECT count(*) FROM embeddings", database: "crash"), String(g.embeddingCount), "round \(round): no stray rows")
            previousToken = token
            printed = names   // later rounds continue where the store is (the unreported person, if any, is kept)
        }
    }

    func testConcurrentWritersAreSerialisedAndLoseNothing() throws {
        let location = try server.database("shared")
        let store = try GalleryStores.open(location)
        XCTAssertNil(try store.changeToken())
        let count = 60
        let barrier = folder.appendingPathComponent("barrier")
        try FileManager.default.createDirectory(at: barrier, withIntermediateDirectories: true)
        let children = try ["a", "b"].map { prefix in
            try spawnChild([SQLiteGalleryStoreCrashTests.writerChildVariable: location, SQLiteGalleryStoreCrashTests.prefixVariable: prefix,
                            SQLiteGalleryStoreCrashTests.countVariable: String(count),
                            SQLiteGalleryStoreCrashTests.barrierVariable: barrier.path, SQLiteGalleryStoreCrashTests.partiesVariable: "2"],
                           log: folder.appendingPathComponent("writer-\(prefix).log"))
        }
        var spans: [(start: Double, end: Double)] = []
        for (i, (child, output)) in children.enumerated() {
            var all = Data()
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }
                all.append(chunk)
            }
            let lines = String(decoding: all, as: UTF8.self).split(separator: "\n")
            func time(_ tag: String) -> Double { lines.first { $0.hasPrefix(tag + " ") }.flatMap { Double($0.dropFirst(tag.count + 1)) } ?? .nan }
            spans.append((time("start"), time("end")))
            var buffer = all
            let names = SQLiteGalleryStoreCrashTests.committedNames(&buffer)
            child.waitUntilExitSafely()
            let log = (try? String(contentsOf: folder.appendingPathComponent("writer-\(["a", "b"][i]).log"), encoding: .utf8)) ?? ""
            XCTAssertEqual(child.terminationReason, .exit, log)
            XCTAssertEqual(child.terminationStatus, 0, "a writer failed: \(log)")
            XCTAssertEqual(names, (0..<count).map { StoreTestData.numberedPerson($0, prefix: ["a", "b"][i]).name })
        }
        let g = try store.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.numberedDimension)
        XCTAssertEqual(g.count, 2 * count, "nothing lost")
        XCTAssertLessThan(max(spans[0].start, spans[1].start), min(spans[0].end, spans[1].end), "the writers overlapped in time")
        for prefix in ["a", "b"] {
            for i in 0..<count {
                let p = StoreTestData.numberedPerson(i, prefix: prefix)
                XCTAssertTrue(g.embeddings(of: p.name) == p.embeddings, "\(p.name) whole")
            }
        }
        XCTAssertEqual(try store.changeToken(), Int64(1 + 2 * count), "one creation and exactly one generation per commit")
        XCTAssertEqual(try server.psql("SELECT string_agg(generation::text, ',' ORDER BY generation) FROM change_log", database: "shared"),
                       (2...(1 + 2 * count)).map(String.init).joined(separator: ","), "generations 2, 3, … each once")
    }

    func testCopyRoundTripHDF5ToPostgreSQLToSQLiteKeepsEverything() throws {
        let h5 = try GalleryStores.open(StoreTestData.location(.hdf5, in: folder, name: "source"))
        var people = [GalleryEnrolment]()
        for i in 0..<40 {
            people.append(Self.e("person \(i) \(["Zoë", "李", "Ωmega", "plain"][i % 4])", 1 + i % 3, seed: UInt64(i),
                                 metadata: i % 5 == 0 ? nil : "{\"i\": \(i)}"))
        }
        _ = try StoreTestData.enroll(h5, people)
        _ = try StoreTestData.enroll(h5, [Self.e("person 2 Ωmega", 2, seed: 99, .replace), Self.e("person 4 Zoë", 1, seed: 98)])
        XCTAssertTrue(try h5.remove(name: "person 7 plain"))
        let source = try h5.load(expectingEncoder: nil, dimension: nil)

        let pg = try store("copy")
        try pg.importAll(source)
        let viaPostgres = try pg.load(expectingEncoder: StoreTestData.encoder, dimension: StoreTestData.dimension)
        StoreTestData.assertSame(viaPostgres, source, "HDF5 → PostgreSQL")
        XCTAssertEqual(try pg.changeToken(), 1)
        XCTAssertEqual(try sql(pg, "SELECT count(*) || ' ' || count(DISTINCT person) FROM change_log WHERE op = 'enrol' AND generation = 1"),
                       "\(source.count) \(source.count)")
        XCTAssertThrowsError(try pg.importAll(source)) {
            XCTAssertEqual($0 as? GalleryStoreError, .notEmpty(location: pg.location, identities: source.count))
        }

        let db = try GalleryStores.open(StoreTestData.location(.sqlite, in: folder, name: "back"))
        try db.importAll(viaPostgres)
        StoreTestData.assertSame(try db.load(expectingEncoder: nil, dimension: nil), source, "PostgreSQL → SQLite")
        // and back into PostgreSQL from SQLite, and on with enrolments that go on from the copy
        let again = try store("again")
        try again.importAll(try db.load(expectingEncoder: nil, dimension: nil))
        StoreTestData.assertSame(try again.load(expectingEncoder: nil, dimension: nil), source, "SQLite → PostgreSQL")
        XCTAssertEqual(try StoreTestData.enroll(again, [Self.e("person 0 Zoë", 1, seed: 200)]), [.success(.extended(total: 2))])
        var expected = source
        try expected.enroll(name: "person 0 Zoë", embeddings: StoreTestData.embeddings(1, seed: 200))
        StoreTestData.assertSame(try again.load(expectingEncoder: nil, dimension: nil), expected, times: false, "enrolment after the copy")
    }
}
