import FaceEmbedding
import Foundation
import XCTest
@testable import LogisticHead

final class HeadTrainerTests: XCTestCase {
    func testRecoversKnownWeights() throws {
        var rng = TestRandom(seed: 11)
        let w = (0..<Embedding.faceDimension).map { _ in 0.7 * rng.normal() }
        let b = -w.reduce(0, +) / 2                       // centres the logit
        let (xs, ys) = TestData.logistic(weights: w, bias: b, count: 40_000, seed: 12)
        let head = try HeadTrainer(lambda: 1e-8, folds: 0).fit(features: xs, labels: ys, encoderFingerprint: "enc")
        let positives = Double(ys.filter { $0 }.count), negatives = Double(ys.count) - positives
        // Class weighting moves only the intercept, by log(n₀/n₁) (the sample's prior odds are removed).
        let expectedBias = b + log(negatives / positives)
        let errors = zip(head.weights, w).map { abs(Double($0) - $1) }
        XCTAssertLessThan(errors.max()!, 0.25, "max |ŵ − w|")
        XCTAssertLessThan(errors.reduce(0, +) / Double(errors.count), 0.06, "mean |ŵ − w|")
        XCTAssertEqual(Double(head.balancedBias), expectedBias, accuracy: 0.6)
        XCTAssertEqual(head.training?.pairs, 40_000)
        XCTAssertNil(head.training?.heldOut)
    }

    func testFitIsAStationaryPointOfTheStatedObjective() throws {
        // Naive double-precision gradient of J at the returned head ≈ 0 (float rounding of the weights aside).
        let (xs, ys) = TestData.small(count: 600, seed: 5)
        let lambda = 1e-3
        let head = try HeadTrainer(lambda: lambda, folds: 0, tolerance: 1e-10).fit(features: xs, labels: ys, encoderFingerprint: "e")
        let n = Double(xs.count), pos = Double(ys.filter { $0 }.count)
        var gradient = [Double](repeating: 0, count: 129)
        var scale = [Double](repeating: 0, count: 128)
        for (x, y) in zip(xs, ys) {
            let c = y ? n / (2 * pos) : n / (2 * (n - pos))
            let r = c * (Double(head.probability(x)) - (y ? 1 : 0)) / n
            for k in 0..<128 { gradient[k] += r * Double(x.values[k]); scale[k] += Double(x.values[k] * x.values[k]) / n }
            gradient[128] += r
        }
        for k in 0..<128 { gradient[k] += lambda * scale[k] * Double(head.weights[k]) }
        XCTAssertLessThan(gradient.map(abs).max()!, 2e-6)
    }

    func testSubsampleWarmStartReachesTheSameOptimum() throws {
        let (xs, ys) = TestData.small(count: 33_000, seed: 9)
        let (packed, _, d) = try HeadTrainer.validateAndPack(features: xs, labels: ys)
        let solver = IRLSSolver(features: packed, labels: ys, dimension: d)
        let rows = Array(0..<ys.count)
        XCTAssertNotNil(IRLSSolver.stagingSample(rows: rows, labels: ys))
        let staged = try solver.fit(rows: rows, lambda: 1e-4, start: nil, tolerance: 1e-9, maxIterations: 50)
        let cold = try solver.fit(rows: rows, lambda: 1e-4, start: [Double](repeating: 0, count: 129), tolerance: 1e-9, maxIterations: 50)
        let scale = 1 + cold.theta.map(abs).max()!
        XCTAssertLessThan(zip(staged.theta, cold.theta).map { abs($0 - $1) }.max()! / scale, 1e-8)
    }

    func testSeparableDataConverges() throws {
        var rng = TestRandom(seed: 3)
        var xs: [PairFeatures] = [], ys: [Bool] = []
        for _ in 0..<200 {
            let v = (0..<128).map { _ in Float(rng.uniform()) }
            xs.append(PairFeatures(kind: .absoluteDifference, values: v))
            ys.append(v[0] < v[1])                        // perfectly separable by a hyperplane
        }
        let head = try HeadTrainer(lambda: 1e-6).fit(features: xs, labels: ys, encoderFingerprint: "e")
        XCTAssertTrue(head.weights.allSatisfy(\.isFinite))
        XCTAssertTrue(head.balancedBias.isFinite)
        XCTAssertLessThan(head.weights[0], 0)
        XCTAssertGreaterThan(head.weights[1], 0)
        let correct = zip(xs, ys).filter { head.isSamePerson($0) == $1 }.count
        XCTAssertGreaterThanOrEqual(Double(correct) / 200, 0.99)
    }

    func testUnbalancedClassesGiveTheBalancedIntercept() throws {
        // N(μ, 0.1²I) classes, μ differs by ±0.025 on 8 components and is 0 elsewhere: w_k = −5 there, b₅₀ = 0.
        var muPos = [Double](repeating: 0, count: 128), muNeg = muPos
        for k in 0..<8 { muPos[k] = -0.025; muNeg[k] = 0.025 }
        let (xs, ys) = TestData.gaussian(positiveMean: muPos, negativeMean: muNeg, sigma: 0.1,
                                         positives: 2_000, negatives: 20_000, seed: 21)
        let head = try HeadTrainer(lambda: 1e-8, folds: 0).fit(features: xs, labels: ys, encoderFingerprint: "e")
        // An unweighted fit would put the intercept near log(2000/20000) = −2.3.
        XCTAssertEqual(Double(head.balancedBias), 0, accuracy: 0.2)
        XCTAssertEqual(Double(head.weights[0]), -5, accuracy: 1.5)
        // With the sample's prior the head predicts the sample's frequency on average.
        let shifted = try head.withPrior(2_000.0 / 22_000)
        let meanP = shifted.probabilities(xs).reduce(0) { $0 + Double($1) } / Double(xs.count)
        XCTAssertEqual(meanP, 2_000.0 / 22_000, accuracy: 0.01)
    }

    func testKFoldSummaryAndDeterminism() throws {
        let (xs, ys) = TestData.small(count: 500, seed: 4)
        let trainer = HeadTrainer(lambda: nil, folds: 5)
        let a = try trainer.fit(features: xs, labels: ys, encoderFingerprint: "e", created: Date(timeIntervalSince1970: 0))
        let b = try trainer.fit(features: xs, labels: ys, encoderFingerprint: "e", created: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(a, b)
        let s = try XCTUnwrap(a.training)
        XCTAssertTrue(s.lambdaCrossValidated)
        XCTAssertTrue(HeadTrainer.defaultLambdaGrid.contains(s.lambda))
        XCTAssertEqual(s.pairs, 500)
        XCTAssertEqual(s.positives + s.negatives, 500)
        let m = try XCTUnwrap(s.heldOut)
        XCTAssertEqual(m.folds, 5)
        XCTAssertGreaterThan(m.areaUnderCurve.mean, 0.8)
        XCTAssertGreaterThan(m.accuracy.mean, 0.7)
        XCTAssertLessThan(m.brierScore.mean, 0.2)
        XCTAssertLessThan(m.expectedCalibrationError.mean, 0.15)   // 100 pairs per fold: ECE is noisy
        XCTAssertEqual(m.equalErrorRate.mean, 1 - m.accuracy.mean, accuracy: 0.1)
        XCTAssertEqual(a.threshold, 0.5)
        XCTAssertEqual(a.prior, 0.5)
        XCTAssertEqual(a.featureKind, .absoluteDifference)
    }

    func testBestTrainingAccuracyThreshold() throws {
        let (xs, ys) = TestData.small(count: 300, seed: 8)
        let head = try HeadTrainer(thresholdChoice: .bestTrainingAccuracy).fit(features: xs, labels: ys, encoderFingerprint: "e")
        XCTAssertTrue((0...1).contains(head.threshold))
        let p = head.probabilities(xs)
        func accuracy(_ t: Float) -> Int { zip(p, ys).filter { ($0 >= t) == $1 }.count }
        XCTAssertGreaterThanOrEqual(accuracy(head.threshold), accuracy(0.5))
    }

    func testRefusals() {
        let (xs, ys) = TestData.small(count: 40)
        func fails(_ features: [PairFeatures], _ labels: [Bool], trainer: HeadTrainer = HeadTrainer(),
                   _ expected: LogisticHeadError, line: UInt = #line) {
            XCTAssertThrowsError(try trainer.fit(features: features, labels: labels, encoderFingerprint: "e"), line: line) {
                XCTAssertEqual($0 as? LogisticHeadError, expected, line: line)
            }
        }
        fails(Array(xs.prefix(19)), Array(ys.prefix(19)), .tooFewPairs(found: 19, minimum: 20))
        fails(xs, Array(ys.dropLast()), .labelCountMismatch(features: 40, labels: 39))
        fails(xs, [Bool](repeating: true, count: 40), .singleClass(positives: 40, negatives: 0))
        var bad = xs
        var v = bad[3].values
        v[5] = .nan
        bad[3] = PairFeatures(kind: .absoluteDifference, values: v)
        fails(bad, ys, .nonFiniteFeature(pair: 3, component: 5))
        var mixed = xs
        mixed[7] = PairFeatures(kind: .squaredDifference, values: xs[7].values)
        fails(mixed, ys, .wrongFeatureKind(pair: 7, expected: .absoluteDifference, found: .squaredDifference))
        fails(xs, ys, trainer: HeadTrainer(lambda: 0), .invalidLambda(0))
        fails(xs, ys, trainer: HeadTrainer(lambda: nil, lambdaGrid: [1e-3, -1]), .invalidLambda(-1))
        fails(xs, ys, trainer: HeadTrainer(thresholdChoice: .fixed(1.5)), .invalidThreshold(1.5))
        XCTAssertThrowsError(try HeadTrainer(lambda: nil, folds: 0).fit(features: xs, labels: ys, encoderFingerprint: "e")) {
            guard case .invalidConfiguration? = $0 as? LogisticHeadError else { return XCTFail("\($0)") }
        }
    }

    func testFewMinorityPairsStillTrain() throws {
        // 2 positives: folds are capped at 2 so each held-out fold has one.
        let (xs, ys) = TestData.small(count: 40)
        var labels = [Bool](repeating: false, count: 40)
        labels[0] = true
        labels[1] = true
        _ = ys
        let head = try HeadTrainer(folds: 5).fit(features: xs, labels: labels, encoderFingerprint: "e")
        XCTAssertEqual(head.training?.heldOut?.folds, 2)
        let single = try HeadTrainer(folds: 5).fit(features: xs, labels: [true] + [Bool](repeating: false, count: 39), encoderFingerprint: "e")
        XCTAssertNil(single.training?.heldOut)
    }

    func testIterationCapReportsNotConverged() {
        let (xs, ys) = TestData.small(count: 200)
        XCTAssertThrowsError(try HeadTrainer(folds: 0, maxIterations: 1).fit(features: xs, labels: ys, encoderFingerprint: "e")) {
            guard case .notConverged(lambda: HeadTrainer.defaultLambda, iterations: 1, _)? = $0 as? LogisticHeadError else {
                return XCTFail("\($0)")
            }
        }
    }

    func testSummaryDescriptionIsOneLine() throws {
        let (xs, ys) = TestData.small(count: 200)
        let s = try XCTUnwrap(HeadTrainer().fit(features: xs, labels: ys, encoderFingerprint: "e").training)
        XCTAssertTrue(s.description.hasPrefix("200 pairs ("), s.description)
        XCTAssertTrue(s.description.contains("5-fold held out: accuracy "), s.description)
        XCTAssertTrue(s.description.contains("ECE "), s.description)
        XCTAssertFalse(s.description.contains("\n"))
    }

    func testFitsFiveDimensionalPairs() throws {
        // D = 5: a 6×6 Newton system; the known weights come back as at 128.
        let w: [Double] = [3, -2, 1.5, 0, -4]
        let (xs, ys) = TestData.logistic(weights: w, bias: 0.5, count: 20_000, seed: 31)
        XCTAssertEqual(xs[0].dimension, 5)
        let head = try HeadTrainer(lambda: 1e-8, folds: 0).fit(features: xs, labels: ys, encoderFingerprint: "enc-5")
        XCTAssertEqual(head.dimension, 5)
        XCTAssertEqual(head.weights.count, 5)
        let errors = zip(head.weights, w).map { abs(Double($0) - $1) }
        XCTAssertLessThan(errors.max()!, 0.25, "max |ŵ − w|")
        // The fit is a stationary point of the stated objective at D = 5 too.
        let lambda = 1e-3
        let fitted = try HeadTrainer(lambda: lambda, folds: 0, tolerance: 1e-10).fit(features: xs, labels: ys, encoderFingerprint: "e")
        let n = Double(xs.count), pos = Double(ys.filter { $0 }.count)
        var gradient = [Double](repeating: 0, count: 6), scale = [Double](repeating: 0, count: 5)   // [D+1], [D]
        for (x, y) in zip(xs, ys) {
            let c = y ? n / (2 * pos) : n / (2 * (n - pos))
            let r = c * (Double(fitted.probability(x)) - (y ? 1 : 0)) / n
            for k in 0..<5 { gradient[k] += r * Double(x.values[k]); scale[k] += Double(x.values[k] * x.values[k]) / n }
            gradient[5] += r
        }
        for k in 0..<5 { gradient[k] += lambda * scale[k] * Double(fitted.weights[k]) }
        XCTAssertLessThan(gradient.map(abs).max()!, 2e-6)
    }

    func testCrossValidatesSixtyFourDimensionalPairs() throws {
        let (xs, ys) = TestData.small(count: 500, seed: 4, dimension: 64)
        let head = try HeadTrainer(lambda: nil, folds: 5).fit(features: xs, labels: ys, encoderFingerprint: "conv4")
        XCTAssertEqual(head.dimension, 64)
        let m = try XCTUnwrap(head.training?.heldOut)
        XCTAssertEqual(m.folds, 5)
        XCTAssertGreaterThan(m.areaUnderCurve.mean, 0.8)
        XCTAssertGreaterThan(m.accuracy.mean, 0.7)
    }

    func testPairsOfTwoEmbeddingSizesAreRefused() {
        let (xs, ys) = TestData.small(count: 40, dimension: 64)
        var mixed = xs
        mixed[9] = PairFeatures(kind: .absoluteDifference, values: [Float](repeating: 0.1, count: 128))
        XCTAssertThrowsError(try HeadTrainer().fit(features: mixed, labels: ys, encoderFingerprint: "e")) { error in
            XCTAssertEqual(error as? LogisticHeadError, .wrongFeatureDimension(pair: 9, expected: 64, found: 128))
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testErrorDescriptionsNameTheCause() {
        XCTAssertEqual(LogisticHeadError.tooFewPairs(found: 3, minimum: 20).description,
                       "training the head needs at least 20 labelled pairs, got 3")
        XCTAssertTrue(LogisticHeadError.nonFiniteFeature(pair: 3, component: 5).description.contains("pair 3"))
        XCTAssertFalse(LogisticHeadError.notConverged(lambda: 1, iterations: 50, lastStep: 0.1).description.contains("\n"))
    }
}
