extension TripletLoss {
    /// The triplets this loss's mining mode chooses for a batch, in the order `evaluate` visits them: by anchor, then
    /// by positive, then (for `.all`) by negative, all ascending. For `.all` this is every valid triplet, active or not;
    /// the margin plays no part in mining. See `TripletMining` for the rules.
    /// - Parameters:
    ///   - embeddings: `[count, dimension]` row-major, `count == labels.count`.
    ///   - labels: `[count]`, one class id per row.
    public func mine(embeddings: UnsafePointer<Float>, labels: [Int], dimension: Int) -> [MinedTriplet] {
        precondition(dimension >= 1, "TripletLoss.mine: dimension must be ≥ 1")
        let distances = EmbeddingDistances.squared(embeddings, count: labels.count, dimension: dimension)  // [B, B]
        var triplets: [MinedTriplet] = []
        distances.withUnsafeBufferPointer { d in
            Self.forEachTriplet(mining: mining, distances: d, labels: labels) { a, p, n in
                triplets.append(MinedTriplet(anchor: a, positive: p, negative: n))
            }
        }
        return triplets
    }

    /// Calls `body(anchor, positive, negative)` for every triplet `mining` chooses, in anchor, positive, negative order.
    /// - Parameters:
    ///   - distances: `[B, B]` squared distances, `B == labels.count`.
    ///   - labels: `[B]`.
    static func forEachTriplet(mining: TripletMining, distances d: UnsafeBufferPointer<Double>, labels: [Int],
                               _ body: (Int, Int, Int) -> Void) {
        let count = labels.count
        precondition(d.count == count * count, "TripletLoss: distance matrix must be [B, B]")
        for a in 0..<count {
            let label = labels[a]
            let base = a * count
            // Skip anchors with no positive or no negative.
            var hasPositive = false
            var hasNegative = false
            for j in 0..<count where j != a {
                if labels[j] == label { hasPositive = true } else { hasNegative = true }
            }
            guard hasPositive, hasNegative else { continue }

            switch mining {
            case .semihard:
                for p in 0..<count where p != a && labels[p] == label {
                    let dap = d[base + p]
                    var semihard = -1
                    var semihardDistance = Double.infinity
                    var farthest = -1
                    var farthestDistance = -Double.infinity
                    for n in 0..<count where labels[n] != label {
                        let dan = d[base + n]
                        if dan > dap && dan < semihardDistance { semihard = n; semihardDistance = dan }
                        if dan > farthestDistance { farthest = n; farthestDistance = dan }
                    }
                    body(a, p, semihard >= 0 ? semihard : farthest)
                }
            case .hard:
                var positive = -1
                var positiveDistance = -Double.infinity
                var negative = -1
                var negativeDistance = Double.infinity
                for j in 0..<count where j != a {
                    let daj = d[base + j]
                    if labels[j] == label {
                        if daj > positiveDistance { positive = j; positiveDistance = daj }
                    } else if daj < negativeDistance {
                        negative = j
                        negativeDistance = daj
                    }
                }
                body(a, positive, negative)
            case .all:
                for p in 0..<count where p != a && labels[p] == label {
                    for n in 0..<count where labels[n] != label { body(a, p, n) }
                }
            }
        }
    }
}
