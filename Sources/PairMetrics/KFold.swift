import SeededRandom

/// One round of a k-fold protocol: train on `training`, evaluate on `test`.
public struct FoldSplit: Sendable, Equatable {
    /// 0-based fold number, the one held out.
    public let fold: Int
    /// Item indices of the other k − 1 folds, ascending.
    public let training: [Int]
    /// Item indices of this fold, ascending.
    public let test: [Int]
}

/// A deterministic k-fold partition of n items (pairs).
///
/// Assignment: items are shuffled by a Fisher–Yates pass driven by SplitMix64 seeded with `seed` (implemented
/// here, so the partition is identical across platforms and Swift versions) and dealt round-robin to folds.
/// The stratified initialiser shuffles and deals positives and negatives separately (negatives continue where
/// the positives stopped), so fold sizes differ by at most one and so do per-fold class counts.
public struct KFold: Sendable, Equatable {
    /// k ≥ 2.
    public let folds: Int
    /// `[n]` fold (0..<folds) of each item.
    public let assignment: [Int]

    /// Unstratified partition of `count` items. Throws `.invalidFoldCount` unless 2 ≤ folds ≤ count.
    public init(count: Int, folds: Int, seed: UInt64 = 0) throws(PairMetricsError) {
        guard folds >= 2, folds <= count else { throw .invalidFoldCount(folds: folds, items: count) }
        var rng = SplitMix64(seed: seed)
        var assignment = [Int](repeating: 0, count: count)
        for (j, item) in rng.permutation(Array(0..<count)).enumerated() { assignment[item] = j % folds }
        self.folds = folds
        self.assignment = assignment
    }

    /// Partition stratified by label (every test fold gets its share of both classes). Throws
    /// `.invalidFoldCount` unless 2 ≤ folds ≤ the smaller class count.
    public init(labels: [Bool], folds: Int, seed: UInt64 = 0) throws(PairMetricsError) {
        let positives = labels.indices.filter { labels[$0] }
        let negatives = labels.indices.filter { !labels[$0] }
        guard folds >= 2, folds <= min(positives.count, negatives.count) else {
            throw .invalidFoldCount(folds: folds, items: min(positives.count, negatives.count))
        }
        var rng = SplitMix64(seed: seed)
        var assignment = [Int](repeating: 0, count: labels.count)
        var slot = 0
        for item in rng.permutation(positives) + rng.permutation(negatives) {
            assignment[item] = slot % folds
            slot += 1
        }
        self.folds = folds
        self.assignment = assignment
    }

    /// The split holding out `fold` (precondition: 0 ≤ fold < folds).
    public func split(_ fold: Int) -> FoldSplit {
        precondition((0..<folds).contains(fold), "fold \(fold) outside 0..<\(folds)")
        var training: [Int] = [], test: [Int] = []
        training.reserveCapacity(assignment.count)
        for (item, f) in assignment.enumerated() {
            if f == fold { test.append(item) } else { training.append(item) }
        }
        return FoldSplit(fold: fold, training: training, test: test)
    }

    /// Runs `body` once per fold, in fold order, and returns its results `[folds]`.
    public func run<Result>(_ body: (FoldSplit) throws -> Result) rethrows -> [Result] {
        try (0..<folds).map { try body(split($0)) }
    }

    /// The protocol: `body` trains on `split.training`, tests on `split.test` and returns one number
    /// (e.g. test accuracy); the result is its mean ± standard deviation over the folds.
    public func evaluate(_ body: (FoldSplit) throws -> Double) rethrows -> MeanStd {
        MeanStd(try run(body))
    }
}

/// Mean and sample standard deviation of a list of per-fold numbers.
public struct MeanStd: Sendable, Equatable, CustomStringConvertible {
    public let mean: Double
    /// Sample standard deviation (denominator count − 1); 0 for a single value.
    public let std: Double
    public let count: Int

    /// Precondition: at least one value.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "mean ± std of nothing")
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.init(mean: mean, std: values.count > 1 ? (ss / (n - 1)).squareRoot() : 0, count: values.count)
    }

    public init(mean: Double, std: Double, count: Int) {
        self.mean = mean
        self.std = std
        self.count = count
    }

    /// Standard error of the mean, std / √count.
    public var standardError: Double { std / Double(count).squareRoot() }

    /// "0.9912 ± 0.0031".
    public var description: String {
        func f(_ x: Double) -> String {
            let scaled = (x * 10_000).rounded() / 10_000
            return String(scaled)
        }
        return "\(f(mean)) ± \(f(std))"
    }
}

extension SplitMix64 {
    /// Fisher–Yates shuffle of `items` (own implementation: stable across Swift versions).
    mutating func permutation(_ items: [Int]) -> [Int] {
        var a = items
        var i = a.count - 1
        while i > 0 {
            a.swapAt(i, below(i + 1))
            i -= 1
        }
        return a
    }
}
