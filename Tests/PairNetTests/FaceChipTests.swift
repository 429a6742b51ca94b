import XCTest
@testable import PairNet

final class FaceChipTests: XCTestCase {
    func testChipSizeIsValidated() throws {
        XCTAssertNoThrow(try FaceChip(pixels: [UInt8](repeating: 0, count: 150 * 150 * 3)))
        XCTAssertThrowsError(try FaceChip(pixels: [UInt8](repeating: 0, count: 150 * 150))) { error in
            XCTAssertEqual(error as? PairNetError, .chipSize(found: 22_500))
            XCTAssertTrue("\(error)".contains("67500"), "\(error)")
        }
    }
}
