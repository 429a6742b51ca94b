import Foundation
import LayerGraph
import NetTraining
import SeededRandom
import TestSupport
import WeightStore
import XCTest

/// A few steps of triplet training on random data: the loop the determinism, resume and export tests share.
struct TinyRun {
    let spec: NetworkSpec
    let batch = 16
    let input: [Float]           // [batch, C, H, W]
    let labels: [Int]            // [batch], 4 classes × 4
    let optimizer = OptimizerConfig(kind: .adamw, learningRate: 3e-3, weightDecay: 1e-2, clipNorm: 5)

    init(_ spec: NetworkSpec, seed: UInt64 = 3) {
        self.spec = spec
        var g = SplitMix64(seed: seed)
        input = (0..<(batch * spec.input.count)).map { _ in g.symmetricUnit() }
        labels = (0..<batch).map { $0 / 4 }
    }

    /// Runs steps `from..<to` on `net` with `optimizer`; step s trains on the batch shifted by s (so steps differ).
    func train(_ net: TrainingNetwork, _ opt: Optimizer, steps: Range<Int>) -> [Float] {
        let loss = TripletLoss(margin: 0.5, mining: .all)
        let segments = net.trainedSegments
        var losses: [Float] = []
        for s in steps {
            let per = spec.input.count
            let shift = (s % batch) * per
            let x = Array(input[shift...] + input[..<shift])
            let lab = Array(labels[(s % batch)...] + labels[..<(s % batch)])
            let e = x.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: batch, mode: .training) }
            var grad = [Float](repeating: 0, count: batch * net.outputCount)
            let r = grad.withUnsafeMutableBufferPointer { loss.evaluate(embeddings: e, labels: lab, dimension: net.outputCount, gradient: $0.baseAddress!) }
            losses.append(r.loss)
            grad.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!) }
            opt.update(parameters: net.parameters, gradients: net.gradients, segments: segments)
        }
        return losses
    }
}

final class TrainingNetworkTests: XCTestCase {
    static let small = NetworkSpec.test(1, 12, 12, [
        .conv(8, kernel: 3, padding: 1, bias: false), .bn, .relu, .maxPool(2, stride: 2),
        .residual(body: [.conv(8, kernel: 3, padding: 1, bias: false), .bn, .relu, .conv(8, kernel: 3, padding: 1, bias: false), .bn], shortcut: []),
        .relu, .conv(16, kernel: 3, stride: 2, padding: 1), .relu, .avgPool(.global), .flatten, .fc(8), .l2Normalize,
    ])

    func testTrainingLowersTheLoss() throws {
        let run = TinyRun(Self.small)
        let net = try TrainingNetwork(spec: run.spec, seed: 1)
        let losses = run.train(net, Optimizer(config: run.optimizer, parameterCount: net.parameters.count), steps: 0..<40)
        XCTAssertLessThan(losses.suffix(5).reduce(0, +) / 5, 0.6 * (losses.prefix(5).reduce(0, +) / 5), "\(losses)")
    }

    /// Same seed → bitwise identical weights after N steps, on one thread, on two, and across the two
    /// (chunk partitions depend on shapes only).
    func testSameSeedGivesBitwiseIdenticalWeightsOnAnyThreadCount() throws {
        let run = TinyRun(Self.small)
        func weights(threads: Int) throws -> [Float] {
            let net = try TrainingNetwork(spec: run.spec, seed: 1, threads: threads)
            _ = run.train(net, Optimizer(config: run.optimizer, parameterCount: net.parameters.count), steps: 0..<6)
            return Array(net.parameters)
        }
        let one = try weights(threads: 1), oneAgain = try weights(threads: 1)
        let two = try weights(threads: 2), twoAgain = try weights(threads: 2)
        XCTAssertEqual(one.map(\.bitPattern), oneAgain.map(\.bitPattern))
        XCTAssertEqual(two.map(\.bitPattern), twoAgain.map(\.bitPattern))
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        let other = try TrainingNetwork(spec: run.spec, seed: 2)
        XCTAssertNotEqual(Array(other.parameters), one, "another seed starts elsewhere")
    }

    /// Train 8 steps; or 3, checkpoint to disk, a fresh network restored from it, 5 more: bitwise equal.
    func testResumingFromACheckpointEqualsAnUninterruptedRun() throws {
        let run = TinyRun(Self.small)
        let straight = try TrainingNetwork(spec: run.spec, seed: 1, threads: 2)
        _ = run.train(straight, Optimizer(config: run.optimizer, parameterCount: straight.parameters.count), steps: 0..<8)

        let first = try TrainingNetwork(spec: run.spec, seed: 1, threads: 2)
        let opt = Optimizer(config: run.optimizer, parameterCount: first.parameters.count)
        _ = run.train(first, opt, steps: 0..<3)
        let dir = TestPaths.temporaryDirectory("checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("run.ckpt.h5")
        try TrainingCheckpoint(network: first, optimizer: opt, epoch: 0, step: 3, generators: ["data": 42],
                               extraTensors: ["unit": [1, 2]], metrics: ["best": 0.5], config: "{\"x\":1}").write(to: url)
        let checkpoint = try TrainingCheckpoint.read(from: url)
        XCTAssertEqual(checkpoint.step, 3)
        XCTAssertEqual(checkpoint.generators["data"], 42)
        XCTAssertEqual(checkpoint.extraTensors["unit"], [1, 2])
        XCTAssertEqual(checkpoint.metrics["best"], 0.5)
        XCTAssertEqual(checkpoint.config, "{\"x\":1}")
        let resumed = try TrainingNetwork(spec: run.spec, seed: 99, threads: 2)
        let resumedOpt = try checkpoint.restore(into: resumed)
        _ = run.train(resumed, resumedOpt, steps: 3..<8)
        XCTAssertEqual(Array(resumed.parameters).map(\.bitPattern), Array(straight.parameters).map(\.bitPattern))
    }

    /// The exported inference network (batch norm folded, ReLU fused) equals evaluation mode within 1e-5, for
    /// the small net and both shipped architectures, also after a trip through the encoder file.
    func testExportedInferenceNetworkMatchesEvaluationMode() throws {
        let conv4 = try EncoderArchitecture.conv4.spec(input: InputSpec(width: 28, height: 28, channels: 1), dimension: nil)
        let resnet = try EncoderArchitecture.resnet.spec(input: InputSpec(width: 20, height: 20, channels: 3), dimension: 32)
        for (name, spec) in [("small", Self.small), ("conv4", conv4), ("resnet", resnet)] {
            let run = TinyRun(spec)
            let net = try TrainingNetwork(spec: spec, seed: 1)
            _ = run.train(net, Optimizer(config: run.optimizer, parameterCount: net.parameters.count), steps: 0..<3)
            let eval = Array(UnsafeBufferPointer(start: run.input.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: run.batch, mode: .evaluation) },
                                                 count: run.batch * net.outputCount))
            let inference = try net.inferenceNetwork()
            assertClose(inference.forward(run.input, count: run.batch), eval, tolerance: 1e-5, name)

            let dir = TestPaths.temporaryDirectory("encoder")
            defer { try? FileManager.default.removeItem(at: dir) }
            let url = dir.appendingPathComponent("encoder.h5")
            try net.weights().archive(domain: "test").write(to: url)
            let loaded = try InferenceNetwork(weights: NetworkWeights(archive: WeightArchive.read(from: url)))
            XCTAssertEqual(loaded.fingerprint, inference.fingerprint)
            XCTAssertEqual(loaded.forward(run.input, count: run.batch), inference.forward(run.input, count: run.batch), name)
        }
    }

    /// A tensor changed in the file no longer matches the fingerprint: refused, naming the file.
    func testEncoderFileWithAlteredWeightsIsRefused() throws {
        let net = try TrainingNetwork(spec: Self.small, seed: 1)
        var archive = try net.weights().archive(domain: "test")
        var t = try archive.tensor("layers/000/weights")
        t.values[3] += 0.25
        archive.set(t, at: "layers/000/weights")
        let dir = TestPaths.temporaryDirectory("encoder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.h5")
        try archive.write(to: url)
        XCTAssertThrowsError(try NetworkWeights(archive: WeightArchive.read(from: url))) { error in
            XCTAssertTrue("\(error)".contains("fingerprint") && "\(error)".contains(url.path), "\(error)")
        }
        t.values[3] = .nan
        archive.set(t, at: "layers/000/weights")
        try archive.write(to: url)
        XCTAssertThrowsError(try NetworkWeights(archive: WeightArchive.read(from: url))) { error in
            XCTAssertTrue("\(error)".contains("non-finite"), "\(error)")
        }
    }

    /// Frozen layers: no gradient, no update; the trained tail still learns.
    func testFrozenLayersStayFixed() throws {
        let run = TinyRun(Self.small)
        let net = try TrainingNetwork(spec: run.spec, seed: 1)
        net.firstTrainedLayer = 6
        let before = Array(net.parameters)
        _ = run.train(net, Optimizer(config: run.optimizer, parameterCount: net.parameters.count), steps: 0..<3)
        let after = Array(net.parameters)
        for (info, offset) in net.tensors {
            let changed = (offset..<(offset + info.count)).contains { before[$0] != after[$0] }
            let frozen = ["layers/000", "layers/001", "layers/004"].contains { info.path.hasPrefix($0) }
            if info.role.isTrainable { XCTAssertEqual(changed, !frozen, info.path) }
        }
    }
}
