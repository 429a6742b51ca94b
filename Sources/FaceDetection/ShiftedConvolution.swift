import NetLayers

/// A stride-1 convolution computed as "kernel to rows" instead of im2col: one GEMM multiplies the input planes
/// by all kernel taps at once, then the tap planes are added at their offsets.
///
/// `P [O·kh·kw, rows·W] = Wr [O·kh·kw, I] · X [I, rows·W]` with `Wr[(o, ky, kx), i] = w[o, i, ky, kx]` and X the
/// input planes themselves (no packing copy), then
/// `out[o, y, x] = bias[o] + Σ_{ky,kx} P[(o, ky, kx), y + ky − py, x + kx − px]` (terms outside the input are the
/// zero padding and are skipped). Cheaper than im2col when the kernel is large and O is small (the MMOD
/// net's final 9×9 convolution to one channel: P has 81 rows where im2col would have 3,645).
///
/// Rows are processed in bands so that P stays below `scratchLimit` floats. NetLayers has no such path
/// (it is written here, on `NetLayers.gemm`; see the module report).
public struct ShiftedConvolution: Sendable {
    /// The layer (stride must be 1).
    public let layer: Convolution
    /// `[O·kh·kw, I]`: the weights with taps as rows.
    private let tapWeights: [Float]

    /// Precondition: `layer` has stride 1.
    public init(_ layer: Convolution) {
        precondition(layer.strideX == 1 && layer.strideY == 1, "ShiftedConvolution: stride must be 1")
        self.layer = layer
        let o = layer.outputChannels, i = layer.inputChannels, kh = layer.kernelHeight, kw = layer.kernelWidth
        var wr = [Float](repeating: 0, count: o * kh * kw * i)                 // [O·kh·kw, I]
        for oc in 0..<o {
            for ic in 0..<i {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        wr[((oc * kh + ky) * kw + kx) * i + ic] = layer.weights[((oc * i + ic) * kh + ky) * kw + kx]
                    }
                }
            }
        }
        tapWeights = wr
    }

    /// Output rows per band for an input of width `w` under `scratchLimit` floats of scratch.
    func rowsPerBand(outputHeight: Int, inputWidth w: Int, scratchLimit: Int) -> Int {
        let taps = layer.outputChannels * layer.kernelHeight * layer.kernelWidth
        // A band of r output rows needs r + kh − 1 input rows of P.
        let r = scratchLimit / max(1, taps * w) - (layer.kernelHeight - 1)
        return max(1, min(outputHeight, r))
    }

    /// `output = epilogue(conv(input) + bias)`; `input` `[1, I, H, W]`, `output` `[1, O, Ho, Wo]`
    /// (`layer.outputShape(for:)`). `scratch` is grown as needed (≤ about `scratchLimit` floats, at least one band).
    public func forward(_ input: FeatureMap, into output: FeatureMap, relu: Bool, scratch: FloatBuffer, scratchLimit: Int) {
        let out = layer.outputShape(for: input.shape)
        precondition(input.shape.n == 1 && output.shape == out, "ShiftedConvolution: output \(output.shape), expected \(out)")
        let h = input.shape.h, w = input.shape.w, ci = layer.inputChannels
        let o = layer.outputChannels, kh = layer.kernelHeight, kw = layer.kernelWidth
        let py = layer.paddingY, px = layer.paddingX
        let taps = o * kh * kw
        let band = rowsPerBand(outputHeight: out.h, inputWidth: w, scratchLimit: scratchLimit)
        scratch.reserve(taps * (band + kh - 1) * w)
        let p = scratch.pointer
        tapWeights.withUnsafeBufferPointer { wr in
            var y0 = 0
            while y0 < out.h {
                let rows = min(band, out.h - y0)
                // Input rows this band reads: y0 − py … y0 + rows − 1 − py + kh − 1, clipped to the image.
                let iy0 = max(0, y0 - py), iy1 = min(h, y0 + rows - py + kh - 1)
                let n = (iy1 - iy0) * w
                if n > 0 {
                    // P [taps, n] (ldc n) = Wr [taps, I] · X[:, iy0..<iy1] (ldb = H·W).
                    gemm(m: taps, n: n, k: ci, a: wr.baseAddress!, lda: ci, b: UnsafePointer(input.plane(0, 0) + iy0 * w),
                         ldb: h * w, beta: 0, c: p, ldc: n)
                }
                for oc in 0..<o {
                    let plane = output.plane(0, oc)
                    let b = layer.bias[oc]
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
                        if relu { for x in 0..<out.w { dst[x] = max(dst[x], 0) } }
                    }
                }
                y0 += rows
            }
        }
    }
}
