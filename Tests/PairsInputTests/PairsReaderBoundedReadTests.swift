import Foundation
@testable import PairsInput
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Pairs files are read through `BoundedFile`: a FIFO no longer hangs, a device is not read, binary data is refused
/// from its first bytes, and `maxBytes` bounds the read.
final class PairsReaderBoundedReadTests: XCTestCase {
    private var folder: URL!
    override func setUp() { folder = TestPaths.temporaryDirectory("pairs-bounded") }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func error(_ url: URL, maxBytes: Int = 256 << 20) -> PairsFileError? {
        do { _ = try PairsReader.read(url, maxBytes: maxBytes); return nil } catch { return error as? PairsFileError }
    }

    func testFIFOAndDeviceAreRefusedAtOnce() throws {
        let fifo = folder.appendingPathComponent("pairs.csv")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let t0 = Date()
        XCTAssertEqual(error(fifo), .notRegularFile(path: fifo.path, kind: "FIFO"))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 30, "returned, not blocked")
        XCTAssertEqual(error(URL(fileURLWithPath: "/dev/zero")), .notRegularFile(path: "/dev/zero", kind: "character device"))
        XCTAssertEqual("\(PairsFileError.notRegularFile(path: "p", kind: "FIFO"))", "p: is a FIFO, not a regular pairs file")
    }

    func testBinaryDataAndSizeLimit() throws {
        let zeros = folder.appendingPathComponent("zeros.csv")
        try Data(count: 1 << 20).write(to: zeros)
        XCTAssertEqual(error(zeros), .nulBytes(path: zeros.path, line: 1))   // from its first bytes, not read whole
        let csv = folder.appendingPathComponent("p.csv")
        try Data("a,b\nx.jpg,y.jpg\n".utf8).write(to: csv)
        XCTAssertEqual(error(csv, maxBytes: 10), .tooLarge(path: csv.path, bytes: 16, limit: 10))
        XCTAssertEqual(try PairsReader.read(csv, maxBytes: 16).rows.count, 1)
    }
}
