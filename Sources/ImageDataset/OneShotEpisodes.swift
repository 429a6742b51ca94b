import SeededRandom

/// One N-way one-shot episode: `way` classes, one support (the single example shown) and one query (to be
/// recognised) per class, support ≠ query.
public struct OneShotEpisode: Sendable, Equatable {
    /// `[way]` distinct class labels.
    public var classes: [Int]
    /// `[way]` image indices; `support[k]` is of class `classes[k]`.
    public var support: [Int]
    /// `[way]` image indices; `queries[k]` is of class `classes[k]` and differs from `support[k]`.
    public var queries: [Int]
}

/// A fixed, seeded set of N-way one-shot episodes over labelled images (Lake et al.'s Omniglot protocol:
/// 20-way, one example per class): each query is classified as the class of its nearest support embedding
/// by Euclidean distance. The episodes depend only on (labels, way, count, seed), so every evaluation during
/// training and afterwards scores the same problems.
public struct OneShotEpisodes: Sendable, Equatable {
    /// Classes per episode (≥ 2).
    public let way: Int
    /// The episodes, in draw order.
    public let episodes: [OneShotEpisode]
    /// N, the number of images the indices refer to (`labels.count`).
    public let imageCount: Int

    /// Draws `count` episodes. Per episode: `way` distinct classes uniformly among the classes with at least
    /// two images, then per class two distinct images uniformly (the first is the support, the second the query).
    /// - Parameter labels: `[N]` class index of every image (`LoadedImages.labels`).
    /// - Throws: `.invalidParameter` for way < 2 or count < 1; `.tooFewClasses` when fewer than `way` classes
    ///   have two images.
    public init(labels: [Int], way: Int = 20, episodes count: Int, seed: UInt64) throws(DatasetError) {
        guard way >= 2, count >= 1 else {
            throw .invalidParameter(reason: "one-shot episodes need way ≥ 2 and at least one episode (got way \(way), \(count) episodes)")
        }
        let byClass = groupByLabel(labels)
        let eligible = byClass.indices.filter { byClass[$0].count >= 2 }
        guard eligible.count >= way else {
            throw .tooFewClasses(what: "\(way)-way one-shot episodes", needed: way, available: eligible.count, imagesEach: 2)
        }
        var rng = SplitMix64(seed: seed)
        var episodes: [OneShotEpisode] = []
        episodes.reserveCapacity(count)
        for _ in 0..<count {
            let classes = Shuffle.sample(eligible, way, &rng)
            var support: [Int] = [], queries: [Int] = []
            for c in classes {
                let pair = Shuffle.sample(byClass[c], 2, &rng)
                support.append(pair[0]); queries.append(pair[1])
            }
            episodes.append(OneShotEpisode(classes: classes, support: support, queries: queries))
        }
        self.way = way
        self.episodes = episodes
        self.imageCount = labels.count
    }

    /// Per episode, the fraction of its `way` queries whose nearest support (Euclidean distance between
    /// embeddings) is the support of the query's own class; a tie goes to the support listed first, so a
    /// tie with a wrong class earlier in the episode counts as an error. Returns `[episodes.count]`, in [0, 1].
    /// - Parameters:
    ///   - embeddings: `[N, D]` row-major, row i the embedding of image i (any scale; distances are not normalised).
    ///   - dimension: D ≥ 1.
    /// - Precondition: `embeddings.count == imageCount · dimension`.
    public func accuracies(embeddings: [Float], dimension: Int) -> [Double] {
        precondition(dimension >= 1 && embeddings.count == imageCount * dimension,
                     "OneShotEpisodes: embeddings hold \(embeddings.count) floats, need \(imageCount)×\(dimension)")
        return embeddings.withUnsafeBufferPointer { e in
            episodes.map { episode in
                var correct = 0
                for (k, q) in episode.queries.enumerated() {
                    var best = 0, bestDistance = Double.infinity
                    for (j, s) in episode.support.enumerated() {
                        let d = squaredDistance(e, q, s, dimension)
                        if d < bestDistance { bestDistance = d; best = j }
                    }
                    if best == k { correct += 1 }
                }
                return Double(correct) / Double(way)
            }
        }
    }

    /// The fraction of all queries of all episodes classified correctly (the mean of `accuracies`), in [0, 1].
    /// Chance is 1/way.
    public func accuracy(embeddings: [Float], dimension: Int) -> Double {
        let per = accuracies(embeddings: embeddings, dimension: dimension)
        return per.reduce(0, +) / Double(per.count)
    }
}

/// `[classCount]` image indices per label (classCount = max label + 1), ascending. Precondition: labels ≥ 0.
func groupByLabel(_ labels: [Int]) -> [[Int]] {
    var byClass = [[Int]](repeating: [], count: (labels.max() ?? -1) + 1)
    for (i, l) in labels.enumerated() {
        precondition(l >= 0, "negative class label \(l) at image \(i)")
        byClass[l].append(i)
    }
    return byClass
}

/// Σ (e[a] − e[b])² over the D components of rows a and b of `[N, D]` embeddings, accumulated in Double.
@inline(__always)
func squaredDistance(_ e: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int, _ d: Int) -> Double {
    var sum: Double = 0
    for k in 0..<d {
        let diff = Double(e[a * d + k]) - Double(e[b * d + k])
        sum += diff * diff
    }
    return sum
}
