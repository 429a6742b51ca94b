import LayerGraph
import NetTraining
import XCTest

final class BatchNormLayerTests: XCTestCase {
    func testTrainingModeBackwardMatchesFiniteDifferences() throws {
        // conv before the norm so the check sees dx through the batch statistics.
        let spec = NetworkSpec.test(2, 5, 4, [.conv(3, kernel: 3, padding: 1, bias: false), .bn])
        XCTAssertGreaterThan(try GradientCheck(batch: 4).check(spec), 50)
    }

    func testEvaluationModeBackwardMatchesFiniteDifferences() throws {
        let spec = NetworkSpec.test(3, 3, 5, [.bn])
        XCTAssertGreaterThan(try GradientCheck(batch: 2, mode: .evaluation).check(spec), 20)
    }

    func testBatchStatisticsAndRunningAverages() throws {
        let spec = NetworkSpec.test(1, 1, 2, [.batchNorm(BatchNormSpec(epsilon: 1e-5, momentum: 0.5))])
        let net = try TrainingNetwork(spec: spec, seed: 1)
        // Batch of 2 images × 2 values: 1, 3, 5, 7 → mean 4, biased variance 5, unbiased 20/3.
        let y = Array(UnsafeBufferPointer(start: net.forward([1, 3, 5, 7], count: 2, mode: .training), count: 4))
        let inv = 1 / (5 + 1e-5 as Float).squareRoot()
        assertClose(y, [-3 * inv, -1 * inv, 1 * inv, 3 * inv], tolerance: 1e-6, "normalised")
        XCTAssertEqual(net.tensor("layers/000/running_mean")![0], 0.5 * 0 + 0.5 * 4, accuracy: 1e-6)
        XCTAssertEqual(net.tensor("layers/000/running_variance")![0], 0.5 * 1 + 0.5 * 20 / 3, accuracy: 1e-5)
        // Evaluation uses the running statistics: (x − 2)/√(1 + 10/3 − … ).
        let rv = net.tensor("layers/000/running_variance")![0]
        let e = Array(UnsafeBufferPointer(start: net.forward([2, 4], count: 1, mode: .evaluation), count: 2))
        assertClose(e, [0, 2 / (rv + 1e-5).squareRoot()], tolerance: 1e-6, "evaluation")
    }
}
