import NetLayers

/// im2col + one `NetLayers.gemm` per row band, for a single image, with an im2col packer specialised for the
/// detector's shapes: stride-2 rows are gathered with SIMD even-lane extraction and stride-1 rows with plain
/// vector copies (no per-row library call), which matters for the MMOD net's narrow planes (31–134 columns).
/// The arithmetic is exactly `Convolution.forward`'s (same K order, bias pre-filled, beta = 1 GEMM), only the
/// packing is faster. NetLayers' generic packer has a scalar stride-2 loop and a `memmove` per row; see the
/// module report.
struct BandedConvolution: Sendable {
    let layer: Convolution

    init(_ layer: Convolution) { self.layer = layer }

    /// `output` `[1, O, Ho, Wo]` = relu?(conv(`input` `[1, I, H, W]`) + bias). `scratch` grows to at most
    /// max(`scratchLimit`, one output row's columns) floats.
    func forward(_ input: FeatureMap, into output: FeatureMap, relu: Bool, scratch: FloatBuffer, scratchLimit: Int) {
        let out = layer.outputShape(for: input.shape)
        precondition(input.shape.n == 1 && output.shape == out, "BandedConvolution: output \(output.shape), expected \(out)")
        let k = layer.patchSize, o = layer.outputChannels, hw = out.h * out.w
        let band = max(1, min(out.h, scratchLimit / max(1, k * out.w)))
        scratch.reserve(k * band * out.w)
        layer.weights.withUnsafeBufferPointer { w in
            var y0 = 0
            while y0 < out.h {
                let rows = min(band, out.h - y0), n = rows * out.w
                pack(input, rows: y0..<(y0 + rows), outWidth: out.w, into: scratch.pointer)   // cols [K, n]
                let c = output.plane(0, 0) + y0 * out.w                                          // [O, n], ld hw
                for oc in 0..<o { (c + oc * hw).update(repeating: layer.bias[oc], count: n) }
                gemm(m: o, n: n, k: k, a: w.baseAddress!, lda: k, b: scratch.pointer, ldb: n, beta: 1, c: c, ldc: hw)
                if relu {
                    for oc in 0..<o {
                        let p = c + oc * hw
                        for i in 0..<n { p[i] = max(p[i], 0) }
                    }
                }
                y0 += rows
            }
        }
    }

    /// cols `[K, rows.count·Wo]`, row k = (i, ky, kx), column = (oy, ox); padding positions are 0.
    func pack(_ input: FeatureMap, rows: Range<Int>, outWidth wo: Int, into cols: UnsafeMutablePointer<Float>) {
        let h = input.shape.h, w = input.shape.w
        let sy = layer.strideY, sx = layer.strideX, py = layer.paddingY, px = layer.paddingX
        let kh = layer.kernelHeight, kw = layer.kernelWidth
        let ld = rows.count * wo
        for ci in 0..<layer.inputChannels {
            let src = UnsafePointer(input.plane(0, ci))
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let dstRow = cols + ((ci * kh + ky) * kw + kx) * ld
                    let ix0 = kx - px                                             // input column of ox = 0
                    let lo = ix0 >= 0 ? 0 : min(wo, (-ix0 + sx - 1) / sx)          // first ox inside
                    let hi = (w - 1 - ix0) < 0 ? 0 : min(wo, (w - 1 - ix0) / sx + 1) // one past the last
                    for oy in rows {
                        let d = dstRow + (oy - rows.lowerBound) * wo
                        let iy = oy * sy - py + ky
                        if iy < 0 || iy >= h || hi <= lo {
                            for x in 0..<wo { d[x] = 0 }
                            continue
                        }
                        for x in 0..<lo { d[x] = 0 }
                        let s = src + iy * w + ix0
                        if sx == 1 {
                            copy(from: s + lo, to: d + lo, count: hi - lo)
                        } else if sx == 2 {
                            gatherEven(from: s + 2 * lo, to: d + lo, count: hi - lo, available: w - (ix0 + 2 * lo))
                        } else {
                            for x in lo..<hi { d[x] = s[x * sx] }
                        }
                        for x in hi..<wo { d[x] = 0 }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func copy(from s: UnsafePointer<Float>, to d: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            UnsafeMutableRawPointer(d + i).storeBytes(of: UnsafeRawPointer(s + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { d[i] = s[i]; i += 1 }
    }

    /// d[i] = s[2i] for i < count; `available` floats may be read from `s` (so a 16-wide load is used only when
    /// it stays inside the row).
    @inline(__always)
    private func gatherEven(from s: UnsafePointer<Float>, to d: UnsafeMutablePointer<Float>, count: Int, available: Int) {
        var i = 0
        while i + 8 <= count && 2 * i + 16 <= available {
            let v = UnsafeRawPointer(s + 2 * i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(d + i).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { d[i] = s[2 * i]; i += 1 }
    }
}
