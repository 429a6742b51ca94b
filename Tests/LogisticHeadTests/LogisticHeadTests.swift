import FaceEmbedding
import Foundation
import XCTest
@testable import LogisticHead

final class LogisticHeadTests: XCTestCase {
    func makeHead() throws -> LogisticHead {
        var w = [Float](repeating: 0, count: 128)
        w[0] = -4
        w[1] = 2
        return try LogisticHead(weights: w, balancedBias: 1.5, encoderFingerprint: "enc-A")
    }

    func features(_ a: Float, _ b: Float, kind: PairFeatureKind = .absoluteDifference) -> PairFeatures {
        var v = [Float](repeating: 0, count: 128)
        v[0] = a
        v[1] = b
        return PairFeatures(kind: kind, values: v)
    }

    func testProbabilityIsSigmoidOfLinearScore() throws {
        let head = try makeHead()
        let x = features(0.5, 0.25)                    // z = −2 + 0.5 + 1.5 = 0
        XCTAssertEqual(head.logit(x), 0)
        XCTAssertEqual(head.probability(x), 0.5)
        let y = features(0, 0)                         // z = 1.5
        XCTAssertEqual(Double(head.probability(y)), 1 / (1 + exp(-1.5)), accuracy: 1e-7)
        XCTAssertEqual(head.probabilities([x, y]), [head.probability(x), head.probability(y)])
        XCTAssertTrue(head.isSamePerson(x))            // 0.5 >= 0.5
        XCTAssertFalse(head.isSamePerson(features(1, 0)))
        XCTAssertEqual(LogisticHead.sigmoid(-800), 0)
        XCTAssertEqual(LogisticHead.sigmoid(800), 1)
    }

    func testPriorShiftIsExact() throws {
        let head = try makeHead()
        XCTAssertEqual(head.bias, head.balancedBias)    // the trained head is the 50/50 one
        for p in [0.01, 0.2, 0.5, 0.9, 0.999] {
            let shifted = try head.withPrior(p)
            let shift = log(p / (1 - p))
            XCTAssertEqual(shifted.prior, p)
            XCTAssertEqual(shifted.balancedBias, head.balancedBias)
            XCTAssertEqual(shifted.bias, Float(Double(head.balancedBias) + shift))
            for x in [features(0.5, 0.25), features(0.1, 0.9), features(2, 0)] {
                XCTAssertEqual(shifted.logit(x), head.logit(x) + shift)    // bit-exact
                // Odds multiply by p / (1 − p).
                let q = LogisticHead.sigmoid(shifted.logit(x)), q0 = LogisticHead.sigmoid(head.logit(x))
                let odds = q / (1 - q), expected = q0 / (1 - q0) * p / (1 - p)
                XCTAssertEqual(odds, expected, accuracy: 1e-9 * expected)
                XCTAssertEqual(shifted.probability(x), Float(q))
            }
        }
        // Re-basing, not accumulating: back to 0.5 gives the original head exactly.
        XCTAssertEqual(try head.withPrior(0.1).withPrior(0.7).withPrior(0.5), head)
        XCTAssertEqual(try head.withPrior(0.3).threshold, head.threshold)
    }

    func testRefusesBadPriorsThresholdsAndWeights() throws {
        let head = try makeHead()
        for p in [0.0, 1.0, -0.5, .nan] {
            XCTAssertThrowsError(try head.withPrior(p)) {
                guard case .invalidPrior? = $0 as? LogisticHeadError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertThrowsError(try head.withThreshold(1.01))
        XCTAssertEqual(try head.withThreshold(0.8).threshold, 0.8)
        XCTAssertThrowsError(try LogisticHead(weights: [], balancedBias: 0, encoderFingerprint: "e")) {
            guard case .invalidConfiguration? = $0 as? LogisticHeadError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try LogisticHead(weights: [Float](repeating: .infinity, count: 128), balancedBias: 0, encoderFingerprint: "e"))
    }

    func testHeadOfFiveWeightsScoresFiveComponentPairs() throws {
        // D = 5: z = Σ w_k·|a_k − b_k| + b, the same formula as at 128.
        let w: [Float] = [-4, 2, 0.5, 0, 1]   // [5]
        let head = try LogisticHead(weights: w, balancedBias: 0.25, encoderFingerprint: "enc-5")
        XCTAssertEqual(head.dimension, 5)
        let a = Embedding([0.1, 0.2, 0.3, 0.4, 0.5]), b = Embedding([0.3, 0.1, 0.3, 1.4, 0.0])
        let x = PairFeatures(a, b)
        XCTAssertEqual(x.dimension, 5)
        var z = 0.25
        for k in 0..<5 { z += Double(w[k]) * Double(abs(a.values[k] - b.values[k])) }
        XCTAssertEqual(head.logit(x), z, accuracy: 1e-6)
        XCTAssertEqual(Double(head.probability(x)), 1 / (1 + exp(-z)), accuracy: 1e-6)
        XCTAssertNoThrow(try head.checkDimension(5, file: "in memory"))
    }

    func testHeadOfAnotherSizeIsATypedOneLineError() throws {
        let head = try makeHead()   // 128 weights
        XCTAssertEqual(head.dimension, 128)
        XCTAssertThrowsError(try head.checkDimension(64, file: "/tmp/h.h5")) { error in
            XCTAssertEqual(error as? LogisticHeadError, .dimensionMismatch(file: "/tmp/h.h5", head: 128, embeddings: 64))
            let text = "\(error)"
            XCTAssertTrue(text.contains("/tmp/h.h5") && text.contains("128") && text.contains("64"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    func testUnitWeightsBuildAHeadBoundToTheEncoder() throws {
        // The logistic unit σ(w·|Δ| + b) learnt jointly with a 64-d encoder, kept as a head for that encoder.
        let w = (0..<64).map { Float($0 % 7) / 10 - 0.3 }   // [64]
        let head = try LogisticHead(unitWeights: w, bias: -1.25, threshold: 0.4, encoderFingerprint: "conv4-abc",
                                    created: Date(timeIntervalSince1970: 1_760_000_000.5))
        XCTAssertEqual(head.weights, w)
        XCTAssertEqual(head.dimension, 64)
        XCTAssertEqual(head.balancedBias, -1.25)
        XCTAssertEqual(head.bias, -1.25)
        XCTAssertEqual(head.prior, 0.5)
        XCTAssertEqual(head.threshold, 0.4)
        XCTAssertEqual(head.featureKind, .absoluteDifference)
        XCTAssertEqual(head.encoderFingerprint, "conv4-abc")
        XCTAssertNil(head.training)
        XCTAssertEqual(head.created, Date(timeIntervalSince1970: 1_760_000_000))
        let x = PairFeatures(kind: .absoluteDifference, values: [Float](repeating: 0.5, count: 64))
        XCTAssertEqual(head.logit(x), w.reduce(0) { $0 + Double($1) * 0.5 } - 1.25, accuracy: 1e-6)
        XCTAssertThrowsError(try LogisticHead(unitWeights: [], bias: 0, encoderFingerprint: "e"))
        XCTAssertThrowsError(try LogisticHead(unitWeights: [1], bias: .nan, encoderFingerprint: "e"))
        XCTAssertThrowsError(try LogisticHead(unitWeights: [1], bias: 0, threshold: 2, encoderFingerprint: "e")) {
            XCTAssertEqual($0 as? LogisticHeadError, .invalidThreshold(2))
        }
    }

    func testCreationTimeKeepsWholeSeconds() throws {
        let h = try LogisticHead(weights: [Float](repeating: 0, count: 128), balancedBias: 0, encoderFingerprint: "e",
                                 created: Date(timeIntervalSince1970: 1_700_000_000.75))
        XCTAssertEqual(h.created, Date(timeIntervalSince1970: 1_700_000_000))
    }
}
