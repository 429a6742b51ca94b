import ImageInput
import XCTest
@testable import FaceAlignment

final class ImagePyramidTests: XCTestCase {
    private func buffer(width: Int, height: Int, _ f: (Int, Int) -> (UInt8, UInt8, UInt8)) -> RGBBuffer {
        var p: [UInt8] = []
        for y in 0..<height { for x in 0..<width { let v = f(x, y); p += [v.0, v.1, v.2] } }
        return RGBBuffer(width: width, height: height, pixels: p)
    }

    func testSizesAndTinyInputs() {
        let down = ImagePyramid.down(buffer(width: 10, height: 11) { _, _ in (1, 2, 3) })
        XCTAssertEqual([down.width, down.height], [3, 4])          // (10 − 3)/2, (11 − 3)/2
        XCTAssertEqual(ImagePyramid.down(buffer(width: 8, height: 20) { _, _ in (0, 0, 0) }), .empty)
        XCTAssertEqual(ImagePyramid.down(buffer(width: 20, height: 8) { _, _ in (0, 0, 0) }), .empty)
    }

    func testConstantImageStaysConstant() {
        let down = ImagePyramid.down(buffer(width: 13, height: 12) { _, _ in (255, 7, 0) })
        for i in stride(from: 0, to: down.pixels.count, by: 3) {
            XCTAssertEqual(Array(down.pixels[i..<(i + 3)]), [255, 7, 0])
        }
    }

    /// One bright pixel at (6, 6): output (c, r) is centred on input (2c + 2, 2r + 2) with weights
    /// [1 4 6 4 1] ⊗ [1 4 6 4 1] / 256, truncated.
    func testImpulseResponse() {
        let down = ImagePyramid.down(buffer(width: 14, height: 14) { x, y in x == 6 && y == 6 ? (255, 0, 0) : (0, 0, 0) })
        func red(_ c: Int, _ r: Int) -> UInt8 { down.pixels[(r * down.width + c) * 3] }
        XCTAssertEqual(red(2, 2), UInt8(255 * 36 / 256))   // centre: 6·6
        XCTAssertEqual(red(1, 2), UInt8(255 * 6 / 256))    // two columns left: 1·6
        XCTAssertEqual(red(2, 1), UInt8(255 * 6 / 256))
        XCTAssertEqual(red(1, 1), UInt8(255 * 1 / 256))    // 0
        XCTAssertEqual(red(0, 0), 0)
    }

    /// A linear ramp in x is reproduced at the filter centres (symmetric kernel): 3·(2c + 2).
    func testRampSamplesAtFilterCentres() {
        let down = ImagePyramid.down(buffer(width: 40, height: 10) { x, _ in (UInt8(3 * x), 0, 0) })
        for c in 0..<down.width { XCTAssertEqual(down.pixels[c * 3], UInt8(3 * (2 * c + 2))) }
    }

    /// Filtering a window in place equals filtering a copy of it (the chip code never copies the crop).
    func testWindowEqualsCroppedCopy() throws {
        var image = RGBImage(width: 31, height: 27)
        for y in 0..<27 { for x in 0..<31 { image[x, y] = RGBPixel(r: UInt8((x * 7 + y * 3) % 256), g: UInt8(x * y % 256), b: 9) } }
        let box = FaceBox(left: 3, top: 5, right: 24, bottom: 20)
        let window = BilinearSampler.Window(origin: 5 * 31 + 3, rowStride: 31, width: box.width, height: box.height)
        XCTAssertEqual(ImagePyramid.down(image.pixels, window: window), ImagePyramid.down(RGBBuffer(cropping: image, to: box)))
    }

    func testRectDownMatchesPointDown() {
        let r = ChipRect(left: 10, top: 20, right: 109, bottom: 219).pyramidDown
        XCTAssertEqual(r, ChipRect(left: 3.75, top: 9.25, right: 53.25, bottom: 108.75))
        XCTAssertEqual(r.width, 50.5)
        XCTAssertEqual(ChipRect.empty.area, 0)
    }
}
