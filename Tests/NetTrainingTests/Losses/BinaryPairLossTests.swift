@testable import NetTraining
import SeededRandom
import XCTest

final class BinaryPairLossTests: XCTestCase {
    private struct Output {
        var result: BinaryPairLossResult
        var embedding: [Float]     // [B, D]
        var weight: [Float]        // [D]
        var bias: Float
    }

    private func evaluate(_ e: [Float], count: Int, dimension: Int, _ pairs: [IndexPair], _ w: [Float], _ b: Float) -> Output {
        var embedding = [Float](repeating: .nan, count: count * dimension)   // garbage: must be overwritten
        var weight = [Float](repeating: 1e9, count: dimension)
        var bias: Float = .nan
        let result = BinaryPairLoss().evaluate(embeddings: e, count: count, dimension: dimension, pairs: pairs,
                                               unitWeights: w, unitBias: b, embeddingGradient: &embedding,
                                               weightGradient: &weight, biasGradient: &bias)
        return Output(result: result, embedding: embedding, weight: weight, bias: bias)
    }

    /// Mean BCE in Double, written out from the definition with log σ (not the stable form).
    private func referenceLoss(_ e: [Double], _ dimension: Int, _ pairs: [IndexPair], _ w: [Double], _ b: Double) -> Double {
        var total = 0.0
        for pair in pairs {
            var z = b
            for k in 0..<dimension { z += w[k] * abs(e[pair.a * dimension + k] - e[pair.b * dimension + k]) }
            let p = 1 / (1 + exp(-z))
            total += pair.same ? -log(p) : -log(1 - p)
        }
        return total / Double(pairs.count)
    }

    func testHandComputedLossAndAccuracy() {
        // |Δ| = (3, 1), z = .5·3 − 1·1 + .25 = .75 for both pairs.
        let e: [Float] = [0, 0, 3, -1]
        let pairs = [IndexPair(a: 0, b: 1, same: true), IndexPair(a: 1, b: 0, same: false)]
        let out = evaluate(e, count: 2, dimension: 2, pairs, [0.5, -1], 0.25)
        let expected = (log(1 + exp(-0.75)) + log(1 + exp(0.75))) / 2
        XCTAssertEqual(Double(out.result.loss), expected, accuracy: 1e-6)
        XCTAssertEqual(out.result.accuracy, 0.5)                // z > 0 predicts "same": right, then wrong
        XCTAssertEqual(out.result.pairs, 2)
        // dL/dz: (σ(.75) − 1)/2 + σ(.75)/2 = σ(.75) − 1/2; dL/db = that; dL/dw = that·|Δ|.
        let g = 1 / (1 + exp(-0.75)) - 0.5
        XCTAssertEqual(Double(out.bias), g, accuracy: 1e-6)
        XCTAssertEqual(Double(out.weight[0]), 3 * g, accuracy: 1e-6)
        XCTAssertEqual(Double(out.weight[1]), g, accuracy: 1e-6)
        // Pair 1 (0, 1): Δ = e0 − e1 = (−3, 1); pair 2 (1, 0): Δ = e1 − e0 = (3, −1).
        // Row 0 gets +g1·w⊙sign(Δ1) as the pair's a and −g2·w⊙sign(Δ2) as its b; row 1 the opposite.
        let g1 = (1 / (1 + exp(-0.75)) - 1) / 2, g2 = (1 / (1 + exp(-0.75))) / 2
        let row0 = [g1 * 0.5 * -1 + -(g2 * 0.5 * 1), g1 * -1 * 1 + -(g2 * -1 * -1)]
        XCTAssertEqual(Double(out.embedding[0]), row0[0], accuracy: 1e-6)
        XCTAssertEqual(Double(out.embedding[1]), row0[1], accuracy: 1e-6)
        XCTAssertEqual(out.embedding[2], -out.embedding[0])
        XCTAssertEqual(out.embedding[3], -out.embedding[1])
    }

    func testGradientsMatchFiniteDifferences() {
        let count = 7, dimension = 5
        var g = SplitMix64(seed: 2024)
        let e = (0..<(count * dimension)).map { _ in g.symmetricUnit() }
        let w = (0..<dimension).map { _ in 3 * g.symmetricUnit() }
        let b: Float = -0.4
        // Row 6 is in no pair; row 0 appears in several; both labels, a repeated pair.
        let pairs = [IndexPair(a: 0, b: 1, same: true), IndexPair(a: 2, b: 0, same: false),
                     IndexPair(a: 3, b: 4, same: true), IndexPair(a: 5, b: 2, same: false),
                     IndexPair(a: 0, b: 4, same: false), IndexPair(a: 0, b: 1, same: true),
                     IndexPair(a: 1, b: 5, same: true)]
        let out = evaluate(e, count: count, dimension: dimension, pairs, w, b)
        let ed = e.map(Double.init), wd = w.map(Double.init), bd = Double(b)
        XCTAssertEqual(Double(out.result.loss), referenceLoss(ed, dimension, pairs, wd, bd), accuracy: 1e-6)
        XCTAssertGreaterThan(out.result.accuracy, 0)
        XCTAssertLessThan(out.result.accuracy, 1)

        let h = 1e-6
        for i in 0..<ed.count {
            var plus = ed, minus = ed
            plus[i] += h
            minus[i] -= h
            let numeric = (referenceLoss(plus, dimension, pairs, wd, bd) - referenceLoss(minus, dimension, pairs, wd, bd)) / (2 * h)
            XCTAssertEqual(Double(out.embedding[i]), numeric, accuracy: 1e-5 + 1e-4 * abs(numeric), "embedding \(i)")
        }
        for row in 6..<7 { for k in 0..<dimension { XCTAssertEqual(out.embedding[row * dimension + k], 0) } }
        for k in 0..<dimension {
            var plus = wd, minus = wd
            plus[k] += h
            minus[k] -= h
            let numeric = (referenceLoss(ed, dimension, pairs, plus, bd) - referenceLoss(ed, dimension, pairs, minus, bd)) / (2 * h)
            XCTAssertEqual(Double(out.weight[k]), numeric, accuracy: 1e-5 + 1e-4 * abs(numeric), "weight \(k)")
        }
        let numericBias = (referenceLoss(ed, dimension, pairs, wd, bd + h) - referenceLoss(ed, dimension, pairs, wd, bd - h)) / (2 * h)
        XCTAssertEqual(Double(out.bias), numericBias, accuracy: 1e-5)
        XCTAssertNotEqual(out.bias, 0)
    }

    func testAbsoluteValueSubgradientAtZeroIsZero() {
        // Rows 0 and 1 identical; rows 2 and 3 equal in coordinate 1 only; row 4 in no pair; a self-pair (2, 2).
        let e: [Float] = [0.3, -0.2, 0.5,
                          0.3, -0.2, 0.5,
                          0.1, 0.7, -0.4,
                          -0.6, 0.7, 0.2,
                          9, 9, 9]
        let w: [Float] = [1.5, -2, 0.7]
        let pairs = [IndexPair(a: 0, b: 1, same: false), IndexPair(a: 2, b: 3, same: true), IndexPair(a: 2, b: 2, same: true)]
        let out = evaluate(e, count: 5, dimension: 3, pairs, w, 0.1)
        XCTAssertEqual(Array(out.embedding[0..<6]), [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(out.embedding[7], 0)                     // row 2, coordinate 1 (Δ = 0)
        XCTAssertEqual(out.embedding[10], 0)                    // row 3, coordinate 1
        XCTAssertNotEqual(out.embedding[6], 0)                  // row 2, coordinate 0 (Δ ≠ 0)
        XCTAssertEqual(out.embedding[6], -out.embedding[9])
        XCTAssertEqual(Array(out.embedding[12..<15]), [0, 0, 0])
        // Only pair (2, 3) has a non-zero |Δ|: dL/dw = g·|Δ| of that pair alone (1/3 weight), coordinate 1 exactly 0.
        XCTAssertEqual(out.weight[1], 0)
        let z = 0.1 + 1.5 * 0.7 + 0.7 * 0.6
        let g = (1 / (1 + exp(-z)) - 1) / 3
        XCTAssertEqual(Double(out.weight[0]), g * 0.7, accuracy: 1e-6)
        XCTAssertEqual(Double(out.weight[2]), g * 0.6, accuracy: 1e-6)
        // dL/db: pairs with z = b: (σ(.1) − 0) + (σ(.1) − 1), plus the (2, 3) pair.
        let s = 1 / (1 + exp(-0.1))
        XCTAssertEqual(Double(out.bias), (s + (s - 1)) / 3 + g, accuracy: 1e-6)
    }

    func testStableForLargeLogits() {
        // z = ±1000 + bias: the naive log(σ) would give inf or NaN.
        let e: [Float] = [0, 1]
        let cases: [(w: Float, same: Bool, expected: Double)] = [(1000, false, 1000), (1000, true, 0), (-1000, true, 1000), (-1000, false, 0)]
        for (w, same, expected) in cases {
            let out = evaluate(e, count: 2, dimension: 1, [IndexPair(a: 0, b: 1, same: same)], [w], 0)
            XCTAssertEqual(Double(out.result.loss), expected, accuracy: 1e-3, "w \(w) same \(same)")
            XCTAssertTrue(out.embedding.allSatisfy(\.isFinite) && out.weight[0].isFinite && out.bias.isFinite)
            XCTAssertEqual(Double(abs(out.bias)), expected > 0 ? 1 : 0, accuracy: 1e-6)
        }
        XCTAssertEqual(BinaryPairLoss.crossEntropy(logit: -800, target: 0), 0, accuracy: 1e-300)
        XCTAssertEqual(BinaryPairLoss.sigmoid(-800), 0)
        XCTAssertEqual(BinaryPairLoss.sigmoid(800), 1)
    }

    func testALogitOfExactlyZeroPredictsDifferent() {
        // Identical rows and b = 0: z = 0, ŷ = .5, which is not > .5.
        let e: [Float] = [0.2, 0.2]
        let same = evaluate(e, count: 2, dimension: 1, [IndexPair(a: 0, b: 1, same: true)], [1], 0)
        XCTAssertEqual(same.result.accuracy, 0)
        XCTAssertEqual(Double(same.result.loss), log(2), accuracy: 1e-7)
        let different = evaluate(e, count: 2, dimension: 1, [IndexPair(a: 0, b: 1, same: false)], [1], 0)
        XCTAssertEqual(different.result.accuracy, 1)
        XCTAssertEqual(different.bias, 0.5)
    }

    func testNoPairsGivesZeros() {
        let out = evaluate([1, 2, 3, 4], count: 2, dimension: 2, [], [1, 1], 0.5)
        XCTAssertEqual(out.result, BinaryPairLossResult(loss: 0, accuracy: 0, pairs: 0))
        XCTAssertEqual(out.embedding, [0, 0, 0, 0])
        XCTAssertEqual(out.weight, [0, 0])
        XCTAssertEqual(out.bias, 0)
    }
}
