@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

final class ElementwiseTests: XCTestCase {
    /// dlib's add_prev with different sizes: the encoder's 256×3×3 conv branch + 128×4×4 shortcut → 256×4×4,
    /// zero-padded in channels and space.
    func testResidualAddPadsTheSmallerOperandWithZeros() {
        var rng = SplitMix64(seed: 11)
        var a = rng.tensor(Shape4(n: 2, c: 6, h: 3, w: 3))
        var b = rng.tensor(Shape4(n: 2, c: 4, h: 4, w: 4))
        let outShape = ResidualAdd.outputShape(a.shape, b.shape)
        XCTAssertEqual(outShape, Shape4(n: 2, c: 6, h: 4, w: 4))
        var out = Tensor4(zeros: outShape), outRelu = Tensor4(zeros: outShape)
        a.withFeatureMap { pa in b.withFeatureMap { pb in
            out.withFeatureMap { ResidualAdd.forward(pa, pb, into: $0) }
            outRelu.withFeatureMap { ResidualAdd.forward(pa, pb, into: $0, relu: true) }
        } }
        for n in 0..<2 { for c in 0..<6 { for y in 0..<4 { for x in 0..<4 {
            var expected: Float = 0
            if y < 3 && x < 3 { expected += a[n, c, y, x] }
            if c < 4 { expected += b[n, c, y, x] }
            XCTAssertEqual(out[n, c, y, x], expected, accuracy: 1e-6, "at \(n),\(c),\(y),\(x)")
            XCTAssertEqual(outRelu[n, c, y, x], max(expected, 0), accuracy: 1e-6)
        } } } }
    }

    func testResidualAddEqualShapesInPlace() {
        var rng = SplitMix64(seed: 12)
        var a = rng.tensor(Shape4(n: 1, c: 3, h: 2, w: 5))
        var b = rng.tensor(a.shape)
        let expected = zip(a.values, b.values).map { $0 + $1 }
        a.withFeatureMap { pa in b.withFeatureMap { pb in ResidualAdd.forward(pa, pb, into: pa) } }
        XCTAssertEqual(a.values, expected)
    }

    func testResidualAddDifferentBatchSizes() {
        var a = Tensor4(shape: Shape4(n: 1, c: 1, h: 1, w: 2), values: [1, 2])
        var b = Tensor4(shape: Shape4(n: 2, c: 1, h: 1, w: 1), values: [10, 20])
        var out = Tensor4(zeros: Shape4(n: 2, c: 1, h: 1, w: 2))
        a.withFeatureMap { pa in b.withFeatureMap { pb in out.withFeatureMap { ResidualAdd.forward(pa, pb, into: $0) } } }
        XCTAssertEqual(out.values, [11, 2, 20, 0])
    }

    func testAffineReLUAndBatchNormFold() {
        var t = Tensor4(shape: Shape4(n: 2, c: 2, h: 1, w: 2), values: [1, -1, 2, -2, 3, -3, 4, -4])
        let affine = ChannelAffine(gamma: [2, -1], beta: [0.5, 1])
        t.withFeatureMap { affine.apply(to: $0) }
        XCTAssertEqual(t.values, [2.5, -1.5, -1, 3, 6.5, -5.5, -3, 5])
        t.withFeatureMap { ReLU.apply(to: $0) }
        XCTAssertEqual(t.values, [2.5, 0, 0, 3, 6.5, 0, 0, 5])
        let bn = ChannelAffine(batchNormGamma: [2], beta: [1], runningMean: [3], runningVariance: [4 - 1e-4], eps: 1e-4)
        XCTAssertEqual(bn.gamma[0], 1, accuracy: 1e-6)        // 2 / √4
        XCTAssertEqual(bn.beta[0], -2, accuracy: 1e-6)        // 1 − 3·1
    }
}
