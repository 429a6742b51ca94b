/// One bin of a reliability diagram.
public struct CalibrationBin: Sendable, Equatable {
    /// The bin covers probabilities in [lower, upper); the last bin also includes 1.
    public var lower: Double
    public var upper: Double
    /// Pairs whose probability falls in the bin.
    public var count: Int
    /// Mean predicted probability of those pairs (0 when empty).
    public var meanProbability: Double
    /// Fraction of those pairs that are positives (0 when empty).
    public var positiveFraction: Double
}

extension ScoredPairs {
    /// The number of equal-width bins the project's ECE uses.
    public static let standardCalibrationBins = 10

    /// Brier score: mean of (p − y)² with y = 1 for same person, 0 otherwise. In [0, 1], lower is better;
    /// 0.25 for a constant 0.5. Throws `.notAProbability` when a score is outside [0, 1].
    public func brierScore() throws(PairMetricsError) -> Double {
        try requireProbabilities()
        var sum = 0.0
        for i in scores.indices {
            let e = scores[i] - (labels[i] ? 1 : 0)
            sum += e * e
        }
        return sum / Double(count)
    }

    /// `[bins]` equal-width bins over [0, 1]: probability p goes to bin min(⌊p · bins⌋, bins − 1) (computed in
    /// Double), so bin b covers [b/bins, (b+1)/bins) and p = 1 lands in the last bin.
    /// Throws `.invalidBinCount` or `.notAProbability`.
    public func calibrationBins(_ bins: Int = standardCalibrationBins) throws(PairMetricsError) -> [CalibrationBin] {
        guard bins >= 1 else { throw .invalidBinCount(bins) }
        try requireProbabilities()
        var n = [Int](repeating: 0, count: bins)            // [bins]
        var sumP = [Double](repeating: 0, count: bins)      // [bins]
        var pos = [Int](repeating: 0, count: bins)          // [bins]
        for i in scores.indices {
            let b = min(Int((scores[i] * Double(bins)).rounded(.down)), bins - 1)
            n[b] += 1
            sumP[b] += scores[i]
            if labels[i] { pos[b] += 1 }
        }
        var result: [CalibrationBin] = []
        result.reserveCapacity(bins)
        for b in 0..<bins {
            let size = Double(n[b])
            let meanP: Double = n[b] == 0 ? 0 : sumP[b] / size
            let fraction: Double = n[b] == 0 ? 0 : Double(pos[b]) / size
            result.append(CalibrationBin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins),
                                         count: n[b], meanProbability: meanP, positiveFraction: fraction))
        }
        return result
    }

    /// Expected calibration error over `bins` equal-width bins (default 10, see `calibrationBins`):
    /// Σ_b (n_b / n) · |mean probability in b − positive fraction in b|, empty bins contributing 0.
    /// In [0, 1], lower is better. Throws `.invalidBinCount` or `.notAProbability`.
    public func expectedCalibrationError(bins: Int = standardCalibrationBins) throws(PairMetricsError) -> Double {
        var ece = 0.0
        for bin in try calibrationBins(bins) where bin.count > 0 {
            ece += Double(bin.count) / Double(count) * abs(bin.meanProbability - bin.positiveFraction)
        }
        return ece
    }
}
