/// A threshold together with the accuracy it gives.
public struct ThresholdAccuracy: Sendable, Equatable {
    /// Accept when `score >= threshold`.
    public var threshold: Double
    /// Fraction of pairs decided correctly, in [0, 1].
    public var accuracy: Double

    public init(threshold: Double, accuracy: Double) {
        self.threshold = threshold
        self.accuracy = accuracy
    }
}

extension ScoredPairs {
    /// Fraction of pairs decided correctly by the rule "same when `score >= threshold`", in [0, 1].
    public func accuracy(threshold: Double) -> Double {
        var correct = 0
        for i in scores.indices where (scores[i] >= threshold) == labels[i] { correct += 1 }
        return Double(correct) / Double(count)
    }

    /// The threshold with the highest accuracy on these pairs (the LFW-protocol choice on training folds).
    ///
    /// Candidates are "accept nothing" and "accept every score ≥ s" for each distinct score s. The returned
    /// threshold lies halfway between the lowest accepted and the highest rejected score (robust for unseen
    /// scores in that gap); when everything is accepted it is the lowest score, when nothing is, the next double
    /// above the highest. Ties in accuracy go to the highest threshold (fewest false accepts). O(n log n).
    public func bestAccuracyThreshold() -> ThresholdAccuracy {
        let groups = descendingScoreGroups()
        var bestCorrect = negatives               // accept nothing
        var bestIndex = -1
        var tp = 0, fp = 0
        for (g, group) in groups.enumerated() {
            tp += group.positives
            fp += group.negatives
            let correct = tp + (negatives - fp)
            if correct > bestCorrect { bestCorrect = correct; bestIndex = g }
        }
        let threshold: Double
        if bestIndex < 0 {
            threshold = groups[0].score.nextUp
        } else if bestIndex == groups.count - 1 {
            threshold = groups[bestIndex].score
        } else {
            let lo = groups[bestIndex + 1].score, hi = groups[bestIndex].score
            let mid = lo + (hi - lo) / 2
            threshold = mid > lo ? mid : hi
        }
        return ThresholdAccuracy(threshold: threshold, accuracy: Double(bestCorrect) / Double(count))
    }
}
