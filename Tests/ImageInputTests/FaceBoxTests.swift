import ImageInput
import XCTest

final class FaceBoxTests: XCTestCase {
    func testInclusiveSizes() {
        let b = FaceBox(left: 10, top: 20, right: 19, bottom: 24)
        XCTAssertEqual(b.width, 10)
        XCTAssertEqual(b.height, 5)
        XCTAssertEqual(b.area, 50)
        XCTAssertEqual(FaceBox(x: 10, y: 20, width: 10, height: 5), b)
        XCTAssertEqual(b.center.x, 14.5)
        XCTAssertTrue(FaceBox(left: 5, top: 0, right: 4, bottom: 0).isEmpty)
        XCTAssertEqual(FaceBox(left: 5, top: 0, right: 4, bottom: 0).area, 0)
    }

    func testIntersectionOverUnionByHand() {
        // Two 10×10 boxes offset by 5 px horizontally: intersection 5×10 = 50, union 150.
        let a = FaceBox(x: 0, y: 0, width: 10, height: 10), b = FaceBox(x: 5, y: 0, width: 10, height: 10)
        XCTAssertEqual(a.intersection(b), FaceBox(left: 5, top: 0, right: 9, bottom: 9))
        XCTAssertEqual(a.intersectionOverUnion(b), 50.0 / 150.0, accuracy: 1e-12)
        // dlib's measure divides by the bounding box (15×10 = 150 here too).
        XCTAssertEqual(a.intersectionOverBoundingUnion(b), 50.0 / 150.0, accuracy: 1e-12)
        XCTAssertEqual(a.fractionCovered(b), 0.5, accuracy: 1e-12)
        XCTAssertEqual(a.intersectionOverUnion(a), 1)
        // Diagonal offset: intersection 5×5 = 25, union 175, bounding box 15×15 = 225.
        let c = FaceBox(x: 5, y: 5, width: 10, height: 10)
        XCTAssertEqual(a.intersectionOverUnion(c), 25.0 / 175.0, accuracy: 1e-12)
        XCTAssertEqual(a.intersectionOverBoundingUnion(c), 25.0 / 225.0, accuracy: 1e-12)
        // Disjoint and touching-but-not-sharing boxes.
        XCTAssertEqual(a.intersectionOverUnion(FaceBox(x: 10, y: 0, width: 10, height: 10)), 0)
        XCTAssertEqual(a.intersectionOverUnion(FaceBox(x: 9, y: 0, width: 10, height: 10)), 10.0 / 190.0, accuracy: 1e-12)
    }

    func testContainedBoxIsFullyCovered() {
        let outer = FaceBox(x: 0, y: 0, width: 20, height: 20), inner = FaceBox(x: 5, y: 5, width: 4, height: 4)
        XCTAssertEqual(outer.fractionCovered(inner), 1)
        XCTAssertEqual(outer.intersectionOverUnion(inner), 16.0 / 400.0, accuracy: 1e-12)
        XCTAssertEqual(outer.boundingUnion(inner), outer)
    }

}
