import Foundation
import TestSupport
import XCTest

/// `pairmatch bench serve` end to end, in seconds instead of minutes: a real server under wrk, every figure printed,
/// no errors below the queue limit and never a timeout.
final class BenchServeCommandTests: XCTestCase {
    func testAShortRunPrintsEveryFigure() throws {
        let models = try CLIRunner.modelsWithHead()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/wrk") }) else {
            throw XCTSkip(TestPaths.skipReason("wrk is not installed (make deps installs Debian's wrk)"))
        }
        // Two 250×250 LFW photos (the defaults are megapixel photos, too slow for a debug build in 3 s).
        let photos = TestPaths.fixtures.appendingPathComponent("FaceDetection")
        let r = try CLIRunner.run(["bench", "serve", "--duration", "3", "--soak", "0", "--concurrency", "1,2", "--models", models.path,
                                   "--a", photos.appendingPathComponent("AJ_Cook_0001.jpg").path,
                                   "--b", photos.appendingPathComponent("Akmal_Taher_0001.jpg").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("in-process (") && $0.contains("compare") && $0.contains("identify") }, r.stdout)
        for route in ["compare", "identify"] {
            for c in [1, 2] {
                let row = lines.first { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2) == [Substring(route), Substring(String(c))] }
                let fields = row.map { $0.split(separator: " ", omittingEmptySubsequences: true) } ?? []
                XCTAssertEqual(fields.count, 8, "\(route) at \(c): \(row ?? "missing")")
                guard fields.count == 8 else { continue }
                XCTAssertGreaterThan(Double(fields[2]) ?? 0, 0, "\(route) at \(c) answered something")
                XCTAssertEqual(fields[5], "0", "\(route) at \(c): no error below the queue limit")
                XCTAssertEqual(fields[6], "0", "\(route) at \(c): no timeout")
            }
        }
        let overload = try XCTUnwrap(lines.first { $0.hasPrefix("overload") }, r.stdout)
        // A debug build parses uploads too slowly for 32 connections to get answers within 3 s, so only "never a
        // timeout" is checked here; the release run in the README and APIErrorTests show the 503s themselves.
        XCTAssertTrue(overload.contains("timeouts 0"), overload)
        XCTAssertTrue(lines.contains { $0.hasPrefix("RSS ") && $0.hasSuffix("MiB after the runs") }, r.stdout)
    }
}
