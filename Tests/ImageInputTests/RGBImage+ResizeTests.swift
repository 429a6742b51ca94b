import XCTest
@testable import ImageInput

final class RGBImageResizeTests: XCTestCase {
    func testSameSizeIsIdentity() throws {
        let image = try RGBImage(width: 5, height: 4, pixels: TestImages.gradient(width: 5, height: 4))
        XCTAssertEqual(image.resized(width: 5, height: 4), image)
    }

    func testCornersMapToCornersAndCentreIsTruncatedMean() throws {
        // 2×2 → 3×3: corners are the inputs, the centre is the mean of the four (truncated, as dlib assigns floats).
        let image = try RGBImage(width: 2, height: 2, gray: [0, 100, 200, 255])
        let big = image.resized(width: 3, height: 3)
        XCTAssertEqual(big.width, 3)
        XCTAssertEqual(big.height, 3)
        XCTAssertEqual(big[0, 0].r, 0)
        XCTAssertEqual(big[2, 0].r, 100)
        XCTAssertEqual(big[0, 2].r, 200)
        XCTAssertEqual(big[2, 2].r, 255)
        XCTAssertEqual(big[1, 1].r, 138)   // 555 / 4 = 138.75
        XCTAssertEqual(big[1, 0].r, 50)
        XCTAssertEqual(big[0, 1].r, 100)
    }

    func testDownscaleMatchesNaiveBilinearReference() throws {
        let (w, h, ow, oh) = (301, 299, 150, 150)
        let image = try RGBImage(width: w, height: h, pixels: TestImages.gradient(width: w, height: h))
        let small = image.resized(width: ow, height: oh)
        XCTAssertEqual(small.pixels.count, ow * oh * 3)
        XCTAssertEqual(small[0, 0], image[0, 0])
        XCTAssertEqual(small[ow - 1, oh - 1], image[w - 1, h - 1])
        // Naive reference at a few points (x = c·sx without accumulation: same up to float rounding, ±1).
        let sx = Double(w - 1) / Double(ow - 1), sy = Double(h - 1) / Double(oh - 1)
        for (c, r) in [(1, 1), (37, 90), (149, 3), (75, 75)] {
            let x = Double(c) * sx, y = Double(r) * sy
            let l = Int(x), t = Int(y), rr = min(l + 1, w - 1), b = min(t + 1, h - 1)
            let fx = x - Double(l), fy = y - Double(t)
            let v = (1 - fy) * ((1 - fx) * Double(image[l, t].r) + fx * Double(image[rr, t].r))
                + fy * ((1 - fx) * Double(image[l, b].r) + fx * Double(image[rr, b].r))
            XCTAssertLessThanOrEqual(abs(Int(small[c, r].r) - Int(v)), 1, "at (\(c), \(r))")
        }
    }

    func testOnePixelInputFillsOutput() throws {
        let image = try RGBImage(width: 1, height: 1, pixels: [1, 2, 3])
        let big = image.resized(width: 4, height: 2)
        XCTAssertEqual(big.pixels, [UInt8](repeating: 0, count: 24).enumerated().map { [1, 2, 3][$0.offset % 3] })
    }
}
