/// A stride-2, unpadded 5×5 convolution computed directly with SIMD multiply-adds, without im2col (the MMOD
/// detector's first two down-sampling layers, whose im2col matrices are 6× their input and whose products are
/// too narrow, K = 75 and 400, to reach the product's speed).
///
/// Work goes per image in bands of output rows. Each input row of a band is first split into its even and odd
/// columns (`phases [I, 2·rows + 3, 2, Wq]`, about `directStagingLimit` floats at most, so it stays in L2), so that
/// the inputs of 8 consecutive outputs for tap (c, ky, kx) are one contiguous load: phase kx mod 2 of row
/// 2·oy + ky at column ox + ⌊kx/2⌋. The kernel then keeps a block of 4 output channels × 24 outputs of one row in
/// 12 SIMD8 accumulators (initialised with the bias) and streams the taps: 3 loads, 4 weight broadcasts and 12
/// fused multiply-adds per tap (`directWeights` `[⌈O/4⌉, I, 5, 5, 4]`, `directBias` `[⌈O/4⌉·4]`).
///
/// Each output is bias + one fixed fold over the taps in (c, ky, kx) order, whatever the band or the batch.
/// Summation order differs from im2col + product, so the two agree to float rounding.
extension Convolution {
    /// Output channels per block and outputs per row chunk of the direct kernel.
    static let directChannelBlock = 4, directColumnChunk = 24

    /// The dispatch rule uses the direct form up to this many input channels. Measured with `bench detector
    /// --stages` (one thread, same runs, against im2col + product in 2 MiB bands) on a 250×250 photo: 3 → 16
    /// channels 2.6–4.0 vs 4.1–5.9 ms, 16 → 32 5.7–7.7 vs 7.0–9.1 ms, but 32 → 32 no better (4.3–5.0 vs
    /// 3.6–4.6 ms), so it stays on im2col.
    public static let directMaximumInputChannels = 16

    /// Whether the layer has the direct kernel's geometry (5×5, stride 2, no padding).
    public var admitsDirect: Bool {
        strideY == 2 && strideX == 2 && paddingY == 0 && paddingX == 0 && kernelHeight == 5 && kernelWidth == 5
    }

    /// `weights` re-laid as `[⌈O/4⌉, I, 5, 5, 4]` (zero past O).
    func directBlockedWeights() -> [Float] {
        let o = outputChannels, i = inputChannels, cb = Self.directChannelBlock
        let blocks = (o + cb - 1) / cb
        var w = [Float](repeating: 0, count: blocks * i * 25 * cb)
        for oc in 0..<o {
            for c in 0..<i {
                for t in 0..<25 { w[(((oc / cb) * i + c) * 25 + t) * cb + oc % cb] = weights[(oc * i + c) * 25 + t] }
            }
        }
        return w
    }

    /// Floats per phase row: Wo rounded up to whole chunks, + 2 so that a chunk's loads at column ox + 2 stay inside.
    static func directPhaseWidth(outputWidth wo: Int) -> Int {
        directColumnChunk * ((wo + directColumnChunk - 1) / directColumnChunk) + 2
    }

    /// Bound on the phase rows held at once, in floats (512 KiB: an L2's worth).
    static let directStagingLimit = 1 << 17

    /// Output rows per band: the band's phase rows `[I, 2·rows + 3, 2, Wq]` stay under `directStagingLimit` (≥ 1).
    public func directRowsPerBand(for input: Shape4) -> Int {
        let out = outputShape(for: input)
        let perInputRow = input.c * 2 * Self.directPhaseWidth(outputWidth: out.w)
        return max(1, min(out.h, (Self.directStagingLimit / perInputRow - 3) / 2))
    }

    /// Scratch floats of the direct path for `input`: one band's phase rows.
    public func directScratchCount(for input: Shape4) -> Int {
        let out = outputShape(for: input)
        return input.c * (2 * directRowsPerBand(for: input) + 3) * 2 * Self.directPhaseWidth(outputWidth: out.w)
    }

    /// `output = epilogue(conv(input) + bias)` by the direct kernel, on the caller's thread. Precondition:
    /// `admitsDirect`. Same contract as `forward`; scratch grows to `directScratchCount(for:)`.
    public func forwardDirect(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                              scratch: FloatBuffer) {
        precondition(admitsDirect, "direct: needs a stride-2, unpadded 5×5 convolution")
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let band = directRowsPerBand(for: input.shape)
        scratch.reserve(directScratchCount(for: input.shape))
        // ReLU in the kernel's store when it is the whole epilogue; with a residual, after the add.
        let reluInKernel = epilogue.relu && epilogue.residual == nil
        for n in 0..<input.shape.n {
            var y0 = 0
            while y0 < out.h {
                let rows = y0..<min(out.h, y0 + band)
                directBand(input, image: n, rows: rows, into: output, relu: reluInKernel, phases: scratch.pointer)
                y0 = rows.upperBound
            }
            if let residual = epilogue.residual {
                for oc in 0..<outputChannels {
                    let p = output.plane(n, oc)
                    ConvEpilogueKernel.apply(p, to: p, residual: residual.plane(n, oc), relu: epilogue.relu, count: out.h * out.w)
                }
            }
        }
    }

    /// Output rows `band` of image `n`; `phases` has room for `[I, 2·band.count + 3, 2, Wq]`.
    private func directBand(_ input: FeatureMap, image n: Int, rows band: Range<Int>, into output: FeatureMap, relu: Bool,
                            phases: UnsafeMutablePointer<Float>) {
        let out = output.shape
        let ci = inputChannels, w = input.shape.w
        let wq = Self.directPhaseWidth(outputWidth: out.w)
        let iy0 = 2 * band.lowerBound, h = 2 * band.count + 3              // input rows iy0 ..< iy0 + h
        for c in 0..<ci {
            for y in 0..<h where iy0 + y < input.shape.h {
                let even = phases + ((c * h + y) * 2) * wq
                RowKernels.splitEvenOdd(UnsafePointer(input.plane(n, c) + (iy0 + y) * w), count: w, even: even,
                                        odd: even + wq, width: wq)
            }
        }
        let cb = Self.directChannelBlock, chunk = Self.directColumnChunk
        let blocks = (outputChannels + cb - 1) / cb
        withUnsafeTemporaryAllocation(of: Float.self, capacity: cb * chunk) { tail in
            directWeights.withUnsafeBufferPointer { wBuf in
                directBias.withUnsafeBufferPointer { bBuf in
                    // Output row, then chunk, then channel block: the chunk's input (I × 5 rows × 2 phases × 26
                    // floats) stays in L1 across the blocks.
                    for oy in band {
                        var ox = 0
                        while ox < out.w {
                            let count = min(chunk, out.w - ox)
                            let rows = phases + (2 * (oy - band.lowerBound) * 2) * wq + ox   // phase row (c = 0, y = 2·oy, even)
                            for ob in 0..<blocks {
                                let full = count == chunk && ob * cb + cb <= outputChannels
                                // A whole chunk is stored straight into the output rows; a partial one via `tail`.
                                let dst = full ? output.plane(n, ob * cb) + oy * out.w + ox : tail.baseAddress!
                                Self.directBlock(rows: UnsafePointer(rows), rowStride: 2 * wq, phaseStride: wq,
                                                 channelStride: h * 2 * wq, channels: ci,
                                                 weights: wBuf.baseAddress! + ob * ci * 25 * cb,
                                                 bias: bBuf.baseAddress! + ob * cb, relu: relu, into: dst,
                                                 outputStride: full ? out.h * out.w : chunk)
                                if !full {
                                    for j in 0..<min(cb, outputChannels - ob * cb) {
                                        (output.plane(n, ob * cb + j) + oy * out.w + ox)
                                            .update(from: tail.baseAddress! + j * chunk, count: count)
                                    }
                                }
                            }
                            ox += chunk
                        }
                    }
                }
            }
        }
    }

    /// One block: 4 output channels × 24 outputs into `dst` (channel j's 24 floats at j·`outputStride`).
    /// `rows` points at phase row (c = 0, y = 2·oy, even) offset to the chunk's first output column.
    @inline(__always)
    private static func directBlock(rows: UnsafePointer<Float>, rowStride: Int, phaseStride: Int, channelStride: Int,
                                    channels: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, relu: Bool,
                                    into dst: UnsafeMutablePointer<Float>, outputStride: Int) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var a00 = V(repeating: bias[0]), a01 = a00, a02 = a00
        var a10 = V(repeating: bias[1]), a11 = a10, a12 = a10
        var a20 = V(repeating: bias[2]), a21 = a20, a22 = a20
        var a30 = V(repeating: bias[3]), a31 = a30, a32 = a30
        var wp = weights
        for c in 0..<channels {
            for ky in 0..<5 {
                let even = rows + c * channelStride + ky * rowStride, odd = even + phaseStride
                for kx in 0..<5 {
                    let s = (kx & 1 == 0 ? even : odd) + (kx >> 1)
                    let x0 = load(s), x1 = load(s + 8), x2 = load(s + 16)
                    let w0 = V(repeating: wp[0]), w1 = V(repeating: wp[1]), w2 = V(repeating: wp[2]), w3 = V(repeating: wp[3])
                    a00.addProduct(x0, w0); a01.addProduct(x1, w0); a02.addProduct(x2, w0)
                    a10.addProduct(x0, w1); a11.addProduct(x1, w1); a12.addProduct(x2, w1)
                    a20.addProduct(x0, w2); a21.addProduct(x1, w2); a22.addProduct(x2, w2)
                    a30.addProduct(x0, w3); a31.addProduct(x1, w3); a32.addProduct(x2, w3)
                    wp += 4
                }
            }
        }
        @inline(__always) func store(_ v: V, _ at: Int) {
            UnsafeMutableRawPointer(dst + at).storeBytes(of: relu ? v.replacing(with: 0, where: v .< 0) : v, as: V.self)
        }
        let s1 = outputStride, s2 = 2 * outputStride, s3 = 3 * outputStride
        store(a00, 0); store(a01, 8); store(a02, 16)
        store(a10, s1); store(a11, s1 + 8); store(a12, s1 + 16)
        store(a20, s2); store(a21, s2 + 8); store(a22, s2 + 16)
        store(a30, s3); store(a31, s3 + 8); store(a32, s3 + 16)
    }
}
