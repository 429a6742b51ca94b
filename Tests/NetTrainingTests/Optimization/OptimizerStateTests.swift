import NetTraining
import XCTest

/// Checkpointing: `stateTensors` + `step` → `restore` continues bitwise identically; bad state is refused.
final class OptimizerStateTests: XCTestCase {
    private let problem = OptimizerFixtures.LeastSquares(rows: 30, columns: 6, seed: 3)
    private let segments = [ParameterSegment(offset: 0, count: 4, decays: true)]

    private func configuration(_ kind: OptimizerKind) -> OptimizerConfig {
        OptimizerConfig(kind: kind, learningRate: 0.05, nesterov: kind == .sgd, weightDecay: 0.01, clipNorm: 2,
                        schedule: .cosine(warmupSteps: 3, totalSteps: 20, minimumFactor: 0.1))
    }

    /// `steps` updates of `optimizer` on the least-squares problem from `theta` `[6]`.
    private func advance(_ optimizer: Optimizer, _ theta: [Float], steps: Int) -> [Float] {
        OptimizerFixtures.minimise(optimizer, from: theta, steps: steps, segments: segments, gradient: problem.gradient)
    }

    func testRestoreContinuesBitwiseIdentically() throws {
        for kind in OptimizerKind.allCases {
            let config = configuration(kind)
            let uninterrupted = Optimizer(config: config, parameterCount: problem.columns)
            let midway = advance(uninterrupted, [Float](repeating: 0.5, count: problem.columns), steps: 7)
            let (savedStep, savedState) = (uninterrupted.step, uninterrupted.stateTensors)
            XCTAssertEqual(savedStep, 7)
            XCTAssertEqual(Set(savedState.keys), Set(Optimizer.stateTensorNames(for: kind)))
            let expected = advance(uninterrupted, midway, steps: 8)

            let resumed = Optimizer(config: config, parameterCount: problem.columns)
            try resumed.restore(step: savedStep, stateTensors: savedState)
            XCTAssertEqual(resumed.step, 7)
            XCTAssertEqual(resumed.stateTensors, savedState)
            XCTAssertEqual(resumed.currentLearningRate, config.learningRate * config.schedule.factor(atStep: 7))
            let continued = advance(resumed, midway, steps: 8)
            XCTAssertEqual(continued.map(\.bitPattern), expected.map(\.bitPattern), "\(kind): bitwise continuation")
            XCTAssertEqual(resumed.stateTensors, uninterrupted.stateTensors, "\(kind): state")

            // Without the restored state the continuation differs (so the comparison above is meaningful).
            let fresh = advance(Optimizer(config: config, parameterCount: problem.columns), midway, steps: 8)
            XCTAssertNotEqual(fresh.map(\.bitPattern), expected.map(\.bitPattern), "\(kind): fresh optimiser differs")
            // Restoring the moments but not the step (bias corrections, schedule) differs too.
            let wrongStep = Optimizer(config: config, parameterCount: problem.columns)
            try wrongStep.restore(step: 0, stateTensors: savedState)
            XCTAssertNotEqual(advance(wrongStep, midway, steps: 8).map(\.bitPattern), expected.map(\.bitPattern),
                              "\(kind): step matters")
        }
    }

    func testRestoreRefusesWrongSizedState() {
        let adam = Optimizer(config: configuration(.adam), parameterCount: 6)
        let good = adam.stateTensors
        var short = good
        short["v"] = [Float](repeating: 0, count: 5)
        XCTAssertThrowsError(try adam.restore(step: 3, stateTensors: short)) { error in
            XCTAssertEqual(error as? OptimizerError, .wrongStateSize(name: "v", expected: 6, found: 5))
            let text = String(describing: error)
            XCTAssertFalse(text.contains("\n"))
            XCTAssertTrue(text.contains("'v'") && text.contains("5") && text.contains("6"), text)
        }
        XCTAssertEqual(adam.step, 0, "a refused restore changes nothing")

        let sgd = Optimizer(config: configuration(.sgd), parameterCount: 6)
        XCTAssertThrowsError(try sgd.restore(step: 1, stateTensors: ["velocity": [Float](repeating: 0, count: 7)])) {
            XCTAssertEqual($0 as? OptimizerError, .wrongStateSize(name: "velocity", expected: 6, found: 7))
        }
    }

    func testRestoreRefusesMissingUnexpectedOrInvalidState() {
        let adam = Optimizer(config: configuration(.adamw), parameterCount: 6)
        let zeros = [Float](repeating: 0, count: 6)
        func refusal(_ step: Int, _ state: [String: [Float]]) -> OptimizerError? {
            do { try adam.restore(step: step, stateTensors: state); return nil } catch { return error }
        }
        XCTAssertEqual(refusal(1, ["m": zeros]), .missingState(name: "v", expected: ["m", "v"]))
        XCTAssertEqual(refusal(1, ["velocity": zeros]), .missingState(name: "m", expected: ["m", "v"]))
        XCTAssertEqual(refusal(1, ["m": zeros, "v": zeros, "velocity": zeros]),
                       .unexpectedState(name: "velocity", expected: ["m", "v"]))
        XCTAssertEqual(refusal(-1, ["m": zeros, "v": zeros]), .invalidStep(-1))
        var nan = zeros
        nan[4] = .nan
        XCTAssertEqual(refusal(1, ["m": nan, "v": zeros]), .invalidStateValue(name: "m", index: 4))
        var negative = zeros
        negative[2] = -1
        XCTAssertEqual(refusal(1, ["m": negative, "v": negative]), .invalidStateValue(name: "v", index: 2))
        XCTAssertNil(refusal(5, ["m": negative, "v": zeros]), "negative first moments are fine")
        XCTAssertEqual(adam.step, 5)
    }
}
