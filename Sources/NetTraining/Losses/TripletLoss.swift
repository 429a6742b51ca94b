/// How `TripletLoss` chooses its (anchor, positive, negative) triplets inside a P×K batch (P classes, K rows each).
///
/// Distances are squared Euclidean, `d(i, j) = ‖e_i − e_j‖²`. A *positive* of anchor a is a row p ≠ a with the same
/// label; a *negative* is a row with a different label. Anchors without any positive or without any negative are
/// skipped (they contribute no triplet). Ties between equally distant candidates are broken by the lowest row index,
/// so mining is deterministic. The mined choices are constants for the gradient.
public enum TripletMining: String, Codable, Sendable, CaseIterable {
    /// Semi-hard mining (FaceNet, Schroff et al. 2015, as TensorFlow Addons' `triplet_semihard_loss`): one triplet
    /// per anchor-positive pair (a, p). Its negative is the one with the smallest `d(a, n)` among those with
    /// `d(a, n) > d(a, p)` (strictly); if there is none, the negative with the largest `d(a, n)`.
    /// Loss = mean over all these triplets of `max(d_ap − d_an + α, 0)`.
    case semihard
    /// Batch-hard mining (Hermans, Beyer, Leibe 2017): one triplet per anchor, made of its farthest positive and its
    /// nearest negative. Loss = mean over those anchors of `max(d_ap − d_an + α, 0)`.
    case hard
    /// Batch-all: every valid (a, p, n). Loss = mean of `max(d_ap − d_an + α, 0)` over the *active* triplets
    /// (those with a positive hinge), 0 when none is active.
    case all
}

/// One mined triplet: three row indices into the batch.
public struct MinedTriplet: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The anchor row.
    public var anchor: Int
    /// A row with the anchor's label (≠ anchor).
    public var positive: Int
    /// A row with a different label.
    public var negative: Int

    /// A triplet of row indices (not validated against a batch).
    public init(anchor: Int, positive: Int, negative: Int) {
        self.anchor = anchor
        self.positive = positive
        self.negative = negative
    }

    /// `(anchor, positive, negative)`.
    public var description: String { "(\(anchor), \(positive), \(negative))" }
}

/// What `TripletLoss.evaluate` computed for one batch.
public struct TripletLossResult: Sendable, Equatable {
    /// The loss value whose gradient `evaluate` returned (the mean defined by the mining mode; 0 with no triplet).
    public var loss: Float
    /// How many triplets the miner produced (for `.all`, every valid triplet of the batch).
    public var triplets: Int
    /// How many of them have `d(a, p) − d(a, n) + margin > 0` (only these carry gradient).
    public var activeTriplets: Int
    /// `activeTriplets / triplets`, 0 when there is no triplet.
    public var activeFraction: Float { triplets > 0 ? Float(activeTriplets) / Float(triplets) : 0 }

    /// A result; the defaults describe a batch with no triplet.
    public init(loss: Float = 0, triplets: Int = 0, activeTriplets: Int = 0) {
        self.loss = loss
        self.triplets = triplets
        self.activeTriplets = activeTriplets
    }
}

/// The triplet loss `max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0)` with online mining inside a P×K batch
/// (squared Euclidean distances, margin α), and its gradient with respect to the embeddings.
///
/// Deterministic: distances, the loss and the gradient are accumulated in Double in a fixed order. The gradient of
/// the hinge at exactly 0 is taken as 0 (such a triplet is not active).
public struct TripletLoss: Sendable, Equatable, Codable {
    /// α, added to `d(a, p) − d(a, n)` before the hinge; must be finite.
    public var margin: Float
    /// How triplets are chosen; see `TripletMining`.
    public var mining: TripletMining

    /// A loss with margin α (FaceNet's 0.2 on unit embeddings by default) and semi-hard mining by default.
    public init(margin: Float = 0.2, mining: TripletMining = .semihard) {
        self.margin = margin
        self.mining = mining
    }

    /// The loss of one batch and its gradient.
    /// - Parameters:
    ///   - embeddings: `[count, dimension]` row-major, `count == labels.count` (usually L2-normalised rows; the loss
    ///     does not require it).
    ///   - labels: `[count]`, one class id per row.
    ///   - dimension: D ≥ 1.
    ///   - gradient: `[count, dimension]`, overwritten with dLoss/dEmbeddings (zeros when there is no active triplet;
    ///     rows in no active triplet get 0). May not alias `embeddings`.
    /// - Returns: the loss, the number of mined triplets and how many are active.
    public func evaluate(embeddings: UnsafePointer<Float>, labels: [Int], dimension: Int,
                         gradient: UnsafeMutablePointer<Float>) -> TripletLossResult {
        precondition(dimension >= 1, "TripletLoss.evaluate: dimension must be ≥ 1")
        precondition(margin.isFinite, "TripletLoss.evaluate: margin must be finite")
        let count = labels.count
        gradient.update(repeating: 0, count: count * dimension)        // [B, D]
        guard count > 1 else { return TripletLossResult() }

        let distances = EmbeddingDistances.squared(embeddings, count: count, dimension: dimension)   // [B, B]
        let alpha = Double(margin)
        // The gradient of Σ_active (d_ap − d_an) is Σ_j C_ij · 2(e_i − e_j) per row i with integer counts C: each active
        // triplet adds (a: +p −n), (p: +a), (n: −a) to C. Counting exactly and applying the scale once keeps the
        // result independent of the triplet order's rounding.
        var coefficients = [Int32](repeating: 0, count: count * count)  // [B, B]
        var triplets = 0
        var active = 0
        var hingeSum = 0.0
        distances.withUnsafeBufferPointer { d in
            coefficients.withUnsafeMutableBufferPointer { c in
                Self.forEachTriplet(mining: mining, distances: d, labels: labels) { a, p, n in
                    triplets += 1
                    let hinge = d[a * count + p] - d[a * count + n] + alpha
                    guard hinge > 0 else { return }
                    active += 1
                    hingeSum += hinge
                    c[a * count + p] += 1
                    c[a * count + n] -= 1
                    c[p * count + a] += 1
                    c[n * count + a] -= 1
                }
            }
        }

        let denominator = mining == .all ? active : triplets
        guard denominator > 0, active > 0 else {
            return TripletLossResult(loss: 0, triplets: triplets, activeTriplets: active)
        }
        let scale = 2 / Double(denominator)
        var row = [Double](repeating: 0, count: dimension)               // [D]
        coefficients.withUnsafeBufferPointer { c in
            for i in 0..<count {
                let ei = embeddings + i * dimension                       // [D]
                var touched = false
                for j in 0..<count where j != i && c[i * count + j] != 0 {
                    let weight = Double(c[i * count + j])
                    let ej = embeddings + j * dimension                   // [D]
                    for k in 0..<dimension { row[k] += weight * (Double(ei[k]) - Double(ej[k])) }
                    touched = true
                }
                guard touched else { continue }
                let gi = gradient + i * dimension                         // [D]
                for k in 0..<dimension {
                    gi[k] = Float(scale * row[k])
                    row[k] = 0
                }
            }
        }
        return TripletLossResult(loss: Float(hingeSum / Double(denominator)), triplets: triplets, activeTriplets: active)
    }
}
