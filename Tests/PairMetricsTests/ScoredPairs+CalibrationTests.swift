import XCTest
@testable import PairMetrics

final class ScoredPairsCalibrationTests: XCTestCase {
    func testBrier() throws {
        let p = try ScoredPairs(scores: [0.8, 0.3], labels: [true, false])
        XCTAssertEqual(try p.brierScore(), (0.04 + 0.09) / 2, accuracy: 1e-15)
        let half = try ScoredPairs(scores: [0.5, 0.5, 0.5], labels: [true, false, false])
        XCTAssertEqual(try half.brierScore(), 0.25)
        let perfect = try ScoredPairs(scores: [1.0, 0.0], labels: [true, false])
        XCTAssertEqual(try perfect.brierScore(), 0)
    }

    func testECEHandComputed() throws {
        // Bin 0: {0.05, neg} → |0.05 − 0|·1/4; bin 1: {0.15 pos, 0.15 neg} → |0.15 − 0.5|·2/4;
        // bin 9: {0.95 pos} → |0.95 − 1|·1/4. Total 0.0125 + 0.175 + 0.0125 = 0.2.
        let p = try ScoredPairs(scores: [0.05, 0.15, 0.15, 0.95], labels: [false, true, false, true])
        XCTAssertEqual(try p.expectedCalibrationError(), 0.2, accuracy: 1e-15)
        let bins = try p.calibrationBins()
        XCTAssertEqual(bins.count, 10)
        XCTAssertEqual(bins.map(\.count), [1, 1 + 1, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(bins[1].positiveFraction, 0.5)
        XCTAssertEqual(bins[1].meanProbability, 0.15, accuracy: 1e-15)
        XCTAssertEqual(bins[9].lower, 0.9)
        XCTAssertEqual(bins[9].upper, 1.0)
    }

    func testECEBinEdges() throws {
        // p = 1 belongs to the last bin, p = 0.5 to bin 5, p = 0 to bin 0.
        let p = try ScoredPairs(scores: [1, 0.5, 0], labels: [true, true, false])
        XCTAssertEqual(try p.calibrationBins().map(\.count), [1, 0, 0, 0, 0, 1, 0, 0, 0, 1])
        // Calibrated within each bin → 0 except bin 5: |0.5 − 1|·1/3.
        XCTAssertEqual(try p.expectedCalibrationError(), 0.5 / 3, accuracy: 1e-15)
        XCTAssertEqual(try p.expectedCalibrationError(bins: 1), abs(0.5 - 2.0 / 3), accuracy: 1e-15)
        XCTAssertThrowsError(try p.expectedCalibrationError(bins: 0)) {
            XCTAssertEqual($0 as? PairMetricsError, .invalidBinCount(0))
        }
    }

    func testProbabilityMetricsRefuseNonProbabilities() throws {
        let p = try ScoredPairs(scores: [0.5, 1.5], labels: [true, false])
        XCTAssertThrowsError(try p.brierScore()) { XCTAssertEqual($0 as? PairMetricsError, .notAProbability(index: 1, value: 1.5)) }
        XCTAssertThrowsError(try p.expectedCalibrationError())
    }
}
