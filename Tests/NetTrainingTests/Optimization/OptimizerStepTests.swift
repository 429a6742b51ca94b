import NetTraining
import XCTest

/// Hand-computed first steps of each rule, weight decay per segment, and clipping.
final class OptimizerStepTests: XCTestCase {
    /// Applies `gradients` (one array per step, each `[n]`) to `start` `[n]` and returns the parameters after each step.
    private func run(_ config: OptimizerConfig, start: [Float], gradients: [[Float]],
                     segments: [ParameterSegment] = []) -> (trajectory: [[Float]], optimizer: Optimizer) {
        let optimizer = Optimizer(config: config, parameterCount: start.count)
        var theta = start
        var trajectory: [[Float]] = []
        for g in gradients {
            var gradient = g
            optimizer.update(parameters: &theta, gradients: &gradient, segments: segments)
            trajectory.append(theta)
        }
        return (trajectory, optimizer)
    }

    private func assertClose(_ a: [Float], _ b: [Double], accuracy: Double = 1e-6, _ message: String = "",
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(Double(x), y, accuracy: accuracy, "\(message) [\(i)]", file: file, line: line)
        }
    }

    private let start: [Float] = [1, -2, 0.5]
    private let g: [Float] = [0.5, 1, -2]

    func testSGDMomentumFirstTwoSteps() {
        // v₁ = g, θ₁ = θ₀ − 0.1·g; v₂ = 0.9·g + g = 1.9·g, θ₂ = θ₁ − 0.19·g.
        let (t, opt) = run(OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9), start: start, gradients: [g, g])
        assertClose(t[0], [0.95, -2.1, 0.7], "step 1")
        assertClose(t[1], [0.855, -2.29, 1.08], "step 2")
        assertClose(opt.stateTensors["velocity"]!, [0.95, 1.9, -3.8], "velocity")
        XCTAssertEqual(opt.step, 2)
    }

    func testSGDNesterovFirstTwoSteps() {
        // Direction g + μ·v: step 1 (v = g) 1.9·g; step 2 (v = 1.9·g) g + 0.9·1.9·g = 2.71·g.
        let (t, _) = run(OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true),
                         start: start, gradients: [g, g])
        assertClose(t[0], [0.905, -2.19, 0.88], "step 1")
        assertClose(t[1], [0.7695, -2.461, 1.422], "step 2")
    }

    func testPlainSGDWithoutMomentum() {
        let (t, _) = run(OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0), start: start, gradients: [g, g])
        assertClose(t[1], [0.5, -3, 2.5])
    }

    func testAdamFirstStepIsLearningRateTimesSign() {
        // m̂₁ = g, v̂₁ = g²: θ₁ = θ₀ − lr·g/(|g| + ε); a zero gradient leaves its parameter alone.
        let (t, opt) = run(OptimizerConfig(kind: .adam, learningRate: 0.01), start: start + [3], gradients: [g + [0]])
        assertClose(t[0], [0.99, -2.01, 0.51, 3], accuracy: 3e-7)
        // β's are stored as floats: 1 − Float(0.999) = 0.00099998713 (β₂ differs from 0.999 by 1.3e-8).
        let (a1, a2) = (1 - Double(Float(0.9)), 1 - Double(Float(0.999)))
        assertClose(opt.stateTensors["m"]!, [0.5 * a1, a1, -2 * a1, 0], accuracy: 1e-9, "m = (1 − β₁)·g")
        assertClose(opt.stateTensors["v"]!, [0.25 * a2, a2, 4 * a2, 0], accuracy: 1e-10, "v = (1 − β₂)·g²")
    }

    func testAdamSecondStepMatchesTextbookFormula() {
        let g2: [Float] = [-0.25, 3, 0.125]
        let lr = 0.02, b1 = 0.8, b2 = 0.99, eps = 1e-3
        let config = OptimizerConfig(kind: .adam, learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps))
        let (t, _) = run(config, start: start, gradients: [g, g2])
        var expected: [Double] = []
        for k in 0..<3 {
            var theta = Double(start[k]), m = 0.0, v = 0.0
            for (step, grad) in [Double(g[k]), Double(g2[k])].enumerated() {
                m = b1 * m + (1 - b1) * grad
                v = b2 * v + (1 - b2) * grad * grad
                let mHat = m / (1 - pow(b1, Double(step + 1))), vHat = v / (1 - pow(b2, Double(step + 1)))
                theta -= lr * mHat / (vHat.squareRoot() + eps)
            }
            expected.append(theta)
        }
        assertClose(t[1], expected, accuracy: 1e-6)
        // ε matters here: with ε = 1e-3 the first step is visibly smaller than lr for the small |g| = 0.5.
        XCTAssertEqual(Double(t[0][0]), 1 - lr * 0.5 / (0.5 + eps), accuracy: 1e-7)
    }

    func testCoupledAndDecoupledWeightDecayDiffer() {
        // θ = 2, g = ±0.1, wd = 0.5, lr = 0.1; elements 0, 1 decay, element 2 lies outside every segment.
        // Adam:  g + wd·θ = (1.1, 0.9) → a positive step of lr for both: 1.9, 1.9.
        // AdamW: θ·(1 − lr·wd) = 1.9, then −lr·sign(g): 1.8, 2.0. Element 2: 2 + 0.1 in both.
        let segments = [ParameterSegment(offset: 0, count: 2, decays: true)]
        let theta: [Float] = [2, 2, 2], grad: [Float] = [0.1, -0.1, -0.1]
        let adam = run(OptimizerConfig(kind: .adam, learningRate: 0.1, weightDecay: 0.5), start: theta,
                       gradients: [grad], segments: segments).trajectory[0]
        let adamW = run(OptimizerConfig(kind: .adamw, learningRate: 0.1, weightDecay: 0.5), start: theta,
                        gradients: [grad], segments: segments).trajectory[0]
        assertClose(adam, [1.9, 1.9, 2.1], accuracy: 1e-6, "Adam (L2 in the gradient)")
        assertClose(adamW, [1.8, 2.0, 2.1], accuracy: 1e-6, "AdamW (decoupled)")
    }

    func testAdamWDecayUsesTheScheduledLearningRate() {
        // Step schedule ×0.5 every step: the second update's decay factor is 1 − (0.1·0.5)·0.5.
        let config = OptimizerConfig(kind: .adamw, learningRate: 0.1, weightDecay: 0.5, schedule: .step(every: 1, factor: 0.5))
        let t = run(config, start: [2], gradients: [[0], [0]], segments: [ParameterSegment(offset: 0, count: 1, decays: true)])
            .trajectory
        assertClose(t[0], [2 * 0.95])
        assertClose(t[1], [2 * 0.95 * 0.975])
    }

    func testSGDWeightDecayOnlyOnDecayingSegments() {
        // Zero gradient: only the L2 term wd·θ moves decaying elements (θ − lr·wd·θ = 1 − 0.5·0.1 = 0.95).
        // Segments out of order; element 3 is outside every segment (no decay); element 4 in a non-decaying one.
        let segments = [ParameterSegment(offset: 4, count: 1, decays: false), ParameterSegment(offset: 0, count: 2, decays: true),
                        ParameterSegment(offset: 2, count: 1, decays: true)]
        let (t, opt) = run(OptimizerConfig(kind: .sgd, learningRate: 0.5, momentum: 0.9, weightDecay: 0.1),
                           start: [1, 1, 1, 1, 1], gradients: [[0, 0, 0, 0, 0]], segments: segments)
        assertClose(t[0], [0.95, 0.95, 0.95, 1, 1])
        assertClose(opt.stateTensors["velocity"]!, [0.1, 0.1, 0.1, 0, 0])
    }

    func testClippingScalesTheGradientAndReturnsTheNorm() {
        let optimizer = Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 1, momentum: 0, clipNorm: 1), parameterCount: 2)
        var theta: [Float] = [0, 0], grad: [Float] = [3, 4]
        XCTAssertEqual(optimizer.update(parameters: &theta, gradients: &grad, segments: []), 5, accuracy: 1e-6)
        assertClose(grad, [0.6, 0.8], "gradient clipped in place")
        assertClose(theta, [-0.6, -0.8])

        var small: [Float] = [0.3, 0.4]
        XCTAssertEqual(optimizer.update(parameters: &theta, gradients: &small, segments: []), 0.5, accuracy: 1e-6)
        XCTAssertEqual(small, [0.3, 0.4], "below the limit: untouched")
        assertClose(theta, [-0.9, -1.2])
    }

    func testClippingHappensBeforeWeightDecay() {
        // Clipped g = (0.6, 0.8), plus wd·θ = (1, 1): θ = 10 − (1.6, 1.8). Decay first would clip (4, 5) instead.
        let config = OptimizerConfig(kind: .sgd, learningRate: 1, momentum: 0, weightDecay: 0.1, clipNorm: 1)
        let (t, _) = run(config, start: [10, 10], gradients: [[3, 4]], segments: [ParameterSegment(offset: 0, count: 2, decays: true)])
        assertClose(t[0], [8.4, 8.2], accuracy: 1e-5)
    }

    func testNormIsAccumulatedInDouble() {
        // 1e8 + 10⁶·0.01: float accumulation (sequential or 8-lane) loses some or all of the small terms.
        var grad = [Float](repeating: 0.1, count: 1_000_001)
        grad[0] = 10_000
        var theta = [Float](repeating: 0, count: grad.count)
        let optimizer = Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 0), parameterCount: grad.count)
        let norm = optimizer.update(parameters: &theta, gradients: &grad, segments: [])
        XCTAssertEqual(Double(norm), (1e8 + 1e6 * Double(Float(0.1)) * Double(Float(0.1))).squareRoot(), accuracy: 2e-3)
    }

    func testNonFiniteNormIsReportedAndNotClipped() {
        let optimizer = Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 0.1, clipNorm: 1), parameterCount: 2)
        var theta: [Float] = [0, 0], grad: [Float] = [.infinity, 1]
        XCTAssertEqual(optimizer.update(parameters: &theta, gradients: &grad, segments: []), .infinity)
        XCTAssertEqual(grad, [.infinity, 1])
    }

    func testScheduledLearningRateDrivesTheUpdates() {
        // lr 0.2 halved every 2 steps; g = 1, no momentum: θ decreases by 0.2, 0.2, 0.1, 0.1, 0.05.
        let config = OptimizerConfig(kind: .sgd, learningRate: 0.2, momentum: 0, schedule: .step(every: 2, factor: 0.5))
        let optimizer = Optimizer(config: config, parameterCount: 1)
        var theta: [Float] = [1]
        var rates: [Float] = []
        for _ in 0..<5 {
            rates.append(optimizer.currentLearningRate)
            var grad: [Float] = [1]
            optimizer.update(parameters: &theta, gradients: &grad, segments: [])
        }
        XCTAssertEqual(rates, [0.2, 0.2, 0.1, 0.1, 0.05])
        XCTAssertEqual(Double(theta[0]), 1 - 0.65, accuracy: 1e-6)
        XCTAssertEqual(optimizer.currentLearningRate, 0.05)
    }
}

