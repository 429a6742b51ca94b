import XCTest
@testable import PairMetrics

final class ScoredPairsAccuracyTests: XCTestCase {
    // positives 0.9 0.8 0.4, negatives 0.7 0.3 0.2
    let pairs = try! ScoredPairs(scores: [0.9, 0.7, 0.8, 0.3, 0.4, 0.2], labels: [true, false, true, false, true, false])

    func testAccuracyAtThreshold() {
        XCTAssertEqual(pairs.accuracy(threshold: 0.5), 4.0 / 6)   // accepts .9 .8 .7 → wrong on .7 and .4
        XCTAssertEqual(pairs.accuracy(threshold: 0.8), 5.0 / 6)   // score >= t accepts 0.8
        XCTAssertEqual(pairs.accuracy(threshold: 0.81), 4.0 / 6)
        XCTAssertEqual(pairs.accuracy(threshold: 1.0), 3.0 / 6)   // accept nothing
        XCTAssertEqual(pairs.accuracy(threshold: 0.0), 3.0 / 6)   // accept everything
    }

    func testBestAccuracyThresholdIsMidpointOfHighestBestGap() {
        // Accuracies: none 3/6, ≥.9 4/6, ≥.8 5/6, ≥.7 4/6, ≥.4 5/6, ≥.3 4/6, ≥.2 3/6 → first best at 0.8.
        let best = pairs.bestAccuracyThreshold()
        XCTAssertEqual(best.accuracy, 5.0 / 6)
        XCTAssertEqual(best.threshold, 0.75, accuracy: 1e-15)
        XCTAssertEqual(pairs.accuracy(threshold: best.threshold), best.accuracy)
    }

    func testBestThresholdAtTheEnds() throws {
        let allNegativeHigh = try ScoredPairs(scores: [0.9, 0.1], labels: [false, false])
        let t1 = allNegativeHigh.bestAccuracyThreshold()
        XCTAssertEqual(t1.accuracy, 1)
        XCTAssertGreaterThan(t1.threshold, 0.9)
        let allPositive = try ScoredPairs(scores: [0.9, 0.1], labels: [true, true])
        let t2 = allPositive.bestAccuracyThreshold()
        XCTAssertEqual(t2, ThresholdAccuracy(threshold: 0.1, accuracy: 1))
    }

    func testTiesAreDecidedTogether() throws {
        // Two tied scores of different class: any threshold gets exactly one of them wrong.
        let tied = try ScoredPairs(scores: [0.5, 0.5, 0.9, 0.1], labels: [true, false, true, false])
        let best = tied.bestAccuracyThreshold()
        XCTAssertEqual(best.accuracy, 0.75)
        XCTAssertEqual(best.threshold, 0.7, accuracy: 1e-15)   // between .9 and the tie, highest of equals
    }
}
