import Foundation
import XCTest
@testable import ImageInput

final class PNMDecoderTests: XCTestCase {
    private func decode(_ text: String) throws -> RGBImage { try TestImages.decode(Array(text.utf8), name: "x.pnm") }

    private func expectError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ImageInputError? {
        do {
            _ = try TestImages.decode(bytes, name: "x.pnm")
            XCTFail("decoded without error", file: file, line: line)
            return nil
        } catch {
            return error as? ImageInputError
        }
    }

    func testASCIIPGMWithComments() throws {
        let image = try decode("P2\n# a comment\n3 2 # trailing comment\n255\n0 10 20\n# mid-data comment\n30 40 255\n")
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.grayPixels(), [0, 10, 20, 30, 40, 255])
        XCTAssertEqual(image[1, 0], RGBPixel(r: 10, g: 10, b: 10))
    }

    func testASCIIPPMAndScaling() throws {
        let image = try decode("P3 2 1 15\n15 0 7  1 2 3")   // no trailing newline
        // (v·255 + 7) / 15
        XCTAssertEqual(image.pixels, [255, 0, 119, 17, 34, 51])
    }

    func testBinaryPGMAndPPM() throws {
        let pgm = try TestImages.decode(Array("P5\n#c\n2 2\n255\n".utf8) + [0, 1, 254, 255])
        XCTAssertEqual(pgm.grayPixels(), [0, 1, 254, 255])
        let ppmBody: [UInt8] = [1, 2, 3, 4, 5, 6]
        let ppm = try TestImages.decode(Array("P6 2 1 255\n".utf8) + ppmBody)
        XCTAssertEqual(ppm.pixels, ppmBody)
        // Binary sample bytes that look like whitespace or '#' are data, not separators.
        let tricky = try TestImages.decode(Array("P5 3 1 255\n".utf8) + [0x0A, 0x23, 0x20])
        XCTAssertEqual(tricky.grayPixels(), [0x0A, 0x23, 0x20])
    }

    func testMaxval65535BinaryAndASCII() throws {
        // Big-endian 16-bit: 65535 → 255, 32768 → 128 ((32768·255 + 32767) / 65535 = 128), 0 → 0.
        let p6 = try TestImages.decode(Array("P6\n1 1\n65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00])
        XCTAssertEqual(p6.pixels, [255, 128, 0])
        let p5 = try TestImages.decode(Array("P5 2 1 65535\n".utf8) + [0x01, 0x01, 0xFE, 0xFE])
        XCTAssertEqual(p5.grayPixels(), [1, 254])
        let p2 = try decode("P2 2 1 65535 65535 257")
        XCTAssertEqual(p2.grayPixels(), [255, 1])
        let p3 = try decode("P3\n1 1\n1000\n1000 500 0\n")
        XCTAssertEqual(p3.pixels, [255, 128, 0])   // 500·255/1000 = 127.5 → 128
    }

    func testTruncatedData() throws {
        for bytes in [Array("P6 4 4 255\n".utf8) + [UInt8](repeating: 9, count: 47),
                      Array("P5 2 2 65535\n".utf8) + [1, 2, 3, 4, 5, 6, 7],
                      Array("P2 2 2 255 1 2 3".utf8),
                      Array("P3 2 2".utf8)] {
            guard let e = expectError(bytes) else { continue }
            guard case .truncated(let file, _, _) = e else { XCTFail("\(e)"); continue }
            XCTAssertEqual(file, "x.pnm")
        }
        let e = expectError(Array("P6 4 4 255\n".utf8) + [1, 2, 3])
        XCTAssertEqual(e?.description, "x.pnm: truncated PPM data (P6 expected 48 bytes of samples, found 3)")
    }

    func testCorruptData() throws {
        let cases: [[UInt8]] = [
            Array("P2 2 1 255 0 256".utf8),                  // sample > maxval
            Array("P5 1 1 100\n".utf8) + [101],              // binary sample > maxval
            Array("P2 2 1 0 0 0".utf8),                      // maxval 0
            Array("P2 2 1 70000 0 0".utf8),                  // maxval > 65535
            Array("P5 0 4 255\n".utf8),                      // zero width
            Array("P6 two 2 255\n".utf8),                    // not a number
            Array("P2 2x1 255 0 0".utf8),                    // junk after number
            Array("P2 1234567890123 1 255 0".utf8),          // absurd number
        ]
        for bytes in cases {
            guard let e = expectError(bytes) else { continue }
            guard case .corrupt(_, let f, _) = e else { XCTFail("\(String(decoding: bytes, as: UTF8.self)): \(e)"); continue }
            XCTAssertTrue(f == .pgm || f == .ppm)
        }
    }

    func testHugeHeaderIsTooLargeWithoutAllocating() throws {
        let e = expectError(Array("P6\n100000 100000\n255\n".utf8) + [1, 2, 3])
        XCTAssertEqual(e, .tooLarge(file: "x.pnm", width: 100_000, height: 100_000, maxPixels: 50_000_000))
        let g = expectError(Array("P2 100000 100000 255 1 2 3".utf8))
        XCTAssertEqual(g, .tooLarge(file: "x.pnm", width: 100_000, height: 100_000, maxPixels: 50_000_000))
    }

    func testPGMToRGBAndFileRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imageinput-pnm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try TestImages.write(Array("P5 2 1 255\n".utf8) + [3, 250], "gray.jpg", in: dir)   // misnamed on purpose
        let image = try ImageDecoder.decode(contentsOf: url)
        XCTAssertEqual(image.pixels, [3, 3, 3, 250, 250, 250])
    }
}
