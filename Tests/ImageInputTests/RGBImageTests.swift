import XCTest
@testable import ImageInput

final class RGBImageTests: XCTestCase {
    func testInitValidatesPixelCount() throws {
        XCTAssertNoThrow(try RGBImage(width: 2, height: 3, pixels: [UInt8](repeating: 0, count: 18)))
        XCTAssertThrowsError(try RGBImage(width: 2, height: 3, pixels: [UInt8](repeating: 0, count: 17))) {
            XCTAssertEqual($0 as? ImageInputError, .invalidShape(width: 2, height: 3, count: 17))
        }
        XCTAssertThrowsError(try RGBImage(width: 0, height: 3, pixels: []))
        XCTAssertThrowsError(try RGBImage(width: -1, height: -3, pixels: [1, 2, 3]))
    }

    func testSubscriptIsRowMajorInterleaved() throws {
        // [height 2, width 3, 3]
        let pixels: [UInt8] = Array(0..<18)
        var image = try RGBImage(width: 3, height: 2, pixels: pixels)
        XCTAssertEqual(image[0, 0], RGBPixel(r: 0, g: 1, b: 2))
        XCTAssertEqual(image[2, 0], RGBPixel(r: 6, g: 7, b: 8))
        XCTAssertEqual(image[1, 1], RGBPixel(r: 12, g: 13, b: 14))
        image[2, 1] = RGBPixel(r: 9, g: 9, b: 9)
        XCTAssertEqual(Array(image.pixels[15..<18]), [9, 9, 9])
    }

    func testGrayIsIntegerMeanLikeDlib() throws {
        XCTAssertEqual(RGBPixel(r: 255, g: 255, b: 1).gray, 170)   // 511 / 3 = 170.33
        XCTAssertEqual(RGBPixel(r: 1, g: 1, b: 2).gray, 1)         // 4 / 3 = 1.33, truncated
        XCTAssertEqual(RGBPixel(r: 255, g: 255, b: 255).gray, 255)
        let image = try RGBImage(width: 2, height: 1, pixels: [10, 20, 31, 255, 0, 2])
        XCTAssertEqual(image.grayPixels(), [20, 85])
        XCTAssertEqual(image.gray(x: 1, y: 0), 85)
    }

    func testFillAndGrayInitialisers() throws {
        let red = RGBImage(width: 2, height: 2, fill: RGBPixel(r: 255, g: 0, b: 0))
        XCTAssertEqual(red.pixels, [255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0])
        let gray = try RGBImage(width: 2, height: 1, gray: [7, 200])
        XCTAssertEqual(gray.pixels, [7, 7, 7, 200, 200, 200])
        XCTAssertThrowsError(try RGBImage(width: 2, height: 2, gray: [1]))
    }

    func testInvalidShapeDescriptionIsOneLine() {
        let text = ImageInputError.invalidShape(width: 2, height: 3, count: 17).description
        XCTAssertFalse(text.contains("\n"))
        XCTAssertTrue(text.contains("2x3"), text)
    }
}
