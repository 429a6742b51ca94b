import XCTest
@testable import ImageInput

/// `RGBImage.jpegData`: the encoder round-trips through pairmatch's own decoder (lossy, so within a bound).
final class RGBImageJPEGTests: XCTestCase {
    func testRoundTripIsCloseAndKeepsTheSize() throws {
        // A smooth gradient (JPEG's best case) 37×21: odd sizes exercise the partial MCUs.
        let w = 37, h = 21
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                pixels[(y * w + x) * 3] = UInt8(x * 6)
                pixels[(y * w + x) * 3 + 1] = UInt8(y * 10)
                pixels[(y * w + x) * 3 + 2] = 128
            }
        }
        let image = try RGBImage(width: w, height: h, pixels: pixels)
        let data = try image.jpegData(quality: 95)
        XCTAssertEqual(ImageDecoder.format(of: data), .jpeg)
        let decoded = try ImageDecoder.decode(data: data, name: "round-trip.jpg")
        XCTAssertEqual(decoded.width, w)
        XCTAssertEqual(decoded.height, h)
        let meanError = zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / pixels.count
        XCTAssertLessThanOrEqual(meanError, 3)
    }

    func testQualityIsClampedAndChangesTheSize() throws {
        var pixels = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 7919) % 251) }             // noisy: size tracks quality
        let image = try RGBImage(width: 64, height: 64, pixels: pixels)
        let low = try image.jpegData(quality: -5), high = try image.jpegData(quality: 500)
        XCTAssertEqual(low, try image.jpegData(quality: 1))
        XCTAssertEqual(high, try image.jpegData(quality: 100))
        XCTAssertLessThan(low.count, high.count)
    }
}
