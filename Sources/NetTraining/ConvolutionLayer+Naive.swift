import NetLayers

/// The direct-loop reference of the convolution's forward and backward passes: what the fast path is tested
/// against and the benchmark's baseline. No im2col, no BLAS, one thread.
extension ConvolutionLayer {
    /// NetLayers' naive forward with the current weights.
    func forwardNaive(_ x: FeatureMap, into y: FeatureMap, context: TrainingContext) {
        let o = spec.filters, k = patchSize
        let weights = Array(UnsafeBufferPointer(start: context.storage.values + weightsOffset, count: o * k))
        let bias = biasOffset.map { Array(UnsafeBufferPointer(start: context.storage.values + $0, count: o)) }
        let conv = Convolution(outputChannels: o, inputChannels: inputShape.c, kernel: (spec.kernelHeight, spec.kernelWidth),
                               stride: (spec.strideY, spec.strideX), padding: (spec.paddingY, spec.paddingX),
                               weights: weights, bias: bias)
        conv.forwardNaive(x, into: y)
    }

    /// dW[o,i,ky,kx] = Σ dy[n,o,oy,ox]·x[n,i,iy,ix]; db[o] = Σ dy[n,o,·,·]; dx[n,i,iy,ix] = Σ W[o,i,ky,kx]·dy[n,o,oy,ox]
    /// with iy = oy·sy − py + ky, ix = ox·sx − px + kx inside the plane.
    func backwardNaive(x: FeatureMap, dy: FeatureMap, dx: FeatureMap?, context: TrainingContext) {
        let o = spec.filters, ci = inputShape.c, kh = spec.kernelHeight, kw = spec.kernelWidth
        let h = inputShape.h, w = inputShape.w, ho = outputShape.h, wo = outputShape.w
        let weights = context.storage.values + weightsOffset
        let gw = context.storage.gradients + weightsOffset
        gw.update(repeating: 0, count: o * patchSize)
        if let bo = biasOffset { (context.storage.gradients + bo).update(repeating: 0, count: o) }
        if let dx { dx.data.update(repeating: 0, count: dx.shape.count) }
        for n in 0..<x.shape.n {
            for oc in 0..<o {
                let g = dy.plane(n, oc)
                if let bo = biasOffset {
                    var s: Float = 0
                    for i in 0..<(ho * wo) { s += g[i] }
                    context.storage.gradients[bo + oc] += s
                }
                for i in 0..<ci {
                    let src = x.plane(n, i)
                    let dst = dx?.plane(n, i)
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let widx = ((oc * ci + i) * kh + ky) * kw + kx
                            var acc: Float = 0
                            let wv = weights[widx]
                            for oy in 0..<ho {
                                let iy = oy * spec.strideY - spec.paddingY + ky
                                if iy < 0 || iy >= h { continue }
                                for ox in 0..<wo {
                                    let ix = ox * spec.strideX - spec.paddingX + kx
                                    if ix < 0 || ix >= w { continue }
                                    let gv = g[oy * wo + ox]
                                    acc += gv * src[iy * w + ix]
                                    if let dst { dst[iy * w + ix] += wv * gv }
                                }
                            }
                            gw[widx] += acc
                        }
                    }
                }
            }
        }
    }
}
