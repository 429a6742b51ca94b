import FaceEmbedding
import LogisticHead

/// The decision step of a search: the same-person probability of (query, enrolled embedding) and the threshold
/// at which a candidate is accepted. `LogisticHead` conforms; `ClosureScorer` wraps any function (tests, baselines).
public protocol MatchScorer: Sendable {
    /// P(same person | query, enrolled) in [0, 1].
    func probability(_ query: Embedding, _ enrolled: Embedding) -> Float
    /// A candidate is accepted when its probability is ≥ this, in [0, 1].
    var threshold: Float { get }
    /// The encoder the scorer expects embeddings of; nil when it does not care. A search refuses a scorer whose
    /// fingerprint differs from the gallery's.
    var expectedEncoder: String? { get }
    /// The number of embedding components the scorer takes; nil (the default) when it takes any. A search refuses
    /// a scorer whose dimension differs from the gallery's (`GalleryError.scorerDimensionMismatch`).
    var expectedDimension: Int? { get }
}

extension MatchScorer {
    /// Any dimension, unless the scorer says otherwise.
    public var expectedDimension: Int? { nil }
}

/// The logistic head scores a candidate from the pair's exact `PairFeatures` of the head's `featureKind`.
extension LogisticHead: MatchScorer {
    public func probability(_ query: Embedding, _ enrolled: Embedding) -> Float {
        probability(PairFeatures(query, enrolled, kind: featureKind))
    }

    /// The head's `encoderFingerprint`.
    public var expectedEncoder: String? { encoderFingerprint }

    /// The head's `dimension` (its number of weights).
    public var expectedDimension: Int? { dimension }
}

/// A scorer from a closure, e.g. `ClosureScorer(threshold: 0.5) { q, e in q.distance(to: e) < 0.6 ? 1 : 0 }`.
public struct ClosureScorer: MatchScorer {
    public let threshold: Float
    public let expectedEncoder: String?
    private let body: @Sendable (Embedding, Embedding) -> Float

    public init(threshold: Float, expectedEncoder: String? = nil, _ body: @escaping @Sendable (Embedding, Embedding) -> Float) {
        self.threshold = threshold
        self.expectedEncoder = expectedEncoder
        self.body = body
    }

    public func probability(_ query: Embedding, _ enrolled: Embedding) -> Float { body(query, enrolled) }
}
