import LayerGraph
import NetLayers

/// y `[N, O]` = x `[N, I]`·W `[I, O]` + b `[O]` (dlib's orientation). Backward: dW = xᵀ·dy, db = Σ_n dy,
/// dx = dy·Wᵀ; each one `gemm` over the whole batch (deterministic: OpenBLAS runs single-threaded here).
final class FullyConnectedLayer: TrainingLayer {
    let inputShape: ImageShape
    let outputShape: ImageShape
    let weightsOffset: Int
    let biasOffset: Int?

    init(outputs: Int, bias: Bool, resolved: ResolvedLayer, storage: ParameterStorage) {
        inputShape = resolved.inputShape
        outputShape = ImageShape(c: outputs, h: 1, w: 1)
        weightsOffset = storage.offset(of: resolved.path + "/weights")
        biasOffset = bias ? storage.offset(of: resolved.path + "/bias") : nil
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let n = x.shape.n, i = inputShape.count, o = outputShape.c
        let w = context.storage.values + weightsOffset
        if let bo = biasOffset {
            for r in 0..<n { y.image(r).update(from: context.storage.values + bo, count: o) }
        }
        if context.convolutionPath == .naive {
            for r in 0..<n {
                let xr = x.image(r), yr = y.image(r)
                for c in 0..<o {
                    var acc: Float = biasOffset == nil ? 0 : yr[c]
                    for k in 0..<i { acc += xr[k] * w[k * o + c] }
                    yr[c] = acc
                }
            }
            return
        }
        gemm(m: n, n: o, k: i, a: x.data, lda: i, b: w, ldb: o, beta: biasOffset == nil ? 0 : 1, c: y.data, ldc: o)
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        let n = x.shape.n, i = inputShape.count, o = outputShape.c
        let w = context.storage.values + weightsOffset
        let gw = context.storage.gradients + weightsOffset
        gemm(transA: true, m: i, n: o, k: n, a: x.data, lda: i, b: dy.data, ldb: o, beta: 0, c: gw, ldc: o)
        if let bo = biasOffset {
            let gb = context.storage.gradients + bo
            gb.update(repeating: 0, count: o)
            for r in 0..<n { let g = dy.image(r); for c in 0..<o { gb[c] += g[c] } }
        }
        if let dx {
            gemm(transB: true, m: n, n: i, k: o, a: dy.data, lda: o, b: w, ldb: o, beta: 0, c: dx.data, ldc: i)
        }
    }
}
