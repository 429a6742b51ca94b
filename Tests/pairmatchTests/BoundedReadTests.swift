import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Inputs that used to hang or read without bound: a FIFO (no writer) as an image or a pairs file, /dev/zero as an
/// image, megabytes of zeros named .jpg, a photo over `--max-bytes`. Each ends quickly in one error line, exit 2;
/// the binary runs with a timeout so a hang fails the test instead of blocking the suite.
final class BoundedReadTests: XCTestCase {
    private var dir: URL!
    override func setUp() { dir = TestPaths.temporaryDirectory("bounded-read") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs with a timeout; asserts exit 2 and exactly one error line (warnings about the models aside).
    private func assertError(_ args: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let t0 = Date()
        let (r, timedOut) = try CLIRunner.run(args, timeout: 20)
        XCTAssertFalse(timedOut, "pairmatch \(args.joined(separator: " ")) hung", file: file, line: line)
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderrLines.filter { !$0.hasPrefix("pairmatch: warning:") }, ["pairmatch: error: \(expected)"], file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 20, file: file, line: line)
    }

    /// No models needed: the pairs file is read before any model is loaded.
    func testFIFOAsPairsFile() throws {
        XCTAssertEqual(mkfifo(path("pairs.csv"), 0o644), 0)
        try assertError(["score", path("pairs.csv"), "-o", path("out.csv"), "--models", path("none")],
                        "\(path("pairs.csv")): is a FIFO, not a regular pairs file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.csv")))
    }

    func testPairsFileOverMaxBytes() throws {
        try Data("a,b\nx.png,y.png\n".utf8).write(to: URL(fileURLWithPath: path("pairs.csv")))
        try assertError(["score", path("pairs.csv"), "-o", path("out.csv"), "--max-bytes", "8", "--models", path("none")],
                        "\(path("pairs.csv")): pairs file too large (16 bytes, limit 8 bytes)")
    }

    func testMaxBytesIsValidated() throws {
        let (r, _) = try CLIRunner.run(["compare", "--max-bytes", "0", "a.jpg", "b.jpg"], timeout: 20)
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--max-bytes must be positive"), r.stderr)
    }

    func testFIFOAsImage() throws {
        let models = try CLIRunner.models()
        XCTAssertEqual(mkfifo(path("photo.jpg"), 0o644), 0)
        try assertError(["compare", "--aligned", path("photo.jpg"), CLIRunner.chip.path, "--models", models.path],
                        "\(path("photo.jpg")): is a FIFO, not a regular image file")
    }

    func testDevZeroAsImage() throws {
        let models = try CLIRunner.models()
        try assertError(["compare", "--aligned", "/dev/zero", CLIRunner.chip.path, "--models", models.path],
                        "/dev/zero: is a character device, not a regular image file")
    }

    /// 8 MB of zeros named .jpg: refused by its signature (under a --max-bytes that would admit it, so the size
    /// limit is not what stops it).
    func testZerosNamedJPEGAreRefusedBySignature() throws {
        let models = try CLIRunner.models()
        try Data(count: 8 << 20).write(to: URL(fileURLWithPath: path("zeros.jpg")))
        try assertError(["compare", "--aligned", path("zeros.jpg"), CLIRunner.chip.path, "--max-bytes", "\(64 << 20)", "--models", models.path],
                        "\(path("zeros.jpg")): not an image (unknown file signature; expected JPEG, PNG, PGM or PPM)")
    }

    func testPhotoOverMaxBytesIsRefusedNamingTheLimit() throws {
        let models = try CLIRunner.models()
        let chip = CLIRunner.chip.path
        let size = try FileManager.default.attributesOfItem(atPath: chip)[.size] as! Int
        try assertError(["compare", "--aligned", chip, chip, "--max-bytes", "1000", "--models", models.path],
                        "\(chip): file too large (\(size) bytes, limit 1000 bytes)")
    }
}
