import XCTest
@testable import ImageInput

final class EXIFOrientationTests: XCTestCase {
    private let soi: [UInt8] = [0xFF, 0xD8]
    private let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0]
    private let sos: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]

    private func read(_ bytes: [UInt8]) -> EXIFOrientation {
        bytes.withUnsafeBytes { EXIFOrientation.read(fromJPEG: $0) }
    }

    func testReadsBothByteOrdersAfterOtherSegments() {
        for value in 1...8 {
            for little in [true, false] {
                let seg = TestImages.exifSegment(orientation: UInt16(value), littleEndian: little)
                XCTAssertEqual(read(soi + app0 + seg + sos), EXIFOrientation(rawValue: value), "value \(value) little \(little)")
            }
        }
    }

    func testMissingOrMalformedExifIsUp() {
        XCTAssertEqual(read(soi + app0 + sos), .up)
        XCTAssertEqual(read(soi + TestImages.exifSegment(orientation: 9, littleEndian: true) + sos), .up)
        XCTAssertEqual(read(soi + TestImages.exifSegment(orientation: 0, littleEndian: false) + sos), .up)
        // Bad byte-order mark.
        var bad = TestImages.exifSegment(orientation: 6, littleEndian: true)
        bad[10] = 0x58; bad[11] = 0x58
        XCTAssertEqual(read(soi + bad + sos), .up)
        // IFD offset pointing past the segment.
        var far = TestImages.exifSegment(orientation: 6, littleEndian: true)
        far[14] = 0xFF
        XCTAssertEqual(read(soi + far + sos), .up)
        // Segment length running past the end of the data.
        let seg = TestImages.exifSegment(orientation: 6, littleEndian: true)
        XCTAssertEqual(read(soi + Array(seg.prefix(20))), .up)
        // Exif after SOS is not looked at.
        XCTAssertEqual(read(soi + sos + seg), .up)
        XCTAssertEqual(read([0xFF, 0xD8]), .up)
        XCTAssertEqual(read([]), .up)
    }
}
