@testable import FaceDetection
import ImageInput
import XCTest

/// The pyramid's float bilinear resize and the RGB up/down scaling used for "upsample N".
final class ResamplingTests: XCTestCase {
    /// Against a straightforward double-precision bilinear sampler at (c·(w−1)/(w'−1), r·(h−1)/(h'−1)). dlib
    /// accumulates column positions in float, so positions drift by up to ~1e-4 px on wide rows; with this
    /// test's rough data (neighbours differ by up to 1) that is a few 1e-4 in value.
    func testFloatResizeMatchesPlainBilinear() {
        for (sh, sw, dh, dw) in [(250, 250, 208, 208), (37, 53, 30, 44), (6, 9, 5, 7), (10, 10, 10, 10)] {
            let src = (0..<(sh * sw)).map { Float(($0 * 7919) % 255) / 255 - 0.5 }     // [sh, sw]
            var dst = [Float](repeating: .nan, count: dh * (dw + 3))                   // [dh, dw + 3], stride dw + 3
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    resizeBilinearDlib(source: s.baseAddress!, sourceHeight: sh, sourceWidth: sw, sourceStride: sw,
                                       destination: d.baseAddress!, height: dh, width: dw, destinationStride: dw + 3)
                }
            }
            let xs = Double(sw - 1) / Double(max(dw - 1, 1)), ys = Double(sh - 1) / Double(max(dh - 1, 1))
            for r in 0..<dh {
                for c in 0..<dw {
                    let x = Double(c) * xs, y = Double(r) * ys
                    let l = min(Int(x), sw - 1), t = min(Int(y), sh - 1)
                    let rr = min(l + 1, sw - 1), b = min(t + 1, sh - 1), fx = x - Double(l), fy = y - Double(t)
                    func v(_ yy: Int, _ xx: Int) -> Double { Double(src[yy * sw + xx]) }
                    let e = (1 - fy) * ((1 - fx) * v(t, l) + fx * v(t, rr)) + fy * ((1 - fx) * v(b, l) + fx * v(b, rr))
                    XCTAssertEqual(Double(dst[r * (dw + 3) + c]), e, accuracy: 5e-4, "\(sh)×\(sw)→\(dh)×\(dw) at (\(r), \(c))")
                }
                XCTAssertTrue(dst[r * (dw + 3) + dw].isNaN, "wrote past the row")
            }
        }
    }

    func testPyramidUpSizeAndBoxMapping() throws {
        let image = RGBImage(width: 10, height: 7, fill: RGBPixel(r: 200, g: 100, b: 50))
        let up = ImageScaling.pyramidUp(image)
        XCTAssertEqual(up.width, 22)
        XCTAssertEqual(up.height, 15)
        // dlib truncates the interpolated value, so a flat image may lose one level where float weights sum below 1.
        for (x, y) in [(0, 0), (11, 7), (21, 14)] {
            XCTAssertTrue((199...200).contains(up[x, y].r) && (99...100).contains(up[x, y].g), "\(up[x, y])")
        }
        // rect_down: p/2 − (1.25, 0.75), rounded; two levels compose.
        XCTAssertEqual(ImageScaling.rectDownHalving(FaceBox(left: 100, top: 50, right: 259, bottom: 209), levels: 1),
                       FaceBox(left: 49, top: 24, right: 128, bottom: 104))
        XCTAssertEqual(ImageScaling.rectDownHalving(FaceBox(left: 100, top: 50, right: 259, bottom: 209), levels: 0),
                       FaceBox(left: 100, top: 50, right: 259, bottom: 209))
        let two = ImageScaling.rectDownHalving(FaceBox(left: 100, top: 50, right: 259, bottom: 209), levels: 2)
        XCTAssertEqual(two, FaceBox(left: 23, top: 11, right: 63, bottom: 51))
    }

    func testUpsamplingIsLimitedByThePixelBound() {
        XCTAssertEqual(FaceDetector.allowedUpsampling(width: 250, height: 250, requested: 2, maxPixels: 12_000_000), 2)
        XCTAssertEqual(FaceDetector.allowedUpsampling(width: 250, height: 250, requested: 2, maxPixels: 300_000), 1)
        XCTAssertEqual(FaceDetector.allowedUpsampling(width: 250, height: 250, requested: 2, maxPixels: 100_000), 0)
    }
}
