/// What one epoch measured (a `--log` JSON line, a point of the learning curves).
public struct EpochReport: Codable, Equatable, Sendable {
    /// 1-based.
    public var epoch: Int
    /// Mean training loss over the epoch's steps.
    public var loss: Double
    /// Triplet objective: share of mined triplets with a positive hinge; binary: training pair accuracy.
    public var activeFraction: Double
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    /// N-way one-shot accuracy on the held-out classes by nearest neighbour (nil without validation).
    public var validationAccuracy: Double?
    /// Binary objective: the same episodes decided by the logistic unit (the support with the highest probability).
    public var validationUnitAccuracy: Double?
    /// Verification on held-out same/different pairs by embedding distance.
    public var validationAUC: Double?
    public var validationEER: Double?
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// Training images per second in the epoch.
    public var imagesPerSecond: Double
}

/// What a training run reports while it runs.
public enum TrainingEvent: Sendable {
    /// After each step: 0-based epoch, 1-based step within it, steps per epoch, the step's loss.
    case step(epoch: Int, step: Int, of: Int, loss: Float)
    /// After each epoch.
    case epoch(EpochReport)
    /// A file was written (checkpoint, encoder, curves, head).
    case wrote(String)
}
