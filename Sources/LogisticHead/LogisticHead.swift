import FaceEmbedding
import Foundation

/// The decision head: P(same person | pair) = σ(Σ_k w_k·x_k + b), x = the pair's `PairFeatures` `[D]`.
///
/// Dimension: a head takes pairs of embeddings of exactly `dimension` = D components (D = `weights.count`, the size
/// of its encoder's output: 128 for the face ResNet). The arithmetic (`logit`, `probability`) treats another size as
/// a precondition failure; where the embeddings come from a user's choice, check first with
/// `checkDimension(_:file:)` or load with `load(from:expectingEncoder:dimension:)`, which throw `.dimensionMismatch`.
///
/// Intercept and prior: training fits the intercept for a 50/50 prior (classes weighted n / (2·n_c)),
/// kept as `balancedBias`. `prior` is the P(same person) the reported probabilities assume; the intercept in
/// use is `bias = balancedBias + log(prior / (1 − prior))` (Bayes' rule on the odds), so `withPrior(_:)` is exact
/// and never accumulates. A trained head has `prior = 0.5`, i.e. `bias == balancedBias`.
///
/// Decision: a pair is declared "same person" when `probability >= threshold`. The threshold applies to the
/// probability under the head's current prior and is not changed by `withPrior(_:)`; with the default 0.5 the
/// decision is the minimum-error (Bayes) decision for that prior.
public struct LogisticHead: Sendable, Equatable {
    /// The archive kind written to and required of head files.
    public static let archiveKind = "pairmatch.head"
    /// The archive format this code writes and reads.
    public static let formatVersion = 1

    /// `[D]` weights w, one per feature component.
    public let weights: [Float]
    /// The intercept for a 50/50 prior of "same person".
    public let balancedBias: Float
    /// The prior P(same person) in (0, 1) that `probability` assumes; 0.5 unless changed by `withPrior(_:)`.
    public let prior: Double
    /// How pair features must be computed for this head.
    public let featureKind: PairFeatureKind
    /// Decision threshold on the probability, in [0, 1].
    public let threshold: Float
    /// Fingerprint of the encoder whose embeddings the head was trained on.
    public let encoderFingerprint: String
    /// When the head was trained (whole seconds, UTC when written).
    public let created: Date
    /// How the head was trained, with its cross-validated metrics; nil for hand-made heads.
    public let training: TrainingSummary?

    /// A head from its parts. Throws `.invalidConfiguration` unless `weights` has D ≥ 1 finite values (D = the
    /// dimension of the embeddings it will score) and `balancedBias` is finite, `.invalidPrior` unless
    /// 0 < prior < 1, `.invalidThreshold` unless 0 ≤ threshold ≤ 1. `created` is truncated to whole seconds (what
    /// the file keeps).
    public init(weights: [Float], balancedBias: Float, featureKind: PairFeatureKind = .absoluteDifference,
                threshold: Float = 0.5, prior: Double = 0.5, encoderFingerprint: String,
                created: Date = Date(), training: TrainingSummary? = nil) throws(LogisticHeadError) {
        guard !weights.isEmpty else {
            throw .invalidConfiguration("a head has at least 1 weight, not 0")
        }
        guard weights.allSatisfy(\.isFinite), balancedBias.isFinite else {
            throw .invalidConfiguration("head weights and bias must be finite")
        }
        guard prior > 0, prior < 1 else { throw .invalidPrior(prior) }
        guard threshold >= 0, threshold <= 1 else { throw .invalidThreshold(Double(threshold)) }
        self.weights = weights
        self.balancedBias = balancedBias
        self.prior = prior
        self.featureKind = featureKind
        self.threshold = threshold
        self.encoderFingerprint = encoderFingerprint
        self.created = Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down))
        self.training = training
    }

    /// A head for a logistic unit σ(w·x + b) learnt elsewhere, e.g. jointly with an encoder
    /// (`train-encoder --loss binary` trains σ(w·|Δ| + b) with the encoder and saves it with `save(to:)`), bound to
    /// that encoder's `encoderFingerprint`. `weights` `[D]` are the unit's weights (D = the encoder's embedding size),
    /// `bias` its intercept, stored as `balancedBias` with prior 0.5: exact when the unit was trained on as many
    /// same-class as different-class pairs (or with class-weighted loss); otherwise re-base with `withPrior(_:)`.
    /// No training summary. Throws as the memberwise initialiser (`.invalidConfiguration`, `.invalidThreshold`).
    public init(unitWeights weights: [Float], bias: Float, threshold: Float = 0.5, encoderFingerprint: String,
                featureKind: PairFeatureKind = .absoluteDifference, created: Date = Date()) throws(LogisticHeadError) {
        try self.init(weights: weights, balancedBias: bias, featureKind: featureKind, threshold: threshold, prior: 0.5,
                      encoderFingerprint: encoderFingerprint, created: created, training: nil)
    }

    /// D, the number of weights = the dimension of the embeddings (and pair features) the head takes.
    public var dimension: Int { weights.count }

    /// Throws `.dimensionMismatch(file: file, head: dimension, embeddings: embeddingDimension)` unless embeddings of
    /// `embeddingDimension` components suit this head. `file` names the head in the message (its path, or a
    /// description such as "in memory").
    public func checkDimension(_ embeddingDimension: Int, file: String) throws(LogisticHeadError) {
        guard embeddingDimension == dimension else {
            throw .dimensionMismatch(file: file, head: dimension, embeddings: embeddingDimension)
        }
    }

    /// log(prior / (1 − prior)), the intercept shift of the current prior (exactly 0 for 0.5).
    public var priorLogOdds: Double { log(prior / (1 - prior)) }

    /// The intercept in use: `balancedBias + log(prior / (1 − prior))`, rounded to float.
    public var bias: Float { Float(Double(balancedBias) + priorLogOdds) }

    /// The log-odds Σ_k w_k·x_k + balancedBias + log(prior / (1 − prior)), accumulated in double.
    /// Preconditions: `x.kind == featureKind` (build features with the head's `featureKind`) and
    /// `x.dimension == dimension` (see `checkDimension(_:file:)`).
    public func logit(_ x: PairFeatures) -> Double {
        precondition(x.kind == featureKind, "head expects '\(featureKind.rawValue)' pair features, got '\(x.kind.rawValue)'")
        precondition(x.dimension == dimension, "head of \(dimension) weights given pair features of \(x.dimension) components")
        var z = 0.0
        for k in 0..<weights.count { z += Double(weights[k]) * Double(x.values[k]) }
        return (z + Double(balancedBias)) + priorLogOdds
    }

    /// P(same person | x) under the head's prior, in [0, 1]. Preconditions as for `logit`.
    public func probability(_ x: PairFeatures) -> Float {
        Float(Self.sigmoid(logit(x)))
    }

    /// `[xs.count]` probabilities, one per pair, in order.
    public func probabilities(_ xs: [PairFeatures]) -> [Float] {
        xs.map(probability)
    }

    /// Whether the head declares the pair the same person: `probability(x) >= threshold`.
    public func isSamePerson(_ x: PairFeatures) -> Bool {
        probability(x) >= threshold
    }

    /// The same head assuming P(same person) = `prior`: the intercept becomes
    /// `balancedBias + log(prior / (1 − prior))` (computed from the balanced intercept, so successive calls
    /// do not accumulate). Threshold, weights and everything else are kept. Throws `.invalidPrior` unless 0 < prior < 1.
    public func withPrior(_ prior: Double) throws(LogisticHeadError) -> LogisticHead {
        guard prior > 0, prior < 1 else { throw .invalidPrior(prior) }
        return try LogisticHead(weights: weights, balancedBias: balancedBias, featureKind: featureKind, threshold: threshold,
                                prior: prior, encoderFingerprint: encoderFingerprint, created: created, training: training)
    }

    /// The same head deciding at `threshold` (a probability in [0, 1]). Throws `.invalidThreshold`.
    public func withThreshold(_ threshold: Float) throws(LogisticHeadError) -> LogisticHead {
        try LogisticHead(weights: weights, balancedBias: balancedBias, featureKind: featureKind, threshold: threshold,
                         prior: prior, encoderFingerprint: encoderFingerprint, created: created, training: training)
    }

    /// σ(z) = 1 / (1 + e^−z), evaluated without overflow.
    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }
}
