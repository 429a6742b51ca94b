import LayerGraph
import NetTraining

/// How `train-encoder` learns the similarity function.
public enum TrainingObjective: String, Codable, CaseIterable, Sendable {
    /// max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0) with online mining in P×K batches.
    case triplet
    /// σ(Σ_k w_k·|f(a)_k − f(b)_k| + b) trained with binary cross-entropy on balanced same/different pairs of each
    /// batch, encoder and logistic unit together (Koch et al. 2015).
    case binary
}

/// Everything that decides a training run's result (threads do not: results are the same on any thread count).
/// Stored in every checkpoint as JSON; `--resume` refuses a checkpoint of another configuration.
public struct EncoderTrainingConfig: Codable, Equatable, Sendable {
    public var architecture: EncoderArchitecture = .conv4
    /// Input size in pixels and channels (1 gray, 3 RGB); images are converted with `ImageDataset.tensor(from:spec:)`.
    public var inputWidth = 28
    public var inputHeight = 28
    public var channels = 1
    /// Embedding size; nil for the architecture's natural size.
    public var dimension: Int?
    public var objective: TrainingObjective = .triplet
    /// Triplet margin α, in squared distance on the unit sphere (0…4).
    public var margin: Float = 0.2
    public var mining: TripletMining = .semihard
    /// Binary objective: the different-class pairs are the closest ones in the batch instead of uniform draws.
    public var hardPairs = false
    /// P and K of the P×K batches (batch size P·K).
    public var classesPerBatch = 32
    public var imagesPerClass = 4
    /// Batches per epoch; nil: ⌊training images / (P·K)⌋.
    public var batchesPerEpoch: Int?
    public var epochs = 30
    /// Optimiser kind and base learning rate; the schedule is cosine with a linear warm-up over the first
    /// `warmupEpochs` epochs, down to 1% of the base rate at the end.
    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0
    public var warmupEpochs = 1
    /// Small random affine warps of every training image (shift, rotation, scale, shear), drawn per image and step.
    public var augment = false
    /// 90°/180°/270° copies of every training class become new classes (square inputs only).
    public var rotationsAsClasses = false
    /// Validation on held-out classes: `validationClasses` drawn at random, or the classes of these top-level
    /// groups (`validationGroups`, e.g. Omniglot alphabets), or a separate folder (`validationFolder`).
    public var validationClasses: Int?
    public var validationGroups: [String]?
    public var validationFolder: String?
    /// N of the N-way one-shot validation episodes, and how many episodes.
    public var way = 20
    public var episodes = 400
    public var seed: UInt64 = 1
    /// What the images are (recorded in the encoder file).
    public var domain = "images"
    /// Fine-tuning: the encoder file to start from, and how many of its last top-level layers to train (nil: all).
    public var from: String?
    public var trainLayers: Int?

    public init() {}

    public var inputSpec: InputSpec { InputSpec(width: inputWidth, height: inputHeight, channels: channels) }
    public var batchSize: Int { classesPerBatch * imagesPerClass }

    /// The optimiser for `totalSteps` steps of `stepsPerEpoch` each.
    public func optimizerConfig(stepsPerEpoch: Int) -> OptimizerConfig {
        let total = max(1, epochs * stepsPerEpoch)
        return OptimizerConfig(kind: optimizer, learningRate: learningRate, weightDecay: weightDecay,
                               schedule: .cosine(warmupSteps: min(total - 1, warmupEpochs * stepsPerEpoch), totalSteps: total, minimumFactor: 0.01))
    }

    /// One-line problems with the values (nil when fine).
    public func problem() -> String? {
        if inputWidth < 4 || inputHeight < 4 || inputWidth > 1024 || inputHeight > 1024 { return "--input must be between 4 and 1024 pixels" }
        if channels != 1 && channels != 3 { return "--channels must be gray or rgb" }
        if let d = dimension, d < 1 || d > 4096 { return "--dim must be between 1 and 4096" }
        if !(margin > 0 && margin <= 4) { return "--margin must be in (0, 4] (squared distance on the unit sphere)" }
        if classesPerBatch < 2 { return "--classes-per-batch must be at least 2 (negatives come from other classes)" }
        if imagesPerClass < 2 { return "--per-class must be at least 2 (positives come from the same class)" }
        if batchSize > 4096 { return "--classes-per-batch × --per-class must be at most 4096" }
        if epochs < 1 || epochs > 100_000 { return "--epochs must be between 1 and 100000" }
        if !(learningRate > 0 && learningRate < 10) { return "--lr must be in (0, 10)" }
        if !(weightDecay >= 0 && weightDecay < 1) { return "--weight-decay must be in [0, 1)" }
        if way < 2 { return "--way must be at least 2" }
        if episodes < 1 { return "--episodes must be at least 1" }
        if let b = batchesPerEpoch, b < 1 { return "--batches-per-epoch must be at least 1" }
        if let t = trainLayers, t < 1 { return "--train-layers must be at least 1" }
        if trainLayers != nil && from == nil { return "--train-layers needs --from ENCODER" }
        let v = [validationClasses != nil, validationGroups != nil, validationFolder != nil].filter { $0 }.count
        if v > 1 { return "use one of --val DIR, --val-classes N, --val-groups A,B" }
        if let n = validationClasses, n < 2 { return "--val-classes must be at least 2" }
        return nil
    }
}
