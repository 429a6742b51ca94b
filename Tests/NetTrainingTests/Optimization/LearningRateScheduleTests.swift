import Foundation
import NetTraining
import XCTest

final class LearningRateScheduleTests: XCTestCase {
    func testConstant() {
        for s in [0, 1, 1000] { XCTAssertEqual(LearningRateSchedule.constant.factor(atStep: s), 1) }
    }

    func testStepDecay() {
        let schedule = LearningRateSchedule.step(every: 3, factor: 0.5)
        let factors = [0, 2, 3, 5, 6, 9, 30].map { schedule.factor(atStep: $0) }
        XCTAssertEqual(factors, [1, 1, 0.5, 0.5, 0.25, 0.125, 1.0 / 1024])
    }

    func testCosineWithWarmUp() {
        // Warm-up 4 steps (0, ¼, ½, ¾), then cosine from 1 at step 4 to 0.1 at step 12, held after.
        let schedule = LearningRateSchedule.cosine(warmupSteps: 4, totalSteps: 12, minimumFactor: 0.1)
        let expected: [(Int, Double)] = [
            (0, 0), (1, 0.25), (2, 0.5), (3, 0.75), (4, 1),
            (6, 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi / 4))),   // ≈ 0.868
            (8, 0.55),                                        // half-way: the mean of 1 and 0.1
            (10, 0.1 + 0.9 * 0.5 * (1 - cos(Double.pi / 4))),  // ≈ 0.232
            (12, 0.1), (13, 0.1), (1_000_000, 0.1),
        ]
        for (step, value) in expected {
            XCTAssertEqual(Double(schedule.factor(atStep: step)), value, accuracy: 1e-6, "step \(step)")
        }
        let decay = (4...12).map { schedule.factor(atStep: $0) }
        XCTAssertEqual(decay, decay.sorted(by: >), "monotone after the warm-up")
    }

    func testCosineWithoutWarmUpStartsAtTheFullRate() {
        let schedule = LearningRateSchedule.cosine(warmupSteps: 0, totalSteps: 10, minimumFactor: 0)
        XCTAssertEqual(schedule.factor(atStep: 0), 1)
        XCTAssertEqual(Double(schedule.factor(atStep: 5)), 0.5, accuracy: 1e-7)
        XCTAssertEqual(schedule.factor(atStep: 10), 0)
    }

    func testOptimizerFollowsTheSchedule() {
        let config = OptimizerConfig(kind: .adam, learningRate: 0.4,
                                     schedule: .cosine(warmupSteps: 4, totalSteps: 12, minimumFactor: 0.1))
        let optimizer = Optimizer(config: config, parameterCount: 1)
        var theta: [Float] = [0]
        for step in 0..<14 {
            XCTAssertEqual(optimizer.currentLearningRate, 0.4 * config.schedule.factor(atStep: step))
            let before = theta[0]
            var grad: [Float] = [-1]   // constant gradient: every Adam step moves θ by exactly the rate
            optimizer.update(parameters: &theta, gradients: &grad, segments: [])
            XCTAssertEqual(Double(theta[0] - before), Double(0.4 * config.schedule.factor(atStep: step)), accuracy: 2e-6)
        }
    }

    func testValidation() {
        XCTAssertNoThrow(try LearningRateSchedule.step(every: 1, factor: 0.1).validate())
        XCTAssertNoThrow(try LearningRateSchedule.cosine(warmupSteps: 0, totalSteps: 1, minimumFactor: 1).validate())
        for bad: LearningRateSchedule in [.step(every: 0, factor: 0.5), .step(every: 2, factor: 0), .step(every: 2, factor: .nan),
                                          .cosine(warmupSteps: 5, totalSteps: 5, minimumFactor: 0),
                                          .cosine(warmupSteps: -1, totalSteps: 5, minimumFactor: 0),
                                          .cosine(warmupSteps: 0, totalSteps: 5, minimumFactor: 1.5)] {
            XCTAssertThrowsError(try bad.validate(), "\(bad)") { error in
                guard case .invalidConfiguration = error as? OptimizerError else { return XCTFail("\(error)") }
            }
        }
        // Invalid schedules still give finite factors (no trap in the training loop).
        XCTAssertEqual(LearningRateSchedule.step(every: 0, factor: 0.5).factor(atStep: 10), 1)
        XCTAssertEqual(LearningRateSchedule.cosine(warmupSteps: 5, totalSteps: 5, minimumFactor: 0.2).factor(atStep: 7), 0.2)
    }

    func testCodableRoundTrip() throws {
        for schedule: LearningRateSchedule in [.constant, .step(every: 7, factor: 0.3),
                                               .cosine(warmupSteps: 100, totalSteps: 5000, minimumFactor: 0.01)] {
            let data = try JSONEncoder().encode(schedule)
            XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: data), schedule)
        }
    }
}
