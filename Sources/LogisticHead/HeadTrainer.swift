import FaceEmbedding
import Foundation
import PairMetrics

/// Fits a `LogisticHead` to labelled pairs by class-weighted, L2-regularised logistic regression (Newton/IRLS).
/// Any feature dimension D ≥ 1 (the embeddings' size): the head gets D weights and each Newton step solves a
/// (D+1)×(D+1) system.
///
/// Objective (θ = [w; b], n pairs): J = (1/n)·Σ_i c_i·logloss_i + (λ/2)·Σ_k s_k²·w_k², c_i = n / (2·n_{class of i}),
/// s_k² = mean of x_k² over the pairs (a standardised L2 penalty, as in glmnet: λ is dimensionless, so one λ suits
/// both feature kinds), bias not penalised. The class weights make the fitted intercept the one for a 50/50
/// prior of "same person", whatever the class balance of the training pairs (see `LogisticHead.withPrior`).
///
/// Procedure of `fit`:
/// 1. validate (≥ 20 pairs, both classes, one feature kind, one dimension, finite features, sane settings);
/// 2. for each λ of the grid (largest first; just `lambda` when given) fit all pairs, warm-started along the
///    λ path (a cold start first solves a stratified 1/8 subsample when there are ≥ 32768 pairs);
/// 3. with `folds` ≥ 2: stratified k-fold (deterministic, `seed`): each fold's fit starts from the full-data
///    solution of the same λ and stops at relative step max(tolerance, 1e-6); the held-out fold is scored.
///    λ = the grid value with the lowest mean held-out class-weighted log-loss (ties: the larger λ); its
///    held-out metrics go into the summary and its full-data fit becomes the head;
/// 4. set the threshold (`thresholdChoice`) and the summary.
///
/// Deterministic: the same inputs and settings give bit-identical heads (up to OpenBLAS' own threading order).
public struct HeadTrainer: Sendable {
    /// Fewer labelled pairs than this are refused.
    public static let minimumPairs = 20
    /// The default λ (standardised penalty; mild: D + 1 parameters, 129 for face embeddings, and typically thousands of pairs).
    public static let defaultLambda = 1e-4
    /// The λ grid searched when `lambda` is nil: 1e-6 … 1e-2 in decades.
    public static let defaultLambdaGrid: [Double] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]

    /// How the stored decision threshold is chosen.
    public enum ThresholdChoice: Sendable, Equatable {
        /// A fixed probability; `.fixed(0.5)` (the default) is the minimum-error decision of the 50/50 head.
        case fixed(Float)
        /// The best-accuracy threshold of the final head on its own training pairs (the LFW protocol);
        /// the cross-validated accuracy then measures exactly this procedure fold by fold.
        case bestTrainingAccuracy
    }

    /// L2 strength λ > 0 (default `defaultLambda`); nil = choose it by k-fold cross-validation over `lambdaGrid`
    /// (needs `folds` ≥ 2; costs about `lambdaGrid.count` times a default fit).
    public var lambda: Double?
    /// Candidate λ values (each > 0) when `lambda` is nil.
    public var lambdaGrid: [Double]
    /// k of the k-fold protocol (choosing λ and the held-out metrics); 0 or 1 = none (then `lambda` is required).
    /// Capped at the smaller class count so every held-out fold contains both classes.
    public var folds: Int
    /// Newton stops when the step satisfies max_k|Δθ_k| ≤ tolerance·(1 + max_k|θ_k|).
    public var tolerance: Double
    /// Newton iteration cap per fit; `.notConverged` beyond it.
    public var maxIterations: Int
    /// Seed of the fold assignment.
    public var seed: UInt64
    /// How the head's decision threshold is set.
    public var thresholdChoice: ThresholdChoice

    public init(lambda: Double? = HeadTrainer.defaultLambda, lambdaGrid: [Double] = HeadTrainer.defaultLambdaGrid, folds: Int = 5,
                tolerance: Double = 1e-8, maxIterations: Int = 50, seed: UInt64 = 0,
                thresholdChoice: ThresholdChoice = .fixed(0.5)) {
        self.lambda = lambda
        self.lambdaGrid = lambdaGrid
        self.folds = folds
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.seed = seed
        self.thresholdChoice = thresholdChoice
    }

    /// Trains a head on `features` `[n]` (one kind, D finite values each, D = `features[0].dimension`) with
    /// `labels` `[n]` (true = same person) computed from embeddings of the encoder with `encoderFingerprint`;
    /// the head has D weights. Throws `.labelCountMismatch`, `.tooFewPairs`, `.singleClass`, `.wrongFeatureKind`,
    /// `.wrongFeatureDimension` (pairs of embeddings of different sizes, e.g. from two encoders), `.nonFiniteFeature`,
    /// `.invalidLambda`, `.invalidThreshold`, `.invalidConfiguration`, `.notConverged`, `.singularSystem`.
    public func fit(features: [PairFeatures], labels: [Bool], encoderFingerprint: String,
                    created: Date = Date()) throws(LogisticHeadError) -> LogisticHead {
        try validateSettings()
        let (packed, kind, d) = try Self.validateAndPack(features: features, labels: labels)   // [n, D]
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        let solver = IRLSSolver(features: packed, labels: labels, dimension: d)
        let allRows = Array(0..<labels.count)

        // Held-out folds: capped so each test fold has both classes.
        let k = folds >= 2 ? min(folds, positives, labels.count - positives) : 0
        let grid = lambda.map { [$0] } ?? lambdaGrid.sorted(by: >)
        let chosenLambda: Double
        let final: IRLSSolver.Result
        var heldOut: HeldOutMetrics? = nil
        if k >= 2 {
            let cv = try crossValidate(solver: solver, grid: grid, folds: k)
            chosenLambda = cv.lambda
            final = cv.fit
            heldOut = cv.metrics
        } else if let lambda {
            chosenLambda = lambda
            final = try solver.fit(rows: allRows, lambda: lambda, start: nil, tolerance: tolerance, maxIterations: maxIterations)
        } else {
            throw .invalidConfiguration("choosing λ needs k-fold cross-validation with folds ≥ 2 and ≥ 2 pairs of each class; set lambda")
        }

        let threshold: Float
        switch thresholdChoice {
        case let .fixed(t):
            threshold = t
        case .bestTrainingAccuracy:
            let p = Self.probabilities(theta: final.theta, rows: allRows, features: packed, logOddsShift: 0)
            threshold = Float(try Self.scored(p, allRows, labels).bestAccuracyThreshold().threshold).clampedToUnit
        }
        let summary = TrainingSummary(pairs: labels.count, positives: positives, negatives: labels.count - positives,
                                      lambda: chosenLambda, lambdaCrossValidated: lambda == nil,
                                      iterations: final.iterations, heldOut: heldOut)
        return try LogisticHead(weights: final.theta[0..<d].map { Float($0) },
                                balancedBias: Float(final.theta[d]), featureKind: kind,
                                threshold: threshold, prior: 0.5, encoderFingerprint: encoderFingerprint,
                                created: created, training: summary)
    }

    private func validateSettings() throws(LogisticHeadError) {
        if let l = lambda {
            guard l.isFinite, l > 0 else { throw .invalidLambda(l) }
        } else {
            guard !lambdaGrid.isEmpty else { throw .invalidConfiguration("the λ grid is empty") }
            for l in lambdaGrid where !(l.isFinite && l > 0) { throw .invalidLambda(l) }
        }
        guard folds >= 0 else { throw .invalidConfiguration("folds = \(folds) must be ≥ 0") }
        guard tolerance.isFinite, tolerance > 0 else { throw .invalidConfiguration("tolerance = \(tolerance) must be > 0") }
        guard maxIterations >= 1 else { throw .invalidConfiguration("maxIterations = \(maxIterations) must be ≥ 1") }
        if case let .fixed(t) = thresholdChoice, !(t >= 0 && t <= 1) { throw .invalidThreshold(Double(t)) }
    }

    /// Checks the pairs and packs them into `[n, D]` row-major floats; returns them with their common kind and
    /// dimension D (that of the first pair).
    static func validateAndPack(features: [PairFeatures], labels: [Bool]) throws(LogisticHeadError) -> ([Float], PairFeatureKind, Int) {
        guard features.count == labels.count else {
            throw .labelCountMismatch(features: features.count, labels: labels.count)
        }
        guard features.count >= minimumPairs else { throw .tooFewPairs(found: features.count, minimum: minimumPairs) }
        let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard positives > 0, positives < labels.count else {
            throw .singleClass(positives: positives, negatives: labels.count - positives)
        }
        let kind = features[0].kind
        let d = features[0].dimension
        var packed = [Float](repeating: 0, count: features.count * d)   // [n, D]
        try packed.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<Float>) throws(LogisticHeadError) in
            for (i, x) in features.enumerated() {
                guard x.kind == kind else { throw .wrongFeatureKind(pair: i, expected: kind, found: x.kind) }
                guard x.dimension == d else { throw .wrongFeatureDimension(pair: i, expected: d, found: x.dimension) }
                try x.values.withUnsafeBufferPointer { (v: UnsafeBufferPointer<Float>) throws(LogisticHeadError) in
                    for j in 0..<d {
                        guard v[j].isFinite else { throw .nonFiniteFeature(pair: i, component: j) }
                        out[i * d + j] = v[j]
                    }
                }
            }
        }
        return (packed, kind, d)
    }

    /// `[rows.count]` probabilities σ(θᵀx̃ + logOddsShift) of the given rows of `features` `[n, D]`, in double,
    /// D = `theta.count − 1` (θ = [w (D); b]).
    static func probabilities(theta: [Double], rows: [Int], features: [Float], logOddsShift: Double) -> [Double] {
        let d = theta.count - 1
        let bias = theta[d] + logOddsShift
        return features.withUnsafeBufferPointer { x in
            theta.withUnsafeBufferPointer { t in
                rows.map { row in
                    let base = x.baseAddress! + row * d
                    var z = 0.0
                    for k in 0..<d { z += t[k] * Double(base[k]) }
                    return LogisticHead.sigmoid(z + bias)
                }
            }
        }
    }

    /// Wraps probabilities of `rows` as `ScoredPairs`; metric errors cannot occur for validated folds but are mapped.
    static func scored(_ probabilities: [Double], _ rows: [Int], _ labels: [Bool]) throws(LogisticHeadError) -> ScoredPairs {
        do {
            return try ScoredPairs(scores: probabilities, labels: rows.map { labels[$0] })
        } catch {
            throw .invalidConfiguration("held-out evaluation failed: \(error)")
        }
    }
}

extension Float {
    /// The value clamped to [0, 1] (a best-accuracy threshold can sit just above the top score).
    var clampedToUnit: Float { Swift.min(Swift.max(self, 0), 1) }
}
