import FaceEmbedding
import WeightStore

/// Why a head could not be trained, used, saved or loaded. One line, naming the pair, file or value.
public enum LogisticHeadError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Training needs at least `minimum` (20) labelled pairs.
    case tooFewPairs(found: Int, minimum: Int)
    /// `features` and `labels` differ in length.
    case labelCountMismatch(features: Int, labels: Int)
    /// All labels are equal: nothing to separate.
    case singleClass(positives: Int, negatives: Int)
    /// Component `component` of pair `pair` (0-based) is NaN or infinite.
    case nonFiniteFeature(pair: Int, component: Int)
    /// Pair `pair` was computed with another feature kind than the rest (or than the head expects).
    case wrongFeatureKind(pair: Int, expected: PairFeatureKind, found: PairFeatureKind)
    /// Pair `pair` has `found` components where the first pair has `expected`: the pairs mix embeddings of
    /// different sizes (e.g. of two encoders).
    case wrongFeatureDimension(pair: Int, expected: Int, found: Int)
    /// The head `file` has `head` weights (takes `head`-component embeddings) but is used with embeddings of
    /// `embeddings` components (another encoder's).
    case dimensionMismatch(file: String, head: Int, embeddings: Int)
    /// A regularisation strength that is not a finite number > 0.
    case invalidLambda(Double)
    /// A prior probability of "same person" outside the open interval (0, 1).
    case invalidPrior(Double)
    /// A decision threshold outside [0, 1].
    case invalidThreshold(Double)
    /// A trainer setting that cannot work (folds, grid, tolerance, iteration cap), with the reason.
    case invalidConfiguration(String)
    /// Newton/IRLS did not meet the tolerance within the iteration cap.
    case notConverged(lambda: Double, iterations: Int, lastStep: Double)
    /// LAPACK `dposv` found the Newton system not positive definite (its `info`).
    case singularSystem(lambda: Double, iteration: Int, info: Int)
    /// The head file was trained on embeddings of encoder `head`, but encoder `encoder` is loaded.
    case encoderMismatch(file: String, head: String, encoder: String)
    /// The file is a head archive but its content is unusable (non-finite weight, unknown feature kind, …).
    case invalidFile(path: String, reason: String)
    /// Reading or writing the HDF5 archive failed.
    case store(WeightStoreError)

    public var description: String {
        switch self {
        case let .tooFewPairs(found, minimum):
            return "training the head needs at least \(minimum) labelled pairs, got \(found)"
        case let .labelCountMismatch(features, labels):
            return "\(features) feature vectors but \(labels) labels; every pair needs exactly one of each"
        case let .singleClass(positives, negatives):
            return "training pairs are all of one class (\(positives) same-person, \(negatives) different-person); both are needed"
        case let .nonFiniteFeature(pair, component):
            return "pair \(pair) has a NaN or infinite feature at component \(component)"
        case let .wrongFeatureKind(pair, expected, found):
            return "pair \(pair) has feature kind '\(found.rawValue)' but '\(expected.rawValue)' is expected; all pairs must use one kind"
        case let .wrongFeatureDimension(pair, expected, found):
            return "pair \(pair) has \(found) feature components but the first pair has \(expected); all pairs must come from embeddings of one size (one encoder)"
        case let .dimensionMismatch(file, head, embeddings):
            return "head \(file) takes \(head)-component embeddings but these have \(embeddings) components; train a head for this encoder"
        case let .invalidLambda(lambda):
            return "regularisation strength λ = \(lambda) must be a finite number > 0"
        case let .invalidPrior(prior):
            return "prior P(same person) = \(prior) must lie strictly between 0 and 1"
        case let .invalidThreshold(threshold):
            return "decision threshold \(threshold) must lie in [0, 1]"
        case let .invalidConfiguration(reason):
            return "invalid head-trainer setting: \(reason)"
        case let .notConverged(lambda, iterations, lastStep):
            return "IRLS did not converge for λ = \(lambda) within \(iterations) iterations (last step \(lastStep)); raise the iteration cap or λ"
        case let .singularSystem(lambda, iteration, info):
            return "Newton system not positive definite for λ = \(lambda) at iteration \(iteration) (dposv info \(info))"
        case let .encoderMismatch(file, head, encoder):
            return "head \(file) was trained on encoder \(head) but the loaded encoder is \(encoder); retrain the head for this encoder"
        case let .invalidFile(path, reason):
            return "head file \(path) is unusable: \(reason)"
        case let .store(error):
            return error.description
        }
    }
}
