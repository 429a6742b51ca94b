@testable import PairMetrics
import SeededRandom
import XCTest

final class KFoldTests: XCTestCase {
    func testEveryItemIsTestedOnceAndFoldsAreBalanced() throws {
        let kfold = try KFold(count: 23, folds: 5, seed: 3)
        let splits = kfold.run { $0 }
        XCTAssertEqual(splits.map(\.fold), [0, 1, 2, 3, 4])
        XCTAssertEqual(splits.flatMap(\.test).sorted(), Array(0..<23))
        for s in splits {
            XCTAssertEqual(Set(s.training).intersection(s.test).count, 0)
            XCTAssertEqual(s.training.count + s.test.count, 23)
            XCTAssertEqual(s.test, s.test.sorted())
            XCTAssertTrue([4, 5].contains(s.test.count))
        }
    }

    func testDeterministicForASeed() throws {
        XCTAssertEqual(try KFold(count: 50, folds: 10, seed: 1), try KFold(count: 50, folds: 10, seed: 1))
        XCTAssertNotEqual(try KFold(count: 50, folds: 10, seed: 1).assignment, try KFold(count: 50, folds: 10, seed: 2).assignment)
    }

    func testStratifiedFoldsShareBothClasses() throws {
        let labels = (0..<40).map { $0 < 7 }                // 7 positives, 33 negatives
        let kfold = try KFold(labels: labels, folds: 3, seed: 0)
        for s in kfold.run({ $0 }) {
            let pos = s.test.filter { labels[$0] }.count
            XCTAssertTrue([2, 3].contains(pos), "fold \(s.fold) has \(pos) positives")
            XCTAssertTrue([13, 14].contains(s.test.count))
        }
        XCTAssertThrowsError(try KFold(labels: labels, folds: 8)) {
            XCTAssertEqual($0 as? PairMetricsError, .invalidFoldCount(folds: 8, items: 7))
        }
        XCTAssertThrowsError(try KFold(count: 5, folds: 1))
    }

    func testEvaluateReportsMeanAndSampleStd() throws {
        let kfold = try KFold(count: 4, folds: 4)
        let result = kfold.evaluate { Double($0.fold + 1) }       // 1, 2, 3, 4
        XCTAssertEqual(result.mean, 2.5)
        XCTAssertEqual(result.std, (5.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(result.count, 4)
        XCTAssertEqual(result.standardError, (5.0 / 3).squareRoot() / 2, accuracy: 1e-15)
        XCTAssertEqual(MeanStd([0.7]).std, 0)
        XCTAssertEqual(MeanStd(mean: 0.99123, std: 0.00311, count: 10).description, "0.9912 ± 0.0031")
    }

    func testProtocolTrainsOnOtherFolds() throws {
        // "Training" = the best-accuracy threshold on k − 1 folds; test accuracy on the held-out fold.
        let scores = (0..<20).map { Double($0 < 10 ? $0 : $0 + 10) }   // negatives 0…9, positives 20…29
        let labels = (0..<20).map { $0 >= 10 }
        let pairs = try ScoredPairs(scores: scores, labels: labels)
        let result = try KFold(labels: labels, folds: 5).evaluate { split in
            let t = pairs.subset(split.training).bestAccuracyThreshold().threshold
            return pairs.subset(split.test).accuracy(threshold: t)
        }
        XCTAssertEqual(result, MeanStd(mean: 1, std: 0, count: 5))
    }
}
