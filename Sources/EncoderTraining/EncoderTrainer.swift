import Foundation
import ImageDataset
import LayerGraph
import NetTraining
import SeededRandom
import WeightStore

/// Why a training run cannot start or continue (one line, naming the input).
public enum EncoderTrainingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case data(String)
    case resume(path: String, reason: String)
    case diverged(step: Int, loss: Float)

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .data(let m): return m
        case .resume(let path, let reason): return "\(path): cannot resume: \(reason)"
        case .diverged(let step, let loss):
            return "training diverged at step \(step + 1) (loss \(loss)); try a smaller --lr (nothing of this step was saved)"
        }
    }
}

/// The `train-encoder` workflow: P×K batches from a folder per class, the triplet or binary objective, validation
/// by N-way one-shot accuracy on held-out classes after each epoch, checkpoints, best/last encoders, curves.
///
/// Reproducibility: every random choice of step s (the batch, its augmentation, the binary objective's pairs) is a
/// function of (seed, s) alone, and the engine's arithmetic does not depend on the thread count, so a run stopped
/// (or killed) and resumed from its checkpoint ends with the same weights, bit for bit, as an uninterrupted one.
public final class EncoderTrainer {
    public let config: EncoderTrainingConfig
    public let files: TrainingFiles
    /// The training images (rotated copies included when asked for).
    public let train: LoadedImages
    /// Held-out classes, or nil.
    public let validation: LoadedImages?
    public let spec: NetworkSpec
    let initial: NetworkWeights?
    let sampler: PKBatchSampler
    let episodes: OneShotEpisodes?
    let pairs: ValidationPairs?

    /// Reads and checks everything before any training: the data folder (and validation), the options, the
    /// starting encoder. - Parameter initial: the weights of `--from` (its spec replaces the architecture options).
    public init(config: EncoderTrainingConfig, data: URL, output: URL, initial: NetworkWeights? = nil,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        if let p = config.problem() { throw EncoderTrainingError.invalidOption(p) }
        self.config = config
        files = TrainingFiles(output: output)
        self.initial = initial
        let spec = try initial?.spec ?? config.architecture.spec(input: config.inputSpec, dimension: config.dimension)
        self.spec = spec
        if let n = config.trainLayers, n > spec.layers.count {
            throw EncoderTrainingError.invalidOption("--train-layers \(n): the encoder has \(spec.layers.count) top-level layers")
        }
        do {
            let all = try ClassFolders(root: data, minimumImagesPerClass: 2)
            var trainFolders = all, validationFolders: ClassFolders?
            if let n = config.validationClasses {
                (trainFolders, validationFolders) = try all.splitClasses(validationCount: n, seed: config.seed)
            } else if let g = config.validationGroups {
                (trainFolders, validationFolders) = try all.splitByGroup(validationGroups: g)
            } else if let v = config.validationFolder {
                validationFolders = try ClassFolders(root: URL(fileURLWithPath: v), minimumImagesPerClass: 2)
            }
            var loaded = try LoadedImages(loading: trainFolders, spec: spec.input, threads: threads)
            if config.rotationsAsClasses { loaded = try loaded.rotatingClasses() }
            train = loaded
            validation = try validationFolders.map { try LoadedImages(loading: $0, spec: spec.input, threads: threads) }
            guard train.classCount >= config.classesPerBatch else {
                throw EncoderTrainingError.data("\(data.path): \(train.classCount) training classes, fewer than --classes-per-batch \(config.classesPerBatch)")
            }
            sampler = try PKBatchSampler(labels: train.labels, classesPerBatch: config.classesPerBatch,
                                         imagesPerClass: config.imagesPerClass, batchesPerEpoch: config.batchesPerEpoch, seed: config.seed)
            if let v = validation {
                guard v.classCount >= config.way else {
                    throw EncoderTrainingError.data("validation has \(v.classCount) classes, fewer than --way \(config.way)")
                }
                episodes = try OneShotEpisodes(labels: v.labels, way: config.way, episodes: config.episodes, seed: config.seed)
                pairs = try ValidationPairs(labels: v.labels, pairsPerKind: min(2000, ValidationPairs.sameClassPairCount(labels: v.labels)),
                                            seed: config.seed)
            } else {
                episodes = nil
                pairs = nil
            }
        } catch let e as DatasetError {
            throw EncoderTrainingError.data(e.description)
        }
    }

    /// Steps in one epoch.
    public var stepsPerEpoch: Int { sampler.batchesPerEpoch }
    public var totalSteps: Int { config.epochs * stepsPerEpoch }

    /// The generator of step `step`: batch augmentation and pair draws come from it.
    func generator(step: Int) -> SplitMix64 {
        var g = SplitMix64(seed: config.seed ^ (UInt64(truncatingIfNeeded: step) &* 0x9E37_79B9_7F4A_7C15 &+ 0x5851_F42D_4C95_7F2D))
        _ = g.next()
        return g
    }
}
