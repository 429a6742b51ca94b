import FaceAlignment
import FaceAnalysis
import FaceDetection
import Foundation
import ImageDataset
import ImageInput
import LayerGraph
import NetTraining
import PairNet
import TestSupport
import WeightStore
import XCTest

/// Fine-tuning the imported face ResNet (`--from encoder.h5 --train-layers N`) on LFW View 1 identities: with the
/// identities split into training and held-out people, the held-out triplet loss goes down while only the last
/// layers train (the frozen part computes no gradients and does not move).
final class FaceFineTuningTests: XCTestCase {
    func testHeldOutTripletLossFallsWhenTheLastLayersAreFineTuned() throws {
        guard let models = TestPaths.models else { throw XCTSkip(TestPaths.skipReason("no imported models (run make models)")) }
        guard let shared = TestPaths.shared else { throw XCTSkip(TestPaths.skipReason("../shared absent (LFW View 1)")) }
        let lfw = shared.appendingPathComponent("data/lfw-view1")
        // People with ≥ 4 photos, in name order; 4 photos each. Every other person is held out.
        let fm = FileManager.default
        let people = try fm.contentsOfDirectory(atPath: lfw.path).sorted().filter {
            ((try? fm.contentsOfDirectory(atPath: lfw.appendingPathComponent($0).path)) ?? []).count >= 4
        }.prefix(40)
        XCTAssertEqual(people.count, 40)
        let analyzer = FaceAnalyzer(detector: try FaceDetector(contentsOf: models.appendingPathComponent("detector.h5")),
                                    landmarks: try LandmarkPredictor(contentsOf: models.appendingPathComponent("landmarks.h5")),
                                    encoder: nil)
        let spec = ResNetTopology.inputSpec
        var train: [Float] = [], trainLabels: [Int] = [], held: [Float] = [], heldLabels: [Int] = []
        for (p, name) in people.enumerated() {
            let files = try fm.contentsOfDirectory(atPath: lfw.appendingPathComponent(name).path).sorted().prefix(4)
            for f in files {
                let analyzed = try analyzer.analyze(contentsOf: lfw.appendingPathComponent(name).appendingPathComponent(f),
                                                    options: AnalysisOptions(embed: false))
                guard let face = FaceChoice.center.ordered(analyzed.faces, width: analyzed.width, height: analyzed.height).first else { continue }
                let x = tensor(from: try RGBImage(width: 150, height: 150, pixels: face.chip.pixels), spec: spec)   // [3, 150, 150]
                if p % 2 == 0 { train += x; trainLabels.append(p / 2) } else { held += x; heldLabels.append(p / 2) }
            }
        }
        let weights = try ResNetTopology.networkWeights(archive: WeightArchive.read(from: models.appendingPathComponent("encoder.h5")))
        let net = try TrainingNetwork(spec: weights.spec, seed: 1, threads: 2)
        net.load(weights)
        net.firstTrainedLayer = weights.spec.layers.count - 3          // global pool, flatten, fc
        let margin: Float = 0.3
        let loss = TripletLoss(margin: margin, mining: .semihard)
        let d = net.outputCount
        /// The mean hinge max(d²(a,p) − d²(a,n) + α, 0) over every valid triplet of the held-out people.
        func heldOutLoss() -> Double {
            let e = Array(UnsafeBufferPointer(start: held.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: heldLabels.count, mode: .evaluation) },
                                              count: heldLabels.count * d))
            func d2(_ i: Int, _ j: Int) -> Float { (0..<d).reduce(0) { $0 + (e[i * d + $1] - e[j * d + $1]) * (e[i * d + $1] - e[j * d + $1]) } }
            var sum = 0.0, count = 0
            for a in heldLabels.indices {
                for p in heldLabels.indices where p != a && heldLabels[p] == heldLabels[a] {
                    let ap = d2(a, p)
                    for n in heldLabels.indices where heldLabels[n] != heldLabels[a] {
                        sum += Double(max(ap - d2(a, n) + margin, 0)); count += 1
                    }
                }
            }
            return sum / Double(count)
        }
        let before = heldOutLoss()
        let frozenBefore = net.tensor("layers/000/weights")!
        let optimizer = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-4), parameterCount: net.parameters.count)
        let segments = net.trainedSegments
        XCTAssertEqual(segments.reduce(0) { $0 + $1.count }, 256 * 128, "only the fc layer trains")
        for _ in 0..<10 {
            let e = train.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: trainLabels.count, mode: .training) }
            var g = [Float](repeating: 0, count: trainLabels.count * d)
            _ = g.withUnsafeMutableBufferPointer { loss.evaluate(embeddings: e, labels: trainLabels, dimension: d, gradient: $0.baseAddress!) }
            g.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!) }
            optimizer.update(parameters: net.parameters, gradients: net.gradients, segments: segments)
        }
        let after = heldOutLoss()
        print("face fine-tuning: held-out triplet loss \(before) → \(after) (\(heldLabels.count) held-out chips of 20 people)")
        XCTAssertLessThan(after, before)
        XCTAssertEqual(net.tensor("layers/000/weights")!, frozenBefore, "the frozen stem did not move")
    }
}
