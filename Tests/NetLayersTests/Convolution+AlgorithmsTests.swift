@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

/// The one convolution engine: every algorithm (`Convolution.Algorithm`) against the naive reference through the
/// strict NaN-aware helper, the dispatch rule, and each algorithm's independence of the batch. F(2×2, 3×3)
/// and F(4×4, 3×3) have their own shape sweep in `ConvolutionWinogradTests`; here are F(2×2, 5×5), the direct and the
/// kernel-to-rows forms.
final class ConvolutionAlgorithmsTests: XCTestCase {
    /// Sizes: odd and even, narrower than one SIMD chunk of tiles (w < 16), a single tile (1×1, 2×2), the MMOD
    /// net's 1/8-resolution plane width (117); batches of 1 and 2; limits: everything in one block, and one tile
    /// row per block; every epilogue.
    func testWinograd5x5MatchesNaive() {
        var rng = SplitMix64(seed: 55)
        var trial = 0
        for (h, w) in [(23, 37), (1, 1), (2, 2), (6, 5), (31, 117), (40, 17)] {
            for limit in [1 << 20, 1] {
                for (o, i) in [(6, 7), (9, 3)] {
                    let conv = Convolution.random(o: o, i: i, k: 5, s: 1, p: 2, rng: &rng)
                    let input = rng.tensor(Shape4(n: 1 + trial % 2, c: i, h: h, w: w))
                    assertMatchesNaive(conv, input, epilogueKind: trial % 3, scratchLimit: limit, algorithm: .winograd, rng: &rng)
                    trial += 1
                }
            }
        }
        // The MMOD net's channel counts, blocks of a few tile rows (36·(45 + 45)·Tw floats per tile row).
        let wide = Convolution.random(o: 45, i: 45, k: 5, s: 1, p: 2, rng: &rng)
        assertMatchesNaive(wide, rng.tensor(Shape4(n: 1, c: 45, h: 31, w: 60)), epilogueKind: 1,
                           scratchLimit: 3 * 36 * 90 * 30, algorithm: .winograd, rng: &rng)
    }

    /// Blocks are whole tile rows over (image, tile row), for both tile sizes.
    func testWinogradPlanBlocksWholeTileRows() {
        var rng = SplitMix64(seed: 3)
        let conv5 = Convolution.random(o: 4, i: 3, k: 5, s: 1, p: 2, rng: &rng)
        let shape = Shape4(n: 2, c: 3, h: 19, w: 20)
        let perRow = 36 * 7 * 10                                   // α²·(I + O)·Tw for a 20-wide plane
        XCTAssertEqual(conv5.winogradPlan(for: shape, scratchLimit: 1).tileRowsPerBlock, 1)
        XCTAssertEqual(conv5.winogradPlan(for: shape, scratchLimit: 3 * perRow).tileRowsPerBlock, 3)
        XCTAssertEqual(conv5.winogradPlan(for: shape, scratchLimit: 1 << 30).tileRowsPerBlock, 20)
        XCTAssertEqual(conv5.packedWinogradWeights(outputSide: 2).map { $0.rows * $0.depth }, [Int](repeating: 4 * 3, count: 36))
        XCTAssertEqual(conv5.winogradOutputSides, [2])
        XCTAssertFalse(conv5.admits(.winograd4x4))
        for limit in [1, 3 * perRow, 7 * perRow, 1 << 30] {      // blocks across the image boundary
            assertMatchesNaive(conv5, rng.tensor(shape), epilogueKind: 2, scratchLimit: limit, algorithm: .winograd, rng: &rng)
        }
    }

    /// Output widths below, at and above one 24-column chunk, channel counts that are not multiples of the
    /// 4-channel block, even and odd input sizes (an odd one leaves the last input row and column unused),
    /// batches, every epilogue, and a wide input of several bands.
    func testDirectMatchesNaive() {
        var rng = SplitMix64(seed: 77)
        var trial = 0
        for (h, w) in [(5, 5), (23, 37), (9, 53), (40, 17), (30, 100)] {
            for (o, i) in [(16, 3), (7, 5), (2, 16)] {
                let conv = Convolution.random(o: o, i: i, k: 5, s: 2, p: 0, rng: &rng)
                let input = rng.tensor(Shape4(n: 1 + trial % 2, c: i, h: h, w: w))
                assertMatchesNaive(conv, input, epilogueKind: trial % 3, scratchLimit: 0, algorithm: .direct, rng: &rng)
                trial += 1
            }
        }
        let wide = Convolution.random(o: 6, i: 16, k: 5, s: 2, p: 0, rng: &rng), wideShape = Shape4(n: 1, c: 16, h: 40, w: 400)
        XCTAssertLessThan(wide.directRowsPerBand(for: wideShape), wide.outputShape(for: wideShape).h / 2)
        assertMatchesNaive(wide, rng.tensor(wideShape), epilogueKind: 1, scratchLimit: 0, algorithm: .direct, rng: &rng)
    }

    /// The final 9×9 → 1 layer with one band and with bands of a few rows, a 5×5 p2 and an unpadded 3×3 layer,
    /// batches and every epilogue.
    func testShiftedMatchesNaive() {
        var rng = SplitMix64(seed: 99)
        var trial = 0
        for (h, w) in [(23, 37), (5, 6), (40, 17)] {
            for (conv, limit) in [(Convolution.random(o: 1, i: 6, k: 9, s: 1, p: 4, rng: &rng), 1 << 20),
                                  (Convolution.random(o: 1, i: 6, k: 9, s: 1, p: 4, rng: &rng), 81 * 60),
                                  (Convolution.random(o: 3, i: 4, k: 5, s: 1, p: 2, rng: &rng), 1 << 20),
                                  (Convolution.random(o: 2, i: 3, k: 3, s: 1, p: 0, rng: &rng), 100)] {
                let input = rng.tensor(Shape4(n: 1 + trial % 2, c: conv.inputChannels, h: h, w: w))
                assertMatchesNaive(conv, input, epilogueKind: trial % 3, scratchLimit: limit, algorithm: .shifted, rng: &rng)
                trial += 1
            }
        }
    }

    /// The rule: the detector's layers and the encoder's get the forms they rely on, whatever the batch size.
    func testDispatchRule() {
        var rng = SplitMix64(seed: 1)
        func pick(_ o: Int, _ i: Int, k: Int, s: Int, p: Int, side: Int) -> [Convolution.Algorithm] {
            let conv = Convolution.random(o: o, i: i, k: k, s: s, p: p, rng: &rng)
            return [1, 7, 16].map { conv.algorithm(for: Shape4(n: $0, c: i, h: side, w: side)) }
        }
        XCTAssertEqual(pick(16, 3, k: 5, s: 2, p: 0, side: 250), [.direct, .direct, .direct])      // MMOD 1st
        XCTAssertEqual(pick(32, 16, k: 5, s: 2, p: 0, side: 120), [.direct, .direct, .direct])     // MMOD 2nd
        XCTAssertEqual(pick(32, 32, k: 5, s: 2, p: 0, side: 60), [.im2col, .im2col, .im2col])      // MMOD 3rd
        XCTAssertEqual(pick(45, 45, k: 5, s: 1, p: 2, side: 30), [.winograd, .winograd, .winograd])
        XCTAssertEqual(pick(45, 45, k: 5, s: 1, p: 2, side: 2), [.im2col, .im2col, .im2col])       // one tile
        XCTAssertEqual(pick(1, 45, k: 9, s: 1, p: 4, side: 30), [.shifted, .shifted, .shifted])    // MMOD last
        XCTAssertEqual(pick(32, 32, k: 3, s: 1, p: 1, side: 35), [.winograd4x4, .winograd4x4, .winograd4x4]) // encoder
        XCTAssertEqual(pick(64, 64, k: 3, s: 1, p: 1, side: 17), [.winograd, .winograd, .winograd])
        XCTAssertEqual(pick(128, 128, k: 3, s: 1, p: 1, side: 8), [.winograd, .winograd, .winograd])
        XCTAssertEqual(pick(256, 256, k: 3, s: 1, p: 1, side: 4), [.winograd, .winograd, .winograd])
        XCTAssertEqual(pick(256, 256, k: 3, s: 1, p: 1, side: 2), [.im2col, .im2col, .im2col])      // one tile
        XCTAssertEqual(pick(64, 32, k: 3, s: 2, p: 0, side: 35), [.im2col, .im2col, .im2col])
        XCTAssertEqual(pick(32, 3, k: 7, s: 2, p: 0, side: 150), [.im2col, .im2col, .im2col])      // encoder stem

        let direct = Convolution.random(o: 4, i: 2, k: 5, s: 2, p: 0, rng: &rng)
        XCTAssertTrue(direct.admits(.direct))
        XCTAssertFalse(direct.admits(.winograd))
        XCTAssertFalse(direct.admits(.shifted))
        XCTAssertTrue(direct.admits(.im2col))
        XCTAssertTrue(direct.directWeights.count == 1 * 2 * 25 * 4 && direct.packedShiftedWeights == nil)
        let widening = Convolution.random(o: 8, i: 4, k: 3, s: 1, p: 0, rng: &rng)
        XCTAssertFalse(widening.admits(.shifted))
        XCTAssertFalse(widening.admits(.winograd))
        let narrowing = Convolution.random(o: 2, i: 4, k: 3, s: 1, p: 1, rng: &rng)
        XCTAssertTrue(narrowing.admits(.shifted))
        XCTAssertTrue(narrowing.admits(.winograd))
        XCTAssertEqual(narrowing.packedShiftedWeights?.rows, 2 * 9)
    }

    /// Each algorithm gives an image the same bits alone as in the middle of a batch of three, on a smaller
    /// scratch limit (other bands and blocks), and with its work split over 2 or 3 workers (libdispatch or a team).
    func testEveryAlgorithmIsIndependentOfTheBatch() {
        var rng = SplitMix64(seed: 21)
        let team = WorkerTeam(size: 2)
        let cases: [(Convolution, Convolution.Algorithm, Int)] = [
            (Convolution.random(o: 5, i: 4, k: 3, s: 1, p: 1, rng: &rng), .winograd, 19),
            (Convolution.random(o: 5, i: 4, k: 3, s: 1, p: 1, rng: &rng), .winograd4x4, 19),
            (Convolution.random(o: 5, i: 4, k: 5, s: 1, p: 2, rng: &rng), .winograd, 19),
            (Convolution.random(o: 6, i: 3, k: 5, s: 2, p: 0, rng: &rng), .direct, 31),
            (Convolution.random(o: 1, i: 6, k: 9, s: 1, p: 4, rng: &rng), .shifted, 21),
            (Convolution.random(o: 7, i: 4, k: 3, s: 2, p: 0, rng: &rng), .im2col, 19),
            (Convolution.random(o: 7, i: 3, k: 7, s: 2, p: 0, rng: &rng), .im2col, 41),   // stem-like: rows per worker
        ]
        for (conv, algorithm, side) in cases {
            let one = Shape4(n: 1, c: conv.inputChannels, h: side, w: side)
            let image = rng.floats(one.count)
            let batch = rng.floats(one.count) + image + rng.floats(one.count)            // image at position 1
            let alone = run(conv, Tensor4(shape: one, values: image), algorithm, scratchLimit: Convolution.defaultScratchLimit)
            let outCount = conv.outputShape(for: one).count
            let inBatch = run(conv, Tensor4(shape: Shape4(n: 3, c: one.c, h: side, w: side), values: batch), algorithm,
                              scratchLimit: Convolution.defaultScratchLimit)
            assertBitwiseEqual(Array(inBatch[outCount..<(2 * outCount)]), alone, "\(algorithm) \(conv.kernelHeight)×\(conv.kernelWidth) in a batch")
            let small = run(conv, Tensor4(shape: one, values: image), algorithm, scratchLimit: 1)
            assertBitwiseEqual(small, alone, "\(algorithm) \(conv.kernelHeight)×\(conv.kernelWidth) on a small scratch limit")
            for workers in [Workers.dispatch(2), .dispatch(3), .team(team)] {
                let split = run(conv, Tensor4(shape: Shape4(n: 3, c: one.c, h: side, w: side), values: batch), algorithm,
                                scratchLimit: 5000, workers: workers)
                assertBitwiseEqual(Array(split[outCount..<(2 * outCount)]), alone,
                                   "\(algorithm) \(conv.kernelHeight)×\(conv.kernelWidth) on \(workers.count) workers")
                for limit in [Convolution.defaultScratchLimit, 20_000] {          // one band; several bands of rows per worker
                    let aloneSplit = run(conv, Tensor4(shape: one, values: image), algorithm, scratchLimit: limit, workers: workers)
                    assertBitwiseEqual(aloneSplit, alone,
                                       "\(algorithm) \(conv.kernelHeight)×\(conv.kernelWidth) alone on \(workers.count) workers, limit \(limit)")
                }
            }
        }
    }

    /// `conv.forward(algorithm:)` into a NaN-filled output.
    private func run(_ conv: Convolution, _ tensor: Tensor4, _ algorithm: Convolution.Algorithm, scratchLimit: Int,
                     workers: Workers = .one) -> [Float] {
        var input = tensor
        let outShape = conv.outputShape(for: input.shape)
        var output = Tensor4(shape: outShape, values: [Float](repeating: .nan, count: outShape.count))
        input.withFeatureMap { x in
            output.withFeatureMap { y in
                conv.forward(x, into: y, epilogue: .relu, scratch: FloatBuffer(), scratchLimit: scratchLimit, algorithm: algorithm,
                             workers: workers)
            }
        }
        return output.values
    }
}
