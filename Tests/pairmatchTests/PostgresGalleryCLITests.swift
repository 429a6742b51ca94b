import Foundation
import TestSupport
import XCTest

/// The CLI and the server on PostgreSQL galleries (`postgres://…` locations) in a throw-away cluster started for this
/// class: enroll, identify, verify, gallery list|info|remove|copy|migrate, serve, and the refusals' exit codes.
final class PostgresGalleryCLITests: XCTestCase {
    nonisolated(unsafe) private static var server: PostgresServer?
    nonisolated(unsafe) private static var startFailure = ""
    private var dir: URL!

    override class func setUp() {
        super.setUp()
        do { server = try PostgresServer.start() } catch { startFailure = "\(error)" }
    }
    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard Self.server != nil else { throw XCTSkip(TestPaths.skipReason("PostgreSQL gallery CLI: \(Self.startFailure)")) }
        dir = TestPaths.temporaryDirectory("postgres-cli")
    }
    override func tearDown() { if let dir { try? FileManager.default.removeItem(at: dir) } }

    private var server: PostgresServer { Self.server! }
    /// The cluster's password, as a user gives it.
    private var login: [String: String] { ["PGPASSWORD": server.password] }

    private func run(_ args: [String], environment: [String: String]? = nil) throws -> CLIRunner.Result {
        try CLIRunner.run(args, environment: environment ?? login)
    }

    func testEveryGalleryCommandAndServeTakeAPostgreSQLGallery() throws {
        let models = try CLIRunner.modelsWithHead()
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent")) }
        let examples = shared.appendingPathComponent("data/examples")
        let gallery = try server.database("people")

        let enrol = try run(["enroll", "--gallery", gallery, "--from-folders", examples.appendingPathComponent("known").path, "--models", models.path])
        XCTAssertEqual(enrol.status, 0, enrol.stderr)
        XCTAssertTrue(enrol.stdout.hasSuffix("\(gallery): 5 people, 9 embeddings\n"), enrol.stdout)
        let obama = examples.appendingPathComponent("unknown/obama1.jpg").path
        let identify = try run(["identify", "--gallery", gallery, "--json", "--models", models.path, obama])
        XCTAssertEqual(identify.status, 0, identify.stderr)
        XCTAssertTrue(identify.stdout.contains(#""decision":"obama""#), identify.stdout)
        let verify = try run(["verify", "--gallery", gallery, "--name", "obama", obama, "--json", "--models", models.path])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains(#""same":true"#), verify.stdout)

        let info = try run(["gallery", "info", "--gallery", gallery])
        XCTAssertTrue(info.stdout.hasPrefix("gallery: \(gallery) (PostgreSQL)\npeople: 5\nembeddings: 9\n"), info.stdout)
        let list = try run(["gallery", "list", "--gallery", gallery])
        XCTAssertEqual(list.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) },
                       ["alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"])
        XCTAssertEqual(try run(["gallery", "migrate", "--gallery", gallery]).stdout, "\(gallery): schema version 1, up to date\n")

        // copy PostgreSQL → HDF5 → SQLite → PostgreSQL: every list the same; a non-empty target is refused (exit 2)
        let h5 = dir.appendingPathComponent("people.h5").path, db = dir.appendingPathComponent("people.db").path
        let copy2 = try server.database("copy2")
        for (from, to) in [(gallery, h5), (h5, db), (db, copy2)] {
            let c = try run(["gallery", "copy", from, to])
            XCTAssertEqual(c.status, 0, c.stderr)
            XCTAssertEqual(c.stdout, "copied 5 people, 9 embeddings from \(from) to \(to)\n")
            XCTAssertEqual(try run(["gallery", "list", "--gallery", to]).stdout, list.stdout, to)
        }
        let again = try run(["gallery", "copy", h5, copy2])
        XCTAssertEqual(again.status, 2, again.stderr)
        XCTAssertEqual(again.stderrLines, ["pairmatch: error: \(copy2): gallery already holds 5 people; copy only into a new or empty gallery"])
        XCTAssertEqual(try run(["gallery", "migrate", "--gallery", db]).stdout, "\(db): SQLite gallery, nothing to migrate\n")
        XCTAssertEqual(try run(["gallery", "migrate", "--gallery", h5]).stdout, "\(h5): HDF5 gallery, nothing to migrate\n")

        // the server reads it, writes it, and sees what the CLI commits meanwhile
        let key = "test-key-0123456789"
        let keys = dir.appendingPathComponent("keys.txt")
        try (key + "\n").write(to: keys, atomically: true, encoding: .utf8)
        let serve = try ServeProcess(["--gallery", gallery, "--api-key-file", keys.path, "--models", models.path], environment: login)
        defer { serve.stop() }
        XCTAssertTrue(serve.stderr.contains("gallery=\(gallery)"), serve.stderr)
        let people = try serve.request("GET", "/v1/people")
        XCTAssertEqual(try ServeProcess.object(people.body)["count"] as? Int, 5)
        XCTAssertEqual(try serve.request("DELETE", "/v1/people/obama", headers: ["Authorization": "Bearer \(key)"]).status, 200)
        let rm = try run(["gallery", "remove", "biden", "--gallery", gallery])
        XCTAssertEqual(rm.stdout, "removed biden; 3 people left\n", rm.stderr)
        XCTAssertEqual(try ServeProcess.object(try serve.request("GET", "/v1/people").body)["count"] as? Int, 3)
        XCTAssertEqual(serve.stop(), 0)
    }

    func testRefusalsAreOneLineWithTheirExitCodes() throws {
        // a password in the URL: exit 2, and the password is nowhere in the output
        let secret = try run(["gallery", "list", "--gallery", "postgres://postgres:\(server.password)@127.0.0.1:\(server.port)/postgres"])
        XCTAssertEqual(secret.status, 2, secret.stderr)
        XCTAssertEqual(secret.stderrLines.count, 1, secret.stderr)
        XCTAssertFalse(secret.stderr.contains(server.password), secret.stderr)
        XCTAssertTrue(secret.stderr.contains("PGPASSWORD"), secret.stderr)

        // an unreachable server, a missing database, a wrong password: exit 3 within seconds, one line naming the URL
        let closed = "postgres://postgres@127.0.0.1:\(try PostgresServer.freePort())/people"
        for (location, environment, words) in [(closed, login, "connection refused"), (server.url(database: "nope"), login, "does not exist"),
                                               (server.url(database: "postgres"), ["PGPASSWORD": "wrong"], "login refused")] {
            let start = Date()
            let r = try run(["gallery", "info", "--gallery", location], environment: environment)
            XCTAssertLessThan(Date().timeIntervalSince(start), 10, location)
            XCTAssertEqual(r.status, 3, r.stderr)
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("pairmatch: error: \(location): "), r.stderr)
            XCTAssertTrue(r.stderr.contains(words), r.stderr)
        }

        // migrate creates the tables once; another application's database is refused, untouched (exit 3)
        let fresh = try server.database("fresh")
        XCTAssertEqual(try run(["gallery", "migrate", "--gallery", fresh]).stdout, "\(fresh): created the tables; schema version 1\n")
        XCTAssertEqual(try run(["gallery", "migrate", "--gallery", fresh]).stdout, "\(fresh): schema version 1, up to date\n")
        let empty = try run(["gallery", "list", "--gallery", fresh])
        XCTAssertEqual(empty.status, 3, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("no such gallery"), empty.stderr)
        let foreign = try server.database("foreign")
        try server.psql("CREATE TABLE orders (id integer)", database: "foreign")
        let refused = try run(["gallery", "migrate", "--gallery", foreign])
        XCTAssertEqual(refused.status, 3, refused.stderr)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("not a pairmatch gallery"), refused.stderr)
        XCTAssertEqual(try server.psql("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'", database: "foreign"), "orders")
    }
}
