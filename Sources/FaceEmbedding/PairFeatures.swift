/// How a pair of embeddings becomes the head's input vector.
public enum PairFeatureKind: String, Sendable, CaseIterable, Codable {
    /// |f(i)_k − f(j)_k| for k = 1…D: the method's feature and the default.
    case absoluteDifference = "abs"
    /// (f(i)_k − f(j)_k)², a selectable alternative.
    case squaredDifference = "sq"
}

/// The element-wise pair feature the logistic head consumes: `[D]` floats, D = the embeddings' dimension.
public struct PairFeatures: Sendable, Equatable {
    public let kind: PairFeatureKind
    /// `[D]`, one value per embedding component.
    public let values: [Float]

    /// D, the dimension of the embeddings the feature was computed from (≥ 1).
    public var dimension: Int { values.count }

    /// Computes the feature of the pair (a, b); symmetric in a and b. Precondition: `a.dimension == b.dimension`.
    public init(_ a: Embedding, _ b: Embedding, kind: PairFeatureKind = .absoluteDifference) {
        precondition(a.dimension == b.dimension, "pair of embeddings of \(a.dimension) and \(b.dimension) components")
        self.kind = kind
        let d = a.dimension
        var v = [Float](repeating: 0, count: d)   // [D]
        for k in 0..<d {
            let x = a.values[k] - b.values[k]
            v[k] = kind == .absoluteDifference ? abs(x) : x * x
        }
        self.values = v
    }

    /// Wraps precomputed values `[D]`; precondition: D ≥ 1.
    public init(kind: PairFeatureKind, values: [Float]) {
        precondition(!values.isEmpty, "pair features have at least 1 component")
        self.kind = kind
        self.values = values
    }
}
