import LayerGraph
import NetTraining
import SeededRandom
import XCTest

final class ElementwiseLayersTests: XCTestCase {
    func testAffineBackwardMatchesFiniteDifferences() throws {
        XCTAssertGreaterThan(try GradientCheck().check(.test(3, 4, 3, [.affine])), 20)
    }

    /// Inputs kept at least 0.1 away from the kink (h = 1e-2).
    func testReLUBackwardMatchesFiniteDifferences() throws {
        let spec = NetworkSpec.test(2, 3, 3, [.relu])
        var g = SplitMix64(seed: 4)
        let x = (0..<(3 * spec.input.count)).map { _ -> Float in let v = g.symmetricUnit(); return v < 0 ? v - 0.1 : v + 0.1 }
        XCTAssertGreaterThan(try GradientCheck().check(spec, input: x), 20)
    }

    func testReLUSubgradientAtZeroIsZero() throws {
        let net = try TrainingNetwork(spec: .test(1, 1, 3, [.relu]), seed: 1)
        _ = net.forward([0, -1, 2], count: 1, mode: .training)
        var dx = [Float](repeating: .nan, count: 3)
        net.backward(outputGradient: [5, 5, 5], inputGradient: &dx)
        XCTAssertEqual(dx, [0, 0, 5])
    }

    func testFlattenAndFullyConnectedBackwardMatchFiniteDifferences() throws {
        XCTAssertGreaterThan(try GradientCheck().check(.test(2, 3, 2, [.flatten, .fc(5)])), 40)
        XCTAssertGreaterThan(try GradientCheck().check(.test(2, 3, 2, [.fc(4, bias: false)])), 30)
    }

    func testL2NormalizeBackwardMatchesFiniteDifferences() throws {
        XCTAssertGreaterThan(try GradientCheck(h: 1e-3).check(.test(5, 1, 1, [.l2Normalize])), 10)
        let net = try TrainingNetwork(spec: .test(2, 1, 1, [.l2Normalize]), seed: 1)
        let y = Array(UnsafeBufferPointer(start: net.forward([3, 4], count: 1, mode: .training), count: 2))
        assertClose(y, [0.6, 0.8], tolerance: 1e-7, "unit length")
    }
}
