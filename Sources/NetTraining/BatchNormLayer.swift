import LayerGraph
import NetLayers

/// Batch normalisation per channel over (N, H, W) (`BatchNormSpec`).
///
/// Training: μ, σ² are the batch's (biased σ² for normalising); running mean and variance move by
/// `momentum` towards μ and the unbiased σ²·m/(m − 1), m = N·H·W. Evaluation: the running statistics.
/// y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε). Backward (training):
/// dγ = Σ dy·x̂, dβ = Σ dy, dx = γ/√(σ² + ε) · (dy − Σdy/m − x̂·Σ(dy·x̂)/m); in evaluation μ, σ² are constants.
/// Channel sums are accumulated per chunk of images in Double and combined in chunk order.
final class BatchNormLayer: TrainingLayer {
    let spec: BatchNormSpec
    let inputShape: ImageShape
    var outputShape: ImageShape { inputShape }
    let gammaOffset: Int, betaOffset: Int, meanOffset: Int, varianceOffset: Int
    /// The statistics the last forward normalised with: `[C]` each.
    private var usedMean: [Float], usedInvStd: [Float]
    private var lastMode: TrainingMode = .training

    init(spec: BatchNormSpec, resolved: ResolvedLayer, storage: ParameterStorage) {
        self.spec = spec
        inputShape = resolved.inputShape
        gammaOffset = storage.offset(of: resolved.path + "/gamma")
        betaOffset = storage.offset(of: resolved.path + "/beta")
        meanOffset = storage.offset(of: resolved.path + "/running_mean")
        varianceOffset = storage.offset(of: resolved.path + "/running_variance")
        usedMean = [Float](repeating: 0, count: inputShape.c)
        usedInvStd = [Float](repeating: 1, count: inputShape.c)
    }

    private func chunkRanges(_ n: Int) -> [Range<Int>] {
        ParallelChunks.ranges(n, count: ParallelChunks.chunkCount(images: n, perImage: inputShape.count, limit: 1 << 20))
    }

    /// Σ f over each channel, per chunk in Double, combined in chunk order: `[C]`.
    private func channelSums(_ n: Int, context: TrainingContext,
                             _ f: (_ image: Int, _ channel: Int) -> (Double, Double)) -> ([Double], [Double]) {
        let c = inputShape.c
        let ranges = chunkRanges(n)
        var partial = [Double](repeating: 0, count: ranges.count * 2 * c)     // [chunks, 2, C]
        partial.withUnsafeMutableBufferPointer { pb in
            nonisolated(unsafe) let p = pb.baseAddress!
            context.chunks.run(ranges.count) { chunk, _ in
                let base = p + chunk * 2 * c
                for img in ranges[chunk] {
                    for ch in 0..<c {
                        let (a, b) = f(img, ch)
                        base[ch] += a
                        base[c + ch] += b
                    }
                }
            }
        }
        var s1 = [Double](repeating: 0, count: c), s2 = s1
        for chunk in 0..<ranges.count {
            for ch in 0..<c {
                s1[ch] += partial[chunk * 2 * c + ch]
                s2[ch] += partial[chunk * 2 * c + c + ch]
            }
        }
        return (s1, s2)
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let n = x.shape.n, c = inputShape.c, hw = inputShape.h * inputShape.w
        let v = context.storage.values
        lastMode = context.mode
        if context.mode == .training {
            let (s1, s2) = channelSums(n, context: context) { img, ch in
                let p = x.plane(img, ch)
                var a: Double = 0, b: Double = 0
                for i in 0..<hw { let t = Double(p[i]); a += t; b += t * t }
                return (a, b)
            }
            let m = Double(n * hw)
            let mom = Double(spec.momentum)
            for ch in 0..<c {
                let mean = s1[ch] / m
                let variance = max(0, s2[ch] / m - mean * mean)
                usedMean[ch] = Float(mean)
                usedInvStd[ch] = Float(1 / (variance + Double(spec.epsilon)).squareRoot())
                let unbiased = m > 1 ? variance * m / (m - 1) : variance
                v[meanOffset + ch] = Float((1 - mom) * Double(v[meanOffset + ch]) + mom * mean)
                v[varianceOffset + ch] = Float((1 - mom) * Double(v[varianceOffset + ch]) + mom * unbiased)
            }
        } else {
            for ch in 0..<c {
                usedMean[ch] = v[meanOffset + ch]
                usedInvStd[ch] = 1 / (v[varianceOffset + ch] + spec.epsilon).squareRoot()
            }
        }
        let mean = usedMean, inv = usedInvStd
        let gamma = UnsafePointer(v + gammaOffset), beta = UnsafePointer(v + betaOffset)
        let ranges = chunkRanges(n)
        context.chunks.run(ranges.count) { chunk, _ in
            for img in ranges[chunk] {
                for ch in 0..<c {
                    let src = x.plane(img, ch), dst = y.plane(img, ch)
                    let scale = gamma[ch] * inv[ch], shift = beta[ch] - mean[ch] * scale
                    for i in 0..<hw { dst[i] = src[i] * scale + shift }
                }
            }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        let n = x.shape.n, c = inputShape.c, hw = inputShape.h * inputShape.w
        let mean = usedMean, inv = usedInvStd
        let (sumDy, sumDyXhat) = channelSums(n, context: context) { img, ch in
            let g = dy.plane(img, ch), p = x.plane(img, ch)
            let mu = mean[ch], s = inv[ch]
            var a: Double = 0, b: Double = 0
            for i in 0..<hw { let d = Double(g[i]); a += d; b += d * Double((p[i] - mu) * s) }
            return (a, b)
        }
        let grads = context.storage.gradients
        for ch in 0..<c {
            grads[gammaOffset + ch] = Float(sumDyXhat[ch])
            grads[betaOffset + ch] = Float(sumDy[ch])
        }
        guard let dx else { return }
        let gamma = UnsafePointer(context.storage.values + gammaOffset)
        let m = Float(n * hw)
        let training = lastMode == .training
        let meanDy = sumDy.map { Float($0) / m }, meanDyXhat = sumDyXhat.map { Float($0) / m }
        let ranges = chunkRanges(n)
        context.chunks.run(ranges.count) { chunk, _ in
            for img in ranges[chunk] {
                for ch in 0..<c {
                    let g = dy.plane(img, ch), p = x.plane(img, ch), d = dx.plane(img, ch)
                    let k = gamma[ch] * inv[ch], mu = mean[ch], s = inv[ch]
                    if training {
                        let a = meanDy[ch], b = meanDyXhat[ch]
                        for i in 0..<hw { d[i] = k * (g[i] - a - (p[i] - mu) * s * b) }
                    } else {
                        for i in 0..<hw { d[i] = k * g[i] }
                    }
                }
            }
        }
    }
}
