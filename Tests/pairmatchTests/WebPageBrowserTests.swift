import Foundation
import TestSupport
import XCTest

/// The web page end to end in a real headless Chromium (scripts/browser_check.py drives it over the DevTools
/// protocol): two sample photos uploaded through the page show the probability the API gives for them, with both
/// boxes and chips; identify labels the enrolled person; the page fits a phone-sized window; no script errors.
final class WebPageBrowserTests: XCTestCase {
    func testThePageShowsWhatTheAPIAnswers() throws {
        let models = try CLIRunner.modelsWithHead()
        guard ["chromium", "chromium-browser"].contains(where: { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }) else {
            throw XCTSkip(TestPaths.skipReason("chromium is not installed ('make browser' installs it): the browser test is skipped"))
        }
        let dir = TestPaths.temporaryDirectory("serve-browser")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("keys")
        try "browser-test-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let server = try ServeProcess(["--gallery", dir.appendingPathComponent("people.db").path, "--api-key-file", keyFile.path,
                                       "--models", models.path])
        let samples = TestPaths.repositoryRoot.appendingPathComponent("Data/samples")
        let a = samples.appendingPathComponent("obama.jpg"), b = samples.appendingPathComponent("obama2.jpg")

        let enrol = ServeProcess.multipart([("name", nil, Data("obama".utf8)), ("image", "obama.jpg", try Data(contentsOf: a))])
        let enrolled = try server.request("POST", "/v1/people", body: enrol.body, contentType: enrol.contentType,
                                          headers: ["Authorization": "Bearer browser-test-key"])
        XCTAssertEqual(enrolled.status, 201, String(decoding: enrolled.body, as: UTF8.self))
        let pair = ServeProcess.multipart([("a", "obama.jpg", try Data(contentsOf: a)), ("b", "obama2.jpg", try Data(contentsOf: b))])
        let api = try ServeProcess.object(try server.request("POST", "/v1/compare", body: pair.body, contentType: pair.contentType).body)
        let p = try XCTUnwrap(api["probability"] as? Double)
        let same = try XCTUnwrap(api["same"] as? Bool)

        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        script.arguments = ["python3", TestPaths.repositoryRoot.appendingPathComponent("scripts/browser_check.py").path, "--url", server.url + "/",
                            "--a", a.path, "--b", b.path, "--identify", b.path, "--screenshot-dir", dir.appendingPathComponent("shots").path]
        let out = Pipe(), err = Pipe()
        script.standardOutput = out
        script.standardError = err
        try script.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        XCTAssertEqual(script.terminationStatus, 0, errors)
        let page = try ServeProcess.object(output)
        let compare = try XCTUnwrap(page["compare"] as? [String: Any], "\(page)")
        XCTAssertEqual(compare["probability_text"] as? String, String(format: "%.4f", p), "the page shows the API's probability")
        XCTAssertEqual(compare["verdict"] as? String, same ? "same person" : "different people")
        XCTAssertEqual(compare["boxes"] as? Int, 2)
        XCTAssertEqual(compare["chips"] as? Int, 2)
        XCTAssertEqual(compare["boxes_inside_photos"] as? Bool, true)
        let identify = try XCTUnwrap(page["identify"] as? [String: Any])
        XCTAssertEqual(identify["decisions"] as? [String], ["obama"])
        let phone = try XCTUnwrap(page["phone"] as? [String: Any])
        XCTAssertEqual(phone["overflow"] as? Bool, false)
        XCTAssertEqual(phone["tabs_visible"] as? Bool, true)
        XCTAssertEqual((phone["compare"] as? [String: Any])?["probability_text"] as? String, String(format: "%.4f", p))
        XCTAssertEqual((page["console_errors"] as? [Any])?.count, 0, "\(page["console_errors"] ?? "")")
        XCTAssertEqual(server.stop(), 0, "SIGTERM is a clean shutdown:\n\(server.stderr)")
    }
}
