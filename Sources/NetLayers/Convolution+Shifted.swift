/// A stride-1 convolution computed as "kernel to rows" instead of im2col: one product multiplies the input
/// planes by all kernel taps at once, then the tap planes are added at their offsets.
///
/// With Wr `[O·kh·kw, I]` (row (o, ky, kx) = w[o, :, ky, kx], `packedShiftedWeights`) and X the input planes
/// themselves (no packing copy), `P = Wr · X` `[O·kh·kw, H·W]` and
/// `out[o, y, x] = bias[o] + Σ_{ky,kx} P[(o, ky, kx), y + ky − py, x + kx − px]` (terms outside the input are the
/// zero padding and are skipped). Cheaper than im2col when O < I: P has O·kh·kw rows where im2col has I·kh·kw
/// (the MMOD detector's final 9×9 convolution to one channel: 81 rows instead of 3,645).
///
/// Per image, rows are processed in bands so that P stays below `scratchLimit` floats. Each output is bias plus
/// the taps in (ky, kx) order, each a fixed fold over I, whatever the band or the batch.
extension Convolution {
    /// Whether the layer has the kernel-to-rows geometry the dispatch rule uses it for: stride 1, a kernel larger
    /// than 1×1, and fewer output than input channels (the tap matrix is smaller than im2col's).
    public var admitsShifted: Bool {
        strideY == 1 && strideX == 1 && kernelHeight * kernelWidth > 1 && outputChannels < inputChannels
    }

    /// `weights` re-laid as Wr `[O·kh·kw, I]`.
    func shiftedTapMatrix() -> [Float] {
        let o = outputChannels, i = inputChannels, kh = kernelHeight, kw = kernelWidth
        var wr = [Float](repeating: 0, count: o * kh * kw * i)
        for oc in 0..<o {
            for ic in 0..<i {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        wr[((oc * kh + ky) * kw + kx) * i + ic] = weights[((oc * i + ic) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        return wr
    }

    /// Output rows per band for `input` under `scratchLimit` floats (a band of r output rows needs r + kh − 1
    /// input rows of P; at least one row).
    public func shiftedRowsPerBand(for input: Shape4, scratchLimit: Int) -> Int {
        let out = outputShape(for: input)
        let taps = outputChannels * kernelHeight * kernelWidth
        let r = scratchLimit / max(1, taps * input.w) - (kernelHeight - 1)
        return max(1, min(out.h, r))
    }

    /// Scratch floats of the kernel-to-rows path for `input`: one band of P and the product's packing space.
    public func shiftedScratchCount(for input: Shape4, scratchLimit: Int) -> Int {
        let taps = outputChannels * kernelHeight * kernelWidth
        return taps * (shiftedRowsPerBand(for: input, scratchLimit: scratchLimit) + kernelHeight - 1) * input.w
            + PackedMatrix.scratchCount
    }

    /// `output = epilogue(conv(input) + bias)` by kernel to rows, on the caller's thread. Precondition:
    /// `admitsShifted`. Same contract as `forward`; scratch grows to `shiftedScratchCount(for:scratchLimit:)`.
    public func forwardShifted(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                               scratch: FloatBuffer, scratchLimit: Int = Convolution.defaultScratchLimit) {
        precondition(admitsShifted, "shifted: needs a stride-1 convolution with fewer output than input channels")
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let h = input.shape.h, w = input.shape.w
        let o = outputChannels, kh = kernelHeight, kw = kernelWidth
        let py = paddingY, px = paddingX
        let taps = o * kh * kw
        let band = shiftedRowsPerBand(for: input.shape, scratchLimit: scratchLimit)
        scratch.reserve(shiftedScratchCount(for: input.shape, scratchLimit: scratchLimit))
        let p = scratch.pointer                                            // P [taps, (band + kh − 1)·W]
        let packScratch = p + taps * (band + kh - 1) * w
        let tapWeights = packedShiftedWeights!                             // admitsShifted
        for img in 0..<input.shape.n {
            var y0 = 0
            while y0 < out.h {
                let rows = min(band, out.h - y0)
                // Input rows this band reads: y0 − py … y0 + rows − 1 − py + kh − 1, clipped to the image.
                let iy0 = max(0, y0 - py), iy1 = min(h, y0 + rows - py + kh - 1)
                let n = (iy1 - iy0) * w
                if n > 0 {
                    // P [taps, n] (ldc n) = Wr [taps, I] · X[:, iy0..<iy1] (ldb = H·W)
                    p.update(repeating: 0, count: taps * n)
                    tapWeights.multiplyAdd(UnsafePointer(input.plane(img, 0) + iy0 * w), ldb: h * w, columns: n,
                                           into: p, ldc: n, scratch: packScratch)
                }
                for oc in 0..<o {
                    let plane = output.plane(img, oc)
                    let b = bias[oc]
                    for y in y0..<(y0 + rows) {
                        let dst = plane + y * out.w
                        dst.update(repeating: b, count: out.w)
                        for ky in 0..<kh {
                            let iy = y + ky - py
                            guard iy >= iy0 && iy < iy1 else { continue }
                            for kx in 0..<kw {
                                let dx = kx - px
                                let x0 = max(0, -dx), x1 = min(out.w, w - dx)   // output columns with input inside
                                guard x1 > x0 else { continue }
                                let src = p + ((oc * kh + ky) * kw + kx) * n + (iy - iy0) * w + dx
                                for x in x0..<x1 { dst[x] += src[x] }
                            }
                        }
                        if !epilogue.isIdentity {
                            ConvEpilogueKernel.apply(dst, to: dst, residual: epilogue.residual.map { $0.plane(img, oc) + y * out.w },
                                                     relu: epilogue.relu, count: out.w)
                        }
                    }
                }
                y0 += rows
            }
        }
    }
}
