/// Why a metric could not be computed. One line, naming the offending item.
public enum PairMetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No pairs at all.
    case empty
    /// `scores` and `labels` differ in length.
    case lengthMismatch(scores: Int, labels: Int)
    /// Score number `index` (0-based) is NaN or infinite.
    case nonFiniteScore(index: Int, value: Double)
    /// A probability metric (Brier, ECE) was given a score outside [0, 1].
    case notAProbability(index: Int, value: Double)
    /// A ranking metric (ROC, AUC, EER, TAR@FAR) needs both classes; `positives`/`negatives` say which is absent.
    case missingClass(positives: Int, negatives: Int)
    /// A false-accept-rate target outside [0, 1].
    case invalidRateTarget(Double)
    /// A calibration bin count below 1.
    case invalidBinCount(Int)
    /// k-fold needs 2 ≤ folds ≤ items (stratified: ≤ the smaller class, so every test fold holds both classes).
    case invalidFoldCount(folds: Int, items: Int)

    public var description: String {
        switch self {
        case .empty:
            return "no scored pairs to evaluate"
        case let .lengthMismatch(scores, labels):
            return "\(scores) scores but \(labels) labels; every pair needs exactly one of each"
        case let .nonFiniteScore(index, value):
            return "score of pair \(index) is \(value); scores must be finite"
        case let .notAProbability(index, value):
            return "score of pair \(index) is \(value); Brier and ECE need probabilities in [0, 1]"
        case let .missingClass(positives, negatives):
            return "ranking metrics need both classes, got \(positives) same-person and \(negatives) different-person pairs"
        case let .invalidRateTarget(target):
            return "false-accept-rate target \(target) is outside [0, 1]"
        case let .invalidBinCount(count):
            return "calibration needs at least one bin, got \(count)"
        case let .invalidFoldCount(folds, items):
            return "\(folds)-fold split of \(items) items is impossible; need 2 ≤ folds ≤ items (per class when stratified)"
        }
    }
}
