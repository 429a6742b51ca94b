import ImageDataset
import LayerGraph
import SeededRandom
import XCTest

final class AffineWarpTests: XCTestCase {
    private let shape = DatasetFixtures.warpShape
    private func drawing() -> [Float] { DatasetFixtures.warpDrawing() }

    func testIdentityReproducesTheInputExactly() {
        let image = drawing().enumerated().map { $0.element + Float($0.offset) * 1e-3 }   // every value distinct
        XCTAssertEqual(AffineWarp.identity.apply(to: image, shape: shape, fill: [7, 7]), image)
        // Zero ranges draw the identity, through the same sampling code.
        var rng = SplitMix64(seed: 3)
        let warp = RandomAffine.none.draw(&rng)
        XCTAssertEqual(warp, .identity)
        XCTAssertEqual(warp.apply(to: image, shape: shape, fill: [7, 7]), image)
        XCTAssertEqual(rng.state, SplitMix64(seed: 3).state &+ 5 &* 0x9E37_79B9_7F4A_7C15)   // exactly 5 draws
    }

    func testIntegerShiftMovesPixelsAndFillsTheUncoveredEdge() {
        let image = drawing()
        let out = AffineWarp(shiftX: 2, shiftY: -1).apply(to: image, shape: shape, fill: [1, 0.5])
        for c in 0..<2 {
            for y in 0..<9 {
                for x in 0..<11 {
                    let (sx, sy) = (x - 2, y + 1)
                    let inside = sx >= 0 && sx < 11 && sy >= 0 && sy < 9
                    let expected = inside ? image[c * 99 + sy * 11 + sx] : [1, 0.5][c]
                    XCTAssertEqual(out[c * 99 + y * 11 + x], expected, "c \(c) (\(x), \(y))")
                }
            }
        }
        // Shifted off the image entirely: the fill, exactly.
        XCTAssertEqual(AffineWarp(shiftX: 30.5).apply(to: image, shape: shape, fill: [1, 0.5]),
                       Array(repeating: 1, count: 99) + Array(repeating: 0.5, count: 99))
    }

    func testBorderModeAndConstantFill() {
        var image = [Float](repeating: 0, count: shape.count)   // channel 0 border: mostly 0.25
        for i in 0..<99 { image[i] = 0.25; image[99 + i] = -0.5 }
        image[0] = 9; image[10] = 9; image[50] = 3
        image.withUnsafeBufferPointer { src in
            XCTAssertEqual(mostCommonBorderValues(of: src, shape: shape), [0.25, -0.5])
            XCTAssertEqual(AffineFill.constant([2, 3]).values(for: src, shape: shape), [2, 3])
        }
        // Ties go to the smaller value.
        let tie: [Float] = [1, 2, 2, 1]
        tie.withUnsafeBufferPointer { XCTAssertEqual(mostCommonBorderValues(of: $0, shape: ImageShape(c: 1, h: 2, w: 2)), [1]) }
    }

    func testHalfPixelShiftIsBilinearWithFillOutside() {
        let row: [Float] = [2, 4, 8, 16]
        let out = AffineWarp(shiftX: 0.5).apply(to: row, shape: ImageShape(c: 1, h: 1, w: 4), fill: [10])
        XCTAssertEqual(out, [6, 3, 6, 12])   // (fill + 2)/2, (2 + 4)/2, (4 + 8)/2, (8 + 16)/2
    }

    func testNinetyDegreesMatchesTheExactClockwiseRotation() throws {
        // The warp's rotation sense equals rotatingClasses' (clockwise as displayed) on a square image.
        let spec = InputSpec(width: 5, height: 5, channels: 1)
        let image = (0..<25).map { Float($0 * $0 % 17) }
        let exact = try LoadedImages(spec: spec, classNames: ["x"], images: image, labels: [0]).rotatingClasses()
        let warped = AffineWarp(rotation: 90).apply(to: image, shape: spec.shape, fill: [-1])
        for (a, b) in zip(warped, exact.image(1)) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }
}
