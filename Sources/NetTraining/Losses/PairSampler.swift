import SeededRandom

/// A labelled pair of rows of a batch: `same == true` when the two rows have the same class.
public struct IndexPair: Sendable, Equatable, Hashable {
    /// The first row.
    public var a: Int
    /// The second row.
    public var b: Int
    /// True for a same-class pair (target 1 of the binary objective).
    public var same: Bool

    /// A pair of row indices with its label (not validated against a batch).
    public init(a: Int, b: Int, same: Bool) {
        self.a = a
        self.b = b
        self.same = same
    }
}

/// Draws balanced same/different pairs from a batch's labels (meant for P×K batches) for `BinaryPairLoss`.
///
/// A request for `count` pairs yields `count / 2` same-class pairs followed by `count / 2` different-class pairs (so an
/// odd `count` yields `count − 1`). A row is never paired with itself, and every pair has `a < b`.
/// - Same pairs are drawn uniformly without replacement from all same-class pairs of the batch with the generator;
///   only when more are requested than exist does a pair repeat (a new draw without replacement starts when the
///   previous one is used up).
/// - Different pairs are drawn the same way, or with `hardNegatives` they are the closest different-class pairs of the
///   whole batch by squared Euclidean distance: distinct pairs in ascending distance, ties by the lower (a, b)
///   (deterministic, no generator use); when more are requested than exist, the list is repeated from the closest.
/// If the batch has no same-class pair (or no different-class pair), that half is empty. The output depends only on
/// the labels, the embeddings (hard negatives), `count` and the generator's state, which advances.
public struct PairSampler: Sendable, Equatable, Codable {
    /// Choose the different-class pairs as the closest ones in embedding space instead of uniformly.
    public var hardNegatives: Bool

    /// A sampler; uniform different-class pairs unless `hardNegatives`.
    public init(hardNegatives: Bool = false) {
        self.hardNegatives = hardNegatives
    }

    /// Pairs for one batch.
    /// - Parameters:
    ///   - labels: `[B]`, one class id per row.
    ///   - count: pairs requested (≥ 0); `count / 2` of each kind are returned.
    ///   - embeddings: `[B, dimension]` row-major; required (non-nil) when `hardNegatives`, otherwise ignored.
    ///   - dimension: D, ≥ 1 when `hardNegatives`.
    ///   - generator: advanced by the uniform draws.
    /// - Returns: `[count / 2]` same pairs then `[count / 2]` different pairs (fewer only when a kind is absent).
    public func pairs(labels: [Int], count: Int, embeddings: UnsafePointer<Float>?, dimension: Int,
                      generator: inout SplitMix64) -> [IndexPair] {
        precondition(count >= 0, "PairSampler.pairs: count must be ≥ 0")
        let half = count / 2
        let rows = labels.count
        var same: [IndexPair] = []
        var different: [IndexPair] = []
        for a in 0..<rows {
            for b in (a + 1)..<rows {
                if labels[a] == labels[b] {
                    same.append(IndexPair(a: a, b: b, same: true))
                } else {
                    different.append(IndexPair(a: a, b: b, same: false))
                }
            }
        }
        var result = Self.drawWithoutReplacement(same, half, &generator)
        result.reserveCapacity(2 * half)
        if hardNegatives {
            guard let embeddings else { preconditionFailure("PairSampler.pairs: hardNegatives needs embeddings") }
            precondition(dimension >= 1, "PairSampler.pairs: dimension must be ≥ 1")
            result += Self.closest(different, half, embeddings: embeddings, rows: rows, dimension: dimension)
        } else {
            result += Self.drawWithoutReplacement(different, half, &generator)
        }
        return result
    }

    /// `wanted` elements of `pool`, uniformly without replacement (partial Fisher–Yates), starting a new round when
    /// the pool is used up. Empty when the pool is empty.
    static func drawWithoutReplacement(_ pool: [IndexPair], _ wanted: Int, _ generator: inout SplitMix64) -> [IndexPair] {
        guard !pool.isEmpty, wanted > 0 else { return [] }
        var pool = pool
        var drawn: [IndexPair] = []
        drawn.reserveCapacity(wanted)
        while drawn.count < wanted {
            let take = min(wanted - drawn.count, pool.count)
            for i in 0..<take {
                pool.swapAt(i, i + generator.below(pool.count - i))
                drawn.append(pool[i])
            }
        }
        return drawn
    }

    /// The `wanted` closest pairs of `candidates` (ascending squared distance, ties by (a, b)), cycling when fewer exist.
    /// - Parameter embeddings: `[rows, dimension]`.
    static func closest(_ candidates: [IndexPair], _ wanted: Int, embeddings: UnsafePointer<Float>, rows: Int,
                        dimension: Int) -> [IndexPair] {
        guard !candidates.isEmpty, wanted > 0 else { return [] }
        let distances = EmbeddingDistances.squared(embeddings, count: rows, dimension: dimension)  // [B, B]
        let sorted = candidates.sorted { x, y in
            let dx = distances[x.a * rows + x.b]
            let dy = distances[y.a * rows + y.b]
            if dx != dy { return dx < dy }
            return x.a != y.a ? x.a < y.a : x.b < y.b
        }
        return (0..<wanted).map { sorted[$0 % sorted.count] }
    }
}
