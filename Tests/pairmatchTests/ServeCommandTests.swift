import Foundation
import TestSupport
import XCTest

/// `pairmatch serve` as a process: refusals of bad options before anything starts, and a graceful stop that
/// finishes the requests in flight and keeps their enrolments.
final class ServeCommandTests: XCTestCase {
    func testBadOptionsAreRefusedWithOneLine() throws {
        let dir = TestPaths.temporaryDirectory("serve-options")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty-keys.txt")
        try Data("# no key here\n\n".utf8).write(to: empty)
        let cases: [([String], Int32, String)] = [
            (["--port", "70000"], 64, "--port"),
            (["--require-key-for-reads"], 64, "--require-key-for-reads needs --api-key-file"),
            (["--queue", "-1"], 64, "--queue"),
            (["--api-key-file", dir.appendingPathComponent("missing.txt").path], 2, "missing.txt"),
            (["--api-key-file", empty.path], 2, "holds no key"),
            (["--models", dir.path, "--gallery", dir.appendingPathComponent("people.db").path], 3, dir.path),
        ]
        for (args, status, text) in cases {
            let r = try CLIRunner.run(["serve", "--port", "0"] + args)
            XCTAssertEqual(r.status, status, "\(args): \(r.stderr)")
            let errors = r.stderrLines.filter { $0.hasPrefix("pairmatch: error:") || $0.hasPrefix("Error:") }
            XCTAssertEqual(errors.count, 1, "\(args): one error line: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(text), "\(args): names \(text): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("people.db").path), "nothing created")
    }

    /// SIGTERM while requests run: the request being served gets its answer, a request the server had not yet
    /// accepted is refused at the connection (never a half answer or a 5xx), the server exits 0, and every
    /// enrolment answered 201 is in the gallery afterwards.
    func testSIGTERMFinishesTheRequestsInFlight() throws {
        let models = try CLIRunner.modelsWithHead()
        let dir = TestPaths.temporaryDirectory("serve-sigterm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keys = dir.appendingPathComponent("keys.txt")
        try Data("sigterm-test-key\n".utf8).write(to: keys)
        let gallery = dir.appendingPathComponent("people.db").path
        let server = try ServeProcess(["--gallery", gallery, "--api-key-file", keys.path, "--workers", "1", "--models", models.path])
        defer { server.stop() }
        let samples = TestPaths.repositoryRoot.appendingPathComponent("Data/samples")
        let photo = { (name: String) in try Data(contentsOf: samples.appendingPathComponent(name)) }
        let auth = ["Authorization": "Bearer sigterm-test-key"]
        let requests: [(label: String, path: String, form: (body: Data, contentType: String), headers: [String: String])] = [
            ("obama", "/v1/people", ServeProcess.multipart([("name", nil, Data("obama".utf8)), ("image", "obama.jpg", try photo("obama.jpg"))]), auth),
            ("compare", "/v1/compare", ServeProcess.multipart([("a", "obama.jpg", try photo("obama.jpg")), ("b", "obama2.jpg", try photo("obama2.jpg"))]), [:]),
            ("biden", "/v1/people", ServeProcess.multipart([("name", nil, Data("biden".utf8)), ("image", "biden.jpg", try photo("biden.jpg"))]), auth),
        ]
        let answers = LockedList()
        let group = DispatchGroup()
        for request in requests {
            DispatchQueue.global().async(group: group) {
                do {
                    let r = try server.request("POST", request.path, body: request.form.body, contentType: request.form.contentType,
                                               headers: request.headers)
                    answers.append("\(request.label) \(r.status)")
                } catch { answers.append("\(request.label) refused") }
            }
        }
        // Stop once a request is running on the worker.
        let deadline = Date().addingTimeInterval(60)
        var running = false
        while Date() < deadline, !running {
            let metrics = String(decoding: (try? server.request("GET", "/metrics").body) ?? Data(), as: UTF8.self)
            running = metrics.split(separator: "\n").contains { $0.hasPrefix("pairmatch_inference_workers_busy ") && !$0.hasSuffix(" 0.0") && !$0.hasSuffix(" 0") }
            if !running { usleep(5_000) }
        }
        XCTAssertTrue(running, "a request reached the worker: \(answers.items)")
        kill(server.process.processIdentifier, SIGTERM)
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let results = Dictionary(uniqueKeysWithValues: answers.items.map { ($0.split(separator: " ")[0], String($0.split(separator: " ")[1])) })
        XCTAssertEqual(results.count, 3)
        for (label, outcome) in results {
            XCTAssertTrue(["200", "201", "refused"].contains(outcome), "\(label): \(outcome)")
        }
        XCTAssertTrue(results.values.contains { $0 != "refused" }, "the running request was answered: \(results)")
        XCTAssertEqual(server.stop(), 0, server.stderr)

        let enrolled = results.filter { $0.value == "201" }.map { String($0.key) }
        if !enrolled.isEmpty {
            let list = try CLIRunner.run(["gallery", "list", "--gallery", gallery])
            XCTAssertEqual(list.status, 0, list.stderr)
            XCTAssertEqual(Set(list.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }), Set(enrolled))
        }
        print("SIGTERM during requests: \(results.sorted { $0.key < $1.key })")
    }
}

/// A list appended to from several threads.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
