@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

final class ConvolutionTests: XCTestCase {
    /// A hand-computed case pins the reference itself: cross-correlation (no kernel flip), zero padding, bias.
    func testNaiveMatchesHandComputedCrossCorrelation() {
        // input [1, 1, 3, 3] = 1…9; kernel [1, 1, 2, 2] = [[1, 2], [3, 4]]; stride 1, padding 1 → [1, 1, 4, 4]
        var input = Tensor4(shape: Shape4(n: 1, c: 1, h: 3, w: 3), values: (1...9).map(Float.init))
        let conv = Convolution(outputChannels: 1, inputChannels: 1, kernel: (2, 2), stride: (1, 1), padding: (1, 1),
                               weights: [1, 2, 3, 4], bias: [0.5])
        var output = Tensor4(zeros: conv.outputShape(for: input.shape))
        XCTAssertEqual(output.shape, Shape4(n: 1, c: 1, h: 4, w: 4))
        input.withFeatureMap { i in output.withFeatureMap { o in conv.forwardNaive(i, into: o) } }
        // out(0,0) = 4·x(0,0) = 4; out(1,1) = 1·1 + 2·2 + 3·4 + 4·5 = 37; out(3,3) = 1·9 = 9
        XCTAssertEqual(output[0, 0, 0, 0], 4.5)
        XCTAssertEqual(output[0, 0, 1, 1], 37.5)
        XCTAssertEqual(output[0, 0, 3, 3], 9.5)
        XCTAssertEqual(output[0, 0, 0, 1], 3 * 1 + 4 * 2 + 0.5)
    }

    func testOutputSizeIsFlooredAsInDlib() {
        let conv = Convolution(outputChannels: 2, inputChannels: 3, kernel: (7, 7), stride: (2, 2), padding: (0, 0),
                               weights: [Float](repeating: 0, count: 2 * 3 * 49))
        XCTAssertEqual(conv.outputShape(for: Shape4(n: 4, c: 3, h: 150, w: 150)), Shape4(n: 4, c: 2, h: 72, w: 72))
        let down = Convolution(outputChannels: 1, inputChannels: 1, kernel: (3, 3), stride: (2, 2), weights: [Float](repeating: 0, count: 9))
        XCTAssertEqual(down.outputShape(for: Shape4(n: 1, c: 1, h: 8, w: 17)), Shape4(n: 1, c: 1, h: 3, w: 8))
    }

    /// im2col + GEMM against the naive reference on random shapes: kernels 1/3/5/7, strides 1/2, padding
    /// 0…3, channel counts not multiples of 8, batch 1 and 5, odd and non-square planes, every epilogue.
    func testGEMMPathMatchesNaiveOnRandomShapes() {
        var rng = SplitMix64(seed: 42)
        var cases = 0
        for kernel in [1, 3, 5, 7] {
            for stride in [1, 2] {
                for padding in [0, 1, 2, 3] where padding < kernel {
                    for batch in [1, 5] {
                        let inC = [1, 3, 5, 13][Int.random(in: 0..<4, using: &rng)]
                        let outC = [1, 7, 9, 17][Int.random(in: 0..<4, using: &rng)]
                        let h = Int.random(in: kernel...(kernel + 12), using: &rng)
                        let w = Int.random(in: kernel...(kernel + 15), using: &rng)
                        let epilogue = cases % 3
                        checkAgainstNaive(inC: inC, outC: outC, h: h, w: w, kernel: (kernel, kernel), stride: (stride, stride),
                                          padding: (padding, padding), batch: batch, epilogueKind: epilogue, rng: &rng)
                        cases += 1
                    }
                }
            }
        }
        XCTAssertEqual(cases, (1 + 3 + 4 + 4) * 2 * 2)   // (k, p) pairs × strides × batches
    }

    /// Non-square kernels, strides and paddings (the engine is general, e.g. for the detector).
    func testAsymmetricHyperParameters() {
        var rng = SplitMix64(seed: 7)
        checkAgainstNaive(inC: 5, outC: 6, h: 11, w: 19, kernel: (3, 5), stride: (1, 2), padding: (2, 1), batch: 2,
                          epilogueKind: 1, rng: &rng)
        checkAgainstNaive(inC: 2, outC: 3, h: 9, w: 4, kernel: (5, 1), stride: (2, 1), padding: (0, 0), batch: 3,
                          epilogueKind: 0, rng: &rng)
    }

    /// Small scratch limits force the other column blocks: groups of 2 images, per-image row bands,
    /// single-row bands, and the pointwise (no im2col) path.
    func testBlockingVariantsMatchNaive() {
        var rng = SplitMix64(seed: 99)
        let conv = randomConv(inC: 7, outC: 5, kernel: (3, 3), stride: (1, 1), padding: (1, 1), rng: &rng)
        let input = rng.tensor(Shape4(n: 5, c: 7, h: 13, w: 10))
        let k = conv.patchSize, hw = 13 * 10
        for limit in [Convolution.defaultScratchLimit, 2 * (k + 5) * hw, 3 * (k + 5) * hw, k * 10 * 4, 1] {
            let plan = conv.plan(for: input.shape, scratchLimit: limit)
            XCTAssertLessThanOrEqual(plan.scratchCount - PackedMatrix.scratchCount, max(limit, k * 10), "limit \(limit)")
            compare(conv, input, epilogueKind: 2, scratchLimit: limit, rng: &rng)
        }
        XCTAssertEqual(conv.plan(for: input.shape).imagesPerGroup, 5)
        XCTAssertEqual(conv.plan(for: input.shape, scratchLimit: 2 * (k + 5) * hw).imagesPerGroup, 2)
        XCTAssertEqual(conv.plan(for: input.shape, scratchLimit: k * 10 * 4).rowsPerBand, 4)
        // one image: bands of about `bandScratchLimit` floats (the stem: 147 · 72 a row), at least `bandMinimumRows`
        let stem = randomConv(inC: 3, outC: 32, kernel: (7, 7), stride: (2, 2), padding: (0, 0), rng: &rng)
        XCTAssertEqual(stem.plan(for: Shape4(n: 1, c: 3, h: 150, w: 150)).rowsPerBand, Convolution.bandScratchLimit / (147 * 72))
        let wide = randomConv(inC: 32, outC: 32, kernel: (5, 5), stride: (2, 2), padding: (0, 0), rng: &rng)
        XCTAssertEqual(wide.plan(for: Shape4(n: 1, c: 32, h: 60, w: 237)).rowsPerBand, Convolution.bandMinimumRows)
        XCTAssertEqual(wide.plan(for: Shape4(n: 1, c: 32, h: 60, w: 237), scratchLimit: 800 * 117 * 2).rowsPerBand, 2)

        let pointwise = randomConv(inC: 9, outC: 4, kernel: (1, 1), stride: (1, 1), padding: (0, 0), rng: &rng)
        let single = rng.tensor(Shape4(n: 1, c: 9, h: 6, w: 7))
        XCTAssertEqual(pointwise.plan(for: single.shape).scratchCount, PackedMatrix.scratchCount, "only the packing space")
        compare(pointwise, single, epilogueKind: 1, scratchLimit: Convolution.defaultScratchLimit, rng: &rng)
        compare(pointwise, single, epilogueKind: 0, scratchLimit: 9 * 7 * 2, rng: &rng)
    }

    /// Planes smaller than the kernel ("same" padding on 1×1, 2×3 and 4×4 planes, as in the encoder's last stages).
    func testTinyPlanesWithSamePadding() {
        var rng = SplitMix64(seed: 17)
        checkAgainstNaive(inC: 5, outC: 3, h: 1, w: 1, kernel: (3, 3), stride: (1, 1), padding: (1, 1), batch: 3,
                          epilogueKind: 2, rng: &rng)
        checkAgainstNaive(inC: 2, outC: 4, h: 2, w: 3, kernel: (7, 7), stride: (1, 1), padding: (3, 3), batch: 2,
                          epilogueKind: 0, rng: &rng)
        checkAgainstNaive(inC: 3, outC: 2, h: 4, w: 4, kernel: (5, 3), stride: (1, 1), padding: (2, 1), batch: 4,
                          epilogueKind: 1, rng: &rng)
    }

    /// A 1×1 plane through a "same" kernel uses only the centre tap: a K = I product with gathered weights.
    func testSingleTapOnOnePixelPlanes() {
        var rng = SplitMix64(seed: 23)
        let conv = randomConv(inC: 11, outC: 6, kernel: (3, 3), stride: (1, 1), padding: (1, 1), rng: &rng)
        let input = rng.tensor(Shape4(n: 4, c: 11, h: 1, w: 1))
        XCTAssertEqual(conv.plan(for: input.shape).scratchCount, 6 * 4 + PackedMatrix.scratchCount, "the [O, N] product and the packing space")
        for epilogue in 0..<3 {
            compare(conv, input, epilogueKind: epilogue, scratchLimit: Convolution.defaultScratchLimit, rng: &rng)
        }
        let wide = randomConv(inC: 3, outC: 5, kernel: (5, 3), stride: (2, 1), padding: (2, 1), rng: &rng)
        compare(wide, rng.tensor(Shape4(n: 1, c: 3, h: 1, w: 1)), epilogueKind: 2,
                scratchLimit: Convolution.defaultScratchLimit, rng: &rng)
    }

    /// The detector's shapes: a single large image, 5×5 stride 2 down-sampling and a 9×9 single-output conv.
    func testDetectorLikeShapes() {
        var rng = SplitMix64(seed: 5)
        checkAgainstNaive(inC: 3, outC: 16, h: 67, w: 45, kernel: (5, 5), stride: (2, 2), padding: (0, 0), batch: 1,
                          epilogueKind: 1, rng: &rng)
        checkAgainstNaive(inC: 45, outC: 1, h: 21, w: 17, kernel: (9, 9), stride: (1, 1), padding: (4, 4), batch: 1,
                          epilogueKind: 0, rng: &rng)
    }

    func testFoldingAffineEqualsConvolutionThenAffine() {
        var rng = SplitMix64(seed: 3)
        let conv = randomConv(inC: 4, outC: 6, kernel: (3, 3), stride: (1, 1), padding: (1, 1), rng: &rng)
        let affine = ChannelAffine(gamma: rng.floats(6), beta: rng.floats(6))
        var input = rng.tensor(Shape4(n: 2, c: 4, h: 8, w: 9))
        let outShape = conv.outputShape(for: input.shape)
        var twoStep = Tensor4(zeros: outShape), folded = Tensor4(zeros: outShape)
        input.withFeatureMap { i in
            twoStep.withFeatureMap { o in conv.forwardNaive(i, into: o); affine.apply(to: o, relu: true) }
            folded.withFeatureMap { o in conv.foldingAffine(gamma: affine.gamma, beta: affine.beta).forward(i, into: o, epilogue: .relu) }
        }
        XCTAssertLessThan(maxAbsDifference(twoStep.values, folded.values), 1e-5)
    }

    // MARK: helpers

    private func randomConv(inC: Int, outC: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                            rng: inout SplitMix64) -> Convolution {
        Convolution(outputChannels: outC, inputChannels: inC, kernel: kernel, stride: stride, padding: padding,
                    weights: rng.floats(outC * inC * kernel.0 * kernel.1), bias: rng.floats(outC))
    }

    private func checkAgainstNaive(inC: Int, outC: Int, h: Int, w: Int, kernel: (Int, Int), stride: (Int, Int),
                                   padding: (Int, Int), batch: Int, epilogueKind: Int, rng: inout SplitMix64) {
        let conv = randomConv(inC: inC, outC: outC, kernel: kernel, stride: stride, padding: padding, rng: &rng)
        compare(conv, rng.tensor(Shape4(n: batch, c: inC, h: h, w: w)), epilogueKind: epilogueKind,
                scratchLimit: Convolution.defaultScratchLimit, rng: &rng)
    }

    /// `assertMatchesNaive` on the im2col path unless `algorithm` says otherwise.
    private func compare(_ conv: Convolution, _ input: Tensor4, epilogueKind: Int, scratchLimit: Int,
                         algorithm: Convolution.Algorithm = .im2col, rng: inout SplitMix64,
                         file: StaticString = #filePath, line: UInt = #line) {
        assertMatchesNaive(conv, input, epilogueKind: epilogueKind, scratchLimit: scratchLimit, algorithm: algorithm,
                           rng: &rng, file: file, line: line)
    }
}
