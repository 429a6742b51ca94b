/// The exact K nearest *identities* of one query, collected from a stream of scored gallery rows.
///
/// Rows arrive with a score (smaller is nearer; the search uses the squared distance, clamped at 0, so scores and
/// `bound` are ≥ 0 or +∞) and their identity. An identity is represented by its best row, so several rows of one
/// identity never take several slots. Entries are kept sorted by (score, identity, row) ascending — a total order,
/// so the result does not depend on the order rows are offered in (threads, tiles): ties are broken by the
/// lower identity index, then the lower row.
///
/// Cost: `offer` is O(K) but is only called for rows with score ≤ `bound`, which after the first K rows is
/// rare; the scan loops test `score <= bound` first (no sort of N).
struct IdentitySelection {
    /// K, the number of identities kept (≥ 1).
    let capacity: Int
    /// `[≤ K]` scores, ascending.
    private(set) var scores: [Float] = []
    /// `[≤ K]` identity index of each entry.
    private(set) var identities: [Int32] = []
    /// `[≤ K]` gallery row of each entry (the identity's best row so far).
    private(set) var rows: [Int32] = []
    /// Rows with a score above `bound` cannot enter: +∞ until K identities are held, then the worst score held.
    private(set) var bound: Float = .infinity

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
        scores.reserveCapacity(capacity + 1)
        identities.reserveCapacity(capacity + 1)
        rows.reserveCapacity(capacity + 1)
    }

    var count: Int { scores.count }

    /// Whether (s1, i1, r1) sorts before (s2, i2, r2).
    @inline(__always)
    private static func precedes(_ s1: Float, _ i1: Int32, _ r1: Int32, _ s2: Float, _ i2: Int32, _ r2: Int32) -> Bool {
        s1 != s2 ? s1 < s2 : (i1 != i2 ? i1 < i2 : r1 < r2)
    }

    /// Offers gallery row `row` of identity `identity` with score `score`.
    mutating func offer(score: Float, identity: Int32, row: Int32) {
        if scores.count == capacity {
            let last = capacity - 1
            guard Self.precedes(score, identity, row, scores[last], identities[last], rows[last]) else { return }
        }
        if let existing = identities.firstIndex(of: identity) {
            guard Self.precedes(score, identity, row, scores[existing], identity, rows[existing]) else { return }
            scores.remove(at: existing)
            identities.remove(at: existing)
            rows.remove(at: existing)
        }
        var at = scores.count
        while at > 0, Self.precedes(score, identity, row, scores[at - 1], identities[at - 1], rows[at - 1]) { at -= 1 }
        scores.insert(score, at: at)
        identities.insert(identity, at: at)
        rows.insert(row, at: at)
        if scores.count > capacity {
            scores.removeLast()
            identities.removeLast()
            rows.removeLast()
        }
        if scores.count == capacity { bound = scores[capacity - 1] }
    }

    /// Offers every entry of `other` (merging per-thread selections).
    mutating func merge(_ other: IdentitySelection) {
        for i in 0..<other.count { offer(score: other.scores[i], identity: other.identities[i], row: other.rows[i]) }
    }
}
