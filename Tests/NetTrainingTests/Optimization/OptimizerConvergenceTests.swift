import FaceEmbedding
import LogisticHead
import NetTraining
import XCTest

/// Each optimiser reaches known optima: least squares (closed form), ridge on segments, and the L2-regularised,
/// class-weighted logistic regression of `LogisticHead`'s IRLS trainer.
final class OptimizerConvergenceTests: XCTestCase {
    /// The four rules with settings that converge on the test problems; Adam(W) anneal by cosine to 0 over `steps`.
    private func configurations(sgdRate: Float, adamRate: Float, steps: Int, weightDecay: Float = 0) -> [(String, OptimizerConfig)] {
        let cosine = LearningRateSchedule.cosine(warmupSteps: 10, totalSteps: steps, minimumFactor: 0)
        return [
            ("SGD", OptimizerConfig(kind: .sgd, learningRate: sgdRate, momentum: 0.9, weightDecay: weightDecay)),
            ("SGD Nesterov", OptimizerConfig(kind: .sgd, learningRate: sgdRate, momentum: 0.9, nesterov: true, weightDecay: weightDecay)),
            ("Adam", OptimizerConfig(kind: .adam, learningRate: adamRate, weightDecay: weightDecay, schedule: cosine)),
            ("AdamW", OptimizerConfig(kind: .adamw, learningRate: adamRate, weightDecay: weightDecay, schedule: cosine)),
        ]
    }

    func testLeastSquaresReachesTheClosedFormMinimiser() {
        let problem = OptimizerFixtures.LeastSquares(rows: 40, columns: 8, seed: 7)
        XCTAssertGreaterThan(problem.solution.map(abs).max()!, 0.5, "a non-trivial minimiser")
        for (name, config) in configurations(sgdRate: 0.1, adamRate: 0.1, steps: 800) {
            let optimizer = Optimizer(config: config, parameterCount: problem.columns)
            let x = OptimizerFixtures.minimise(optimizer, from: [Float](repeating: 0, count: problem.columns), steps: 800,
                                               gradient: problem.gradient)
            let error = zip(x, problem.solution).map { abs(Double($0) - $1) }.max()!
            XCTAssertLessThan(error, 1e-6, "\(name): max |x − x*|")
        }
    }

    func testRidgeOnDecayingSegmentsReachesItsClosedForm() {
        // f(x) + (wd/2)·Σ_{decaying} x_k², decaying = 0..<3 and 6..<8: x* = (AᵀA/m + wd·D)⁻¹·Aᵀb/m.
        // SGD and Adam add wd·θ to the gradient, so they minimise exactly this (AdamW's decoupled decay does not).
        let problem = OptimizerFixtures.LeastSquares(rows: 40, columns: 8, seed: 7)
        let wd = 0.5
        let segments = [ParameterSegment(offset: 6, count: 2, decays: true), ParameterSegment(offset: 0, count: 3, decays: true),
                        ParameterSegment(offset: 3, count: 2, decays: false)]
        let decays = [true, true, true, false, false, false, true, true]
        let n = problem.columns, m = Double(problem.rows)
        var matrix = [Double](repeating: 0, count: n * n), rhs = [Double](repeating: 0, count: n)
        for r in 0..<problem.rows {
            for i in 0..<n {
                rhs[i] += problem.a[r * n + i] * problem.b[r] / m
                for j in 0..<n { matrix[i * n + j] += problem.a[r * n + i] * problem.a[r * n + j] / m }
            }
        }
        for k in 0..<n where decays[k] { matrix[k * n + k] += wd }
        let ridge = OptimizerFixtures.solveSPD(matrix, rhs)!
        let shift = zip(ridge, problem.solution).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(shift, 0.05, "the penalty moves the optimum")

        for (name, config) in configurations(sgdRate: 0.1, adamRate: 0.1, steps: 800, weightDecay: Float(wd))
        where config.kind != .adamw {
            let optimizer = Optimizer(config: config, parameterCount: n)
            let x = OptimizerFixtures.minimise(optimizer, from: [Float](repeating: 0, count: n), steps: 800,
                                               segments: segments, gradient: problem.gradient)
            let error = zip(x, ridge).map { abs(Double($0) - $1) }.max()!
            XCTAssertLessThan(error, 1e-6, "\(name): max |x − x*_ridge|")
        }
    }

    func testLogisticRegressionReachesTheIRLSOptimum() throws {
        // HeadTrainer's objective (class-weighted mean log-loss + (λ/2)·Σ s_k²·w_k², bias free) at a fixed λ,
        // solved by Newton/IRLS, versus each optimiser on the same objective in standardised coordinates
        // u_k = s_k·w_k, where the penalty is weight decay λ on u (SGD, Adam) or, for AdamW, the gradient λ·u
        // (its decoupled decay minimises a different objective, so its weightDecay is 0 here).
        let lambda = 1e-2
        let problem = OptimizerFixtures.Logistic(count: 256, lambda: lambda, seed: 21)
        let d = OptimizerFixtures.Logistic.dimension   // 128, as the face encoder's embeddings
        let pairs = (0..<problem.count).map {
            PairFeatures(kind: .absoluteDifference, values: Array(problem.features[($0 * d)..<(($0 + 1) * d)]))
        }
        let head = try HeadTrainer(lambda: lambda, folds: 0, tolerance: 1e-10)
            .fit(features: pairs, labels: problem.labels, encoderFingerprint: "optimizer-test")
        XCTAssertEqual(head.weights.count, d)
        let reference = (weights: head.weights.map(Double.init), bias: Double(head.balancedBias))
        let referenceObjective = problem.objective(weights: reference.weights, bias: reference.bias)
        let positives = problem.labels.filter { $0 }.count
        XCTAssertTrue(positives > problem.count / 2 + 10 && positives < problem.count - 10, "unbalanced, overlapping classes")
        XCTAssertGreaterThan(reference.weights.map(abs).max()!, 0.5, "a non-trivial optimum")

        let segments = [ParameterSegment(offset: 0, count: d, decays: true), ParameterSegment(offset: d, count: 1, decays: false)]
        let steps = 700
        for (name, config) in configurations(sgdRate: 1, adamRate: 0.05, steps: steps, weightDecay: Float(lambda)) {
            var config = config
            let penaltyInGradient = config.kind == .adamw
            if penaltyInGradient { config.weightDecay = 0 }
            let optimizer = Optimizer(config: config, parameterCount: d + 1)
            let theta = OptimizerFixtures.minimise(optimizer, from: [Float](repeating: 0, count: d + 1), steps: steps,
                                                   segments: segments) { t, g in
                problem.gradient(t, g, includePenalty: penaltyInGradient)
            }
            let (w, b) = theta.withUnsafeBufferPointer { problem.headParameters($0) }
            let weightError = zip(w, reference.weights).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(weightError, 5e-6, "\(name): max |w − w_IRLS|")
            XCTAssertEqual(b, reference.bias, accuracy: 5e-6, "\(name): bias")
            // No worse than IRLS up to float rounding of the 129 parameters (observed ≤ 2e-14 above it).
            XCTAssertLessThanOrEqual(problem.objective(weights: w, bias: b), referenceObjective + 1e-12, "\(name): objective")
        }
    }
}
