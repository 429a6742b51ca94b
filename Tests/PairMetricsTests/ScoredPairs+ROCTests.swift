@testable import PairMetrics
import SeededRandom
import XCTest

final class ScoredPairsROCTests: XCTestCase {
    // positives 0.9 0.8 0.4, negatives 0.7 0.3 0.2
    let pairs = try! ScoredPairs(scores: [0.9, 0.7, 0.8, 0.3, 0.4, 0.2], labels: [true, false, true, false, true, false])
    // positives 0.9 0.5, negatives 0.5 0.1: one tie across classes
    let tied = try! ScoredPairs(scores: [0.9, 0.5, 0.5, 0.1], labels: [true, true, false, false])

    func testROCVertices() throws {
        let roc = try pairs.rocCurve()
        let expected: [(Double, Double, Double)] = [(.infinity, 0, 0), (0.9, 0, 1.0 / 3), (0.8, 0, 2.0 / 3),
                                                    (0.7, 1.0 / 3, 2.0 / 3), (0.4, 1.0 / 3, 1), (0.3, 2.0 / 3, 1), (0.2, 1, 1)]
        XCTAssertEqual(roc.count, expected.count)
        for (q, e) in zip(roc, expected) {
            XCTAssertEqual(q.threshold, e.0)
            XCTAssertEqual(q.falseAcceptRate, e.1, accuracy: 1e-15)
            XCTAssertEqual(q.trueAcceptRate, e.2, accuracy: 1e-15)
        }
    }

    func testTiedScoresGiveOneDiagonalStep() throws {
        let roc = try tied.rocCurve()
        XCTAssertEqual(roc.map(\.falseAcceptRate), [0, 0, 0.5, 1])
        XCTAssertEqual(roc.map(\.trueAcceptRate), [0, 0.5, 1, 1])
    }

    func testAUCIsMannWhitney() throws {
        XCTAssertEqual(try pairs.areaUnderCurve(), 8.0 / 9, accuracy: 1e-15)   // 8 of 9 pos/neg pairs ordered
        XCTAssertEqual(try tied.areaUnderCurve(), 3.5 / 4, accuracy: 1e-15)    // the tie counts one half
        let allTied = try ScoredPairs(scores: [0.3, 0.3, 0.3], labels: [true, false, false])
        XCTAssertEqual(try allTied.areaUnderCurve(), 0.5)
        let reversed = try ScoredPairs(scores: [0.1, 0.9], labels: [true, false])
        XCTAssertEqual(try reversed.areaUnderCurve(), 0)
    }

    func testAUCEqualsTrapezoidAreaOfCurve() throws {
        var rng = SplitMix64(seed: 7)
        let labels = (0..<300).map { _ in rng.below(3) == 0 }
        let scores = labels.map { Double(rng.below(20)) + ($0 ? 4 : 0) }   // many ties
        let p = try ScoredPairs(scores: scores, labels: labels)
        let roc = try p.rocCurve()
        var area = 0.0
        for k in 1..<roc.count {
            area += (roc[k].falseAcceptRate - roc[k - 1].falseAcceptRate) * (roc[k].trueAcceptRate + roc[k - 1].trueAcceptRate) / 2
        }
        XCTAssertEqual(try p.areaUnderCurve(), area, accuracy: 1e-12)
    }

    func testEERAtVertexAndInterpolated() throws {
        XCTAssertEqual(try pairs.equalErrorRate(), 1.0 / 3, accuracy: 1e-15)   // vertex (1/3, 2/3)
        // Segment (0, .5) → (.5, 1): FAR = FRR at its midpoint, 0.25.
        XCTAssertEqual(try tied.equalErrorRate(), 0.25, accuracy: 1e-15)
        let separated = try ScoredPairs(scores: [0.9, 0.8, 0.2], labels: [true, true, false])
        XCTAssertEqual(try separated.equalErrorRate(), 0)
        let inverted = try ScoredPairs(scores: [0.1, 0.9], labels: [true, false])
        XCTAssertEqual(try inverted.equalErrorRate(), 1)
    }

    func testTARAtFAR() throws {
        // negatives 0.1 0.2 0.3 0.4, positives 0.25 0.35 0.5 0.6
        let p = try ScoredPairs(scores: [0.1, 0.2, 0.3, 0.4, 0.25, 0.35, 0.5, 0.6],
                                labels: [false, false, false, false, true, true, true, true])
        XCTAssertEqual(try p.trueAcceptRate(atFalseAcceptRate: 0.25),
                       ROCPoint(threshold: 0.35, falseAcceptRate: 0.25, trueAcceptRate: 0.75))
        XCTAssertEqual(try p.trueAcceptRate(atFalseAcceptRate: 1e-2),
                       ROCPoint(threshold: 0.5, falseAcceptRate: 0, trueAcceptRate: 0.5))
        XCTAssertEqual(try p.trueAcceptRate(atFalseAcceptRate: 1).trueAcceptRate, 1)
        XCTAssertThrowsError(try p.trueAcceptRate(atFalseAcceptRate: -0.1))
    }

    func testTARAtStandardFARsWithThousandNegatives() throws {
        // Negatives score 0..999 (/1000), positives 0.9955 and 0.9905 and 0.5: FAR 1e-3 allows one accepted negative.
        var scores = (0..<1000).map { Double($0) / 1000 }
        var labels = [Bool](repeating: false, count: 1000)
        scores += [0.9995, 0.9905, 0.5]
        labels += [true, true, true]
        let p = try ScoredPairs(scores: scores, labels: labels)
        XCTAssertEqual(ScoredPairs.standardFalseAcceptRates, [1e-3, 1e-2])
        let at3 = try p.trueAcceptRate(atFalseAcceptRate: 1e-3)
        XCTAssertEqual(at3.trueAcceptRate, 1.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(at3.falseAcceptRate, 1e-3, accuracy: 1e-15)
        let at2 = try p.trueAcceptRate(atFalseAcceptRate: 1e-2)
        XCTAssertEqual(at2.trueAcceptRate, 2.0 / 3, accuracy: 1e-15)
        XCTAssertLessThanOrEqual(at2.falseAcceptRate, 1e-2)
    }

    func testRankingMetricsNeedBothClasses() throws {
        let onlyPositive = try ScoredPairs(scores: [0.1, 0.2], labels: [true, true])
        XCTAssertThrowsError(try onlyPositive.areaUnderCurve()) {
            XCTAssertEqual($0 as? PairMetricsError, .missingClass(positives: 2, negatives: 0))
        }
        XCTAssertThrowsError(try onlyPositive.equalErrorRate())
        XCTAssertThrowsError(try onlyPositive.rocCurve())
    }
}
