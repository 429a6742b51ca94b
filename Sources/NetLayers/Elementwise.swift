/// Per-channel affine y = γ[c]·x + β[c] (dlib `affine` in CONV mode, or a folded `bn_con`), optionally
/// followed by ReLU. Prefer folding it into the preceding convolution (`Convolution.foldingAffine`).
public struct ChannelAffine: Sendable, Equatable {
    /// `[C]`.
    public let gamma: [Float]
    /// `[C]`.
    public let beta: [Float]

    public init(gamma: [Float], beta: [Float]) {
        precondition(gamma.count == beta.count, "affine: γ has \(gamma.count) values, β \(beta.count)")
        self.gamma = gamma
        self.beta = beta
    }

    /// Batch norm at inference, as dlib folds it: γ' = γ/√(var + eps), β' = β − mean·γ'. All `[C]`.
    public init(batchNormGamma gamma: [Float], beta: [Float], runningMean: [Float], runningVariance: [Float], eps: Float) {
        precondition(gamma.count == beta.count && beta.count == runningMean.count && runningMean.count == runningVariance.count)
        var g = gamma, b = beta
        for c in 0..<gamma.count {
            g[c] = gamma[c] / (runningVariance[c] + eps).squareRoot()
            b[c] = beta[c] - runningMean[c] * g[c]
        }
        self.init(gamma: g, beta: b)
    }

    /// In place on `map` `[N, C, H, W]` (C == γ.count).
    public func apply(to map: FeatureMap, relu: Bool = false) {
        precondition(map.shape.c == gamma.count, "affine: map has \(map.shape.c) channels, γ \(gamma.count)")
        let hw = map.shape.planeCount
        for n in 0..<map.shape.n {
            for c in 0..<map.shape.c {
                let p = map.plane(n, c), g = gamma[c], b = beta[c]
                if relu {
                    for i in 0..<hw { let v = g * p[i] + b; p[i] = v > 0 ? v : 0 }
                } else {
                    for i in 0..<hw { p[i] = g * p[i] + b }
                }
            }
        }
    }
}

/// max(x, 0) element-wise, in place.
public enum ReLU {
    public static func apply(to map: FeatureMap) {
        let p = map.data
        for i in 0..<map.shape.count { let v = p[i]; p[i] = v > 0 ? v : 0 }
    }
}

/// dlib's `add_prev`: out = a + b where the shapes may differ. The result has the larger size in every
/// dimension (`Shape4.union`); an element missing from one operand counts as 0 (so a smaller branch is
/// zero-padded at the end of each dimension: extra channels, rows, columns, images).
public enum ResidualAdd {
    /// `a ∪ b` (see `Shape4.union`).
    public static func outputShape(_ a: Shape4, _ b: Shape4) -> Shape4 { a.union(b) }

    /// `output` (shape `a ∪ b`) = a + b, then ReLU when `relu`. `output` may alias `a` or `b` only when that
    /// operand already has the output's shape.
    public static func forward(_ a: FeatureMap, _ b: FeatureMap, into output: FeatureMap, relu: Bool = false) {
        let out = a.shape.union(b.shape)
        precondition(output.shape == out, "residual add: output is \(output.shape), expected \(out)")
        precondition((output.data != a.data || a.shape == out) && (output.data != b.data || b.shape == out),
                     "residual add: output may alias only an operand of the output's shape")
        let hw = out.h * out.w
        for n in 0..<out.n {
            for c in 0..<out.c {
                let dst = output.plane(n, c)
                let pa = (n < a.shape.n && c < a.shape.c) ? a.plane(n, c) : nil
                let pb = (n < b.shape.n && c < b.shape.c) ? b.plane(n, c) : nil
                if let pa, let pb, a.shape.h == out.h, a.shape.w == out.w, b.shape.h == out.h, b.shape.w == out.w {
                    ConvEpilogueKernel.apply(pa, to: dst, residual: pb, relu: relu, count: hw)   // common case
                    continue
                }
                for y in 0..<out.h {
                    for x in 0..<out.w {
                        var v: Float = 0
                        if let pa, y < a.shape.h, x < a.shape.w { v += pa[y * a.shape.w + x] }
                        if let pb, y < b.shape.h, x < b.shape.w { v += pb[y * b.shape.w + x] }
                        dst[y * out.w + x] = relu && v < 0 ? 0 : v
                    }
                }
            }
        }
    }
}
