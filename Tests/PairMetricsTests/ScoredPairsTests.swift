import XCTest
@testable import PairMetrics

final class ScoredPairsTests: XCTestCase {
    func testCountsClasses() throws {
        let pairs = try ScoredPairs(scores: [0.1, 0.2, 0.3], labels: [true, false, true])
        XCTAssertEqual(pairs.count, 3)
        XCTAssertEqual(pairs.positives, 2)
        XCTAssertEqual(pairs.negatives, 1)
    }

    func testRefusesBadInput() {
        XCTAssertThrowsError(try ScoredPairs(scores: [Double](), labels: [])) { XCTAssertEqual($0 as? PairMetricsError, .empty) }
        XCTAssertThrowsError(try ScoredPairs(scores: [0.1], labels: [true, false])) {
            XCTAssertEqual($0 as? PairMetricsError, .lengthMismatch(scores: 1, labels: 2))
        }
        XCTAssertThrowsError(try ScoredPairs(scores: [0.1, .nan], labels: [true, false])) {
            guard case .nonFiniteScore(index: 1, _)? = $0 as? PairMetricsError else { return XCTFail("\($0)") }
        }
    }

    func testFloatScoresWidenExactly() throws {
        let pairs = try ScoredPairs(scores: [Float(0.1)], labels: [true])
        XCTAssertEqual(pairs.scores, [Double(Float(0.1))])
    }

    func testSubsetKeepsOrder() throws {
        let pairs = try ScoredPairs(scores: [0.1, 0.2, 0.3], labels: [true, false, true])
        let sub = pairs.subset([2, 0])
        XCTAssertEqual(sub.scores, [0.3, 0.1])
        XCTAssertEqual(sub.labels, [true, true])
    }

    func testErrorDescriptionsAreOneLine() {
        let errors: [PairMetricsError] = [.empty, .lengthMismatch(scores: 1, labels: 2), .nonFiniteScore(index: 3, value: .nan),
                                          .notAProbability(index: 0, value: 1.5), .missingClass(positives: 0, negatives: 4),
                                          .invalidRateTarget(2), .invalidBinCount(0), .invalidFoldCount(folds: 1, items: 5)]
        for e in errors {
            XCTAssertFalse(e.description.contains("\n"))
            XCTAssertFalse(e.description.isEmpty)
        }
    }
}
