import LayerGraph
import NetLayers

/// Per-channel y = γ·x + β with trainable γ, β `[C]` (dlib's `affine`). dγ = Σ dy·x, dβ = Σ dy, dx = γ·dy.
final class AffineLayer: TrainingLayer {
    let inputShape: ImageShape
    var outputShape: ImageShape { inputShape }
    let gammaOffset: Int, betaOffset: Int

    init(resolved: ResolvedLayer, storage: ParameterStorage) {
        inputShape = resolved.inputShape
        gammaOffset = storage.offset(of: resolved.path + "/gamma")
        betaOffset = storage.offset(of: resolved.path + "/beta")
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let c = inputShape.c, hw = inputShape.h * inputShape.w
        let g = UnsafePointer(context.storage.values + gammaOffset), b = UnsafePointer(context.storage.values + betaOffset)
        let ranges = ParallelChunks.ranges(x.shape.n, count: 2)
        context.chunks.run(ranges.count) { chunk, _ in
            for n in ranges[chunk] {
                for ch in 0..<c {
                    let s = x.plane(n, ch), d = y.plane(n, ch), gv = g[ch], bv = b[ch]
                    for i in 0..<hw { d[i] = gv * s[i] + bv }
                }
            }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        let c = inputShape.c, hw = inputShape.h * inputShape.w
        let g = UnsafePointer(context.storage.values + gammaOffset)
        var dg = [Double](repeating: 0, count: c), db = dg
        for n in 0..<x.shape.n {
            for ch in 0..<c {
                let s = x.plane(n, ch), d = dy.plane(n, ch)
                var a: Double = 0, b: Double = 0
                for i in 0..<hw { a += Double(d[i] * s[i]); b += Double(d[i]) }
                dg[ch] += a
                db[ch] += b
            }
        }
        for ch in 0..<c {
            context.storage.gradients[gammaOffset + ch] = Float(dg[ch])
            context.storage.gradients[betaOffset + ch] = Float(db[ch])
        }
        guard let dx else { return }
        for n in 0..<x.shape.n {
            for ch in 0..<c {
                let d = dy.plane(n, ch), o = dx.plane(n, ch), gv = g[ch]
                for i in 0..<hw { o[i] = gv * d[i] }
            }
        }
    }
}

/// max(x, 0); backward passes dy where the output is positive (subgradient 0 at 0).
final class ReLULayer: TrainingLayer {
    let inputShape: ImageShape
    var outputShape: ImageShape { inputShape }
    init(shape: ImageShape) { inputShape = shape }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let total = x.shape.count
        let ranges = ParallelChunks.ranges(total, count: total > 1 << 16 ? 2 : 1)
        context.chunks.run(ranges.count) { chunk, _ in
            let r = ranges[chunk]
            let s = x.data + r.lowerBound, d = y.data + r.lowerBound
            for i in 0..<r.count { let v = s[i]; d[i] = v > 0 ? v : 0 }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        guard let dx else { return }
        let total = x.shape.count
        let ranges = ParallelChunks.ranges(total, count: total > 1 << 16 ? 2 : 1)
        context.chunks.run(ranges.count) { chunk, _ in
            let r = ranges[chunk]
            let o = y.data + r.lowerBound, g = dy.data + r.lowerBound, d = dx.data + r.lowerBound
            for i in 0..<r.count { d[i] = o[i] > 0 ? g[i] : 0 }
        }
    }
}

/// `[C, H, W]` → `[C·H·W, 1, 1]`: a copy (the engine keeps one buffer per layer).
final class FlattenLayer: TrainingLayer {
    let inputShape: ImageShape
    let outputShape: ImageShape
    init(shape: ImageShape) {
        inputShape = shape
        outputShape = ImageShape(c: shape.count, h: 1, w: 1)
    }
    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        y.data.update(from: x.data, count: x.shape.count)
    }
    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        dx?.data.update(from: dy.data, count: dy.shape.count)
    }
}

/// y = x/‖x‖ per image (‖x‖ floored at 1e-12); dx = (dy − y·(y·dy))/‖x‖.
final class L2NormalizeLayer: TrainingLayer {
    let inputShape: ImageShape
    var outputShape: ImageShape { inputShape }
    /// ‖x‖ of each image of the last forward: `[N]`.
    private var norms: [Float] = []
    init(shape: ImageShape) { inputShape = shape }

    static let floor: Float = 1e-12

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let d = inputShape.count
        norms = [Float](repeating: 0, count: x.shape.n)
        for n in 0..<x.shape.n {
            let s = x.image(n), o = y.image(n)
            var ss: Double = 0
            for i in 0..<d { ss += Double(s[i]) * Double(s[i]) }
            let norm = max(Float(ss.squareRoot()), Self.floor)
            norms[n] = norm
            let inv = 1 / norm
            for i in 0..<d { o[i] = s[i] * inv }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        guard let dx else { return }
        let d = inputShape.count
        for n in 0..<x.shape.n {
            let o = y.image(n), g = dy.image(n), r = dx.image(n)
            var dot: Double = 0
            for i in 0..<d { dot += Double(o[i]) * Double(g[i]) }
            let inv = 1 / norms[n], dp = Float(dot)
            for i in 0..<d { r[i] = (g[i] - o[i] * dp) * inv }
        }
    }
}
