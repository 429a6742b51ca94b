import FaceDetection
import Foundation
import NetLayers
import TestSupport
import WeightStore
import XCTest

final class MMODModelTests: XCTestCase {
    private func detectorURL() throws -> URL {
        guard let models = TestPaths.models else { throw XCTSkip(TestPaths.skipReason("imported models not found")) }
        return models.appendingPathComponent("detector.h5")
    }

    func testLoadsTheExpectedTopology() throws {
        let model = try MMODModel(contentsOf: try detectorURL())
        let convs = model.network.convolutions
        XCTAssertEqual(convs.map(\.outputChannels), [16, 32, 32, 45, 45, 45, 1])
        XCTAssertEqual(convs.map(\.inputChannels), [3, 16, 32, 32, 45, 45, 45])
        XCTAssertEqual(convs.map(\.kernelHeight), [5, 5, 5, 5, 5, 5, 9])
        XCTAssertEqual(convs.map(\.strideY), [2, 2, 2, 1, 1, 1, 1])
        XCTAssertEqual(convs.map(\.paddingX), [0, 0, 0, 2, 2, 2, 4])
        XCTAssertEqual(convs.map { $0.weights.count + $0.bias.count }.reduce(0, +), 180_711)
        XCTAssertEqual(model.network.meanRGB.r, 122.782, accuracy: 1e-4)
        XCTAssertEqual(model.network.meanRGB.b, 104.298, accuracy: 1e-4)
        XCTAssertEqual(model.network.inputScale, 1.0 / 256)
        XCTAssertEqual(model.pyramid, TiledPyramidGeometry(downN: 6, padding: 10, outerPadding: 11))
        XCTAssertEqual(model.window.width, 80)
        XCTAssertEqual(model.nms.iouThreshold, 0.3382761351109955, accuracy: 1e-9)
        XCTAssertEqual(model.nms.coveredThreshold, 1)
    }

    /// dlib's `output_tensor_to_input_tensor` through 3 stride-2 5×5 and 4 same-size convolutions.
    func testScoreMapPositionsMapToEightPixelGrid() throws {
        let net = try MMODModel(contentsOf: try detectorURL()).network
        for (c, r) in [(0, 0), (1, 0), (10, 7), (33, 118)] {
            let p = net.inputPoint(column: c, row: r)
            XCTAssertEqual(p.x, Double(8 * c + 14))
            XCTAssertEqual(p.y, Double(8 * r + 14))
            let back = net.outputPoint(x: p.x, y: p.y)
            XCTAssertEqual(back.column, Double(c), accuracy: 1e-12)
            XCTAssertEqual(back.row, Double(r), accuracy: 1e-12)
        }
        XCTAssertEqual(net.outputShape(height: 957, width: 272), Shape4(n: 1, c: 1, h: 117, w: 31))
        XCTAssertNil(net.outputShape(height: 20, width: 272))
    }

    func testRefusesTheEncoderNamingTheFile() throws {
        let url = try detectorURL().deletingLastPathComponent().appendingPathComponent("encoder.h5")
        XCTAssertThrowsError(try FaceDetector(contentsOf: url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("encoder.h5"), text)
            XCTAssertTrue(text.contains("pairmatch.detector"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    func testRefusesAMissingFile() {
        XCTAssertThrowsError(try MMODModel(contentsOf: URL(fileURLWithPath: "/nonexistent/detector.h5"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/detector.h5"), "\(error)")
        }
    }

    /// Each altered hyper-parameter is refused with a one-line error saying what differs.
    func testRefusesAlteredHyperParameters() throws {
        let original = try WeightArchive.read(from: try detectorURL(), kind: "pairmatch.detector")
        let alterations: [(String, (inout WeightArchive) -> Void, String)] = [
            ("stride", { $0.set(attribute: "stride", .integers([1, 1]), on: "layers/003") }, "stride"),
            ("filters", { $0.set(attribute: "num_filters", .integer(44), on: "layers/009") }, "num_filters"),
            ("type", { $0.set(attribute: "type", .string("affine"), on: "layers/001") }, "type"),
            ("window", { $0.set(attribute: "detector_windows", .integers([40, 40])) }, "detector_windows"),
            ("network", { $0.set(attribute: "network", .string("dlib_resnet_metric_v1")) }, "network"),
            ("count", { $0.set(attribute: "count", .integer(18), on: "layers") }, "layer records"),
            ("eps", { $0.set(attribute: "eps", .float(0), on: "layers/004") }, "eps"),
            ("weights", { $0.set(Tensor(shape: [16, 3, 5, 4], values: [Float](repeating: 0, count: 960)), at: "layers/000/weight") }, "weight"),
        ]
        for (label, alter, needle) in alterations {
            var a = original
            alter(&a)
            XCTAssertThrowsError(try MMODModel(archive: a), label) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(needle), "\(label): \(text)")
                XCTAssertTrue(text.contains("detector.h5"), "\(label): \(text)")
            }
        }
        XCTAssertNoThrow(try MMODModel(archive: original))
    }
}
