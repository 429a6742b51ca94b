@testable import FaceDetection
import NetLayers
import TestSupport
import XCTest

/// The detector's own convolution forms (`Winograd5x5Convolution`, `DirectConvolution`, `ShiftedConvolution`) against NetLayers'
/// naive reference, on the MMOD net's kinds of layers and odd sizes, with bands and blocks forced small; and
/// the whole network's specialised path against its generic one.
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

    private enum Form { case shifted, winograd, direct }

    private func check(_ conv: Convolution, h: Int, w: Int, relu: Bool, form: Form, scratchLimit: Int,
                       tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        let shape = Shape4(n: 1, c: conv.inputChannels, h: h, w: w)
        var input = Tensor4(shape: shape, values: (0..<shape.count).map { _ in random() })   // [1, I, h, w]
        let outShape = conv.outputShape(for: input.shape)
        var expected = Tensor4(zeros: outShape)
        var actual = Tensor4(shape: outShape, values: [Float](repeating: .nan, count: outShape.count))   // catches unwritten
        let scratch = FloatBuffer()
        input.withFeatureMap { x in
            expected.withFeatureMap { conv.forwardNaive(x, into: $0, epilogue: relu ? .relu : .none) }
            actual.withFeatureMap { y in
                switch form {
                case .shifted:
                    ShiftedConvolution(conv).forward(x, into: y, relu: relu, scratch: scratch, scratchLimit: scratchLimit)
                case .winograd:
                    Winograd5x5Convolution(conv).forward(x, into: y, relu: relu, scratch: scratch, scratchLimit: scratchLimit)
                case .direct:
                    DirectConvolution(conv).forward(x, into: y, relu: relu, staging: scratch)
                }
            }
        }
        assertMatches(actual.values, expected.values, tolerance: tolerance,
                      "\(conv.kernelHeight)×\(conv.kernelWidth)/\(conv.strideY) on \(h)×\(w)", file: file, line: line)
    }

    /// Sizes: odd and even, narrower than one SIMD chunk of tiles (w < 16), a single tile (1×1, 2×2), the MMOD
    /// net's 1/8-resolution plane width (117); limits: everything in one block, and one tile row per block.
    func testWinogradMatchesNaive() {
        for (h, w) in [(23, 37), (1, 1), (2, 2), (6, 5), (31, 117), (40, 17)] {
            for limit in [1 << 20, 1] {
                check(layer(o: 6, i: 7, k: 5, s: 1, p: 2), h: h, w: w, relu: true, form: .winograd, scratchLimit: limit)
                check(layer(o: 9, i: 3, k: 5, s: 1, p: 2), h: h, w: w, relu: false, form: .winograd, scratchLimit: limit)
            }
        }
        // The MMOD net's channel counts, blocks of a few tile rows (36·(45 + 45)·Tw floats per tile row).
        check(layer(o: 45, i: 45, k: 5, s: 1, p: 2), h: 31, w: 60, relu: true, form: .winograd,
              scratchLimit: 3 * 36 * 90 * 30, tolerance: 1e-3)
    }

    /// Output widths below, at and above one 24-column chunk, channel counts that are not multiples of the
    /// 4-channel block, even and odd input sizes (an odd one leaves the last input row and column unused).
    func testDirectMatchesNaive() {
        for (h, w) in [(5, 5), (23, 37), (9, 53), (40, 17), (30, 100)] {
            check(layer(o: 16, i: 3, k: 5, s: 2, p: 0), h: h, w: w, relu: true, form: .direct, scratchLimit: 0)
            check(layer(o: 7, i: 5, k: 5, s: 2, p: 0), h: h, w: w, relu: false, form: .direct, scratchLimit: 0)
            check(layer(o: 2, i: 16, k: 5, s: 2, p: 0), h: h, w: w, relu: true, form: .direct, scratchLimit: 0)
        }
        // A wide input: several bands of output rows.
        let wide = layer(o: 6, i: 16, k: 5, s: 2, p: 0), wideShape = Shape4(n: 1, c: 16, h: 40, w: 400)
        XCTAssertLessThan(DirectConvolution(wide).rowsPerBand(for: wideShape), wide.outputShape(for: wideShape).h / 2)
        check(wide, h: 40, w: 400, relu: true, form: .direct, scratchLimit: 0)
        XCTAssertTrue(DirectConvolution.admits(layer(o: 16, i: 3, k: 5, s: 2, p: 0)))
        XCTAssertFalse(DirectConvolution.admits(layer(o: 16, i: 3, k: 5, s: 1, p: 2)))
        XCTAssertFalse(DirectConvolution.admits(layer(o: 16, i: 3, k: 3, s: 2, p: 0)))
    }

    /// The result does not depend on the blocking (only the block count changes).
    func testWinogradPlanBlocksWholeTileRows() {
        let form = Winograd5x5Convolution(layer(o: 4, i: 3, k: 5, s: 1, p: 2))
        let perRow = 36 * 7 * 10                                   // 36·(I + O)·Tw for a 20-wide plane
        XCTAssertEqual(form.plan(height: 19, width: 20, scratchLimit: 1).tileRowsPerBlock, 1)
        XCTAssertEqual(form.plan(height: 19, width: 20, scratchLimit: 3 * perRow).tileRowsPerBlock, 3)
        XCTAssertEqual(form.plan(height: 19, width: 20, scratchLimit: 1 << 30).tileRowsPerBlock, 10)
        XCTAssertTrue(Winograd5x5Convolution.admits(layer(o: 45, i: 45, k: 5, s: 1, p: 2)))
        XCTAssertFalse(Winograd5x5Convolution.admits(layer(o: 16, i: 3, k: 5, s: 2, p: 0)))
        XCTAssertFalse(Winograd5x5Convolution.admits(layer(o: 1, i: 45, k: 9, s: 1, p: 4)))
    }

    func testShiftedMatchesNaive() {
        for (h, w) in [(23, 37), (5, 6), (40, 17)] {
            check(layer(o: 1, i: 6, k: 9, s: 1, p: 4), h: h, w: w, relu: false, form: .shifted, scratchLimit: 1 << 20)
            check(layer(o: 1, i: 6, k: 9, s: 1, p: 4), h: h, w: w, relu: false, form: .shifted, scratchLimit: 81 * 60)
            check(layer(o: 3, i: 4, k: 5, s: 1, p: 2), h: h, w: w, relu: true, form: .shifted, scratchLimit: 1 << 20)
            check(layer(o: 2, i: 3, k: 3, s: 1, p: 0), h: h, w: w, relu: true, form: .shifted, scratchLimit: 100)
        }
    }

    func testShiftedFormIsChosenForTheFinalLayerOnly() {
        XCTAssertTrue(MMODNetwork.usesShiftedForm(layer(o: 1, i: 45, k: 9, s: 1, p: 4)))
        XCTAssertFalse(MMODNetwork.usesShiftedForm(layer(o: 45, i: 45, k: 5, s: 1, p: 2)))
        XCTAssertFalse(MMODNetwork.usesShiftedForm(layer(o: 16, i: 3, k: 5, s: 2, p: 0)))
    }

    /// A small network of the MMOD net's layer kinds (5×5/2 with few and many inputs, 5×5/1 p2, 9×9 → 1): each
    /// layer gets its form, and
    /// the specialised path's score map matches the generic im2col path's.
    func testSpecialisedPathMatchesGenericPath() {
        let net = MMODNetwork(convolutions: [layer(o: 8, i: 3, k: 5, s: 2, p: 0), layer(o: 20, i: 8, k: 5, s: 2, p: 0),
                                             layer(o: 12, i: 20, k: 5, s: 2, p: 0), layer(o: 12, i: 12, k: 5, s: 1, p: 2),
                                             layer(o: 1, i: 12, k: 9, s: 1, p: 4)],
                              meanRGB: (0, 0, 0))
        let kinds = net.forms.map { form -> String in
            switch form {
            case .winograd: "winograd"
            case .direct: "direct"
            case .shifted: "shifted"
            case .im2col: "im2col"
            }
        }
        XCTAssertEqual(kinds, ["direct", "direct", "im2col", "winograd", "shifted"])
        let (h, w) = (61, 95)
        var results: [[Float]] = []
        for path in [MMODNetwork.Path.specialised, .generic] {
            let workspace = MMODWorkspace(scratchLimit: 5000)           // several bands and blocks per layer
            seed = 42
            let input = workspace.input.map(Shape4(n: 1, c: 3, h: h, w: w))
            for i in 0..<input.shape.count { input.data[i] = random() }
            let scores = net.forward(input, workspace: workspace, path: path)
            XCTAssertEqual(scores.shape, net.outputShape(height: h, width: w))
            results.append(Array(UnsafeBufferPointer(start: scores.data, count: scores.shape.count)))
        }
        let scale = results[1].map(abs).max() ?? 1
        let maxDiff = zip(results[0], results[1]).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertGreaterThan(scale, 0.1)
        XCTAssertLessThan(maxDiff, 1e-4 * scale)
    }
}
