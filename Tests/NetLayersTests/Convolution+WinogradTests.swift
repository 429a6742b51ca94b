@testable import NetLayers
import SeededRandom
import TestSupport
import XCTest

/// Winograd F(2×2, 3×3) and F(4×4, 3×3) against the naive direct reference: random plane sizes (odd, even,
/// smaller than a tile), channel counts that are not multiples of 8, batches, every epilogue and every blocking.
final class ConvolutionWinogradTests: XCTestCase {
    /// Both 3×3 forms: F(2×2) and F(4×4).
    private let forms: [Convolution.Algorithm] = [.winograd, .winograd4x4]

    func testWinogradMatchesNaiveOnRandomShapes() {
        var rng = SplitMix64(seed: 2024)
        for trial in 0..<24 {
            let inC = Int.random(in: 1...19, using: &rng), outC = Int.random(in: 1...21, using: &rng)
            let h = Int.random(in: 1...23, using: &rng), w = Int.random(in: 1...23, using: &rng)
            let batch = [1, 2, 3][trial % 3]
            let conv = randomConv(inC: inC, outC: outC, rng: &rng)
            let input = rng.tensor(Shape4(n: batch, c: inC, h: h, w: w))
            for form in forms {
                compare(conv, input, epilogueKind: trial % 3, scratchLimit: Convolution.defaultScratchLimit, algorithm: form, rng: &rng)
            }
        }
    }

    /// The encoder's 3×3/1 p1 shapes (one image each; the naive reference is slow in debug builds).
    func testEncoderShapes() {
        var rng = SplitMix64(seed: 11)
        for (c, side) in [(32, 35), (64, 17), (128, 8), (256, 4), (256, 3)] {
            let conv = randomConv(inC: c, outC: c, rng: &rng)
            for form in forms {
                compare(conv, rng.tensor(Shape4(n: 1, c: c, h: side, w: side)), epilogueKind: 2,
                        scratchLimit: Convolution.defaultScratchLimit, algorithm: form, rng: &rng)
            }
        }
    }

    /// Blocks of one tile row, of a few rows spanning image boundaries, and of the whole batch.
    func testBlockingVariants() {
        var rng = SplitMix64(seed: 5)
        let conv = randomConv(inC: 6, outC: 5, rng: &rng)
        let input = rng.tensor(Shape4(n: 4, c: 6, h: 9, w: 14))   // per image 5 tile rows of 7 2×2 tiles, 3 of 4 4×4 tiles
        // (side, α², tile rows per image, tiles per row)
        for (side, elements, rows, tiles) in [(2, 16, 5, 7), (4, 36, 3, 4)] {
            let perRow = elements * (6 + 5) * tiles
            XCTAssertEqual(conv.winogradPlan(for: input.shape, scratchLimit: 1, outputSide: side).tileRowsPerBlock, 1)
            XCTAssertEqual(conv.winogradPlan(for: input.shape, scratchLimit: 3 * perRow, outputSide: side).tileRowsPerBlock, 3)
            XCTAssertEqual(conv.winogradPlan(for: input.shape, outputSide: side).tileRowsPerBlock, 4 * rows)
            for limit in [1, 3 * perRow, 7 * perRow, Convolution.defaultScratchLimit] {
                compare(conv, input, epilogueKind: 2, scratchLimit: limit, algorithm: side == 2 ? .winograd : .winograd4x4, rng: &rng)
            }
        }
    }

    /// A layer packs a Winograd form only when it is first used or prepared for a plane that uses it.
    func testFormsArePackedOnFirstUse() {
        var rng = SplitMix64(seed: 13)
        let conv = randomConv(inC: 4, outC: 3, rng: &rng)
        XCTAssertEqual(conv.packedWinogradOutputSides, [])
        conv.prepare(for: Shape4(n: 1, c: 4, h: 2, w: 2))                                 // im2col: nothing
        XCTAssertEqual(conv.packedWinogradOutputSides, [])
        conv.prepare(for: Shape4(n: 1, c: 4, h: 35, w: 35))
        XCTAssertEqual(conv.packedWinogradOutputSides, [4])
        compare(conv, rng.tensor(Shape4(n: 1, c: 4, h: 8, w: 8)), epilogueKind: 0, scratchLimit: Convolution.defaultScratchLimit,
                algorithm: .automatic, rng: &rng)
        XCTAssertEqual(conv.packedWinogradOutputSides, [2, 4])
        XCTAssertEqual(conv.packedWinogradWeights(outputSide: 4).map { $0.rows * $0.depth }, [Int](repeating: 3 * 4, count: 36))
    }

    /// `.automatic` picks Winograd only where it saves multiply-adds, and the folded weights are re-transformed.
    func testAutomaticDispatchAndFolding() {
        var rng = SplitMix64(seed: 8)
        let conv = randomConv(inC: 4, outC: 3, rng: &rng)
        XCTAssertTrue(conv.isWinogradShape)
        XCTAssertEqual(conv.winogradOutputSides, [2, 4])
        XCTAssertEqual(conv.packedWinogradWeights(outputSide: 2).map { $0.rows * $0.depth }, [Int](repeating: 3 * 4, count: 16))
        XCTAssertFalse(conv.prefersWinogradF4(for: Shape4(n: 16, c: 4, h: 17, w: 17)))  // 25 4×4 tiles, whatever the batch
        XCTAssertTrue(conv.prefersWinogradF4(for: Shape4(n: 1, c: 4, h: 21, w: 24)))    // 36
        XCTAssertEqual(conv.algorithm(for: Shape4(n: 1, c: 4, h: 35, w: 35)), .winograd4x4)
        XCTAssertEqual(conv.algorithm(for: Shape4(n: 16, c: 4, h: 8, w: 8)), .winograd)
        XCTAssertFalse(conv.prefersWinograd(for: Shape4(n: 1, c: 4, h: 1, w: 1)))
        XCTAssertFalse(conv.prefersWinograd(for: Shape4(n: 1, c: 4, h: 2, w: 1)))     // 1 tile: too few
        XCTAssertFalse(conv.prefersWinograd(for: Shape4(n: 64, c: 4, h: 2, w: 1)))    // whatever the batch
        XCTAssertFalse(conv.prefersWinograd(for: Shape4(n: 16, c: 4, h: 2, w: 4)))    // 2 tiles, whatever the batch
        XCTAssertTrue(conv.prefersWinograd(for: Shape4(n: 1, c: 4, h: 4, w: 4)))      // 4 tiles
        XCTAssertTrue(conv.prefersWinograd(for: Shape4(n: 1, c: 4, h: 8, w: 8)))
        XCTAssertTrue(conv.prefersWinograd(for: Shape4(n: 8, c: 4, h: 7, w: 8)))
        XCTAssertTrue(conv.prefersWinograd(for: Shape4(n: 1, c: 4, h: 35, w: 35)))
        let strided = Convolution(outputChannels: 2, inputChannels: 2, kernel: (3, 3), stride: (2, 2),
                                  weights: rng.floats(36))
        XCTAssertFalse(strided.isWinogradShape)
        XCTAssertEqual(strided.winogradOutputSides, [])
        XCTAssertFalse(strided.admits(.winograd4x4))

        let folded = conv.foldingAffine(gamma: rng.floats(3), beta: rng.floats(3))
        for shape in [Shape4(n: 2, c: 4, h: 1, w: 1), Shape4(n: 2, c: 4, h: 10, w: 7), Shape4(n: 2, c: 4, h: 17, w: 17)] {
            compare(folded, rng.tensor(shape), epilogueKind: 1, scratchLimit: Convolution.defaultScratchLimit,
                    algorithm: .automatic, rng: &rng)
        }
    }

    // MARK: helpers

    private func randomConv(inC: Int, outC: Int, rng: inout SplitMix64) -> Convolution {
        Convolution(outputChannels: outC, inputChannels: inC, kernel: (3, 3), stride: (1, 1), padding: (1, 1),
                    weights: rng.floats(outC * inC * 9), bias: rng.floats(outC))
    }

    /// `assertMatchesNaive` on `algorithm`.
    private func compare(_ conv: Convolution, _ input: Tensor4, epilogueKind: Int, scratchLimit: Int,
                         algorithm: Convolution.Algorithm, rng: inout SplitMix64,
                         file: StaticString = #filePath, line: UInt = #line) {
        assertMatchesNaive(conv, input, epilogueKind: epilogueKind, scratchLimit: scratchLimit, algorithm: algorithm,
                           rng: &rng, file: file, line: line)
    }
}
