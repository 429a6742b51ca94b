@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

final class FullyConnectedTests: XCTestCase {
    /// dlib orientation: out = in · W with W [numInputs, numOutputs].
    func testOrientation() {
        let fc = FullyConnected(numInputs: 2, numOutputs: 3, weights: [1, 2, 3,
                                                                       4, 5, 6])
        var input = Tensor4(shape: Shape4(n: 1, c: 2, h: 1, w: 1), values: [1, 10])
        var out = Tensor4(zeros: fc.outputShape(for: input.shape))
        input.withFeatureMap { i in out.withFeatureMap { fc.forward(i, into: $0) } }
        XCTAssertEqual(out.values, [41, 52, 63])
    }

    func testGEMMMatchesNaiveWithAndWithoutBiasOnFlattenedInput() {
        var rng = SplitMix64(seed: 21)
        for bias in [false, true] {
            let fc = FullyConnected(numInputs: 3 * 2 * 2, numOutputs: 7, weights: rng.floats(12 * 7),
                                    bias: bias ? rng.floats(7) : nil)
            var input = rng.tensor(Shape4(n: 5, c: 3, h: 2, w: 2))
            var fast = Tensor4(zeros: fc.outputShape(for: input.shape)), naive = fast
            input.withFeatureMap { i in
                fast.withFeatureMap { fc.forward(i, into: $0) }
                naive.withFeatureMap { fc.forwardNaive(i, into: $0) }
            }
            XCTAssertLessThan(maxAbsDifference(fast.values, naive.values), 1e-5)
        }
    }

    func testGEMMEntryPointTransposes() {
        // A [2, 3], B [3, 2]; C = A·B, and Aᵀ stored as [3, 2] with transA.
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 0, count: 4)
        gemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
        let at: [Float] = [1, 4, 2, 5, 3, 6]
        var c2 = [Float](repeating: 1, count: 4)
        gemm(transA: true, m: 2, n: 2, k: 3, a: at, lda: 2, b: b, ldb: 2, beta: 1, c: &c2, ldc: 2)
        XCTAssertEqual(c2, [59, 65, 140, 155])
    }
}
