import Foundation
@testable import PairsInput
import TestSupport
import XCTest

/// Text encodings a user's pairs file may come in.
final class PairsReaderEncodingTests: XCTestCase {
    /// UTF-16 without a byte-order mark decodes as UTF-8 full of NULs: refused with the line, never copied into the output.
    func testUTF16WithoutBOMIsRefused() throws {
        let dir = TestPaths.temporaryDirectory("pairs-encoding")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("pairs.csv")
        try "a,b,label\nx.jpg,y.jpg,1\n".data(using: .utf16LittleEndian)!.write(to: url)
        XCTAssertThrowsError(try PairsReader.read(url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): line 1: NUL bytes (UTF-16 without a byte-order mark?); save the pairs file as UTF-8")
        }
        // With a byte-order mark it is not UTF-8 at all.
        try "a,b\n".data(using: .utf16)!.write(to: url)
        XCTAssertThrowsError(try PairsReader.read(url)) { XCTAssertEqual("\($0)", "\(url.path): pairs file is not valid UTF-8") }
        // Plain UTF-8 still reads.
        try "a,b,label\nx.jpg,y.jpg,1\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PairsReader.read(url).rows.count, 1)
    }
}
