/// The candidates for the K nearest *identities* of one query, collected from a stream of rows scored by a fast
/// but inexact kernel (BLAS), such that the exact K nearest are among them.
///
/// Rows arrive with a score (smaller is nearer; the search uses the squared distance, clamped at 0, so scores and
/// `bound` are ≥ 0 or +∞) and their identity. The caller states `tolerance` τ ≥ 0: the largest possible
/// difference between two scores' errors (|error| ≤ τ/2 each). An identity is held by its best row; entries are
/// sorted by (score, identity, row) ascending, a total order, so what is held does not depend on the order rows are
/// offered in (threads, tiles).
///
/// What is kept, beyond the K best entries:
/// - every further identity whose score is ≤ the K-th score + τ (it may be among the exact K nearest), and
/// - `alternates`: every other row of a held identity whose score is ≤ that identity's best + τ (it may be the
///   identity's exact nearest row).
/// So if the scores' errors are within ±τ/2, the exact K nearest identities, each with its exact nearest row, are
/// among `candidateRows`; the search recomputes those exactly and ranks them (`FaceGallery.nearest`). With τ = 0
/// and exact scores the first K entries are the answer (ties: lower identity index, then lower row).
///
/// Cost: `offer` is O(K) but is only called for rows with score ≤ `bound`, which after the first K rows is
/// rare; the scan loops test `score <= bound` first (no sort of N).
struct IdentitySelection {
    /// K, the number of identities wanted (≥ 1).
    let capacity: Int
    /// τ, the score margin within which an identity or row is kept as a candidate (≥ 0).
    let tolerance: Float
    /// `[≥ min(K, offered identities)]` scores, ascending.
    private(set) var scores: [Float] = []
    /// Identity index of each entry.
    private(set) var identities: [Int32] = []
    /// Gallery row of each entry (the identity's best row so far).
    private(set) var rows: [Int32] = []
    /// Rows of held identities other than their best, within τ of the best when offered: (score, identity, row).
    private(set) var alternates: [(score: Float, identity: Int32, row: Int32)] = []
    /// Rows with a score above `bound` cannot enter: +∞ until K identities are held, then the K-th score + τ.
    private(set) var bound: Float = .infinity

    init(capacity: Int, tolerance: Float = 0) {
        precondition(capacity >= 1 && tolerance >= 0)
        self.capacity = capacity
        self.tolerance = tolerance
        scores.reserveCapacity(capacity + 1)
        identities.reserveCapacity(capacity + 1)
        rows.reserveCapacity(capacity + 1)
    }

    var count: Int { scores.count }

    /// Every (identity, row) that may be an exact nearest: the entries' best rows, then the alternates of identities
    /// still held. Unordered beyond that.
    var candidateRows: [(identity: Int32, row: Int32)] {
        var out = zip(identities, rows).map { (identity: $0, row: $1) }
        for a in alternates where identities.contains(a.identity) { out.append((a.identity, a.row)) }
        return out
    }

    /// Whether (s1, i1, r1) sorts before (s2, i2, r2).
    @inline(__always)
    private static func precedes(_ s1: Float, _ i1: Int32, _ r1: Int32, _ s2: Float, _ i2: Int32, _ r2: Int32) -> Bool {
        s1 != s2 ? s1 < s2 : (i1 != i2 ? i1 < i2 : r1 < r2)
    }

    /// Offers gallery row `row` of identity `identity` with score `score`.
    mutating func offer(score: Float, identity: Int32, row: Int32) {
        guard score <= bound else { return }
        if let existing = identities.firstIndex(of: identity) {
            let held = scores[existing]
            guard Self.precedes(score, identity, row, held, identity, rows[existing]) else {
                if score <= held + tolerance { alternates.append((score, identity, row)) }
                return
            }
            if held <= score + tolerance { alternates.append((held, identity, rows[existing])) }
            scores.remove(at: existing)
            identities.remove(at: existing)
            rows.remove(at: existing)
        }
        var at = scores.count
        while at > 0, Self.precedes(score, identity, row, scores[at - 1], identities[at - 1], rows[at - 1]) { at -= 1 }
        scores.insert(score, at: at)
        identities.insert(identity, at: at)
        rows.insert(row, at: at)
        guard scores.count >= capacity else { return }
        bound = scores[capacity - 1] + tolerance
        while scores.count > capacity, scores[scores.count - 1] > bound {
            scores.removeLast()
            identities.removeLast()
            rows.removeLast()
        }
    }

    /// Offers every entry and alternate of `other` (merging per-thread selections of the same K and τ).
    mutating func merge(_ other: IdentitySelection) {
        for i in 0..<other.count { offer(score: other.scores[i], identity: other.identities[i], row: other.rows[i]) }
        for a in other.alternates { offer(score: a.score, identity: a.identity, row: a.row) }
    }
}
