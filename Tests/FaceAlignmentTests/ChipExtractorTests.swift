import ImageInput
import PairNet
import XCTest
@testable import FaceAlignment

final class ChipExtractorTests: XCTestCase {
    /// A test card: red = x mod 256, green = y mod 256, blue = (x + y) mod 256.
    private func card(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height { for x in 0..<width {
            image[x, y] = RGBPixel(r: UInt8(x % 256), g: UInt8(y % 256), b: UInt8((x + y) % 256))
        } }
        return image
    }

    private func template(size: Double, padding: Double, scale: Double = 1, dx: Double = 0, dy: Double = 0) -> [SubpixelPoint] {
        ChipDetails.fivePointTemplate.map {
            SubpixelPoint(x: (padding + $0.x) / (2 * padding + 1) * size * scale + dx,
                          y: (padding + $0.y) / (2 * padding + 1) * size * scale + dy)
        }
    }

    /// Landmarks exactly on the padded template: angle 0 and scale 1, so the chip rectangle is
    /// centred on (75, 75) with corners ±74.5 (dlib's `centered_drect`).
    func testTemplateLandmarksGiveIdentityGeometry() {
        let d = ChipDetails.face(landmarks: template(size: 150, padding: 0.25))
        XCTAssertEqual(d.angle, 0, accuracy: 1e-12)
        XCTAssertEqual(d.rect.left, 0.5, accuracy: 1e-9)
        XCTAssertEqual(d.rect.bottom, 149.5, accuracy: 1e-9)
        XCTAssertEqual(d.rect.width, 150, accuracy: 1e-9)
        XCTAssertEqual([d.rows, d.cols], [150, 150])
    }

    /// Scaled ×2 and shifted: the rectangle is 300 px wide around the shifted centre, and the chip-to-image
    /// map sends chip corners to its corners (dlib's convention).
    func testScaledShiftedFaceMapsCorners() {
        let d = ChipDetails.face(landmarks: template(size: 150, padding: 0.25, scale: 2, dx: 10, dy: 20))
        XCTAssertEqual(d.angle, 0, accuracy: 1e-12)
        let m = d.chipToImage
        let tl = m.apply(SubpixelPoint(x: 0, y: 0)), br = m.apply(SubpixelPoint(x: 149, y: 149))
        XCTAssertEqual(tl.x, d.rect.left, accuracy: 1e-9)
        XCTAssertEqual(br.y, d.rect.bottom, accuracy: 1e-9)
        XCTAssertEqual(d.rect.width, 300, accuracy: 1e-9)
        XCTAssertEqual(d.rect.center.x, 150 + 10, accuracy: 1e-9)
    }

    /// A face well inside a 400×400 card at scale 1.3 (no pyramid): each chip pixel is the bilinear sample at
    /// the corner map (red ≈ x, green ≈ y there; the card stays below 256 so nothing wraps).
    func testChipSamplesTheCornerMapWithoutPyramid() {
        let image = card(width: 400, height: 400)
        let pts = template(size: 150, padding: 0.25, scale: 1.3, dx: 20.3, dy: 30.7)
        let d = ChipDetails.face(landmarks: pts)
        let chip = ChipExtractor.extract(from: image, details: d)
        let m = d.chipToImage
        for (c, r) in [(0, 0), (75, 40), (149, 149)] {
            let p = m.apply(SubpixelPoint(x: Double(c), y: Double(r)))
            let expectR = p.x.rounded(.down)   // red is x: the bilinear mix of x and x+1 truncates to floor(x)
            XCTAssertEqual(Double(chip[c, r].r), expectR, accuracy: 1, "(\(c), \(r))")
            XCTAssertEqual(Double(chip[c, r].g), p.y.rounded(.down), accuracy: 1, "(\(c), \(r))")
        }
    }

    /// A face partly outside the photo: the part outside is black, the rest is sampled.
    func testOutsideThePhotoIsBlack() {
        let image = RGBImage(width: 200, height: 200, fill: RGBPixel(r: 200, g: 100, b: 50))
        let pts = template(size: 150, padding: 0.25, dx: -100, dy: 30)
        let chip = ChipExtractor.chipImage(from: image, landmarks: pts.map(\.rounded))
        XCTAssertEqual(chip[0, 75], RGBPixel(r: 0, g: 0, b: 0))
        XCTAssertEqual(chip[149, 75], RGBPixel(r: 200, g: 100, b: 50))
        // Entirely outside: all black.
        let far = template(size: 150, padding: 0.25, dx: 1000, dy: 1000).map(\.rounded)
        XCTAssertEqual(Set(ChipExtractor.chip(from: image, landmarks: far).pixels), [0])
    }

    /// A face 4× the chip: the chip comes from a pyramid level, and on a constant photo it stays constant.
    func testLargeFaceUsesPyramidAndKeepsFlatColour() {
        let image = RGBImage(width: 900, height: 900, fill: RGBPixel(r: 90, g: 180, b: 30))
        let pts = template(size: 150, padding: 0.25, scale: 4, dx: 100, dy: 100)
        let d = ChipDetails.face(landmarks: pts)
        XCTAssertGreaterThan(d.rect.pyramidDown.pyramidDown.area, Double(d.pixelCount))
        let chip = ChipExtractor.extract(from: image, details: d)
        XCTAssertEqual(Set(stride(from: 0, to: chip.pixels.count, by: 3).map { chip.pixels[$0] }), [90])
    }

    func testAlignedInput() throws {
        let chipSized = card(width: 150, height: 150)
        XCTAssertEqual(ChipExtractor.chip(fromAligned: chipSized).pixels, chipSized.pixels)
        let other = card(width: 300, height: 200)
        XCTAssertEqual(ChipExtractor.chip(fromAligned: other).pixels, other.resized(width: 150, height: 150).pixels)
    }
}
