import LayerGraph
import NetLayers

/// A trainable convolution (cross-correlation, zero padding; `ConvolutionSpec`).
///
/// Fast path, per chunk of g images (chunks chosen from shapes only, see `ParallelChunks`):
/// forward  cols `[K, g·P]` = im2col(x) (NetLayers' im2col; K = I·kh·kw, P = Ho·Wo), Y `[O, g·P]` = W `[O, K]`·cols,
///          scattered to NCHW with the bias;
/// backward dY `[O, g·P]` gathered from NCHW, dW_chunk `[O, K]` = dY·colsᵀ, db_chunk `[O]` = Σ dY,
///          dcols `[K, g·P]` = Wᵀ·dY, dx = col2im(dcols). The chunks' dW and db are summed in chunk order.
/// Every product goes through `NetLayers.gemm`.
final class ConvolutionLayer: TrainingLayer {
    let spec: ConvolutionSpec
    let inputShape: ImageShape
    let outputShape: ImageShape
    /// Geometry only (its weights are zeros): the im2col/col2im and the naive reference come from it.
    let geometry: Convolution
    /// Offsets into the storage: weights `[O, I, kh, kw]`, bias `[O]` (nil without bias).
    let weightsOffset: Int
    let biasOffset: Int?
    /// Floats of scratch a chunk may use (cols + gathered dY).
    static let scratchLimit = 1 << 21
    /// Per-chunk partial gradients `[chunks, O·K + O]`, reused across passes.
    private var partials: [Float] = []

    init(spec: ConvolutionSpec, resolved: ResolvedLayer, storage: ParameterStorage) {
        self.spec = spec
        inputShape = resolved.inputShape
        outputShape = resolved.outputShape
        let k = resolved.inputShape.c * spec.kernelHeight * spec.kernelWidth
        geometry = Convolution(outputChannels: spec.filters, inputChannels: resolved.inputShape.c,
                               kernel: (spec.kernelHeight, spec.kernelWidth), stride: (spec.strideY, spec.strideX),
                               padding: (spec.paddingY, spec.paddingX), weights: [Float](repeating: 0, count: spec.filters * k))
        weightsOffset = storage.offset(of: resolved.path + "/weights")
        biasOffset = spec.bias ? storage.offset(of: resolved.path + "/bias") : nil
    }

    var patchSize: Int { geometry.patchSize }
    var planeSize: Int { outputShape.h * outputShape.w }

    func chunkRanges(_ n: Int) -> [Range<Int>] {
        let perImage = (patchSize + spec.filters) * planeSize
        return ParallelChunks.ranges(n, count: ParallelChunks.chunkCount(images: n, perImage: perImage, limit: Self.scratchLimit))
    }

    func forward(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        if context.convolutionPath == .naive { forwardNaive(x, into: y, context: context); return }
        let o = spec.filters, k = patchSize, p = planeSize
        let w = context.storage.values + weightsOffset
        let bias = biasOffset.map { UnsafePointer(context.storage.values + $0) }
        let ranges = chunkRanges(x.shape.n)
        let out = outputShape.batch(x.shape.n)
        context.chunks.run(ranges.count) { chunk, worker in
            let r = ranges[chunk], g = r.count, ld = g * p
            let scratch = context.chunks.scratch(worker, (k + o) * ld)
            let cols = scratch, product = scratch + k * ld          // [K, g·P], [O, g·P]
            geometry.im2col(x, images: r, rows: 0..<out.h, outWidth: out.w, into: cols)
            gemm(m: o, n: ld, k: k, a: w, lda: k, b: cols, ldb: ld, beta: 0, c: product, ldc: ld)
            for j in 0..<g {
                for oc in 0..<o {
                    let src = product + oc * ld + j * p, dst = y.plane(r.lowerBound + j, oc)
                    let b = bias?[oc] ?? 0
                    for i in 0..<p { dst[i] = src[i] + b }
                }
            }
        }
    }

    func backward(x: FeatureMap, y: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        if context.convolutionPath == .naive { backwardNaive(x: x, dy: dy, dx: dx, context: context); return }
        let o = spec.filters, k = patchSize, p = planeSize
        let w = UnsafePointer(context.storage.values + weightsOffset)
        let ranges = chunkRanges(x.shape.n)
        let out = outputShape.batch(x.shape.n)
        let stride = o * k + o
        if partials.count < ranges.count * stride { partials = [Float](repeating: 0, count: ranges.count * stride) }
        partials.withUnsafeMutableBufferPointer { pb in
            nonisolated(unsafe) let part = pb.baseAddress!
            context.chunks.run(ranges.count) { chunk, worker in
                let r = ranges[chunk], g = r.count, ld = g * p
                let scratch = context.chunks.scratch(worker, (k + o) * ld)
                let cols = scratch, dyMat = scratch + k * ld            // [K, g·P], [O, g·P]
                for j in 0..<g {
                    for oc in 0..<o { (dyMat + oc * ld + j * p).update(from: dy.plane(r.lowerBound + j, oc), count: p) }
                }
                let dW = part + chunk * stride, db = dW + o * k        // [O, K], [O]
                geometry.im2col(x, images: r, rows: 0..<out.h, outWidth: out.w, into: cols)
                gemm(transB: true, m: o, n: k, k: ld, a: dyMat, lda: ld, b: cols, ldb: ld, beta: 0, c: dW, ldc: k)
                for oc in 0..<o {
                    let row = dyMat + oc * ld
                    var s: Float = 0
                    for i in 0..<ld { s += row[i] }
                    db[oc] = s
                }
                if let dx {
                    // dcols [K, g·P] = Wᵀ·dY, into the cols buffer (cols are no longer needed).
                    gemm(transA: true, m: k, n: ld, k: o, a: w, lda: k, b: dyMat, ldb: ld, beta: 0, c: cols, ldc: ld)
                    dx.image(r.lowerBound).update(repeating: 0, count: g * dx.shape.imageCount)
                    geometry.col2im(cols, images: r, outputShape: out, into: dx)
                }
            }
            // Reduce in chunk order.
            let gw = context.storage.gradients + weightsOffset
            gw.update(from: part, count: o * k)
            for c in 1..<max(1, ranges.count) {
                let src = part + c * stride
                for i in 0..<(o * k) { gw[i] += src[i] }
            }
            if let bo = biasOffset {
                let gb = context.storage.gradients + bo
                gb.update(from: part + o * k, count: o)
                for c in 1..<max(1, ranges.count) {
                    let src = part + c * stride + o * k
                    for i in 0..<o { gb[i] += src[i] }
                }
            }
        }
    }
}
