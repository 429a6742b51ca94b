@testable import FaceDetection
import NetLayers
import XCTest

/// The detector's own convolution paths (`BandedConvolution`, `ShiftedConvolution`) against NetLayers' naive
/// reference, on the MMOD net's kinds of layers and odd sizes, with bands forced small.
final class ConvolutionPathsTests: XCTestCase {
    private var seed: UInt64 = 0x9E3779B97F4A7C15
    private func random() -> Float {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: seed >> 11) % 2001 - 1000) / 1000
    }

    private func layer(o: Int, i: Int, k: Int, s: Int, p: Int) -> Convolution {
        Convolution(outputChannels: o, inputChannels: i, kernel: (k, k), stride: (s, s), padding: (p, p),
                    weights: (0..<(o * i * k * k)).map { _ in random() }, bias: (0..<o).map { _ in random() })
    }

    private func check(_ conv: Convolution, h: Int, w: Int, relu: Bool, shifted: Bool, scratchLimit: Int,
                       file: StaticString = #filePath, line: UInt = #line) {
        let shape = Shape4(n: 1, c: conv.inputChannels, h: h, w: w)
        var input = Tensor4(shape: shape, values: (0..<shape.count).map { _ in random() })   // [1, I, h, w]
        let outShape = conv.outputShape(for: input.shape)
        var expected = Tensor4(zeros: outShape), actual = Tensor4(zeros: outShape)
        let scratch = FloatBuffer()
        input.withFeatureMap { x in
            expected.withFeatureMap { conv.forwardNaive(x, into: $0, epilogue: relu ? .relu : .none) }
            actual.withFeatureMap { y in
                if shifted {
                    ShiftedConvolution(conv).forward(x, into: y, relu: relu, scratch: scratch, scratchLimit: scratchLimit)
                } else {
                    BandedConvolution(conv).forward(x, into: y, relu: relu, scratch: scratch, scratchLimit: scratchLimit)
                }
            }
        }
        var maxDiff: Float = 0
        for (a, b) in zip(expected.values, actual.values) { maxDiff = max(maxDiff, abs(a - b)) }
        XCTAssertLessThan(maxDiff, 1e-4, "\(conv.kernelHeight)×\(conv.kernelWidth)/\(conv.strideY) on \(h)×\(w)", file: file, line: line)
    }

    func testBandedMatchesNaive() {
        for (h, w) in [(23, 37), (9, 9), (40, 17)] {
            check(layer(o: 4, i: 3, k: 5, s: 2, p: 0), h: h, w: w, relu: true, shifted: false, scratchLimit: 1 << 20)
            check(layer(o: 5, i: 3, k: 5, s: 2, p: 0), h: h, w: w, relu: false, shifted: false, scratchLimit: 200)  // 1-row bands
            check(layer(o: 6, i: 7, k: 5, s: 1, p: 2), h: h, w: w, relu: true, shifted: false, scratchLimit: 4000)
            check(layer(o: 2, i: 3, k: 3, s: 3, p: 1), h: h, w: w, relu: true, shifted: false, scratchLimit: 1 << 20)
        }
    }

    func testShiftedMatchesNaive() {
        for (h, w) in [(23, 37), (5, 6), (40, 17)] {
            check(layer(o: 1, i: 6, k: 9, s: 1, p: 4), h: h, w: w, relu: false, shifted: true, scratchLimit: 1 << 20)
            check(layer(o: 1, i: 6, k: 9, s: 1, p: 4), h: h, w: w, relu: false, shifted: true, scratchLimit: 81 * 60)
            check(layer(o: 3, i: 4, k: 5, s: 1, p: 2), h: h, w: w, relu: true, shifted: true, scratchLimit: 1 << 20)
            check(layer(o: 2, i: 3, k: 3, s: 1, p: 0), h: h, w: w, relu: true, shifted: true, scratchLimit: 100)
        }
    }

    func testShiftedFormIsChosenForTheFinalLayerOnly() {
        XCTAssertTrue(MMODNetwork.usesShiftedForm(layer(o: 1, i: 45, k: 9, s: 1, p: 4)))
        XCTAssertFalse(MMODNetwork.usesShiftedForm(layer(o: 45, i: 45, k: 5, s: 1, p: 2)))
        XCTAssertFalse(MMODNetwork.usesShiftedForm(layer(o: 16, i: 3, k: 5, s: 2, p: 0)))
    }
}
