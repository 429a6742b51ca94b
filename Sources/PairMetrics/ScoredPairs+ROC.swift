/// One vertex of a ROC curve: the rates of the rule "same when `score >= threshold`".
public struct ROCPoint: Sendable, Equatable {
    /// Accept when `score >= threshold`; `+infinity` for the "accept nothing" vertex.
    public var threshold: Double
    /// Accepted negatives / negatives, in [0, 1].
    public var falseAcceptRate: Double
    /// Accepted positives / positives, in [0, 1].
    public var trueAcceptRate: Double

    public init(threshold: Double, falseAcceptRate: Double, trueAcceptRate: Double) {
        self.threshold = threshold
        self.falseAcceptRate = falseAcceptRate
        self.trueAcceptRate = trueAcceptRate
    }
}

extension ScoredPairs {
    /// The false-accept-rate targets the project reports TAR at: 1e-3 and 1e-2.
    public static let standardFalseAcceptRates: [Double] = [1e-3, 1e-2]

    /// The empirical ROC curve: `[distinct scores + 1]` vertices from (FAR 0, TAR 0) at threshold +∞ down to
    /// (1, 1) at the lowest score, one vertex per distinct score (tied scores move both rates at once, giving a
    /// diagonal segment). FAR and TAR are non-decreasing along the array. Throws `.missingClass`.
    public func rocCurve() throws(PairMetricsError) -> [ROCPoint] {
        try requireBothClasses()
        let p = Double(positives), n = Double(negatives)
        var points = [ROCPoint(threshold: .infinity, falseAcceptRate: 0, trueAcceptRate: 0)]
        var tp = 0, fp = 0
        for group in descendingScoreGroups() {
            tp += group.positives
            fp += group.negatives
            points.append(ROCPoint(threshold: group.score, falseAcceptRate: Double(fp) / n, trueAcceptRate: Double(tp) / p))
        }
        return points
    }

    /// Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores
    /// above a random negative, ties counting one half. Equals the trapezoidal area under `rocCurve()`.
    /// Computed from mid-ranks in O(n log n). Throws `.missingClass`.
    public func areaUnderCurve() throws(PairMetricsError) -> Double {
        try requireBothClasses()
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0          // sum of 1-based mid-ranks of the positives
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let midRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] { positiveRankSum += midRank }
            start = end + 1
        }
        let p = Double(positives), n = Double(negatives)
        let u = positiveRankSum - p * (p + 1) / 2
        return u / (p * n)
    }

    /// The equal error rate: the rate where FAR = FRR (= 1 − TAR), found on the ROC polyline by linear
    /// interpolation inside the segment where FAR − FRR changes sign. In [0, 1]; 0 for perfectly separated
    /// scores. Throws `.missingClass`.
    public func equalErrorRate() throws(PairMetricsError) -> Double {
        let curve = try rocCurve()
        // d = FAR − FRR = FAR + TAR − 1: −1 at the first vertex, +1 at the last, non-decreasing.
        func d(_ q: ROCPoint) -> Double { q.falseAcceptRate + q.trueAcceptRate - 1 }
        for k in 1..<curve.count {
            let a = curve[k - 1], b = curve[k]
            let da = d(a), db = d(b)
            if db >= 0 {
                let t = db == da ? 0 : -da / (db - da)      // fraction of the way from a to b
                let far = a.falseAcceptRate + t * (b.falseAcceptRate - a.falseAcceptRate)
                let frr = 1 - (a.trueAcceptRate + t * (b.trueAcceptRate - a.trueAcceptRate))
                return (far + frr) / 2                        // equal up to rounding
            }
        }
        return 1   // unreachable: the last vertex has d = +1
    }

    /// The operating point for a false-accept-rate budget: among ROC vertices with FAR ≤ `target`, the one with
    /// the highest TAR (no interpolation, so the rate is achievable by a real threshold). With fewer than
    /// 1/target negatives only FAR = 0 fits the budget. Throws `.missingClass` or `.invalidRateTarget`.
    public func trueAcceptRate(atFalseAcceptRate target: Double) throws(PairMetricsError) -> ROCPoint {
        guard (0...1).contains(target) else { throw .invalidRateTarget(target) }
        let curve = try rocCurve()
        var best = curve[0]
        for q in curve where q.falseAcceptRate <= target { best = q }   // TAR is non-decreasing along the curve
        return best
    }
}
