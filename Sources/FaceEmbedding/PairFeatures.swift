/// How a pair of embeddings becomes the head's input vector.
public enum PairFeatureKind: String, Sendable, CaseIterable, Codable {
    /// |f(i)_k − f(j)_k| for k = 1…128: the method's feature and the default.
    case absoluteDifference = "abs"
    /// (f(i)_k − f(j)_k)², a selectable alternative.
    case squaredDifference = "sq"
}

/// The element-wise pair feature the logistic head consumes: `[Embedding.dimension]` floats.
public struct PairFeatures: Sendable, Equatable {
    public let kind: PairFeatureKind
    /// `[128]`, one value per embedding component.
    public let values: [Float]

    /// Computes the feature of the pair (a, b); symmetric in a and b.
    public init(_ a: Embedding, _ b: Embedding, kind: PairFeatureKind = .absoluteDifference) {
        self.kind = kind
        var v = [Float](repeating: 0, count: Embedding.dimension)
        for k in 0..<Embedding.dimension {
            let d = a.values[k] - b.values[k]
            v[k] = kind == .absoluteDifference ? abs(d) : d * d
        }
        self.values = v
    }

    /// Wraps precomputed values; precondition: `Embedding.dimension` of them.
    public init(kind: PairFeatureKind, values: [Float]) {
        precondition(values.count == Embedding.dimension)
        self.kind = kind
        self.values = values
    }
}
