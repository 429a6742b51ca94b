import Foundation
import LayerGraph
import TestSupport
import WeightStore
import XCTest
@testable import PairNet

/// The face ResNet as a `NetworkSpec` (what `train-encoder --from encoder.h5` fine-tunes) computes dlib's
/// descriptors: the committed fixture chips through `InferenceNetwork` match dlib 19.24 within 1e-4.
final class ResNetNetworkSpecTests: XCTestCase {
    func testConvertedEncoderMatchesDlibDescriptors() throws {
        guard let models = TestPaths.models else {
            throw XCTSkip(TestPaths.skipReason("no imported encoder.h5 ($PAIRMATCH_MODELS or ~/.local/share/pairmatch/models)"))
        }
        let weights = try ResNetTopology.networkWeights(archive: WeightArchive.read(from: models.appendingPathComponent("encoder.h5")))
        XCTAssertEqual(try weights.spec.parameters().filter { $0.role.isTrainable }.reduce(0) { $0 + $1.count }, 5_607_488 + 7_104)
        let network = try InferenceNetwork(weights: weights)
        let folder = TestPaths.fixtures.appendingPathComponent("PairNet")
        struct Entry: Decodable { let name: String; let descriptor: [Float] }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("descriptors.json")))
        XCTAssertEqual(entries.count, 4)
        let spec = ResNetTopology.inputSpec
        var input: [Float] = []                                   // [4, 3, 150, 150]
        for e in entries {
            let rgb = [UInt8](try Data(contentsOf: folder.appendingPathComponent(e.name + ".rgb")))   // [150, 150, 3]
            for c in 0..<3 {
                for i in 0..<(150 * 150) { input.append((Float(rgb[i * 3 + c]) / 255 - spec.mean[c]) / spec.std[c]) }
            }
        }
        let out = network.forward(input, count: entries.count)    // [4, 128]
        for (i, e) in entries.enumerated() {
            let got = Array(out[(i * 128)..<((i + 1) * 128)])
            let worst = zip(got, e.descriptor).map { abs($0 - $1) }.max()!
            XCTAssertFalse(got.contains { $0.isNaN })
            XCTAssertLessThanOrEqual(worst, 1e-4, e.name)
        }
    }
}
