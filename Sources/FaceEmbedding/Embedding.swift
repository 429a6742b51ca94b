/// An encoder's output f(x): a point of the encoder's metric space with `dimension` ≥ 1 float32 components.
///
/// The size belongs to the encoder that made the embedding: dlib's face ResNet gives `faceDimension` (128)
/// components (not L2-normalised, norms typically 1.3–1.5; two faces of one person lie within Euclidean
/// distance ≈ 0.6), an encoder trained here may give any other number (e.g. 64 for a Conv-4).
///
/// Operations between two embeddings (`distance(to:)`, `mean`, `PairFeatures`) require equal dimensions and stop
/// with a precondition failure otherwise: this is the low-level API. Code that meets embeddings a user chose
/// (files, several encoders) checks `dimension` first and throws its own typed error naming the file and both sizes.
public struct Embedding: Sendable, Equatable, Hashable {
    /// The number of components of dlib's face ResNet (`dlib_face_recognition_resnet_model_v1`). Use it only
    /// where that encoder is meant; anything else takes the size from its embeddings or its encoder.
    public static let faceDimension = 128

    /// `[dimension]` components, float32.
    public let values: [Float]

    /// The number of components D (≥ 1), the size of the encoder's output.
    public var dimension: Int { values.count }

    /// Wraps `values`; precondition: at least one component. Finiteness is the caller's contract (stores that
    /// accept embeddings from outside, such as the gallery, check it and throw).
    public init(_ values: [Float]) {
        precondition(!values.isEmpty, "an embedding has at least 1 component")
        self.values = values
    }

    /// Wraps `values` if it holds ≥ 1 components, only finite numbers and, when `dimension` is given, exactly
    /// that many; else nil.
    public init?(validating values: [Float], dimension: Int? = nil) {
        guard !values.isEmpty, dimension.map({ $0 == values.count }) ?? true, values.allSatisfy({ $0.isFinite }) else { return nil }
        self.values = values
    }

    /// Euclidean norm ‖f‖.
    public var norm: Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Euclidean distance ‖f(i) − f(j)‖ (for the face ResNet, the quantity dlib thresholds at 0.6).
    /// Precondition: `other.dimension == dimension`.
    public func distance(to other: Embedding) -> Float {
        precondition(other.dimension == dimension,
                     "distance between embeddings of \(dimension) and \(other.dimension) components")
        var s: Float = 0
        for k in 0..<values.count {
            let d = values[k] - other.values[k]
            s += d * d
        }
        return s.squareRoot()
    }

    /// The mean of several embeddings of one face or person (e.g. jittered copies); nil for an empty list.
    /// Precondition: all have the same dimension.
    public static func mean(_ list: [Embedding]) -> Embedding? {
        guard let first = list.first else { return nil }
        let d = first.dimension
        var acc = [Float](repeating: 0, count: d)   // [D]
        for e in list {
            precondition(e.dimension == d, "mean of embeddings of \(d) and \(e.dimension) components")
            for k in 0..<d { acc[k] += e.values[k] }
        }
        let n = Float(list.count)
        return list.count == 1 ? first : Embedding(acc.map { $0 / n })
    }
}
