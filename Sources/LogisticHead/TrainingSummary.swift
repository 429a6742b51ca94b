import PairMetrics

/// How a head was trained: the data, the regularisation and its held-out performance.
public struct TrainingSummary: Sendable, Equatable {
    /// Labelled pairs used.
    public var pairs: Int
    /// Same-person pairs among them.
    public var positives: Int
    /// Different-person pairs among them.
    public var negatives: Int
    /// The L2 strength λ of the final fit (objective: mean class-weighted log-loss + λ/2·Σ_k s_k²·w_k², see `HeadTrainer`).
    public var lambda: Double
    /// Whether λ was chosen by k-fold cross-validation over a grid (else it was given).
    public var lambdaCrossValidated: Bool
    /// Newton iterations of the final fit.
    public var iterations: Int
    /// Metrics on held-back pairs (k-fold); nil when no cross-validation ran.
    public var heldOut: HeldOutMetrics?

    public init(pairs: Int, positives: Int, negatives: Int, lambda: Double, lambdaCrossValidated: Bool,
                iterations: Int, heldOut: HeldOutMetrics?) {
        self.pairs = pairs
        self.positives = positives
        self.negatives = negatives
        self.lambda = lambda
        self.lambdaCrossValidated = lambdaCrossValidated
        self.iterations = iterations
        self.heldOut = heldOut
    }
}

/// k-fold metrics of the training procedure, each the mean ± sample std over the folds (`count` = k).
///
/// Per fold the head is fitted on k − 1 folds and evaluated on the held-out fold:
/// - `accuracy` at the threshold the procedure would store (0.5, or the best-accuracy threshold of the fold's
///   own training pairs — the LFW protocol), on the 50/50 head;
/// - `areaUnderCurve`, `equalErrorRate` (prior-independent rankings);
/// - `brierScore`, `expectedCalibrationError` (10 equal-width bins) of the head re-based to the fold's
///   training positive fraction (exactly 0.5 for balanced data), since the 50/50 head is calibrated
///   for equal priors only.
public struct HeldOutMetrics: Sendable, Equatable {
    public var accuracy: MeanStd
    public var areaUnderCurve: MeanStd
    public var equalErrorRate: MeanStd
    public var brierScore: MeanStd
    public var expectedCalibrationError: MeanStd

    /// Number of folds k.
    public var folds: Int { accuracy.count }

    public init(accuracy: MeanStd, areaUnderCurve: MeanStd, equalErrorRate: MeanStd, brierScore: MeanStd,
                expectedCalibrationError: MeanStd) {
        self.accuracy = accuracy
        self.areaUnderCurve = areaUnderCurve
        self.equalErrorRate = equalErrorRate
        self.brierScore = brierScore
        self.expectedCalibrationError = expectedCalibrationError
    }
}

extension TrainingSummary: CustomStringConvertible {
    /// One line for reports, e.g. "6000 pairs (3000 same, 3000 different), λ 0.0001 (fixed), 5 Newton iterations;
    /// 5-fold held out: accuracy 0.9912 ± 0.0031, AUC …, EER …, Brier …, ECE …".
    public var description: String {
        var text = "\(pairs) pairs (\(positives) same, \(negatives) different), λ \(lambda) "
            + "(\(lambdaCrossValidated ? "cross-validated" : "fixed")), \(iterations) Newton iterations"
        if let m = heldOut {
            text += "; \(m.folds)-fold held out: accuracy \(m.accuracy), AUC \(m.areaUnderCurve), EER \(m.equalErrorRate), "
                + "Brier \(m.brierScore), ECE \(m.expectedCalibrationError)"
        }
        return text
    }
}
