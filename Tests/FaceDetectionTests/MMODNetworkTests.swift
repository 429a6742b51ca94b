@testable import FaceDetection
import NetLayers
import SeededRandom
import TestSupport
import XCTest

/// The network's layers through NetLayers' dispatch rule against its all-im2col baseline path. (Each
/// convolution algorithm against the naive reference is NetLayersTests' `ConvolutionAlgorithmsTests`.)
final class MMODNetworkTests: XCTestCase {
    /// A small network of the MMOD net's layer kinds (5×5/2 with few and many inputs, 5×5/1 p2, 9×9 → 1): each
    /// layer gets the algorithm the detector relies on, and the specialised path's score map matches the
    /// all-im2col path's.
    func testSpecialisedPathMatchesGenericPath() {
        var rng = SplitMix64(seed: 42)
        let net = MMODNetwork(convolutions: [Convolution.random(o: 8, i: 3, k: 5, s: 2, p: 0, rng: &rng),
                                             Convolution.random(o: 20, i: 8, k: 5, s: 2, p: 0, rng: &rng),
                                             Convolution.random(o: 12, i: 20, k: 5, s: 2, p: 0, rng: &rng),
                                             Convolution.random(o: 12, i: 12, k: 5, s: 1, p: 2, rng: &rng),
                                             Convolution.random(o: 1, i: 12, k: 9, s: 1, p: 4, rng: &rng)],
                              meanRGB: (0, 0, 0))
        let (h, w) = (77, 111)                                  // score map 7×11: 24 Winograd tiles
        var shape = Shape4(n: 1, c: 3, h: h, w: w)
        var kinds: [Convolution.Algorithm] = []
        for conv in net.convolutions {
            kinds.append(conv.algorithm(for: shape))
            shape = conv.outputShape(for: shape)
        }
        XCTAssertEqual(kinds, [.direct, .direct, .im2col, .winograd, .shifted])
        let pixels = rng.floats(3 * h * w)
        var results: [[Float]] = []
        for path in [MMODNetwork.Path.specialised, .generic] {
            let workspace = MMODWorkspace(scratchLimit: 5000)           // several bands and blocks per layer
            let input = workspace.input.map(Shape4(n: 1, c: 3, h: h, w: w))
            for i in 0..<input.shape.count { input.data[i] = pixels[i] }
            let scores = net.forward(input, workspace: workspace, path: path)
            XCTAssertEqual(scores.shape, net.outputShape(height: h, width: w))
            results.append(Array(UnsafeBufferPointer(start: scores.data, count: scores.shape.count)))
        }
        let scale = results[1].map(abs).max() ?? 1
        XCTAssertGreaterThan(scale, 0.1)
        XCTAssertLessThan(maxAbsDifference(results[0], results[1]), 1e-4 * scale)
    }
}
