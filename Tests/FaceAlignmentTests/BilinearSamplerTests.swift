import XCTest
@testable import FaceAlignment

final class BilinearSamplerTests: XCTestCase {
    /// 3×2 image: red = 10·x + 100·y, green = 255 − red, blue = 7.
    private let source: RGBBuffer = {
        var p: [UInt8] = []
        for y in 0..<2 { for x in 0..<3 { let r = 10 * x + 100 * y; p += [UInt8(r), UInt8(255 - r), 7] } }
        return RGBBuffer(width: 3, height: 2, pixels: p)
    }()

    private func sample(_ x: Double, _ y: Double) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 3)
        let ok = source.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer {
                BilinearSampler.sample(src, .init(origin: 0, rowStride: 3, width: 3, height: 2), x: x, y: y, into: $0, at: 0)
            }
        }
        return ok ? out : nil
    }

    func testInterpolatesAndTruncates() {
        XCTAssertEqual(sample(0, 0), [0, 255, 7])
        XCTAssertEqual(sample(0.5, 0), [5, 250, 7])
        XCTAssertEqual(sample(1.25, 0.5), [62, 192, 7])          // 12.5 + 50 = 62.5 → 62; 255 − 62.5 → 192
        XCTAssertEqual(sample(1.99, 0.999)?[0], 119)             // 19.9 + 99.9 = 119.8 → 119 (truncation)
    }

    /// dlib needs floor(p) + (1, 1) inside: the last row and column cannot be sampled exactly.
    func testOutsideNeighbourhoodIsRejected() {
        XCTAssertNil(sample(-0.001, 0))
        XCTAssertNil(sample(0, -0.5))
        XCTAssertNil(sample(2, 0))        // right neighbour would be column 3
        XCTAssertNil(sample(0, 1))        // bottom neighbour would be row 2
        XCTAssertNil(sample(.nan, 0))
        XCTAssertNil(sample(1e300, 0))
        XCTAssertNotNil(sample(1.999, 0.999))
    }

    func testTransformFillsBlackOutside() {
        // Output 2×2, pixel (c, r) samples (c + 0.5, r − 0.5): row 0 is above the image → black.
        let map = AffineTransform2D(m00: 1, m01: 0, m10: 0, m11: 1, tx: 0.5, ty: -0.5)
        let out = BilinearSampler.transform(source, width: 2, height: 2, map: map)
        XCTAssertEqual(Array(out[0..<6]), [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(out[6..<12]), [55, 200, 7, 65, 190, 7])   // (0.5, 0.5), (1.5, 0.5)
        XCTAssertEqual(BilinearSampler.transform(.empty, width: 1, height: 1, map: .identity), [0, 0, 0])
    }

    /// A window (sub-image) samples like a copy of that part, and treats its own edges as the border.
    func testWindowMatchesCroppedCopy() {
        // Window = columns 1...2, row 0...1 of the 3×2 source.
        let window = BilinearSampler.Window(origin: 1, rowStride: 3, width: 2, height: 2)
        let crop = RGBBuffer(width: 2, height: 2, pixels: [10, 245, 7, 20, 235, 7, 110, 145, 7, 120, 135, 7])
        let map = AffineTransform2D(m00: 0.5, m01: 0, m10: 0, m11: 0.5, tx: 0.25, ty: 0.25)
        let a = BilinearSampler.transform(source.pixels, window: window, width: 3, height: 3, map: map)
        XCTAssertEqual(a, BilinearSampler.transform(crop, width: 3, height: 3, map: map))
        XCTAssertEqual(Array(a[0..<3]), [37, 217, 7])        // (0.25, 0.25) of the window: 12.5 + 25 → 37
        XCTAssertEqual(Array(a[6..<9]), [0, 0, 0])           // x = 1.25: right neighbour outside the window
    }
}
