@testable import ModelImport
import XCTest

/// The primitive encodings, on the byte examples DLIB_FORMAT.md §1 gives.
final class DlibStreamTests: XCTestCase {
    private func stream(_ bytes: [UInt8]) -> DlibStream { DlibStream(bytes: bytes, file: "t.dat") }

    func testIntegers() throws {
        let cases: [([UInt8], Int)] = [([0x01, 0x00], 0), ([0x01, 0x02], 2), ([0x01, 0x80], 128), ([0x02, 0x00, 0x01], 256),
                                       ([0x02, 0x80, 0x12], 4736), ([0x81, 0x0A], -10), ([0x81, 0x11], -17)]
        for (bytes, value) in cases {
            var s = stream(bytes)
            XCTAssertEqual(try s.int(), value, "\(bytes)")
            XCTAssertTrue(s.atEnd)
        }
    }

    func testBadIntegerNamesOffset() {
        var s = stream([0x01, 0x05, 0x40, 0x01])
        XCTAssertEqual(try s.int(), 5)
        XCTAssertThrowsError(try s.int()) { error in
            XCTAssertEqual((error as? DlibFormatError)?.offset, 2)
            XCTAssertEqual("\(error)", "t.dat: bad integer control byte 0x40 at byte offset 2")
        }
    }

    func testFloats() throws {
        var s = stream([0x03, 0x0A, 0xD7, 0xA3, 0x81, 0x1C, 0x01, 0x10, 0x81, 0x04, 0x01, 0x00, 0x01, 0x0B])
        XCTAssertEqual(Float(try s.real()), 0.04)
        XCTAssertEqual(try s.real(), 1.0)
        XCTAssertEqual(try s.real(), 0.0)
        XCTAssertTrue(s.atEnd)
    }

    func testSpecialFloatExponents() throws {
        var s = stream([0x01, 0x01, 0x02, 0x00, 0x7D, 0x01, 0x01, 0x02, 0x02, 0x7D])
        XCTAssertEqual(try s.real(), .infinity)   // exponent 32000
        XCTAssertTrue(try s.real().isNaN)         // exponent 32002
    }

    func testStringsBoolsAndTruncation() throws {
        var s = stream([0x01, 0x03, 0x61, 0x62, 0x63, 0x31, 0x30, 0x01, 0x05, 0x61])
        XCTAssertEqual(try s.string(), "abc")
        XCTAssertEqual(try s.bool(), true)
        XCTAssertEqual(try s.bool(), false)
        XCTAssertThrowsError(try s.string()) { error in
            XCTAssertEqual((error as? DlibFormatError)?.reason, "unexpected end of file inside a string")
        }
    }

    func testTensorAndMatrix() throws {
        // version 2, shape 1×2×1×1, floats 1.5 and -2; then a matrix<float> 2×1 = [1, 0.04]
        var bytes: [UInt8] = [0x01, 0x02, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01, 0x01]
        for f: Float in [1.5, -2] { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes += $0 } }
        bytes += [0x81, 0x02, 0x81, 0x01, 0x01, 0x10, 0x81, 0x04, 0x03, 0x0A, 0xD7, 0xA3, 0x81, 0x1C]
        var s = stream(bytes)
        let t = try s.tensor()
        XCTAssertEqual(t.shape, [1, 2, 1, 1])
        XCTAssertEqual(t.values, [1.5, -2])
        let m = try s.realMatrix()
        XCTAssertEqual(m.rows, 2)
        XCTAssertEqual(m.cols, 1)
        XCTAssertEqual(m.values, [1, 0.04])
        XCTAssertTrue(s.atEnd)
    }

    func testTensorCutShortIsAnError() {
        var s = stream([0x01, 0x02, 0x01, 0x01, 0x01, 0x10, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00])
        XCTAssertThrowsError(try s.tensor()) { error in
            XCTAssertEqual((error as? DlibFormatError)?.reason, "unexpected end of file reading a tensor of 16 floats")
            XCTAssertEqual((error as? DlibFormatError)?.offset, 0)
        }
    }
}
