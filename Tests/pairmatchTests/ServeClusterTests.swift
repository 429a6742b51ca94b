import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Two `pairmatch serve` processes sharing one PostgreSQL gallery behind nginx, as a deployment runs them: enrolments
/// through the balancer reach both instances within a second, an instance killed mid-load loses no acknowledged
/// enrolment, and while the database restarts an instance answers identify from memory (saying so), refuses writes
/// with 503 and is unready, then catches up.
final class ServeClusterTests: XCTestCase {
    nonisolated(unsafe) private static var server: PostgresServer?
    nonisolated(unsafe) private static var startFailure = ""

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
        guard Self.server != nil else { throw XCTSkip(TestPaths.skipReason("serve cluster: \(Self.startFailure)")) }
    }

    static let key = "cluster-test-key"
    let auth = ServeClusterTests.auth
    static let auth = ["Authorization": "Bearer \(ServeClusterTests.key)"]

    func photo(_ name: String) throws -> Data {
        try Data(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Data/samples").appendingPathComponent(name))
    }

    /// POST /v1/people at `base` (an instance or the balancer).
    func enrol(_ name: String, _ photo: Data, via base: String) throws -> (status: Int, body: Data, headers: [String: String]) {
        try Self.enrol(name, photo, via: base)
    }

    static func enrol(_ name: String, _ photo: Data, via base: String) throws -> (status: Int, body: Data, headers: [String: String]) {
        let form = ServeProcess.multipart([("name", nil, Data(name.utf8)), ("image", "photo.jpg", photo)])
        return try ServeProcess.request("POST", base + "/v1/people", body: form.body, contentType: form.contentType, headers: auth)
    }

    /// The names GET /v1/people lists at `base`.
    func names(at base: String) throws -> Set<String> {
        let r = try ServeProcess.request("GET", base + "/v1/people")
        let people = try XCTUnwrap(try ServeProcess.object(r.body)["people"] as? [[String: Any]])
        return Set(people.compactMap { $0["name"] as? String })
    }

    /// Waits up to `seconds` for `condition`; returns how long it took, nil when it never held.
    func within(_ seconds: Double, _ condition: () throws -> Bool) -> Double? {
        let start = Date()
        repeat {
            if (try? condition()) == true { return Date().timeIntervalSince(start) }
            usleep(10_000)
        } while Date().timeIntervalSince(start) < seconds
        return nil
    }

    func testTwoInstancesBehindNginxShareOneGalleryAndSurviveAnInstanceOrTheDatabaseRestarting() throws {
        let models = try CLIRunner.modelsWithHead()
        let postgres = Self.server!
        let gallery = try postgres.database("cluster")
        let dir = TestPaths.temporaryDirectory("serve-cluster")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keys = dir.appendingPathComponent("keys.txt")
        try Data("\(Self.key)\n".utf8).write(to: keys)
        let arguments = ["--gallery", gallery, "--models", models.path, "--api-key-file", keys.path, "--workers", "1"]
        let login = ["PGPASSWORD": postgres.password]
        let a = try ServeProcess(arguments, environment: login)
        defer { a.stop() }
        let b = try ServeProcess(arguments, environment: login)
        defer { b.stop() }
        let balancer: NginxBalancer
        do { balancer = try NginxBalancer(upstreams: ["127.0.0.1:\(a.port)", "127.0.0.1:\(b.port)"]) } catch {
            throw XCTSkip(TestPaths.skipReason("serve cluster: \(error)"))
        }
        defer { balancer.stop() }
        let obama = try photo("obama.jpg"), biden = try photo("biden.jpg"), obama2 = try photo("obama2.jpg")

        // 1. Enrol through the balancer; every instance knows the person within 1 s and identifies them.
        XCTAssertEqual(try enrol("obama", obama, via: balancer.url).status, 201)
        var agreed = [Double]()
        for instance in [a, b] {
            let t = within(1) { try instance.request("GET", "/v1/people/obama").status == 200 }
            XCTAssertNotNil(t, "\(instance.url) knows obama within 1 s")
            agreed.append(t ?? -1)
        }
        XCTAssertEqual(try enrol("biden", biden, via: balancer.url).status, 201)
        for instance in [a, b] {
            XCTAssertNotNil(within(1) { try instance.request("GET", "/v1/people/biden").status == 200 }, "\(instance.url) knows biden within 1 s")
            let form = ServeProcess.multipart([("image", "obama2.jpg", obama2)])
            let found = try instance.request("POST", "/v1/identify", body: form.body, contentType: form.contentType)
            XCTAssertEqual(found.status, 200)
            XCTAssertTrue(String(decoding: found.body, as: UTF8.self).contains(#""decision":"obama""#), String(decoding: found.body, as: UTF8.self))
            XCTAssertNil(found.headers["pairmatch-gallery"], "in step: no offline header")
        }
        // A removal through the balancer: no instance returns the person after the window.
        XCTAssertEqual(try ServeProcess.request("DELETE", balancer.url + "/v1/people/biden", headers: auth).status, 200)
        for instance in [a, b] {
            XCTAssertNotNil(within(1) { try instance.request("GET", "/v1/people/biden").status == 404 }, "\(instance.url) forgot biden within 1 s")
        }

        // 2. Kill one instance mid-load: every enrolment acknowledged (201) is in the gallery and on the survivor.
        let walker = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("FaceDetection/AJ_Cook_0001.jpg"))
        let answers = LockedList()
        let load = DispatchGroup()
        for lane in 0..<2 {
            DispatchQueue.global().async(group: load) {
                for i in 0..<10 {
                    let name = "walker-\(lane)-\(i)"
                    let status = (try? Self.enrol(name, walker, via: balancer.url).status).map(String.init) ?? "error"
                    answers.append("\(name) \(status)")
                }
            }
        }
        XCTAssertNotNil(within(120) { answers.items.filter { $0.hasSuffix(" 201") }.count >= 4 }, "the load runs: \(answers.items)")
        kill(a.process.processIdentifier, SIGKILL)
        XCTAssertEqual(load.wait(timeout: .now() + 300), .success)
        let outcomes = answers.items.map { $0.split(separator: " ").map(String.init) }
        let acknowledged = Set(outcomes.filter { $0[1] == "201" }.map { $0[0] })
        XCTAssertGreaterThanOrEqual(acknowledged.count, 10, "the survivor took the rest of the load: \(outcomes)")
        let stored = Set(try postgres.psql("SELECT name FROM people", database: "cluster").split(separator: "\n").map(String.init))
        XCTAssertTrue(acknowledged.isSubset(of: stored), "lost: \(acknowledged.subtracting(stored))")
        XCTAssertNotNil(within(1) { acknowledged.isSubset(of: try self.names(at: b.url)) }, "the survivor holds every acknowledged enrolment")
        print("cluster: agreed after \(agreed.map { String(format: "%.3f s", $0) }); kill mid-load: \(acknowledged.count) of \(outcomes.count) acknowledged, other answers \(outcomes.filter { $0[1] != "201" }.map { $0.joined(separator: " ") })")

        // 3. The database restarts: the survivor goes unready, answers identify from memory with the header, refuses writes.
        try postgres.pause()
        var resumed = false
        defer { if !resumed { try? postgres.resume() } }
        XCTAssertNotNil(within(5) { try b.request("GET", "/readyz").status == 503 }, "unready while the database is down")
        let ready = try b.request("GET", "/readyz")
        XCTAssertTrue(String(decoding: ready.body, as: UTF8.self).contains("gallery database unreachable"), String(decoding: ready.body, as: UTF8.self))
        let form = ServeProcess.multipart([("image", "obama2.jpg", obama2)])
        let found = try b.request("POST", "/v1/identify", body: form.body, contentType: form.contentType)
        XCTAssertEqual(found.status, 200, "identify answers from memory")
        XCTAssertTrue(String(decoding: found.body, as: UTF8.self).contains(#""decision":"obama""#))
        XCTAssertTrue(found.headers["pairmatch-gallery"]?.hasPrefix("offline; since=") == true, "\(found.headers)")
        let refused = try enrol("during-outage", obama, via: b.url)
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.headers["retry-after"], "1")
        let error = try XCTUnwrap(try ServeProcess.object(refused.body)["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "gallery_unavailable")
        XCTAssertTrue((error["message"] as? String)?.hasSuffix("nothing was enrolled") == true, "\(error)")

        try postgres.resume()
        resumed = true
        XCTAssertNotNil(within(15) { try b.request("GET", "/readyz").status == 200 }, "ready again once the database is back")
        XCTAssertEqual(try enrol("after-outage", obama, via: balancer.url).status, 201)

        // 4. The killed instance restarts: it loads the same gallery the survivor holds.
        let again = try ServeProcess(arguments, environment: login)
        defer { again.stop() }
        let survivor = try names(at: b.url)
        XCTAssertTrue(survivor.isSuperset(of: acknowledged.union(["obama", "after-outage"])))
        XCTAssertFalse(survivor.contains("during-outage"))
        XCTAssertEqual(try names(at: again.url), survivor)
        XCTAssertEqual(b.stop(), 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("gallery database unreachable"), "the outage is logged")
    }
}
