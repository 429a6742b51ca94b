import LayerGraph
import NetLayers
import NetTraining
import SeededRandom
import XCTest

final class PoolingLayerTests: XCTestCase {
    static let windows: [(String, PoolSpec)] = [
        ("2×2/2", PoolSpec(kernel: 2, stride: 2)),
        ("3×3/2 overlapping", PoolSpec(kernel: 3, stride: 2)),
        ("3×3/1 p1", PoolSpec(kernel: 3, stride: 1, padding: 1)),
        ("3×2/(2,1) p(1,0)", PoolSpec(kernel: (3, 2), stride: (2, 1), padding: (1, 0))),
        ("global", .global),
    ]

    func testAveragePoolBackwardMatchesFiniteDifferences() throws {
        for (name, w) in Self.windows {
            XCTAssertGreaterThan(try GradientCheck().check(.test(2, 7, 6, [.avgPool(w)])), 10, name)
        }
    }

    /// Distinct inputs (a shuffled ramp, gaps of 0.05 ≫ h) so that no window has a near-tie.
    func testMaxPoolBackwardMatchesFiniteDifferences() throws {
        for (name, w) in Self.windows {
            let spec = NetworkSpec.test(2, 7, 6, [.maxPool(w)])
            var g = SplitMix64(seed: 3)
            var ramp = (0..<(3 * spec.input.count)).map { Float($0) * 0.05 - 3 }
            ramp.shuffle(using: &g)
            XCTAssertGreaterThan(try GradientCheck(h: 1e-3).check(spec, input: ramp), 10, name)
        }
    }

    /// Ties: the gradient goes to the first maximum in row-major window order, once per window.
    func testMaxPoolTiesSendTheGradientToTheFirstMaximum() throws {
        let net = try TrainingNetwork(spec: .test(1, 2, 4, [.maxPool(2, stride: 2)]), seed: 1)
        // Window 1 all equal (first element wins); window 2 has its maximum twice (positions 3 and 6 of the plane).
        let y = Array(UnsafeBufferPointer(start: net.forward([1, 1, 0, 5, 1, 1, 5, 2], count: 1, mode: .training), count: 2))
        XCTAssertEqual(y, [1, 5])
        var dx = [Float](repeating: .nan, count: 8)
        net.backward(outputGradient: [10, 20], inputGradient: &dx)
        XCTAssertEqual(dx, [10, 0, 0, 20, 0, 0, 0, 0])
    }

    /// The engine's forward equals NetLayers' inference pooling (dlib's semantics) for every window.
    func testForwardEqualsInferencePooling() throws {
        for (name, w) in Self.windows {
            for isMax in [true, false] {
                let spec = NetworkSpec.test(3, 7, 6, [isMax ? .maxPool(w) : .avgPool(w)])
                let net = try TrainingNetwork(spec: spec, seed: 1)
                var g = SplitMix64(seed: 2)
                var x = (0..<(2 * spec.input.count)).map { _ in g.symmetricUnit() }
                let y = Array(UnsafeBufferPointer(start: net.forward(x, count: 2, mode: .training), count: 2 * net.outputCount))
                let pool = Pooling(isMax ? .max : .average, kernel: (w.kernelHeight, w.kernelWidth), stride: (w.strideY, w.strideX),
                                   padding: (w.paddingY, w.paddingX))
                let inShape = Shape4(n: 2, c: 3, h: 7, w: 6)
                var ref = [Float](repeating: .nan, count: pool.outputShape(for: inShape).count)
                x.withUnsafeMutableBufferPointer { xb in
                    ref.withUnsafeMutableBufferPointer { rb in
                        pool.forward(FeatureMap(shape: inShape, data: xb.baseAddress!),
                                     into: FeatureMap(shape: pool.outputShape(for: inShape), data: rb.baseAddress!))
                    }
                }
                assertClose(y, ref, tolerance: 1e-6, "\(name) \(isMax ? "max" : "avg")")
            }
        }
    }
}
