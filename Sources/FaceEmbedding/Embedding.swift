/// A face descriptor: the encoder's raw 128-d output f(x) (dlib's metric space; not L2-normalised,
/// norms are typically 1.3–1.5). Two faces of one person lie within Euclidean distance ≈ 0.6.
public struct Embedding: Sendable, Equatable, Hashable {
    /// The number of components of every embedding this project handles.
    public static let dimension = 128

    /// `[dimension]` components, float32.
    public let values: [Float]

    /// Wraps `values`; precondition: exactly `Embedding.dimension` finite components.
    public init(_ values: [Float]) {
        precondition(values.count == Embedding.dimension, "an embedding has \(Embedding.dimension) components, not \(values.count)")
        self.values = values
    }

    /// Wraps `values` if it has the right length and only finite numbers, else nil.
    public init?(validating values: [Float]) {
        guard values.count == Embedding.dimension, values.allSatisfy({ $0.isFinite }) else { return nil }
        self.values = values
    }

    /// Euclidean norm ‖f‖.
    public var norm: Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Euclidean distance ‖f(i) − f(j)‖, the quantity dlib thresholds at 0.6.
    public func distance(to other: Embedding) -> Float {
        var s: Float = 0
        for k in 0..<Embedding.dimension {
            let d = values[k] - other.values[k]
            s += d * d
        }
        return s.squareRoot()
    }

    /// The mean of several embeddings of one face or person (e.g. jittered copies); nil for an empty list.
    public static func mean(_ list: [Embedding]) -> Embedding? {
        guard let first = list.first else { return nil }
        var acc = [Float](repeating: 0, count: dimension)
        for e in list { for k in 0..<dimension { acc[k] += e.values[k] } }
        let n = Float(list.count)
        return list.count == 1 ? first : Embedding(acc.map { $0 / n })
    }
}
