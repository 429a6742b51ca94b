/// Pairwise squared Euclidean distances between the rows of an embedding batch, shared by the triplet miners and
/// the hard-negative pair sampler. Accumulated in Double in a fixed order, so the result is bit-for-bit
/// deterministic for a given input.
enum EmbeddingDistances {
    /// `‖e_i − e_j‖²` for every pair of rows, as a symmetric row-major matrix with an exact-zero diagonal.
    /// - Parameters:
    ///   - embeddings: the batch, `[count, dimension]` row-major.
    /// - Returns: `[count, count]` row-major; entry `i * count + j` is the squared distance of rows i and j.
    static func squared(_ embeddings: UnsafePointer<Float>, count: Int, dimension: Int) -> [Double] {
        precondition(count >= 0 && dimension >= 1, "EmbeddingDistances.squared: count must be ≥ 0 and dimension ≥ 1")
        var distances = [Double](repeating: 0, count: count * count)   // [B, B]
        distances.withUnsafeMutableBufferPointer { d in
            for i in 0..<count {
                let ei = embeddings + i * dimension                       // [D]
                for j in (i + 1)..<count {
                    let ej = embeddings + j * dimension                   // [D]
                    var sum = 0.0
                    for k in 0..<dimension {
                        let delta = Double(ei[k]) - Double(ej[k])
                        sum += delta * delta
                    }
                    d[i * count + j] = sum
                    d[j * count + i] = sum
                }
            }
        }
        return distances
    }
}
