/// The fast convolution path: im2col packing and one packed product per column block.
///
/// Layout: the logical im2col matrix of a batch is `cols [K, N·Ho·Wo]` (K = I·kh·kw, row k = (i, ky, kx),
/// column = (n, oy, ox)). The weights are `W [O, K]`, so the whole layer is the single product
/// `W · cols = [O, N·Ho·Wo]`, which is then scattered to NCHW `[N, O, Ho, Wo]` in the same pass that applies
/// the epilogue (residual add, ReLU). The bias is written into the product's buffer first and the GEMM
/// accumulates with beta = 1, so no separate bias or zeroing pass exists.
///
/// Column blocks (all chosen by `plan(for:scratchLimit:)`):
/// * groups of g ≥ 2 images, g as large as `(K + O)·g·Ho·Wo ≤ scratchLimit` floats allows: one GEMM per
///   group (the whole batch for small planes; at the default limit and batch 16 the encoder's layers run
///   1, 1, 2, 6, 12–16 faces per GEMM from the first stage to the last);
/// * otherwise one image at a time, in bands of output rows with `K·rows·Wo ≤ bandScratchLimit` (at least
///   `bandMinimumRows` rows, at most what `scratchLimit` allows), so that a band's im2col matrix is still in L2
///   when the product packs it; each band's GEMM writes straight into the output (ldc = Ho·Wo), no scatter. A
///   single image always takes this path; with T workers it takes T bands at a time, one per worker.
/// * A 1×1, stride 1, unpadded convolution on one image skips im2col (the input plane stack *is* `cols`).
///
/// For the detector and other single-image users: any H×W works; scratch never exceeds
/// `max(scratchLimit, K·Wo) + PackedMatrix.scratchCount` floats whatever the image size (one output row is the
/// smallest band; the fixed part holds the product's packed B blocks).
///
/// Every product is `PackedMatrix.multiplyAdd` with the weights packed once (`packedWeights`): each output is
/// bias + one fixed fold over K, so grouping, banding and the pointwise shortcut give the same bits, and an image's
/// output does not depend on the other images of its batch.
extension Convolution {
    /// 512 Ki floats (2 MiB) of im2col/product scratch by default: large enough that the small late layers
    /// of a batch form one GEMM (the encoder's 256-channel 4×4 layers: 12–16 faces per GEMM), small enough
    /// that each block's im2col matrix is still in cache when OpenBLAS packs it. Measured on the encoder at
    /// batch 16, one thread: 16 Mi floats (one GEMM per layer for the whole batch; 48 MB for the stem) took
    /// ~15 ms/face of CPU in the convolutions, 1 Mi ~12.9, 512 Ki and 256 Ki ~12.3 (a busy machine; the
    /// trend, not the absolute figures, is the point).
    public static let defaultScratchLimit = 1 << 19

    /// 64 Ki floats (256 KiB): the im2col matrix of one image's band of output rows stays in L2 while the product
    /// packs it. The encoder's stem (K = 147, 72 columns a row) in bands of 6 rows instead of 49: batch 1, one
    /// thread 5.86–5.93 → 5.43–5.66 ms/face (`bench encoder`, the two builds alternated in one run).
    public static let bandScratchLimit = 1 << 16

    /// Fewest output rows per band (when `scratchLimit` allows) whatever `bandScratchLimit` says: a stride-2 band
    /// re-reads the kernel's overlap of input rows, which on the detector's 116-column layer with K = 800 (one
    /// row per band under the band limit) cost ~5%.
    public static let bandMinimumRows = 4

    /// How `forward` splits a batch into GEMMs, and the scratch it needs.
    public struct Plan: Sendable, Equatable {
        /// Images per GEMM; 1 means per image with row bands written directly to the output.
        public let imagesPerGroup: Int
        /// Output rows per GEMM in the per-image path (Ho when the whole plane fits).
        public let rowsPerBand: Int
        /// Floats of scratch `forward` uses (im2col matrix + product buffer).
        public let scratchCount: Int
    }

    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && paddingY == 0 && paddingX == 0
    }

    /// The blocking `forward` uses for `input` under `scratchLimit` floats of scratch.
    public func plan(for input: Shape4, scratchLimit: Int = Convolution.defaultScratchLimit) -> Plan {
        let blocks = blockPlan(for: input, scratchLimit: scratchLimit)
        return Plan(imagesPerGroup: blocks.imagesPerGroup, rowsPerBand: blocks.rowsPerBand,
                    scratchCount: blocks.scratchCount + PackedMatrix.scratchCount)
    }

    /// `plan` without the product's packing space (which follows the im2col and product buffers in scratch).
    private func blockPlan(for input: Shape4, scratchLimit: Int) -> Plan {
        let out = outputShape(for: input)
        let k = patchSize, o = outputChannels, hw = out.h * out.w
        if isSingleTap(input: input, output: out) {
            return Plan(imagesPerGroup: input.n, rowsPerBand: 1, scratchCount: o * input.n)
        }
        if input.n > 1 {
            let g = min(input.n, scratchLimit / max(1, (k + o) * hw))
            if g >= 2 { return Plan(imagesPerGroup: g, rowsPerBand: out.h, scratchCount: g * (k + o) * hw) }
        }
        if isPointwise { return Plan(imagesPerGroup: 1, rowsPerBand: out.h, scratchCount: 0) }
        let rowFloats = max(1, k * out.w)
        let rows = max(1, min(out.h, scratchLimit / rowFloats, max(Self.bandMinimumRows, Self.bandScratchLimit / rowFloats)))
        return Plan(imagesPerGroup: 1, rowsPerBand: rows, scratchCount: k * rows * out.w)
    }

    /// Computes `output = epilogue(conv(input) + bias)` with the im2col + packed product path (same contract as
    /// `forward`; scratch grows to `plan(...).scratchCount`).
    public func forwardIm2col(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                              scratch: FloatBuffer, scratchLimit: Int = Convolution.defaultScratchLimit, workers: Workers = .one) {
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let plan = plan(for: input.shape, scratchLimit: scratchLimit)
        // per image, one band of cols per worker (T bands at a time), then one packing space per worker
        let perImage = plan.imagesPerGroup == 1 && !isPointwise && !isSingleTap(input: input.shape, output: out)
        let bandCount = perImage ? plan.scratchCount - PackedMatrix.scratchCount : 0     // K · rowsPerBand · Wo
        let extra = workers.count - 1
        scratch.reserve(plan.scratchCount + extra * (bandCount + PackedMatrix.scratchCount))
        let packScratch = scratch.pointer + plan.scratchCount - PackedMatrix.scratchCount + extra * bandCount   // [workers, KC·NC]
        if isSingleTap(input: input.shape, output: out) {
            forwardSingleTap(input, into: output, epilogue: epilogue, scratch: scratch.pointer, packScratch: packScratch)
            return
        }
        let hw = out.h * out.w, k = patchSize, o = outputChannels
        do {
            bias.withUnsafeBufferPointer { bBuf in
                let b = bBuf.baseAddress!
                var n0 = 0
                while n0 < input.shape.n {
                    let g = min(plan.imagesPerGroup, input.shape.n - n0)
                    if g >= 2 {
                        // cols [K, g·hw] then product [O, g·hw], then scatter to NCHW with the epilogue.
                        let cols = scratch.pointer
                        let product = scratch.pointer + k * g * hw
                        let ld = g * hw
                        im2col(input, images: n0..<(n0 + g), rows: 0..<out.h, outWidth: out.w, into: cols, workers: workers)
                        for oc in 0..<o { (product + oc * ld).update(repeating: b[oc], count: ld) }
                        packedWeights.multiplyAdd(cols, ldb: ld, columns: ld, into: product, ldc: ld, scratch: packScratch,
                                                  workers: workers)
                        for j in 0..<g {
                            for oc in 0..<o {
                                ConvEpilogueKernel.apply(product + oc * ld + j * hw, to: output.plane(n0 + j, oc),
                                                         residual: epilogue.residual?.plane(n0 + j, oc),
                                                         relu: epilogue.relu, count: hw)
                            }
                        }
                    } else {
                        forwardOneImage(input, image: n0, output: output, epilogue: epilogue, rowsPerBand: plan.rowsPerBand,
                                        bias: b, scratch: scratch.pointer, packScratch: packScratch, workers: workers)
                    }
                    n0 += g
                }
            }
        }
    }

    /// Convenience for occasional calls: allocates its own scratch.
    public func forward(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none) {
        forward(input, into: output, epilogue: epilogue, scratch: FloatBuffer())
    }

    /// A 1×1 input giving a 1×1 output (the encoder's last 3×3 p1 layer): only the tap (py, px) touches the
    /// plane, so the layer is a K = I product instead of I·kh·kw (9× fewer multiply-adds and weights to pack).
    func isSingleTap(input: Shape4, output: Shape4) -> Bool {
        input.h == 1 && input.w == 1 && output.h == 1 && output.w == 1 && (kernelHeight > 1 || kernelWidth > 1)
    }

    /// `output [N, O] = x [N, I] · Wtapᵀ + bias`, Wtap `[O, I]` = weights[:, :, py, px] (`packedTapWeights`), computed
    /// as `[O, N]` in `scratch` (each element the same fold as any other path's) and transposed into the output.
    private func forwardSingleTap(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue,
                                  scratch: UnsafeMutablePointer<Float>, packScratch: UnsafeMutablePointer<Float>) {
        let ci = inputChannels, co = outputChannels, n = input.shape.n
        let tapWeights = packedTapWeights!                         // isSingleTap: the kernel is larger than 1×1
        let product = scratch                                      // [O, N]
        for oc in 0..<co { (product + oc * n).update(repeating: bias[oc], count: n) }
        tapWeights.multiplyAdd(UnsafePointer(input.data), ldb: ci, bTransposed: true, columns: n, into: product, ldc: n,
                               scratch: packScratch)
        for j in 0..<n { for oc in 0..<co { output.data[j * co + oc] = product[oc * n + j] } }
        if !epilogue.isIdentity {
            ConvEpilogueKernel.apply(output.data, to: output.data, residual: epilogue.residual?.data,
                                     relu: epilogue.relu, count: n * co)
        }
    }

    /// One image, in bands of output rows, each band's GEMM writing straight into `output` (ldc = Ho·Wo).
    /// With T > 1 workers the bands are T times as high (`scratch` holds T bands' cols): one of at least
    /// `rowSplitMinimumColumns` columns per worker is cut into one run of ≤ `rowsPerBand` output rows per worker,
    /// each doing its own im2col, product and epilogue (the stem: 3 input channels do not split the im2col
    /// evenly, 32 output channels are 6 panels); smaller bands share one im2col by channel and the product by
    /// panels. Either way every output is the same fold.
    private func forwardOneImage(_ input: FeatureMap, image n: Int, output: FeatureMap, epilogue: ConvEpilogue,
                                 rowsPerBand: Int, bias b: UnsafePointer<Float>,
                                 scratch: UnsafeMutablePointer<Float>, packScratch: UnsafeMutablePointer<Float>, workers: Workers) {
        let out = output.shape, parts = workers.count
        let bandRows = isPointwise ? rowsPerBand : rowsPerBand * parts
        var y0 = 0
        while y0 < out.h {
            let rows = min(bandRows, out.h - y0)
            if parts > 1 && !isPointwise && rows >= parts && rows * out.w >= Self.rowSplitMinimumColumns * parts {
                nonisolated(unsafe) let (x, y, ep, bp, sp, pp) = (input, output, epilogue, b, scratch, packScratch)
                let conv = self, band = y0, k = patchSize
                workers.run { w in
                    // worker w: output rows band + rows·w/T ..< band + rows·(w+1)/T, its cols after the earlier workers'
                    let r0 = rows * w / parts, r1 = rows * (w + 1) / parts
                    conv.forwardBand(x, image: n, rows: (band + r0)..<(band + r1), output: y, epilogue: ep, bias: bp,
                                     cols: sp + k * r0 * out.w, packScratch: pp + w * PackedMatrix.scratchCount, workers: .one)
                }
            } else {
                forwardBand(input, image: n, rows: y0..<(y0 + rows), output: output, epilogue: epilogue, bias: b,
                            cols: scratch, packScratch: packScratch, workers: workers)
            }
            y0 += rows
        }
    }

    /// Fewest product columns (output pixels) per worker for which `forwardOneImage` gives each worker its own
    /// run of output rows (a 4×4 plane's 16 columns stay one B panel, shared by panels of the weights).
    static let rowSplitMinimumColumns = 32

    /// Output rows `rows` of image n: im2col into `cols [K, rows·Wo]` (unless pointwise), bias, product straight into
    /// `output` (ldc = Ho·Wo), epilogue.
    private func forwardBand(_ input: FeatureMap, image n: Int, rows: Range<Int>, output: FeatureMap, epilogue: ConvEpilogue,
                             bias b: UnsafePointer<Float>, cols: UnsafeMutablePointer<Float>,
                             packScratch: UnsafeMutablePointer<Float>, workers: Workers) {
        let out = output.shape, o = outputChannels
        let hw = out.h * out.w, y0 = rows.lowerBound
        let ncols = rows.count * out.w
        let c = output.plane(n, 0) + y0 * out.w                // [O, rows·Wo] with row stride hw
        let bMatrix: UnsafePointer<Float>
        let ldb: Int
        if isPointwise {
            bMatrix = UnsafePointer(input.plane(n, 0) + y0 * out.w)   // [I, rows·W], stride H·W
            ldb = input.shape.h * input.shape.w
        } else {
            im2col(input, images: n..<(n + 1), rows: rows, outWidth: out.w, into: cols, workers: workers)
            bMatrix = UnsafePointer(cols)                        // [K, rows·Wo]
            ldb = ncols
        }
        for oc in 0..<o { (c + oc * hw).update(repeating: b[oc], count: ncols) }
        packedWeights.multiplyAdd(bMatrix, ldb: ldb, columns: ncols, into: c, ldc: hw, scratch: packScratch, workers: workers)
        if !epilogue.isIdentity {
            for oc in 0..<o {
                let p = c + oc * hw
                ConvEpilogueKernel.apply(p, to: p, residual: epilogue.residual.map { $0.plane(n, oc) + y0 * out.w },
                                         relu: epilogue.relu, count: ncols)
            }
        }
    }

    /// Packs output rows `rows` of images `images` into `cols [K, images.count·rows.count·Wo]`
    /// (row k = (i, ky, kx), column = (image, oy, ox)); padding positions become 0.
    public func im2col(_ input: FeatureMap, images: Range<Int>, rows: Range<Int>, outWidth wo: Int,
                       into cols: UnsafeMutablePointer<Float>) {
        im2col(input, images: images, rows: rows, outWidth: wo, channels: 0..<inputChannels, into: cols)
    }

    /// `im2col` with the input channels split over `workers` (each writes the rows k of its own channels).
    func im2col(_ input: FeatureMap, images: Range<Int>, rows: Range<Int>, outWidth wo: Int,
                into cols: UnsafeMutablePointer<Float>, workers: Workers) {
        guard workers.count > 1 else {
            im2col(input, images: images, rows: rows, outWidth: wo, into: cols)
            return
        }
        nonisolated(unsafe) let (x, c) = (input, cols)
        let conv = self, parts = workers.count, ci = inputChannels
        workers.run { w in
            conv.im2col(x, images: images, rows: rows, outWidth: wo, channels: (ci * w / parts)..<(ci * (w + 1) / parts), into: c)
        }
    }

    /// `im2col` for the rows k of the input channels `channels` only.
    func im2col(_ input: FeatureMap, images: Range<Int>, rows: Range<Int>, outWidth wo: Int, channels: Range<Int>,
                into cols: UnsafeMutablePointer<Float>) {
        let h = input.shape.h, w = input.shape.w
        if isSameSizeStrideOne(h: h, w: w), rows.count == h {
            im2colSameSize(input, images: images, channels: channels, into: cols)
            return
        }
        if strideX == 2 && paddingX == 0 && paddingY == 0 {
            im2colStride2Unpadded(input, images: images, rows: rows, outWidth: wo, channels: channels, into: cols)
            return
        }
        let sy = strideY, sx = strideX
        let ld = images.count * rows.count * wo
        for ci in channels {
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    let dstRow = cols + ((ci * kernelHeight + ky) * kernelWidth + kx) * ld
                    let ix0 = kx - paddingX                       // input column of ox = 0
                    let (lo, hi) = validOutputColumns(kx: kx, inputWidth: w, outWidth: wo)
                    for (j, img) in images.enumerated() {
                        let src = input.plane(img, ci)
                        for oy in rows {
                            let d = dstRow + (j * rows.count + (oy - rows.lowerBound)) * wo
                            let iy = oy * sy - paddingY + ky
                            if iy < 0 || iy >= h || hi <= lo {
                                d.update(repeating: 0, count: wo)
                                continue
                            }
                            if lo > 0 { d.update(repeating: 0, count: lo) }
                            let s = src + iy * w + ix0
                            if sx == 1 {
                                (d + lo).update(from: s + lo, count: hi - lo)
                            } else if sx == 2 {                  // constant stride: vectorised gather
                                for ox in lo..<hi { d[ox] = s[2 * ox] }
                            } else {
                                var ox = lo
                                while ox < hi { d[ox] = s[ox * sx]; ox += 1 }
                            }
                            if hi < wo { (d + hi).update(repeating: 0, count: wo - hi) }
                        }
                    }
                }
            }
        }
    }

    /// im2col for unpadded convolutions with horizontal stride 2 (the stem and the down-sampling convs): each
    /// input row the band needs is split once into its even and odd columns, after which every cols segment is
    /// a contiguous run of Wo floats (input column 2·ox + kx is even[ox + kx/2] for even kx, odd[ox + kx/2] for
    /// odd kx), copied with SIMD loads instead of a strided gather per (kx, row).
    private func im2colStride2Unpadded(_ input: FeatureMap, images: Range<Int>, rows: Range<Int>, outWidth wo: Int,
                                       channels: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let w = input.shape.w, sy = strideY, kh = kernelHeight, kw = kernelWidth
        let half = (w + 1) / 2
        let iy0 = rows.lowerBound * sy
        let inputRows = (rows.upperBound - 1) * sy + kh - iy0          // input rows the band reads
        let ld = images.count * rows.count * wo
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * inputRows * half + 16) { buffer in
            let even = buffer.baseAddress!, odd = even + inputRows * half   // [inputRows, half] each
            for (j, img) in images.enumerated() {
                for ci in channels {
                    let src = input.plane(img, ci) + iy0 * w
                    for r in 0..<inputRows {
                        RowKernels.splitEvenOdd(src + r * w, count: w, even: even + r * half, odd: odd + r * half, width: half)
                    }
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let dstRow = cols + ((ci * kh + ky) * kw + kx) * ld + j * rows.count * wo
                            let plane = (kx & 1 == 0 ? even : odd) + (kx >> 1) + (ky - iy0) * half
                            for oy in rows {
                                let d = dstRow + (oy - rows.lowerBound) * wo, s = plane + oy * sy * half
                                var i = 0
                                while i + 8 <= wo {
                                    let v = UnsafeRawPointer(s + i).loadUnaligned(as: V8.self)
                                    UnsafeMutableRawPointer(d + i).storeBytes(of: v, as: V8.self)
                                    i += 8
                                }
                                while i < wo { d[i] = s[i]; i += 1 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Stride 1 with "same" padding (2·p = k − 1 in both directions): the output plane has the input's size.
    func isSameSizeStrideOne(h: Int, w: Int) -> Bool {
        strideY == 1 && strideX == 1 && 2 * paddingY == kernelHeight - 1 && 2 * paddingX == kernelWidth - 1
    }

    /// im2col for same-size stride-1 convolutions (the ResNet's 3×3/1 p1 and the detector's 5×5 p2 and 9×9 p4):
    /// in flat plane indices each cols row is the input plane shifted by dy·W + dx, so it is one contiguous
    /// copy per (channel, ky, kx, image), after which the columns and rows that fell outside are zeroed.
    /// Avoids one small copy per output row, which dominates on 17×17 … 1×1 planes.
    private func im2colSameSize(_ input: FeatureMap, images: Range<Int>, channels: Range<Int>,
                                into cols: UnsafeMutablePointer<Float>) {
        let h = input.shape.h, w = input.shape.w, hw = h * w
        let ld = images.count * hw
        for ci in channels {
            for ky in 0..<kernelHeight {
                let dy = ky - paddingY
                let y0 = max(0, -dy), y1 = min(h, h - dy)          // output rows whose input row exists
                for kx in 0..<kernelWidth {
                    let dx = kx - paddingX
                    let x0 = max(0, -dx), x1 = min(w, w - dx)      // output columns whose input column exists
                    let dstRow = cols + ((ci * kernelHeight + ky) * kernelWidth + kx) * ld
                    for (j, img) in images.enumerated() {
                        let d = dstRow + j * hw
                        if y1 <= y0 || x1 <= x0 { d.update(repeating: 0, count: hw); continue }
                        let src = input.plane(img, ci)
                        // flat range [i0, i1): first valid element of row y0 to last valid of row y1 − 1
                        let i0 = y0 * w + x0, i1 = (y1 - 1) * w + x1
                        if i0 > 0 { d.update(repeating: 0, count: i0) }
                        (d + i0).update(from: src + i0 + dy * w + dx, count: i1 - i0)
                        if i1 < hw { (d + i1).update(repeating: 0, count: hw - i1) }
                        if x0 > 0 || x1 < w {                        // columns that wrapped into the neighbouring row
                            for y in y0..<y1 {
                                let r = d + y * w
                                for x in 0..<x0 { r[x] = 0 }
                                for x in x1..<w { r[x] = 0 }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The fused output pass: dst[i] = relu?(src[i] + residual?[i]). `dst` may equal `src`.
enum ConvEpilogueKernel {
    @inline(__always)
    static func apply(_ src: UnsafeMutablePointer<Float>, to dst: UnsafeMutablePointer<Float>,
                      residual: UnsafeMutablePointer<Float>?, relu: Bool, count: Int) {
        if let r = residual {
            if relu {
                for i in 0..<count { let v = src[i] + r[i]; dst[i] = v > 0 ? v : 0 }
            } else {
                for i in 0..<count { dst[i] = src[i] + r[i] }
            }
        } else if relu {
            for i in 0..<count { let v = src[i]; dst[i] = v > 0 ? v : 0 }
        } else if src != dst {
            dst.update(from: src, count: count)
        }
    }
}
