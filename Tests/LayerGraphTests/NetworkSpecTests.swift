import Foundation
import LayerGraph
import XCTest

final class NetworkSpecTests: XCTestCase {
    /// Conv-4 on 28×28: 28 → 14 → 7 → 3 → 1, 64-d; 4 × (64·9·C_in) weights + 4 × 2·64 γ/β trained.
    func testConv4ShapesParametersAndFLOPs() throws {
        let spec = try EncoderArchitecture.conv4.spec(input: InputSpec(width: 28, height: 28, channels: 1), dimension: nil)
        XCTAssertEqual(try spec.outputShape(), ImageShape(c: 64, h: 1, w: 1))
        let weights = 64 * 9 * 1 + 3 * 64 * 9 * 64
        XCTAssertEqual(try spec.trainableParameterCount(), weights + 4 * 2 * 64)
        // Multiply-adds: 64·9·784 + 64·576·196 + 64·576·49 + 64·576·9.
        XCTAssertEqual(try spec.forwardFLOPs(), 2 * Double(64 * 9 * 784 + 64 * 576 * (196 + 49 + 9)))
        let resolved = try spec.resolvedLayers()
        XCTAssertEqual(resolved.map(\.outputShape.h).prefix(4), [28, 28, 28, 14])
        XCTAssertEqual(resolved.first?.parameters.map(\.path), ["layers/000/weights"])
        // Activations kept for backward: outputs and gradients of every layer (28²·64 ×3 + 14²·64 ×4 + …).
        let outs = resolved.map(\.outputShape.count).reduce(0, +)
        XCTAssertEqual(try spec.trainingActivationFloatsPerImage(), 2 * outs)
        XCTAssertEqual(outs, 3 * 64 * 784 + 64 * 196 + 3 * 64 * 196 + 64 * 49 + 3 * 64 * 49 + 64 * 9 + 3 * 64 * 9 + 64 + 64 + 64)
        // With another dimension an fc layer is added.
        let wide = try EncoderArchitecture.conv4.spec(input: InputSpec(width: 28, height: 28, channels: 1), dimension: 32)
        XCTAssertEqual(try wide.outputShape().c, 32)
    }

    func testResidualPathsAndAddPrevShape() throws {
        let spec = NetworkSpec(input: InputSpec(width: 8, height: 8, channels: 2), layers: [
            .residual(body: [.conv(4, kernel: 3, stride: 2, padding: 1)], shortcut: [.avgPool(2, stride: 2)]),
        ])
        XCTAssertEqual(try spec.outputShape(), ImageShape(c: 4, h: 4, w: 4))
        XCTAssertEqual(try spec.parameters().map(\.path), ["layers/000/body/000/weights", "layers/000/body/000/bias"])
    }

    func testSpecRoundTripsThroughJSON() throws {
        let spec = try EncoderArchitecture.resnet.spec(input: InputSpec(width: 32, height: 32, channels: 3), dimension: 16)
        let data = try NetworkWeights.canonicalJSON(spec)
        XCTAssertEqual(try JSONDecoder().decode(NetworkSpec.self, from: data), spec)
        XCTAssertEqual(try NetworkWeights.canonicalJSON(spec), data, "canonical JSON is stable")
    }

    func testLayersThatDoNotFitAreNamed() {
        let tooSmall = NetworkSpec(input: InputSpec(width: 3, height: 3, channels: 1), layers: [.relu, .conv(2, kernel: 5)])
        XCTAssertThrowsError(try tooSmall.outputShape()) { error in
            XCTAssertEqual("\(error)", "layers/001: conv 5×5/1 p0 → 2: input [1, 3, 3] smaller than the kernel")
        }
        let badPad = NetworkSpec(input: InputSpec(width: 9, height: 9, channels: 1), layers: [.maxPool(2, stride: 2, padding: 2)])
        XCTAssertThrowsError(try badPad.outputShape()) { XCTAssertTrue("\($0)".hasPrefix("layers/000: max pool")) }
    }

    func testWeightsRefuseMissingMisshapenAndNonFiniteTensors() throws {
        let spec = NetworkSpec(input: InputSpec(width: 4, height: 4, channels: 1), layers: [.conv(2, kernel: 3), .bn])
        var t: [String: [Float]] = [:]
        for p in try spec.parameters() { t[p.path] = [Float](repeating: 1, count: p.count) }
        XCTAssertNoThrow(try NetworkWeights(spec: spec, tensors: t))
        var missing = t; missing["layers/001/gamma"] = nil
        XCTAssertThrowsError(try NetworkWeights(spec: spec, tensors: missing)) { XCTAssertTrue("\($0)".contains("missing tensor layers/001/gamma")) }
        var short = t; short["layers/000/bias"] = [1]
        XCTAssertThrowsError(try NetworkWeights(spec: spec, tensors: short)) { XCTAssertTrue("\($0)".contains("layers/000/bias has 1 values")) }
        var nan = t; nan["layers/000/weights"]![4] = .infinity
        XCTAssertThrowsError(try NetworkWeights(spec: spec, tensors: nan)) { XCTAssertTrue("\($0)".contains("non-finite value at index 4")) }
        var extra = t; extra["layers/009/weights"] = [0]
        XCTAssertThrowsError(try NetworkWeights(spec: spec, tensors: extra)) { XCTAssertTrue("\($0)".contains("layers/009/weights")) }
        // The fingerprint changes with any value.
        var changed = t; changed["layers/001/running_mean"]![0] = 2
        XCTAssertNotEqual(try NetworkWeights(spec: spec, tensors: t).fingerprint(), try NetworkWeights(spec: spec, tensors: changed).fingerprint())
    }
}
