@testable import FaceAnalysis
import ImageInput
import PairNet
import XCTest

final class ChipJitterTests: XCTestCase {
    private func gradientChip() throws -> FaceChip {
        var p = [UInt8](repeating: 0, count: FaceChip.byteCount)
        for y in 0..<150 { for x in 0..<150 { let i = (y * 150 + x) * 3; p[i] = UInt8(x); p[i + 1] = UInt8(y); p[i + 2] = UInt8((x + y) / 2) } }
        return try FaceChip(pixels: p)
    }

    /// Copies are reproducible, differ from each other and from the chip, and stay close to it (small shifts,
    /// ±3° rotations, some mirrored).
    func testCopiesAreSeededSmallPerturbations() throws {
        let chip = try gradientChip()
        let a = ChipJitter.copies(of: chip, count: 6), b = ChipJitter.copies(of: chip, count: 6)
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set(a.map(\.pixels)).count, 6)
        XCTAssertFalse(a.contains(chip))
        var mirrored = 0
        for copy in a {
            // The red channel follows x: a mirrored copy runs right to left.
            let left = Int(copy.pixels[(75 * 150 + 20) * 3]), right = Int(copy.pixels[(75 * 150 + 130) * 3])
            if left > right { mirrored += 1 }
            let centre = (75 * 150 + 75) * 3
            XCTAssertLessThan(abs(Int(copy.pixels[centre + 1]) - 75), 12, "the centre row moves by a few pixels at most")
        }
        XCTAssertGreaterThan(mirrored, 0)
        XCTAssertLessThan(mirrored, 6)
    }

    func testMirror() throws {
        let image = try RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(image.mirrored().pixels, [4, 5, 6, 1, 2, 3])
    }
}
