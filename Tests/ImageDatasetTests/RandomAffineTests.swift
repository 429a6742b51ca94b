import ImageDataset
import LayerGraph
import SeededRandom
import XCTest

final class RandomAffineTests: XCTestCase {
    private let shape = DatasetFixtures.warpShape
    private func drawing() -> [Float] { DatasetFixtures.warpDrawing() }

    func testRandomWarpChangesTheImageKeepsTheFillAndIsSeeded() {
        let image = drawing()
        let augment = RandomAffine(maxShift: 2, maxRotation: 15, maxScaleChange: 0.1, maxShear: 10)
        func run(_ seed: UInt64) -> ([Float], AffineWarp) {
            var rng = SplitMix64(seed: seed)
            var out = [Float](repeating: 0, count: shape.count)
            let warp = image.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { augment.apply(to: src, shape: shape, into: $0, fill: .borderMode, rng: &rng) }
            }
            return (out, warp)
        }
        let (a, warp) = run(11)
        XCTAssertNotEqual(a, image)
        XCTAssertNotEqual(warp, .identity)
        XCTAssertLessThanOrEqual(abs(warp.shiftX), 2)
        XCTAssertLessThanOrEqual(abs(warp.rotation), 15)
        XCTAssertTrue((0.9...1.1).contains(warp.scale))
        // The background stays the background: corners (far from the blob) read the fill or white pixels
        // (equal up to the rounding of the bilinear weights), and no value leaves the input's range.
        for c in 0..<2 {
            for (x, y) in [(0, 0), (10, 0), (0, 8), (10, 8)] {
                XCTAssertEqual(a[c * 99 + y * 11 + x], [1, 0.5][c], accuracy: 1e-6)
            }
        }
        XCTAssertGreaterThanOrEqual(a.min()!, image.min()! - 1e-6)
        XCTAssertLessThanOrEqual(a.max()!, image.max()! + 1e-6)
        XCTAssertEqual(run(11).0, a)
        XCTAssertNotEqual(run(12).0, a)
    }
}
