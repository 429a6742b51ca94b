@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

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
        var rng = SplitMix64(seed: 1)
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

    /// Rows wide enough for the vectorised 3×3/2 max path (the encoder's 72 → 35 stem pool) and odd sizes.
    func testWideMaxPool3x3Stride2AgainstReference() {
        var rng = SplitMix64(seed: 77)
        for (h, w) in [(72, 72), (37, 41), (19, 18), (9, 33)] {
            let pool = Pooling(.max, kernel: (3, 3), stride: (2, 2))
            let input = rng.tensor(Shape4(n: 2, c: 3, h: h, w: w))
            let out = run(pool, input)
            for n in 0..<2 { for c in 0..<3 { for oy in 0..<out.shape.h { for ox in 0..<out.shape.w {
                var m = -Float.infinity
                for y in (2 * oy)..<(2 * oy + 3) { for x in (2 * ox)..<(2 * ox + 3) { m = max(m, input[n, c, y, x]) } }
                XCTAssertEqual(out[n, c, oy, ox], m, "\(h)×\(w) at \(n), \(c), \(oy), \(ox)")
            } } } }
        }
    }

    /// Every kind × kernel × stride × padding against a direct reference of dlib's clipped windows.
    func testRandomShapesAgainstReference() {
        var rng = SplitMix64(seed: 31)
        for kind in [Pooling.Kind.max, .average] {
            for k in 1...3 {
                for stride in 1...3 {
                    for pad in 0..<k {
                        let pool = Pooling(kind, kernel: (k, k), stride: (stride, stride), padding: (pad, pad))
                        let input = rng.tensor(Shape4(n: 2, c: 3, h: Int.random(in: k...9, using: &rng), w: Int.random(in: k...11, using: &rng)))
                        let out = run(pool, input)
                        for n in 0..<2 { for c in 0..<3 { for oy in 0..<out.shape.h { for ox in 0..<out.shape.w {
                            var values: [Float] = []
                            for y in (oy * stride - pad)..<(oy * stride - pad + k) where y >= 0 && y < input.shape.h {
                                for x in (ox * stride - pad)..<(ox * stride - pad + k) where x >= 0 && x < input.shape.w {
                                    values.append(input[n, c, y, x])
                                }
                            }
                            let expected = kind == .max ? values.max()! : values.reduce(0, +) / Float(values.count)
                            XCTAssertEqual(out[n, c, oy, ox], expected, accuracy: 1e-6, "\(kind) k\(k) s\(stride) p\(pad)")
                        } } } }
                    }
                }
            }
        }
    }
}
