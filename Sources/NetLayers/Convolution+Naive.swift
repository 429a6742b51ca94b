/// The naive direct convolution: the reference the im2col + GEMM path is tested against, and the
/// benchmark's baseline. Straightforward loops, float32 accumulation, no packing and no BLAS.
extension Convolution {
    /// Computes `output = epilogue(conv(input) + bias)` by direct summation.
    /// `input` `[N, I, H, W]`; `output` `[N, O, Ho, Wo]`, must not alias `input` or the residual.
    public func forwardNaive(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let h = input.shape.h, w = input.shape.w, kh = kernelHeight, kw = kernelWidth
        weights.withUnsafeBufferPointer { wBuf in
            let wp = wBuf.baseAddress!
            for n in 0..<out.n {
                for o in 0..<outputChannels {
                    let dst = output.plane(n, o)
                    for oy in 0..<out.h {
                        for ox in 0..<out.w {
                            var acc = bias[o]
                            for i in 0..<inputChannels {
                                let src = input.plane(n, i)
                                let wk = wp + ((o * inputChannels + i) * kh) * kw
                                for ky in 0..<kh {
                                    let iy = oy * strideY - paddingY + ky
                                    if iy < 0 || iy >= h { continue }
                                    for kx in 0..<kw {
                                        let ix = ox * strideX - paddingX + kx
                                        if ix < 0 || ix >= w { continue }
                                        acc += wk[ky * kw + kx] * src[iy * w + ix]
                                    }
                                }
                            }
                            if let r = epilogue.residual { acc += r.plane(n, o)[oy * out.w + ox] }
                            if epilogue.relu && acc < 0 { acc = 0 }
                            dst[oy * out.w + ox] = acc
                        }
                    }
                }
            }
        }
    }
}
