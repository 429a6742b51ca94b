import XCTest
@testable import NetLayers

final class PoolingTests: XCTestCase {
    private func run(_ pool: Pooling, _ input: Tensor4) -> Tensor4 {
        var input = input
        var output = Tensor4(zeros: pool.outputShape(for: input.shape))
        input.withFeatureMap { i in output.withFeatureMap { pool.forward(i, into: $0) } }
        return output
    }

    func testMaxPool3x3Stride2() {
        // [1, 1, 5, 5] = 0…24 → 3×3/2 → [1, 1, 2, 2] = the bottom-right corner of each window
        let input = Tensor4(shape: Shape4(n: 1, c: 1, h: 5, w: 5), values: (0..<25).map(Float.init))
        let out = run(Pooling(.max, kernel: (3, 3), stride: (2, 2)), input)
        XCTAssertEqual(out.shape, Shape4(n: 1, c: 1, h: 2, w: 2))
        XCTAssertEqual(out.values, [12, 14, 22, 24])
        // the encoder's max pool: 72 → 35
        XCTAssertEqual(Pooling(.max, kernel: (3, 3), stride: (2, 2)).outputShape(for: Shape4(n: 2, c: 32, h: 72, w: 72)),
                       Shape4(n: 2, c: 32, h: 35, w: 35))
    }

    func testAveragePool2x2Stride2FloorsOddSizes() {
        // 17 → 8 (last row/column dropped), as the encoder's down-block shortcuts
        let input = Tensor4(shape: Shape4(n: 1, c: 1, h: 3, w: 5), values: (0..<15).map(Float.init))
        let out = run(Pooling(.average, kernel: (2, 2), stride: (2, 2)), input)
        XCTAssertEqual(out.shape, Shape4(n: 1, c: 1, h: 1, w: 2))
        let expected: [Float] = [12.0 / 4, 20.0 / 4]   // (0+1+5+6)/4, (2+3+7+8)/4
        XCTAssertEqual(out.values, expected)
    }

    /// With padding dlib clips the window to the plane: max ignores padding, the mean divides by the
    /// number of elements inside.
    func testPaddedWindowsAreClipped() {
        let input = Tensor4(shape: Shape4(n: 1, c: 1, h: 2, w: 2), values: [-1, -2, -3, -4])
        let maxOut = run(Pooling(.max, kernel: (3, 3), stride: (1, 1), padding: (1, 1)), input)
        XCTAssertEqual(maxOut.values, [-1, -1, -1, -1])
        let avgOut = run(Pooling(.average, kernel: (2, 2), stride: (1, 1), padding: (1, 1)), input)
        XCTAssertEqual(avgOut.shape, Shape4(n: 1, c: 1, h: 3, w: 3))
        XCTAssertEqual(avgOut[0, 0, 0, 0], -1)            // window holds x(0,0) only
        XCTAssertEqual(avgOut[0, 0, 0, 1], -1.5)          // x(0,0), x(0,1)
        XCTAssertEqual(avgOut[0, 0, 1, 1], -2.5)          // all four
    }

    func testGlobalAverageOverBatchAndChannels() {
        var rng = SeededRandom(seed: 1)
        let input = rng.tensor(Shape4(n: 3, c: 5, h: 4, w: 3))
        let out = run(.global(.average), input)
        XCTAssertEqual(out.shape, Shape4(n: 3, c: 5, h: 1, w: 1))
        for n in 0..<3 {
            for c in 0..<5 {
                var s: Float = 0
                for y in 0..<4 { for x in 0..<3 { s += input[n, c, y, x] } }
                XCTAssertEqual(out[n, c, 0, 0], s / 12, accuracy: 1e-6)
            }
        }
    }
}
