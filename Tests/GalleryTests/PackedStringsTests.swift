import XCTest
@testable import Gallery

final class PackedStringsTests: XCTestCase {
    func testRoundTripWithNilEmptyAndNonASCII() throws {
        let list: [String?] = ["Zoë Ångström", nil, "", "李小龙", "emoji 👩🏽‍💻", "{\"id\": 7}"]
        let (bytes, lengths) = PackedStrings.pack(list)
        XCTAssertEqual(lengths.count, list.count)
        XCTAssertEqual(lengths[1], -1)
        XCTAssertEqual(bytes.count, list.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        XCTAssertEqual(try PackedStrings.unpack(bytes: bytes, lengths: lengths, tensor: "names"), list)
    }

    func testRejectsBadBytesLengthsAndUTF8() {
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [65, 256], lengths: [2], tensor: "names"))
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [65, 1.5], lengths: [2], tensor: "names"))
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [65, 66], lengths: [3], tensor: "names"))
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [65, 66], lengths: [1], tensor: "names"))
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [65], lengths: [-2], tensor: "names"))
        XCTAssertThrowsError(try PackedStrings.unpack(bytes: [0xC3], lengths: [1], tensor: "names"))
    }
}
