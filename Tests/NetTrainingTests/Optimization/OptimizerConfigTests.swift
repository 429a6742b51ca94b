import Foundation
import NetTraining
import XCTest

final class OptimizerConfigTests: XCTestCase {
    func testDefaults() throws {
        let config = OptimizerConfig(kind: .adamw, learningRate: 1e-3)
        XCTAssertEqual(config.momentum, 0.9)
        XCTAssertFalse(config.nesterov)
        XCTAssertEqual(config.beta1, 0.9)
        XCTAssertEqual(config.beta2, 0.999)
        XCTAssertEqual(config.epsilon, 1e-8)
        XCTAssertEqual(config.weightDecay, 0)
        XCTAssertNil(config.clipNorm)
        XCTAssertEqual(config.schedule, .constant)
        try config.validate()
    }

    func testValidationNamesTheField() {
        let base = OptimizerConfig(kind: .sgd, learningRate: 0.1)
        var cases: [(String, OptimizerConfig)] = []
        var c = base; c.learningRate = -1; cases.append(("learningRate", c))
        c = base; c.learningRate = .infinity; cases.append(("learningRate", c))
        c = base; c.momentum = 0; c.nesterov = true; cases.append(("Nesterov", c))
        c = base; c.beta1 = 1; cases.append(("beta1", c))
        c = base; c.beta2 = -0.1; cases.append(("beta2", c))
        c = base; c.epsilon = -1e-8; cases.append(("epsilon", c))
        c = base; c.weightDecay = .nan; cases.append(("weightDecay", c))
        c = base; c.clipNorm = 0; cases.append(("clipNorm", c))
        c = base; c.schedule = .step(every: 0, factor: 0.5); cases.append(("every", c))
        for (field, config) in cases {
            XCTAssertThrowsError(try config.validate(), field) { error in
                XCTAssertTrue(String(describing: error).contains(field), "\(error)")
            }
        }
        c = base; c.momentum = 0; XCTAssertNoThrow(try c.validate(), "plain SGD")
    }

    func testCodableRoundTripAndDefaultsWhenDecoding() throws {
        let config = OptimizerConfig(kind: .sgd, learningRate: 0.2, momentum: 0.8, nesterov: true, weightDecay: 5e-4,
                                     clipNorm: 10, schedule: .step(every: 30, factor: 0.1))
        let data = try JSONEncoder().encode(config)
        XCTAssertEqual(try JSONDecoder().decode(OptimizerConfig.self, from: data), config)

        let minimal = try JSONDecoder().decode(OptimizerConfig.self, from: Data(#"{"kind":"adam","learningRate":0.001}"#.utf8))
        XCTAssertEqual(minimal, OptimizerConfig(kind: .adam, learningRate: 0.001))
        XCTAssertThrowsError(try JSONDecoder().decode(OptimizerConfig.self, from: Data(#"{"kind":"adam"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(OptimizerConfig.self, from: Data(#"{"kind":"rmsprop","learningRate":1}"#.utf8)))
    }
}
