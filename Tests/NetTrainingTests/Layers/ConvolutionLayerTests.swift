import LayerGraph
import NetLayers
import NetTraining
import SeededRandom
import XCTest

final class ConvolutionLayerTests: XCTestCase {
    /// Odd sizes, stride 2, padding, rectangular kernels, with and without bias.
    static let cases: [(String, NetworkSpec)] = [
        ("3×3 p1", .test(2, 7, 6, [.conv(3, kernel: 3, padding: 1)])),
        ("3×3/2 p1", .test(3, 9, 7, [.conv(4, kernel: 3, stride: 2, padding: 1)])),
        ("5×3/(2,1) p(2,0) no bias", .test(2, 8, 5, [.convolution(ConvolutionSpec(filters: 3, kernel: (5, 3), stride: (2, 1), padding: (2, 0), bias: false))])),
        ("1×1", .test(4, 3, 5, [.conv(2, kernel: 1)])),
        ("4×4/3 unpadded", .test(1, 11, 10, [.conv(2, kernel: 4, stride: 3)])),
        ("2×2/2 unpadded (stride-2 im2col)", .test(2, 6, 9, [.conv(3, kernel: 2, stride: 2)])),
    ]

    func testBackwardMatchesFiniteDifferences() throws {
        for (name, spec) in Self.cases {
            let n = try GradientCheck().check(spec)
            XCTAssertGreaterThan(n, 20, name)
        }
    }

    /// The fast path against the direct loops (forward by NetLayers' naive reference), forward and backward.
    func testFastPathMatchesNaiveReference() throws {
        for (name, spec) in Self.cases {
            try assertPathsAgree(spec, batch: 5, name: name)
        }
        // A batch large enough to be split into several chunks.
        try assertPathsAgree(.test(3, 12, 12, [.conv(8, kernel: 3, padding: 1)]), batch: 37, name: "37 images")
    }

    func assertPathsAgree(_ spec: NetworkSpec, batch: Int, name: String) throws {
        let fast = try TrainingNetwork(spec: spec, seed: 5)
        let naive = try TrainingNetwork(spec: spec, seed: 5)
        naive.convolutionPath = .naive
        var g = SplitMix64(seed: 8)
        let x = (0..<(batch * spec.input.count)).map { _ in g.symmetricUnit() }
        let r = (0..<(batch * fast.outputCount)).map { _ in g.symmetricUnit() }
        let yf = Array(UnsafeBufferPointer(start: fast.forward(x, count: batch, mode: .training), count: r.count))
        let yn = Array(UnsafeBufferPointer(start: naive.forward(x, count: batch, mode: .training), count: r.count))
        assertClose(yf, yn, tolerance: 1e-5, name + " forward")
        var dxf = [Float](repeating: .nan, count: x.count), dxn = dxf
        fast.backward(outputGradient: r, inputGradient: &dxf)
        naive.backward(outputGradient: r, inputGradient: &dxn)
        assertClose(dxf, dxn, tolerance: 1e-4, name + " dx")
        assertClose(Array(fast.gradients), Array(naive.gradients), tolerance: 1e-4, name + " dW")
    }

    /// The training engine's forward equals NetLayers' inference convolution with the same weights.
    func testForwardEqualsInferenceConvolution() throws {
        let spec = NetworkSpec.test(3, 10, 9, [.conv(5, kernel: 3, stride: 2, padding: 1)])
        let net = try TrainingNetwork(spec: spec, seed: 3)
        var g = SplitMix64(seed: 4)
        var x = (0..<(2 * spec.input.count)).map { _ in g.symmetricUnit() }
        for i in 0..<5 { net.parameters[net.tensors[1].offset + i] = Float(i) * 0.1 }
        let y = Array(UnsafeBufferPointer(start: net.forward(x, count: 2, mode: .evaluation), count: 2 * net.outputCount))
        let conv = Convolution(outputChannels: 5, inputChannels: 3, kernel: (3, 3), stride: (2, 2), padding: (1, 1),
                               weights: net.tensor("layers/000/weights")!, bias: net.tensor("layers/000/bias")!)
        let out = conv.outputShape(for: Shape4(n: 2, c: 3, h: 10, w: 9))
        var ref = [Float](repeating: .nan, count: out.count)
        x.withUnsafeMutableBufferPointer { xb in
            ref.withUnsafeMutableBufferPointer { rb in
                conv.forwardNaive(FeatureMap(shape: Shape4(n: 2, c: 3, h: 10, w: 9), data: xb.baseAddress!),
                                  into: FeatureMap(shape: out, data: rb.baseAddress!))
            }
        }
        assertClose(y, ref, tolerance: 1e-5, "vs NetLayers")
    }
}

/// NaN-aware element-wise comparison: fails on any NaN, on a count mismatch, or a difference above `tolerance`
/// relative to max(1, |reference|).
func assertClose(_ a: [Float], _ b: [Float], tolerance: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
    var worst: Float = 0, worstIndex = -1
    for i in 0..<min(a.count, b.count) {
        if a[i].isNaN || b[i].isNaN { XCTFail("\(what): NaN at \(i) (\(a[i]) vs \(b[i]))", file: file, line: line); return }
        let d = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if d > worst { worst = d; worstIndex = i }
    }
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what): worst difference at \(worstIndex)", file: file, line: line)
}
