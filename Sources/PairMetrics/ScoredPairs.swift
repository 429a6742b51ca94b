/// Scored, labelled pairs: the input of every metric in this module.
///
/// Conventions shared by all metrics:
/// - A label `true` means "same person" (a positive / genuine pair), `false` "different people" (an impostor pair).
/// - A higher score means "more likely the same person". Scores may be probabilities, logits or negated distances;
///   only Brier and ECE require probabilities in [0, 1].
/// - The decision rule at threshold t accepts a pair (says "same") when `score >= t`.
/// - Rates are fractions in [0, 1]: TAR (true accept rate) = accepted positives / positives,
///   FAR (false accept rate) = accepted negatives / negatives, FRR = 1 − TAR.
public struct ScoredPairs: Sendable, Equatable {
    /// `[n]` scores, finite.
    public let scores: [Double]
    /// `[n]` labels, `true` = same person.
    public let labels: [Bool]
    /// Number of `true` labels.
    public let positives: Int
    /// Number of `false` labels.
    public let negatives: Int

    /// The number of pairs, n ≥ 1.
    public var count: Int { scores.count }

    /// Validates and wraps the pairs. Throws `.empty`, `.lengthMismatch` or `.nonFiniteScore`.
    public init(scores: [Double], labels: [Bool]) throws(PairMetricsError) {
        guard scores.count == labels.count else {
            throw .lengthMismatch(scores: scores.count, labels: labels.count)
        }
        guard !scores.isEmpty else { throw .empty }
        for (i, s) in scores.enumerated() where !s.isFinite {
            throw .nonFiniteScore(index: i, value: s)
        }
        self.scores = scores
        self.labels = labels
        let p = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        self.positives = p
        self.negatives = labels.count - p
    }

    /// Float scores (e.g. head probabilities), widened exactly to Double.
    public init(scores: [Float], labels: [Bool]) throws(PairMetricsError) {
        try self.init(scores: scores.map(Double.init), labels: labels)
    }

    /// The subset at `indices` (in that order), e.g. one test fold. Precondition: indices in range, not empty.
    public func subset(_ indices: [Int]) -> ScoredPairs {
        // Re-validation cannot fail: the parent was valid and indices is non-empty.
        try! ScoredPairs(scores: indices.map { scores[$0] }, labels: indices.map { labels[$0] })
    }

    /// Throws `.missingClass` unless both classes are present.
    func requireBothClasses() throws(PairMetricsError) {
        guard positives > 0, negatives > 0 else {
            throw .missingClass(positives: positives, negatives: negatives)
        }
    }

    /// Throws `.notAProbability` for the first score outside [0, 1].
    func requireProbabilities() throws(PairMetricsError) {
        for (i, s) in scores.enumerated() where !(0...1).contains(s) {
            throw .notAProbability(index: i, value: s)
        }
    }

    /// The pairs grouped by distinct score, highest score first: `[groups]` of
    /// (score, positives with that score, negatives with that score). Ties share one group.
    func descendingScoreGroups() -> [(score: Double, positives: Int, negatives: Int)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var groups: [(score: Double, positives: Int, negatives: Int)] = []
        groups.reserveCapacity(order.count)
        for i in order {
            let s = scores[i]
            if groups.isEmpty || groups[groups.count - 1].score != s {
                groups.append((s, 0, 0))
            }
            if labels[i] { groups[groups.count - 1].positives += 1 } else { groups[groups.count - 1].negatives += 1 }
        }
        return groups
    }
}
