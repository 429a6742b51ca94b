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
        XCTAssertThrowsError(try LogisticHead(weights: [1, 2], balancedBias: 0, encoderFingerprint: "e"))
        XCTAssertThrowsError(try LogisticHead(weights: [Float](repeating: .infinity, count: 128), balancedBias: 0, encoderFingerprint: "e"))
    }

    func testCreationTimeKeepsWholeSeconds() throws {
        let h = try LogisticHead(weights: [Float](repeating: 0, count: 128), balancedBias: 0, encoderFingerprint: "e",
                                 created: Date(timeIntervalSince1970: 1_700_000_000.75))
        XCTAssertEqual(h.created, Date(timeIntervalSince1970: 1_700_000_000))
    }
}
