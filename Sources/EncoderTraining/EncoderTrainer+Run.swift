import Foundation
import ImageDataset
import LayerGraph
import NetTraining
import SeededRandom
import WeightStore

/// What a checkpoint's `config` holds for this workflow: the configuration (compared on resume) and the run's
/// history (for the curves and the best-so-far rule).
struct CheckpointPayload: Codable, Equatable {
    var config: EncoderTrainingConfig
    var history: [EpochReport]
    var bestAccuracy: Double?
    var unitStep: Int
}

/// How a run ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// All epochs done; the last epoch's report (nil if there were none to run).
    case finished(EpochReport?)
    /// Stopped on request after `step` steps, with a checkpoint written.
    case stopped(step: Int)
}

extension EncoderTrainer {
    /// Trains from scratch (or from the checkpoint with `resume`), on `threads` workers, until all epochs are done or
    /// `shouldStop()` turns true (checked after every step: a checkpoint is written and the run returns `.stopped`).
    /// - Throws: `EncoderTrainingError` (resume refused, divergence), `WeightStoreError` (a file that cannot be written).
    public func run(resume: Bool, threads: Int, log: URL? = nil, shouldStop: () -> Bool = { false },
                    events: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let net = try TrainingNetwork(spec: spec, seed: config.seed, threads: threads)
        if let initial { net.load(initial) }
        if let n = config.trainLayers { net.firstTrainedLayer = spec.layers.count - n }
        let d = net.outputCount, batch = config.batchSize
        var optimizer = Optimizer(config: config.optimizerConfig(stepsPerEpoch: stepsPerEpoch), parameterCount: net.parameters.count)
        // The binary objective's logistic unit: w [D], b, with its own optimiser state (same rule and schedule).
        var unit = [Float](repeating: -1, count: d + 1)
        unit[d] = 4
        let unitOptimizer = Optimizer(config: config.optimizerConfig(stepsPerEpoch: stepsPerEpoch), parameterCount: d + 1)
        var history: [EpochReport] = []
        var best: Double? = nil
        var step = 0

        if resume {
            let path = files.checkpoint.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw EncoderTrainingError.resume(path: path, reason: "no checkpoint (start without --resume)")
            }
            let c = try TrainingCheckpoint.read(from: files.checkpoint)
            guard let payload = try? JSONDecoder().decode(CheckpointPayload.self, from: Data(c.config.utf8)) else {
                throw EncoderTrainingError.resume(path: path, reason: "not a train-encoder checkpoint")
            }
            guard payload.config == config else {
                throw EncoderTrainingError.resume(path: path, reason: "it was made with other options (\(Self.differences(payload.config, config)))")
            }
            guard c.weights.spec == spec else { throw EncoderTrainingError.resume(path: path, reason: "another network") }
            optimizer = try c.restore(into: net)
            if config.objective == .binary {
                guard let u = c.extraTensors["unit"], u.count == d + 1 else {
                    throw EncoderTrainingError.resume(path: path, reason: "the logistic unit is missing")
                }
                unit = u
                var state: [String: [Float]] = [:]
                for (k, v) in c.extraTensors where k.hasPrefix("unit_state/") { state[String(k.dropFirst(11))] = v }
                try unitOptimizer.restore(step: payload.unitStep, stateTensors: state)
            }
            history = payload.history
            best = payload.bestAccuracy
            step = c.step
        }

        let segments = net.trainedSegments
        let unitSegments = [ParameterSegment(offset: 0, count: d, decays: false), ParameterSegment(offset: d, count: 1, decays: false)]
        let triplet = TripletLoss(margin: config.margin, mining: config.mining)
        let augmentation = config.augment ? RandomAffine(maxShift: Float(spec.input.width) * 0.07, maxRotation: 10, maxScaleChange: 0.1, maxShear: 0.15) : .none
        var x = [Float](repeating: 0, count: batch * spec.input.count)       // [B, C, H, W]
        var grad = [Float](repeating: 0, count: batch * d)                    // [B, D]
        var unitGrad = [Float](repeating: 0, count: d + 1)                    // [D + 1]

        func saveCheckpoint() throws {
            let payload = CheckpointPayload(config: config, history: history, bestAccuracy: best, unitStep: unitOptimizer.step)
            var extra: [String: [Float]] = [:]
            if config.objective == .binary {
                extra["unit"] = unit
                for (k, v) in unitOptimizer.stateTensors { extra["unit_state/" + k] = v }
            }
            let json = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
            try TrainingCheckpoint(network: net, optimizer: optimizer, epoch: step / stepsPerEpoch, step: step,
                                   extraTensors: extra, config: json).write(to: files.checkpoint)
            events(.wrote(files.checkpoint.path))
        }

        var epochBatches: (epoch: Int, batches: [PKBatch]) = (-1, [])
        var lossSum = 0.0, activeSum = 0.0, stepsInEpoch = 0
        var epochStart = DispatchTime.now().uptimeNanoseconds
        while step < totalSteps {
            let epoch = step / stepsPerEpoch, j = step % stepsPerEpoch
            if epochBatches.epoch != epoch { epochBatches = (epoch, sampler.epoch(epoch)) }
            let b = epochBatches.batches[j]
            var rng = generator(step: step)
            x.withUnsafeMutableBufferPointer { train.gather(b.indices, into: $0, augmentation: augmentation, rng: &rng) }
            let e = x.withUnsafeBufferPointer { net.forward($0.baseAddress!, count: batch, mode: .training) }
            let loss: Float, active: Float
            switch config.objective {
            case .triplet:
                let r = grad.withUnsafeMutableBufferPointer { triplet.evaluate(embeddings: e, labels: b.labels, dimension: d, gradient: $0.baseAddress!) }
                loss = r.loss
                active = r.activeFraction
            case .binary:
                let p = PairSampler(hardNegatives: config.hardPairs).pairs(labels: b.labels, count: batch, embeddings: e, dimension: d, generator: &rng)
                var biasGrad: Float = 0
                let r = grad.withUnsafeMutableBufferPointer { g in
                    unitGrad.withUnsafeMutableBufferPointer { ug in
                        unit.withUnsafeBufferPointer { u in
                            BinaryPairLoss().evaluate(embeddings: e, count: batch, dimension: d, pairs: p, unitWeights: u.baseAddress!,
                                                      unitBias: u[d], embeddingGradient: g.baseAddress!, weightGradient: ug.baseAddress!,
                                                      biasGradient: &biasGrad)
                        }
                    }
                }
                unitGrad[d] = biasGrad
                loss = r.loss
                active = r.accuracy
            }
            guard loss.isFinite else { throw EncoderTrainingError.diverged(step: step, loss: loss) }
            grad.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!) }
            optimizer.update(parameters: net.parameters, gradients: net.gradients, segments: segments)
            if config.objective == .binary {
                unit.withUnsafeMutableBufferPointer { u in
                    unitGrad.withUnsafeMutableBufferPointer { _ = unitOptimizer.update(parameters: u, gradients: $0, segments: unitSegments) }
                }
            }
            step += 1
            lossSum += Double(loss); activeSum += Double(active); stepsInEpoch += 1
            events(.step(epoch: epoch, step: j + 1, of: stepsPerEpoch, loss: loss))

            if step % stepsPerEpoch == 0 {
                let trainSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                var report = EpochReport(epoch: epoch + 1, loss: lossSum / Double(max(1, stepsInEpoch)),
                                         activeFraction: activeSum / Double(max(1, stepsInEpoch)),
                                         learningRate: Double(optimizer.config.learningRate * optimizer.config.schedule.factor(atStep: max(0, optimizer.step - 1))),
                                         seconds: trainSeconds, imagesPerSecond: Double(stepsInEpoch * batch) / max(1e-9, trainSeconds))
                if validation != nil { validate(net, unit: config.objective == .binary ? unit : nil, into: &report) }
                report.seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                history.append(report)
                if let acc = report.validationAccuracy, acc > (best ?? -1) {
                    best = acc
                    try writeEncoder(net, unit: config.objective == .binary ? unit : nil, to: files.best,
                                     head: config.objective == .binary ? files.bestHead : nil, events: events)
                }
                try AtomicFile.write(Data(LearningCurves.svg(history, title: "train-encoder: \(config.architecture.rawValue), \(config.objective.rawValue)").utf8),
                                     to: files.curves)
                if let log { try appendLog(report, to: log) }
                try saveCheckpoint()
                events(.epoch(report))
                lossSum = 0; activeSum = 0; stepsInEpoch = 0
                epochStart = DispatchTime.now().uptimeNanoseconds
            }
            if step < totalSteps, shouldStop() {
                if step % stepsPerEpoch != 0 { try saveCheckpoint() }     // else the epoch's checkpoint is this state
                return .stopped(step: step)
            }
        }
        try writeEncoder(net, unit: config.objective == .binary ? unit : nil, to: files.encoder, head: files.head, events: events)
        if config.objective == .triplet, validation != nil, FileManager.default.fileExists(atPath: files.best.path) {
            // The best encoder's head, fitted once at the end (not at every improvement).
            let best = try TrainingNetwork(spec: spec, seed: config.seed, threads: threads)
            best.load(try NetworkWeights(archive: WeightArchive.read(from: files.best)))
            try EncoderHeadFile.fit(embeddings: embed(train, with: best), dimension: best.outputCount, labels: train.labels,
                                    seed: config.seed, encoderFingerprint: try best.weights().fingerprint(), to: files.bestHead)
            events(.wrote(files.bestHead.path))
        }
        return .finished(history.last)
    }

    /// Writes the encoder file and a head beside it: the binary objective's logistic unit, or for the triplet
    /// objective a logistic head fitted (IRLS, `HeadTrainer`) on balanced same/different pairs of training images.
    func writeEncoder(_ net: TrainingNetwork, unit: [Float]?, to url: URL, head: URL?, events: (TrainingEvent) -> Void) throws {
        let weights = try net.weights()
        let fingerprint = try weights.fingerprint()
        try weights.archive(domain: config.domain).write(to: url)
        events(.wrote(url.path))
        guard let head else { return }
        if let unit {
            try EncoderHeadFile.write(unit: unit, encoderFingerprint: fingerprint, to: head)
        } else {
            let e = embed(train, with: net)
            try EncoderHeadFile.fit(embeddings: e, dimension: net.outputCount, labels: train.labels, seed: config.seed,
                                    encoderFingerprint: fingerprint, to: head)
        }
        events(.wrote(head.path))
    }

    func appendLog(_ report: EpochReport, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(report)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw WeightStoreError.writeFailed(path: url.path, reason: "cannot open the log for writing")
        }
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: line)
    }

    /// The options that differ between two configurations, for the resume refusal.
    static func differences(_ a: EncoderTrainingConfig, _ b: EncoderTrainingConfig) -> String {
        let ea = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any]
        let eb = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(b)) as? [String: Any]
        guard let ea, let eb else { return "unknown" }
        let keys = Set(ea.keys).union(eb.keys).sorted().filter { "\(ea[$0] ?? "none")" != "\(eb[$0] ?? "none")" }
        return keys.map { "\($0): \(ea[$0] ?? "none") → \(eb[$0] ?? "none")" }.joined(separator: ", ")
    }
}
