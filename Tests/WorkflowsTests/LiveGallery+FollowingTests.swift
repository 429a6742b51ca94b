import FaceEmbedding
import Foundation
import Gallery
import GalleryStore
import TestSupport
import Workflows
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Two live galleries on one PostgreSQL database, as two server instances hold it: each sees the other's enrolments
/// and removals within a second, concurrent enrolments of one name end in one person both agree on, and while the
/// database is down reads go on from memory, writes fail as `.unavailable`, and both catch up when it returns.
final class LiveGalleryFollowingTests: XCTestCase {
    nonisolated(unsafe) private static var server: PostgresServer?
    nonisolated(unsafe) private static var startFailure = ""
    let fingerprint = "test-encoder", d = 8

    override class func setUp() {
        super.setUp()
        do {
            server = try PostgresServer.start()
            setenv("PGPASSWORD", server!.password, 1)
        } catch { startFailure = "\(error)" }
    }
    override class func tearDown() {
        server?.stop()
        server = nil
        unsetenv("PGPASSWORD")
        super.tearDown()
    }
    override func setUpWithError() throws {
        guard Self.server != nil else { throw XCTSkip(TestPaths.skipReason("LiveGallery following PostgreSQL: \(Self.startFailure)")) }
    }

    func vector(_ seed: Int) -> Embedding { Self.vector(seed, d) }
    static func vector(_ seed: Int, _ d: Int) -> Embedding { Embedding((0..<d).map { Float(sin(Double(seed * 31 + $0))) }) }

    func instance(_ location: String) throws -> LiveGallery {
        try LiveGallery.open(location, encoderFingerprint: fingerprint, dimension: d, followInterval: 0.5)
    }

    /// Waits up to `seconds` for `condition`; returns how long it took, nil when it never held.
    func within(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if try condition() { return Date().timeIntervalSince(start) }
            usleep(5_000)
        }
        return try condition() ? Date().timeIntervalSince(start) : nil
    }

    func names(_ g: LiveGallery) throws -> [String] { try g.read { $0.identities.map(\.name) } }

    func testAnEnrolmentThroughOneInstanceIsSeenByTheOtherWithinASecondAndARemovalToo() throws {
        let location = try Self.server!.database("follow_basic")
        let a = try instance(location), b = try instance(location)
        defer { a.close(); b.close() }

        XCTAssertEqual(try a.enroll(name: "ana", embeddings: [vector(1)], metadata: "door 1", policy: .extend), .added(embeddings: 1))
        let seen = try within(1) { try names(b) == ["ana"] }
        XCTAssertNotNil(seen, "b sees ana within 1 s")
        try b.read { g in XCTAssertEqual(g.embeddings(of: "ana"), [vector(1)]) }
        XCTAssertEqual(try b.read { $0.identity(named: "ana")?.metadata }, "door 1")

        XCTAssertEqual(try b.enroll(name: "ana", embeddings: [vector(2)], metadata: nil, policy: .extend), .extended(total: 2))
        XCTAssertNotNil(try within(1) { try a.read { $0.embeddings(of: "ana") } == [vector(1), vector(2)] }, "a sees b's extension")
        try b.remove(name: "ana")
        let gone = try within(1) { try names(a).isEmpty }
        XCTAssertNotNil(gone, "a no longer returns ana within 1 s")
        print("following: enrolment seen after \(String(format: "%.3f", seen ?? -1)) s, removal after \(String(format: "%.3f", gone ?? -1)) s")
        XCTAssertEqual(a.status, .inStep)
        XCTAssertEqual(a.generation, b.generation)
    }

    func testConcurrentEnrolmentsOfOneNameEndInOnePersonBothAgreeOn() throws {
        let location = try Self.server!.database("follow_same_name")
        let a = try instance(location), b = try instance(location)
        defer { a.close(); b.close() }
        // The rule: writers are serialised on the gallery's meta row, so the later enrolment sees the earlier one
        // and the policy decides: extend → one person with both photos; refuse → the later one is a conflict.
        let outcomes = OutcomeList()
        let group = DispatchGroup()
        for round in 0..<10 {
            for (i, g) in [a, b].enumerated() {
                DispatchQueue.global().async(group: group) {
                    do { outcomes.add(try g.enroll(name: "same\(round)", embeddings: [Self.vector(round * 2 + i, 8)], metadata: nil, policy: .extend)) } catch {
                        outcomes.fail("\(error)")
                    }
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(outcomes.failures, [])
        XCTAssertEqual(outcomes.added, 10, "one of each pair created the person")
        XCTAssertEqual(outcomes.extended, 10, "the other added its photo to it")
        let stored = try GalleryStores.open(location).load(expectingEncoder: fingerprint, dimension: d)
        XCTAssertEqual(stored.count, 10)
        XCTAssertTrue(stored.identities.allSatisfy { $0.embeddingCount == 2 }, "\(stored.identities)")
        for g in [a, b] {
            XCTAssertNotNil(try within(1) {
                try g.read { mine in stored.identitiesWithEmbeddings.allSatisfy { mine.embeddings(of: $0.name) == $0.embeddings } && mine.count == 10 }
            }, "both instances hold the stored people")
        }
        // refuse: exactly one of two concurrent enrolments wins
        let refusals = OutcomeList()
        for (i, g) in [a, b].enumerated() {
            DispatchQueue.global().async(group: group) {
                do { refusals.add(try g.enroll(name: "solo", embeddings: [Self.vector(100 + i, 8)], metadata: nil, policy: .refuse)) } catch {
                    refusals.fail((error as? WorkflowError)?.kind.rawValue ?? "\(error)")
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(refusals.added, 1)
        XCTAssertEqual(refusals.failures, ["conflict"])
    }

    func testWhileTheDatabaseIsDownReadsAnswerFromMemoryWritesAreUnavailableAndBothCatchUpAfter() throws {
        let server = Self.server!
        let location = try server.database("follow_outage")
        let a = try instance(location), b = try instance(location)
        defer { a.close(); b.close() }
        _ = try a.enroll(name: "ana", embeddings: [vector(1)], metadata: nil, policy: .extend)
        XCTAssertNotNil(try within(1) { try names(b) == ["ana"] })

        try server.pause()
        var resumed = false
        defer { if !resumed { try? server.resume() } }
        XCTAssertNotNil(within(5) { a.status.isOffline && b.status.isOffline }, "both notice within a few polls")
        guard case .offline(_, let reason) = a.status else { return XCTFail("a is \(a.status)") }
        XCTAssertTrue(reason.contains(location) && !reason.contains("\n"), reason)
        XCTAssertEqual(try names(a), ["ana"], "reads answer from memory")
        try a.read { g in XCTAssertEqual(g.embeddings(of: "ana"), [vector(1)]) }
        XCTAssertThrowsError(try b.enroll(name: "bo", embeddings: [vector(2)], metadata: nil, policy: .extend)) { e in
            XCTAssertEqual((e as? WorkflowError)?.kind, .unavailable, "\(e)")
            XCTAssertTrue("\(e)".hasSuffix("; nothing was enrolled"), "\(e)")
        }
        XCTAssertThrowsError(try a.remove(name: "ana")) { e in XCTAssertEqual((e as? WorkflowError)?.kind, .unavailable, "\(e)") }
        XCTAssertEqual(try names(b), ["ana"], "a failed write changes nothing in memory")

        try server.resume()
        resumed = true
        XCTAssertNotNil(within(10) { a.status == .inStep && b.status == .inStep }, "both resynchronise when the database returns")
        // A change made through one instance right after the outage reaches the other (its listener reconnected, or
        // its poll catches up from the change log).
        _ = try b.enroll(name: "bo", embeddings: [vector(2)], metadata: nil, policy: .extend)
        XCTAssertNotNil(try within(1.5) { try names(a) == ["ana", "bo"] }, "a caught up: \((try? names(a)) ?? [])")

        // Changes committed while an instance's listener is cut are caught up from the change log.
        try server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pairmatch listener'", database: "follow_outage")
        _ = try b.enroll(name: "cy", embeddings: [vector(3)], metadata: nil, policy: .extend)
        try b.remove(name: "ana")
        XCTAssertNotNil(try within(3) { try names(a) == ["bo", "cy"] }, "a caught up after its listener was cut: \((try? names(a)) ?? [])")
        XCTAssertNotNil(within(3) { a.status == .inStep })
    }

    func testAFrozenDatabaseIsAnErrorWithinSecondsNeverAHang() throws {
        let server = Self.server!
        let location = try server.database("follow_frozen")
        let a = try instance(location)
        defer { a.close() }
        _ = try a.enroll(name: "ana", embeddings: [vector(1)], metadata: nil, policy: .extend)

        try server.freeze()   // connections stay open; nothing answers
        var thawed = false
        defer { if !thawed { try? server.thaw() } }
        let started = Date()
        XCTAssertThrowsError(try a.enroll(name: "bo", embeddings: [vector(2)], metadata: nil, policy: .extend)) { e in
            XCTAssertEqual((e as? WorkflowError)?.kind, .unavailable, "\(e)")
            // The statement's own timeout, or (when the follower gave the connection up first) the new connection's.
            XCTAssertTrue("\(e)".contains("no answer from the server within") || "\(e)".contains("no answer within"), "\(e)")
        }
        let waited = Date().timeIntervalSince(started)
        XCTAssertLessThan(waited, 30, "the write gave up instead of hanging")
        XCTAssertNotNil(within(20) { a.status.isOffline }, "the follower's poll gave up too")
        XCTAssertEqual(try names(a), ["ana"], "reads answer from memory meanwhile")

        try server.thaw()
        thawed = true
        XCTAssertNotNil(within(20) { a.status == .inStep }, "in step again once the server answers")
        XCTAssertEqual(try a.enroll(name: "bo", embeddings: [vector(2)], metadata: nil, policy: .extend), .added(embeddings: 1))
        XCTAssertEqual(try names(a), ["ana", "bo"])
        print("frozen database: the write gave up after \(String(format: "%.1f", waited)) s")
    }
}

/// Outcomes gathered from several threads.
final class OutcomeList: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [FaceGallery.EnrolmentOutcome] = []
    private var errors: [String] = []
    func add(_ o: FaceGallery.EnrolmentOutcome) { lock.withLock { outcomes.append(o) } }
    func fail(_ e: String) { lock.withLock { errors.append(e) } }
    var failures: [String] { lock.withLock { errors } }
    var added: Int { lock.withLock { outcomes.filter { if case .added = $0 { return true }; return false }.count } }
    var extended: Int { lock.withLock { outcomes.filter { if case .extended = $0 { return true }; return false }.count } }
}
