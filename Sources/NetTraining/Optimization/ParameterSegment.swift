/// A contiguous run of the flat parameter vector and whether weight decay applies to it.
///
/// Elements `offset ..< offset + count` of the parameter (and gradient) vector. Typically one segment per
/// parameter tensor: weights decay, biases and normalisation scales/shifts do not.
public struct ParameterSegment: Sendable, Equatable {
    /// Index of the first element in the flat vector, ≥ 0.
    public let offset: Int
    /// Number of elements, ≥ 0.
    public let count: Int
    /// Whether `OptimizerConfig.weightDecay` applies to these elements.
    public let decays: Bool

    /// A segment of `count` elements from `offset`. Precondition: offset ≥ 0, count ≥ 0.
    public init(offset: Int, count: Int, decays: Bool) {
        precondition(offset >= 0 && count >= 0, "ParameterSegment: offset \(offset) and count \(count) must be ≥ 0")
        self.offset = offset
        self.count = count
        self.decays = decays
    }
}

extension ParameterSegment {
    /// Segments in ascending order covering exactly `0 ..< total`: the given ones plus, in every gap, a
    /// non-decaying filler. Empty segments are dropped. Precondition: the segments lie within `0 ..< total`
    /// and do not overlap (a programming error of the caller otherwise).
    static func covering(_ segments: [ParameterSegment], total: Int) -> [ParameterSegment] {
        let sorted = segments.filter { $0.count > 0 }.sorted { $0.offset < $1.offset }
        var runs: [ParameterSegment] = []
        runs.reserveCapacity(2 * sorted.count + 1)
        var next = 0   // first element not yet covered
        for s in sorted {
            precondition(s.offset + s.count <= total,
                         "parameter segment \(s.offset)..<\(s.offset + s.count) exceeds the \(total) parameters")
            precondition(s.offset >= next, "parameter segment \(s.offset)..<\(s.offset + s.count) overlaps another one")
            if s.offset > next { runs.append(ParameterSegment(offset: next, count: s.offset - next, decays: false)) }
            runs.append(s)
            next = s.offset + s.count
        }
        if next < total { runs.append(ParameterSegment(offset: next, count: total - next, decays: false)) }
        return runs
    }
}
