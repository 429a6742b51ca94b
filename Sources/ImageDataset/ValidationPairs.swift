import SeededRandom

/// A fixed, balanced, seeded set of image pairs for verification metrics on held-out classes: `pairsPerKind`
/// same-class pairs, then `pairsPerKind` different-class pairs. The caller embeds the images, takes
/// `distances(embeddings:dimension:)` and scores them with PairMetrics, e.g.
/// `ScoredPairs(scores: distances.map { -Double($0) }, labels: pairs.same)` (a smaller distance = more alike),
/// for AUC and EER.
///
/// Draws: a same-class pair picks a class uniformly among those with ≥ 2 images, then two distinct images of
/// it; a different-class pair picks two distinct classes uniformly, then one image of each. No unordered pair
/// occurs twice. When more than half of all possible pairs of a kind are asked for, that kind is drawn by
/// shuffling the full list instead (exact and still seeded).
public struct ValidationPairs: Sendable, Equatable {
    /// `[M]` image index of each pair's first image (M = 2 · pairsPerKind).
    public let first: [Int]
    /// `[M]` image index of each pair's second image.
    public let second: [Int]
    /// `[M]` true for same-class pairs (the first M/2), false for different-class pairs (the last M/2).
    public let same: [Bool]
    /// N, the number of images the indices refer to.
    public let imageCount: Int

    /// How many distinct same-class pairs `labels` `[N]` allow: Σ n_c·(n_c − 1)/2 over the classes.
    public static func sameClassPairCount(labels: [Int]) -> Int {
        groupByLabel(labels).reduce(0) { $0 + $1.count * ($1.count - 1) / 2 }
    }

    /// - Parameter labels: `[N]` class index of every image.
    /// - Throws: `.invalidParameter` for pairsPerKind < 1 or more pairs than exist of a kind.
    public init(labels: [Int], pairsPerKind: Int, seed: UInt64) throws(DatasetError) {
        guard pairsPerKind >= 1 else { throw .invalidParameter(reason: "validation pairs: pairs per kind must be ≥ 1, got \(pairsPerKind)") }
        let byClass = groupByLabel(labels).filter { !$0.isEmpty }
        let sizes = byClass.map(\.count)
        let possibleSame = Self.sameClassPairCount(labels: labels)
        let total = sizes.reduce(0, +)
        let possibleDifferent = (total * total - sizes.reduce(0) { $0 + $1 * $1 }) / 2
        guard pairsPerKind <= possibleSame, pairsPerKind <= possibleDifferent else {
            throw .invalidParameter(reason: "validation pairs: \(pairsPerKind) pairs per kind asked for; the data has "
                                    + "\(possibleSame) same-class and \(possibleDifferent) different-class pairs")
        }
        var rng = SplitMix64(seed: seed)
        let multi = byClass.filter { $0.count >= 2 }   // classes that have same-class pairs
        let positives = Self.draw(pairsPerKind, possible: possibleSame, &rng, all: {
            var all: [(Int, Int)] = []
            for members in byClass { for i in members.indices { for j in (i + 1)..<members.count { all.append((members[i], members[j])) } } }
            return all
        }, one: { rng in
            let members = multi[rng.below(multi.count)]
            let p = Shuffle.sample(members, 2, &rng)
            return (p[0], p[1])
        })
        let negatives = Self.draw(pairsPerKind, possible: possibleDifferent, &rng, all: {
            var all: [(Int, Int)] = []
            for a in byClass.indices { for b in (a + 1)..<byClass.count { for i in byClass[a] { for j in byClass[b] { all.append((i, j)) } } } }
            return all
        }, one: { rng in
            let cls = Shuffle.sample(Array(byClass.indices), 2, &rng)
            return (byClass[cls[0]][rng.below(byClass[cls[0]].count)], byClass[cls[1]][rng.below(byClass[cls[1]].count)])
        })
        let pairs = positives + negatives
        self.first = pairs.map(\.0)
        self.second = pairs.map(\.1)
        self.same = Array(repeating: true, count: pairsPerKind) + Array(repeating: false, count: pairsPerKind)
        self.imageCount = labels.count
    }

    /// Number of pairs M.
    public var count: Int { same.count }

    /// `[M]` Euclidean distances between the embeddings of each pair's images.
    /// - Parameter embeddings: `[N, D]` row-major, row i the embedding of image i.
    /// - Precondition: `embeddings.count == imageCount · dimension`, dimension ≥ 1.
    public func distances(embeddings: [Float], dimension: Int) -> [Float] {
        precondition(dimension >= 1 && embeddings.count == imageCount * dimension,
                     "ValidationPairs: embeddings hold \(embeddings.count) floats, need \(imageCount)×\(dimension)")
        return embeddings.withUnsafeBufferPointer { e in
            (0..<count).map { Float(squaredDistance(e, first[$0], second[$0], dimension).squareRoot()) }
        }
    }

    /// `k` distinct unordered pairs: by rejection from `one` when k ≤ possible / 2, else a seeded sample of `all()`.
    private static func draw(_ k: Int, possible: Int, _ rng: inout SplitMix64, all: () -> [(Int, Int)],
                             one: (inout SplitMix64) -> (Int, Int)) -> [(Int, Int)] {
        if 2 * k > possible {
            let list = all()
            return Shuffle.sample(Array(list.indices), k, &rng).map { list[$0] }
        }
        var seen = Set<Int64>(), out: [(Int, Int)] = []
        out.reserveCapacity(k)
        while out.count < k {
            let (a, b) = one(&rng)
            let key = Int64(min(a, b)) << 32 | Int64(max(a, b))
            if seen.insert(key).inserted { out.append((a, b)) }
        }
        return out
    }
}
