@testable import FaceAlignment
import ImageInput
import XCTest

final class FaceBoxTransformTests: XCTestCase {
    func testInclusiveSizes() {
        let box = FaceBox(left: 10, top: 20, right: 19, bottom: 24)
        XCTAssertEqual(box.width, 10)
        XCTAssertEqual(box.height, 5)
        XCTAssertFalse(box.isEmpty)
        XCTAssertTrue(FaceBox(left: 3, top: 0, right: 2, bottom: 0).isEmpty)
    }

    /// (0,0) → (left, top), (1,0) → (right, top), (1,1) → (right, bottom): scale right − left, not width.
    func testBoxTransformMapsCornersToInclusiveCorners() {
        let box = FaceBox(left: 63, top: 66, right: 177, bottom: 180)
        XCTAssertEqual(box.imagePoint(normalizedX: 0, normalizedY: 0), SubpixelPoint(x: 63, y: 66))
        XCTAssertEqual(box.imagePoint(normalizedX: 1, normalizedY: 0), SubpixelPoint(x: 177, y: 66))
        XCTAssertEqual(box.imagePoint(normalizedX: 1, normalizedY: 1), SubpixelPoint(x: 177, y: 180))
        XCTAssertEqual(box.imagePoint(normalizedX: 0.5, normalizedY: 0.25), SubpixelPoint(x: 120, y: 94.5))
    }

    func testRoundingIsFloorOfPlusHalf() {
        XCTAssertEqual(SubpixelPoint(x: 2.5, y: -2.5).rounded, Point(x: 3, y: -2))
        XCTAssertEqual(SubpixelPoint(x: 2.4999, y: -0.5001).rounded, Point(x: 2, y: -1))
    }
}
