import Foundation

/// What `BinaryPairLoss.evaluate` computed for one set of pairs.
public struct BinaryPairLossResult: Sendable, Equatable {
    /// Mean binary cross-entropy over the pairs (0 with no pair).
    public var loss: Float
    /// Fraction of pairs classified correctly, predicting "same" when ŷ > 0.5 (i.e. the logit is > 0); 0 with no pair.
    public var accuracy: Float
    /// How many pairs were evaluated.
    public var pairs: Int

    /// A result; the defaults describe an empty set of pairs.
    public init(loss: Float = 0, accuracy: Float = 0, pairs: Int = 0) {
        self.loss = loss
        self.accuracy = accuracy
        self.pairs = pairs
    }
}

/// The binary siamese objective (Koch, Zemel, Salakhutdinov 2015): a logistic unit on the absolute difference of two
/// embeddings, `ŷ = σ(Σ_k w_k·|e_a,k − e_b,k| + b)`, trained with binary cross-entropy (target 1 for the same class)
/// averaged over the pairs.
///
/// The loss is computed in the numerically stable form `BCE(z, y) = max(z, 0) − y·z + log(1 + e^(−|z|))` on the logit
/// z, so it stays finite for any finite logit. The subgradient of |x| at 0 is taken as 0: a coordinate where the two
/// rows are equal gets no embedding gradient. Accumulation is in Double in pair order (deterministic).
public struct BinaryPairLoss: Sendable, Equatable, Codable {
    /// The loss has no configuration; the unit's weights and bias are passed to `evaluate`.
    public init() {}

    /// The mean BCE of `pairs` and its gradients with respect to the embeddings and to the logistic unit.
    /// - Parameters:
    ///   - embeddings: `[count, dimension]` row-major; every pair index must be in `0..<count`.
    ///   - count: rows in the batch (sizes `embeddingGradient`).
    ///   - dimension: D ≥ 1.
    ///   - pairs: the labelled pairs; a pair may repeat, and `a == b` is allowed (its |Δ| is 0).
    ///   - unitWeights: `[dimension]`, the logistic unit's weights w.
    ///   - unitBias: the logistic unit's bias b.
    ///   - embeddingGradient: `[count, dimension]`, overwritten with dLoss/dEmbeddings; rows in no pair get 0.
    ///   - weightGradient: `[dimension]`, overwritten with dLoss/dw.
    ///   - biasGradient: overwritten with dLoss/db.
    /// - Returns: the loss, the accuracy at ŷ > 0.5 and the pair count. With no pair everything is 0.
    public func evaluate(embeddings: UnsafePointer<Float>, count: Int, dimension: Int, pairs: [IndexPair],
                         unitWeights: UnsafePointer<Float>, unitBias: Float,
                         embeddingGradient: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
                         biasGradient: inout Float) -> BinaryPairLossResult {
        precondition(count >= 0 && dimension >= 1, "BinaryPairLoss.evaluate: count must be ≥ 0 and dimension ≥ 1")
        for pair in pairs {
            precondition((0..<count).contains(pair.a) && (0..<count).contains(pair.b),
                         "BinaryPairLoss.evaluate: pair (\(pair.a), \(pair.b)) outside the batch of \(count)")
        }
        embeddingGradient.update(repeating: 0, count: count * dimension)   // [B, D]
        weightGradient.update(repeating: 0, count: dimension)              // [D]
        biasGradient = 0
        guard !pairs.isEmpty else { return BinaryPairLossResult() }

        let inverse = 1 / Double(pairs.count)
        var rowGradient = [Double](repeating: 0, count: count * dimension)  // [B, D]
        var wGradient = [Double](repeating: 0, count: dimension)            // [D]
        var absDelta = [Double](repeating: 0, count: dimension)             // [D] |e_a − e_b|
        var sign = [Double](repeating: 0, count: dimension)                 // [D] sign(e_a − e_b), 0 at 0
        var bGradient = 0.0
        var lossSum = 0.0
        var correct = 0
        let bias = Double(unitBias)
        for pair in pairs {
            let ea = embeddings + pair.a * dimension                            // [D]
            let eb = embeddings + pair.b * dimension                            // [D]
            var logit = bias
            for k in 0..<dimension {
                let delta = Double(ea[k]) - Double(eb[k])
                absDelta[k] = abs(delta)
                sign[k] = delta > 0 ? 1 : (delta < 0 ? -1 : 0)
                logit += Double(unitWeights[k]) * absDelta[k]
            }
            let target: Double = pair.same ? 1 : 0
            lossSum += Self.crossEntropy(logit: logit, target: target)
            if (logit > 0) == pair.same { correct += 1 }
            let g = (Self.sigmoid(logit) - target) * inverse                   // dLoss/dz for this pair
            bGradient += g
            let ga = pair.a * dimension
            let gb = pair.b * dimension
            for k in 0..<dimension {
                wGradient[k] += g * absDelta[k]
                guard sign[k] != 0 else { continue }
                let step = g * Double(unitWeights[k]) * sign[k]
                rowGradient[ga + k] += step
                rowGradient[gb + k] -= step
            }
        }
        for i in 0..<(count * dimension) { embeddingGradient[i] = Float(rowGradient[i]) }
        for k in 0..<dimension { weightGradient[k] = Float(wGradient[k]) }
        biasGradient = Float(bGradient)
        return BinaryPairLossResult(loss: Float(lossSum * inverse), accuracy: Float(Double(correct) * inverse),
                                    pairs: pairs.count)
    }

    /// σ(z) without overflow for any finite z.
    static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    /// −[y·log σ(z) + (1 − y)·log(1 − σ(z))] = max(z, 0) − y·z + log1p(e^(−|z|)).
    static func crossEntropy(logit z: Double, target y: Double) -> Double {
        max(z, 0) - y * z + log1p(exp(-abs(z)))
    }
}
