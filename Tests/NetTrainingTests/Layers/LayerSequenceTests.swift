import LayerGraph
import NetTraining
import XCTest

final class LayerSequenceTests: XCTestCase {
    /// Identity shortcut; projection shortcut; dlib's zero-padded add (down-sampling body, avg-pool shortcut with fewer channels).
    func testResidualBackwardMatchesFiniteDifferences() throws {
        let identity = NetworkSpec.test(2, 5, 5, [.residual(body: [.conv(2, kernel: 3, padding: 1), .affine], shortcut: [])])
        let projection = NetworkSpec.test(2, 6, 6, [.residual(body: [.conv(3, kernel: 3, stride: 2, padding: 1)],
                                                              shortcut: [.conv(3, kernel: 1, stride: 2)])])
        let dlibDown = NetworkSpec.test(2, 6, 6, [.residual(body: [.conv(4, kernel: 3, stride: 2), .affine],
                                                            shortcut: [.avgPool(2, stride: 2)])])
        for (name, spec) in [("identity", identity), ("projection", projection), ("zero-padded", dlibDown)] {
            XCTAssertGreaterThan(try GradientCheck().check(spec), 20, name)
        }
        // The add_prev shape rule: body [4, 2, 2], shortcut [2, 3, 3] → [4, 3, 3].
        XCTAssertEqual(try dlibDown.outputShape(), ImageShape(c: 4, h: 3, w: 3))
    }

    /// A whole small network: conv, batch norm, relu, max pool, residual, global average pool, fc, L2 normalisation.
    func testSmallNetworkBackwardMatchesFiniteDifferences() throws {
        let spec = NetworkSpec.test(1, 9, 9, [
            .conv(4, kernel: 3, padding: 1, bias: false), .bn, .relu, .maxPool(2, stride: 2),
            .residual(body: [.conv(4, kernel: 3, padding: 1, bias: false), .bn, .relu, .conv(4, kernel: 3, padding: 1)], shortcut: []),
            .relu, .avgPool(.global), .flatten, .fc(3), .l2Normalize,
        ])
        XCTAssertGreaterThan(try GradientCheck(batch: 4, h: 1e-3, atol: 3e-3, rtol: 3e-2, maxChecks: 300).check(spec, seed: 11), 200)
    }
}
