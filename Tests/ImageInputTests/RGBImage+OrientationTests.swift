import XCTest
@testable import ImageInput

final class RGBImageOrientationTests: XCTestCase {
    /// Stored 3×2 image:  a b c / d e f  (each letter a distinct gray level).
    private func letters() throws -> RGBImage {
        try RGBImage(width: 3, height: 2, gray: [1, 2, 3, 4, 5, 6])   // a=1 … f=6
    }

    private func grays(_ image: RGBImage) -> [UInt8] { image.grayPixels() }

    func testAllEightOrientations() throws {
        let img = try letters()
        let expected: [EXIFOrientation: (Int, Int, [UInt8])] = [
            .up: (3, 2, [1, 2, 3, 4, 5, 6]),            // a b c / d e f
            .upMirrored: (3, 2, [3, 2, 1, 6, 5, 4]),    // c b a / f e d
            .down: (3, 2, [6, 5, 4, 3, 2, 1]),          // f e d / c b a
            .downMirrored: (3, 2, [4, 5, 6, 1, 2, 3]),  // d e f / a b c
            .leftMirrored: (2, 3, [1, 4, 2, 5, 3, 6]),  // transpose: a d / b e / c f
            .right: (2, 3, [4, 1, 5, 2, 6, 3]),         // 90° clockwise: d a / e b / f c
            .rightMirrored: (2, 3, [6, 3, 5, 2, 4, 1]), // transverse: f c / e b / d a
            .left: (2, 3, [3, 6, 2, 5, 1, 4]),          // 90° counter-clockwise: c f / b e / a d
        ]
        for o in EXIFOrientation.allCases {
            let out = img.applying(o)
            let (w, h, g) = expected[o]!
            XCTAssertEqual(out.width, w, "\(o)")
            XCTAssertEqual(out.height, h, "\(o)")
            XCTAssertEqual(grays(out), g, "\(o)")
        }
    }

    func testRotationsCompose() throws {
        let img = try RGBImage(width: 4, height: 3, pixels: TestImages.gradient(width: 4, height: 3))
        XCTAssertEqual(img.applying(.right).applying(.left), img)
        XCTAssertEqual(img.applying(.down).applying(.down), img)
        XCTAssertEqual(img.applying(.right).applying(.right), img.applying(.down))
        XCTAssertEqual(img.applying(.leftMirrored).applying(.leftMirrored), img)
    }
}
