import ImageDataset
import ImageInput
import LayerGraph
import XCTest

final class ImageTensorTests: XCTestCase {
    /// Mean 0, std 1: tensor values are sample/255, so resampling arithmetic is visible directly.
    private func raw(_ w: Int, _ h: Int, channels: Int = 1) -> InputSpec {
        InputSpec(width: w, height: h, channels: channels, mean: Array(repeating: 0, count: channels),
                  std: Array(repeating: 1, count: channels))
    }

    private func gray(_ w: Int, _ h: Int, _ values: [UInt8]) throws -> RGBImage {
        try RGBImage(width: w, height: h, gray: values)
    }

    func testGrayIsDlibsIntegerMeanThenMeanStd() throws {
        let image = try RGBImage(width: 2, height: 1, pixels: [10, 20, 31, 255, 255, 254])
        let spec = InputSpec(width: 2, height: 1, channels: 1)   // mean 0.5, std 0.5
        let t = tensor(from: image, spec: spec)
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(t[0], (Float(20) / 255 - 0.5) / 0.5)    // 61 / 3 = 20 (integer division)
        XCTAssertEqual(t[1], (Float(254) / 255 - 0.5) / 0.5)   // 764 / 3 = 254
        XCTAssertEqual(spec.value(ofSample: 20), t[0])
    }

    func testRGBPlanesAndPerChannelMeanStd() throws {
        let image = try RGBImage(width: 2, height: 1, pixels: [10, 20, 30, 40, 50, 60])
        let spec = InputSpec(width: 2, height: 1, channels: 3, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2])
        let t = tensor(from: image, spec: spec)   // [3, 1, 2]
        let expected: [Float] = [(10 / 255 - 0.1) / 0.5, (40 / 255 - 0.1) / 0.5,
                                 (20 / 255 - 0.2) / 0.25, (50 / 255 - 0.2) / 0.25,
                                 (30 / 255 - 0.3) / 2, (60 / 255 - 0.3) / 2]
        XCTAssertEqual(t, expected)
    }

    func testSameSizeIsExact() throws {
        let values = (0..<35).map { UInt8($0 * 7) }
        let t = tensor(from: try gray(7, 5, values), spec: raw(7, 5))
        XCTAssertEqual(t, values.map { Float($0) / 255 })
    }

    func testAreaDownscaleAveragesBlocks() throws {
        // 4×4 → 2×2: each output is the mean of its 2×2 block.
        let values: [UInt8] = [0, 255, 10, 10,
                               0, 255, 20, 20,
                               100, 100, 0, 0,
                               100, 100, 0, 40]
        let t = tensor(from: try gray(4, 4, values), spec: raw(2, 2))
        let blockSums: [Float] = [510, 60, 400, 40]
        let expected = blockSums.map { $0 / 4 / 255 }
        for (a, b) in zip(t, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testAreaDownscaleByAFractionalFactorWeightsOverlap() throws {
        // 3 → 2 pixels: output 0 covers [0, 1.5): in0 + half of in1; output 1 covers [1.5, 3).
        let t = tensor(from: try gray(3, 1, [30, 90, 150]), spec: raw(2, 1))
        XCTAssertEqual(t[0] * 255, (30 + 45) / 1.5, accuracy: 1e-4)
        XCTAssertEqual(t[1] * 255, (45 + 150) / 1.5, accuracy: 1e-4)
    }

    func testThinStrokeSurvivesOmniglotSizedDownscale() throws {
        // 105×105 white with a 1-pixel black vertical stroke at x = 50 → 28×28: the stroke stays (grey), and
        // area averaging keeps the mean intensity exactly.
        var values = [UInt8](repeating: 255, count: 105 * 105)
        for y in 0..<105 { values[y * 105 + 50] = 0 }
        let t = tensor(from: try gray(105, 105, values), spec: raw(28, 28))
        let minimum = t.min()!
        XCTAssertLessThan(minimum, 0.8)   // a sampling resize could miss the stroke entirely (1.0 everywhere)
        let column = t.firstIndex(of: minimum)! % 28
        XCTAssertEqual(column, 13)        // 50 / 3.75 = 13.3
        let inputMean = Double(values.reduce(0) { $0 + Int($1) }) / Double(values.count) / 255
        let outputMean = t.reduce(0) { $0 + Double($1) } / Double(t.count)
        XCTAssertEqual(outputMean, inputMean, accuracy: 1e-5)
        // Rows all alike: the stroke is vertical.
        for y in 1..<28 { XCTAssertEqual(t[y * 28 + 13], t[13], accuracy: 1e-6) }
    }

    func testBilinearUpscaleOnPixelCentres() throws {
        // 2 → 4: outputs sample x = −0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let t = tensor(from: try gray(2, 1, [0, 200]), spec: raw(4, 1)).map { $0 * 255 }
        let expected: [Float] = [0, 50, 150, 200]
        for (a, b) in zip(t, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testAxesAreIndependentShrinkOneGrowTheOther() throws {
        // 4×1 → 2×2: x is area-averaged, y (1 → 2) is bilinear, i.e. repeated.
        let t = tensor(from: try gray(4, 1, [0, 100, 200, 255]), spec: raw(2, 2)).map { $0 * 255 }
        let expected: [Float] = [50, 227.5, 50, 227.5]
        for (a, b) in zip(t, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }
}
