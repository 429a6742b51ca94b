@testable import EncoderTraining
import Foundation
import ImageDataset
import LayerGraph
import LogisticHead
import NetTraining
import TestSupport
import WeightStore
import XCTest

final class EncoderTrainerTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = TestPaths.temporaryDirectory("glyphs")
        try GlyphDomain.write(to: root.appendingPathComponent("data"), classes: 40, images: 8, size: 24, jitter: 1.6)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func glyphConfig() -> EncoderTrainingConfig {
        var c = EncoderTrainingConfig()
        c.inputWidth = 24; c.inputHeight = 24
        c.classesPerBatch = 8; c.imagesPerClass = 4
        c.batchesPerEpoch = 10
        c.epochs = 6
        c.learningRate = 3e-3
        c.validationClasses = 12
        c.way = 10
        c.episodes = 200
        c.seed = 7
        return c
    }

    /// A few seconds of triplet training lift 10-way one-shot accuracy on unseen glyph classes well above the
    /// untrained encoder's (measured on the same fixed episodes).
    func testTrainingLiftsOneShotAccuracyOnHeldOutClasses() throws {
        let config = glyphConfig()
        let trainer = try EncoderTrainer(config: config, data: root.appendingPathComponent("data"), output: root.appendingPathComponent("enc.h5"))
        XCTAssertEqual(trainer.train.classCount, 28)
        XCTAssertEqual(trainer.validation?.classCount, 12)
        let untrained = try TrainingNetwork(spec: trainer.spec, seed: config.seed)
        var before = EpochReport(epoch: 0, loss: 0, activeFraction: 0, learningRate: 0, seconds: 0, imagesPerSecond: 0)
        trainer.validate(untrained, unit: nil, into: &before)
        var reports: [EpochReport] = []
        let outcome = try trainer.run(resume: false, threads: 2, events: { if case .epoch(let r) = $0 { reports.append(r) } })
        guard case .finished(let last?) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(reports.count, 6)
        let b = before.validationAccuracy!, a = last.validationAccuracy!
        print("glyph domain 10-way one-shot: untrained \(b), trained \(a); AUC \(before.validationAUC!) → \(last.validationAUC!)")
        XCTAssertGreaterThan(a, b + 0.12)
        XCTAssertLessThan(1 - a, 0.6 * (1 - b), "the error rate falls by at least 40%")
        XCTAssertGreaterThan(last.validationAUC!, before.validationAUC!)
        XCTAssertLessThan(reports.last!.loss, reports.first!.loss)
        // Outputs: encoder, best encoder, checkpoint, curves; the encoder loads and embeds to unit vectors.
        for url in [trainer.files.encoder, trainer.files.best, trainer.files.checkpoint, trainer.files.curves] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.path)
        }
        let net = try InferenceNetwork(weights: NetworkWeights(archive: WeightArchive.read(from: trainer.files.encoder)))
        let e = net.forward(Array(trainer.train.image(0)), count: 1)
        XCTAssertEqual(e.count, 64)
        XCTAssertEqual(e.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-4)
    }

    /// The binary objective: encoder and logistic unit trained together; one-shot accuracy (by nearest neighbour and
    /// by the unit) rises above the untrained encoder's, and the unit is saved as a head bound to the new encoder.
    func testBinaryObjectiveTrainsEncoderAndUnitTogether() throws {
        var config = glyphConfig()
        config.objective = .binary
        config.hardPairs = true
        config.epochs = 8
        let trainer = try EncoderTrainer(config: config, data: root.appendingPathComponent("data"), output: root.appendingPathComponent("bin.h5"))
        let untrained = try TrainingNetwork(spec: trainer.spec, seed: config.seed)
        var before = EpochReport(epoch: 0, loss: 0, activeFraction: 0, learningRate: 0, seconds: 0, imagesPerSecond: 0)
        trainer.validate(untrained, unit: nil, into: &before)
        var reports: [EpochReport] = []
        guard case .finished(let last?) = try trainer.run(resume: false, threads: 2, events: { if case .epoch(let r) = $0 { reports.append(r) } }) else {
            return XCTFail("did not finish")
        }
        print("glyph domain binary objective: untrained \(before.validationAccuracy!), trained \(last.validationAccuracy!) (unit \(last.validationUnitAccuracy!))")
        XCTAssertLessThan(reports.last!.loss, reports.first!.loss)
        XCTAssertGreaterThan(last.validationAccuracy!, before.validationAccuracy! + 0.05)
        XCTAssertGreaterThan(last.validationUnitAccuracy!, 1.0 / Double(config.way) + 0.3, "the unit ranks far better than chance")
        let head = try LogisticHead.load(from: trainer.files.head)
        XCTAssertEqual(head.dimension, 64)
        XCTAssertEqual(head.encoderFingerprint, try WeightArchive.read(from: trainer.files.encoder).string("fingerprint"))
        XCTAssertTrue(head.weights.allSatisfy { $0 <= 0.5 }, "larger |Δ| means less alike: \(head.weights.prefix(8))")
    }

    /// The residual architecture on RGB input trains and exports (the file's input spec says 3 channels).
    func testResidualNetworkOnRGBInputTrainsAndExports() throws {
        var config = glyphConfig()
        config.architecture = .resnet
        config.channels = 3
        config.dimension = 32
        config.epochs = 2
        config.batchesPerEpoch = 4
        let trainer = try EncoderTrainer(config: config, data: root.appendingPathComponent("data"), output: root.appendingPathComponent("res.h5"))
        var reports: [EpochReport] = []
        guard case .finished = try trainer.run(resume: false, threads: 2, events: { if case .epoch(let r) = $0 { reports.append(r) } }) else {
            return XCTFail("did not finish")
        }
        XCTAssertEqual(reports.count, 2)
        XCTAssertTrue(reports.allSatisfy { $0.loss.isFinite && $0.validationAccuracy != nil })
        let weights = try NetworkWeights(archive: WeightArchive.read(from: trainer.files.encoder))
        XCTAssertEqual(weights.spec.input.channels, 3)
        XCTAssertEqual(try weights.spec.outputShape().c, 32)
    }

    /// Stopped mid-epoch and resumed from the checkpoint: the same encoder, bit for bit, as an uninterrupted run
    /// (and on another thread count).
    func testStopAndResumeEqualsUninterruptedRun() throws {
        var config = glyphConfig()
        config.epochs = 3
        config.augment = true
        let data = root.appendingPathComponent("data")
        let straight = try EncoderTrainer(config: config, data: data, output: root.appendingPathComponent("a.h5"))
        _ = try straight.run(resume: false, threads: 2)
        let interrupted = try EncoderTrainer(config: config, data: data, output: root.appendingPathComponent("b.h5"))
        var steps = 0
        let first = try interrupted.run(resume: false, threads: 1, shouldStop: { steps >= 14 }, events: { if case .step = $0 { steps += 1 } })
        XCTAssertEqual(first, .stopped(step: 14))
        XCTAssertFalse(FileManager.default.fileExists(atPath: interrupted.files.encoder.path))
        let second = try interrupted.run(resume: true, threads: 2)
        guard case .finished = second else { return XCTFail("\(second)") }
        let a = try Data(contentsOf: straight.files.encoder), b = try Data(contentsOf: interrupted.files.encoder)
        let fa = try WeightArchive.read(from: straight.files.encoder).string("fingerprint")
        let fb = try WeightArchive.read(from: interrupted.files.encoder).string("fingerprint")
        XCTAssertEqual(fa, fb)
        XCTAssertEqual(a.count, b.count)
    }

    /// A resume with other options is refused, naming what changed.
    func testResumeWithOtherOptionsIsRefused() throws {
        var config = glyphConfig()
        config.epochs = 2
        let data = root.appendingPathComponent("data")
        let t = try EncoderTrainer(config: config, data: data, output: root.appendingPathComponent("c.h5"))
        var steps = 0
        _ = try t.run(resume: false, threads: 1, shouldStop: { steps >= 3 }, events: { if case .step = $0 { steps += 1 } })
        config.margin = 0.3
        let other = try EncoderTrainer(config: config, data: data, output: root.appendingPathComponent("c.h5"))
        XCTAssertThrowsError(try other.run(resume: true, threads: 1)) { error in
            XCTAssertTrue("\(error)".contains("margin"), "\(error)")
        }
    }

    /// Bad data folders are one-line errors before any training.
    func testBadDataFoldersAreRefusedBeforeTraining() throws {
        let data = root.appendingPathComponent("data")
        func expectError(_ fragment: String, _ config: EncoderTrainingConfig = glyphConfig(), file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try EncoderTrainer(config: config, data: data, output: root.appendingPathComponent("x.h5")), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
                XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
            }
        }
        let fm = FileManager.default
        // One image in a class: the triplet loss needs two.
        for i in 1..<8 { try fm.removeItem(at: data.appendingPathComponent(String(format: "class000/img%02d.png", i))) }
        expectError("class000")
        try fm.removeItem(at: data.appendingPathComponent("class000"))
        // An empty class folder.
        try fm.createDirectory(at: data.appendingPathComponent("empty"), withIntermediateDirectories: true)
        expectError("empty")
        try fm.removeItem(at: data.appendingPathComponent("empty"))
        // A non-image file inside a class.
        try Data("not an image".utf8).write(to: data.appendingPathComponent("class001/notes.txt"))
        expectError("notes.txt")
        try fm.removeItem(at: data.appendingPathComponent("class001/notes.txt"))
        // A truncated PNG.
        let png = data.appendingPathComponent("class002/img00.png")
        try Data(try Data(contentsOf: png).prefix(40)).write(to: png)
        expectError("img00.png")
        // Options that cannot work with this data.
        try fm.removeItem(at: data.appendingPathComponent("class002"))
        var c = glyphConfig()
        c.way = 20
        expectError("--way 20", c)
        c = glyphConfig()
        c.classesPerBatch = 40
        expectError("--classes-per-batch 40", c)
    }
}
