import Dispatch

/// Winograd F(2×2, 3×3) for 3×3, stride 1, padding 1 convolutions (the encoder's 3×3/1 p1 layers).
///
/// Each output plane is cut into 2×2 tiles; tile (ty, tx) reads the 4×4 input window at rows 2ty − 1 … 2ty + 2
/// and columns 2tx − 1 … 2tx + 2 (zero outside the plane). With the transforms of Lavin & Gray (2016)
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// the output tile is Aᵀ [ Σ_i (G g_{o,i} Gᵀ) ⊙ (Bᵀ d_i B) ] A. The sum over input channels i of the 16
/// element-wise products is 16 independent GEMMs (one per transform element ξ = 4·row + column):
///
///     M[ξ] [O, P] = U[ξ] [O, I] · V[ξ] [I, P]      (P = tiles in the block)
///
/// so a layer does 16·O·I multiply-adds per 2×2 tile instead of 36·O·I (2.25× fewer), all through `gemm`.
/// U = G g Gᵀ is computed once per layer (`winogradWeights`, in double precision, rounded once); V and M
/// live in the scratch buffer. Blocks are runs of whole tile rows over the flattened (image, tile row) index,
/// as many as `16·(I + O)·Tw·rows ≤ scratchLimit` allows (at least one), so any plane size and batch works.
///
/// M is zeroed once per call and re-zeroed by the output transform as it reads each chunk, so the GEMMs run
/// with beta = 1: OpenBLAS would otherwise sweep C once more per GEMM to zero it (`sgemm_beta`, ~6% of the
/// encoder's time, the sweep missing L2 because a block's V and M are ~2 MB).
///
/// Accuracy: the transforms only use ±1 and ½ (exact in binary), so the result differs from direct summation
/// by a few float32 roundings per output (tested against `forwardNaive`).
extension Convolution {
    /// Whether the layer's geometry admits the Winograd path (3×3 kernel, stride 1, padding 1).
    public var isWinogradShape: Bool {
        kernelHeight == 3 && kernelWidth == 3 && strideY == 1 && strideX == 1 && paddingY == 1 && paddingX == 1
    }

    /// Whether `forward(.automatic)` uses Winograd for `input`: the shape admits it, the tiles need fewer
    /// multiply-adds than im2col (16 per tile vs 9 per output pixel; e.g. not for 1×1 planes), and one image has
    /// at least `winogradMinimumTiles` tiles. The choice depends on the plane, never on the batch size N, so an
    /// image's output is the same whichever batch it is computed in (the two algorithms round differently).
    public func prefersWinograd(for input: Shape4) -> Bool {
        guard isWinogradShape else { return false }
        let tiles = ((input.h + 1) / 2) * ((input.w + 1) / 2)
        return 16 * tiles < 9 * input.h * input.w && tiles >= Self.winogradMinimumTiles
    }

    /// Fewest tiles per image for which `.automatic` picks Winograd (with the transformed weights packed once,
    /// the 16 products no longer repack U per call, so small planes gain too; `bench encoder` measures the rule).
    public static let winogradMinimumTiles = 16

    /// Tile rows per block and scratch floats of the Winograd path for `input` under `scratchLimit`.
    public func winogradPlan(for input: Shape4, scratchLimit: Int = Convolution.defaultScratchLimit)
        -> (tileRowsPerBlock: Int, scratchCount: Int) {
        let th = (input.h + 1) / 2, tw = (input.w + 1) / 2
        let perRow = 16 * (inputChannels + outputChannels) * tw
        let rows = max(1, min(input.n * th, scratchLimit / max(1, perRow)))
        let work = max(Self.winogradWorkCount(tilesHigh: th, tilesWide: tw), 4 * (rows * tw + Self.winogradLanes))
        // V, M, work space, then the product's packed blocks of V
        return (rows, rows * perRow + 2 * 16 * Self.winogradLanes + work + PackedMatrix.scratchCount)
    }

    /// Tiles per SIMD vector in the transforms.
    static let winogradLanes = 8

    /// Padded row length of the transforms' work planes: whole 8-tile chunks plus the 2-column overlap.
    static func winogradPaddedWidth(tilesWide tw: Int) -> Int { 16 * ((tw + winogradLanes - 1) / winogradLanes) + 2 }

    /// Floats of the input transform's work space after V and M: one zero-padded plane `[2·Th + 4, Wp]`
    /// (the output transform's four corner rows `[4, P + 8]` share the space; `winogradPlan` takes the larger).
    static func winogradWorkCount(tilesHigh th: Int, tilesWide tw: Int) -> Int {
        (2 * th + 4) * winogradPaddedWidth(tilesWide: tw) + 16
    }

    /// U [16, O, I] = G g Gᵀ for every (o, i) of `weights` `[O, I, 3, 3]`.
    static func winogradTransform(weights: [Float], outputChannels o: Int, inputChannels i: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 16 * o * i)
        let plane = o * i
        u.withUnsafeMutableBufferPointer { ub in
            weights.withUnsafeBufferPointer { wb in
                let up = ub.baseAddress!, wp = wb.baseAddress!
                for oc in 0..<o {
                    for ic in 0..<i {
                        let g = wp + (oc * i + ic) * 9
                        let dst = up + oc * i + ic
                        // t = G·g [4, 3]: rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 (g_r = kernel row r)
                        for r in 0..<4 {
                            var t0 = 0.0, t1 = 0.0, t2 = 0.0
                            for c in 0..<3 {
                                let g0 = Double(g[c]), g1 = Double(g[3 + c]), g2 = Double(g[6 + c])
                                let value = r == 0 ? g0 : r == 1 ? 0.5 * (g0 + g1 + g2) : r == 2 ? 0.5 * (g0 - g1 + g2) : g2
                                if c == 0 { t0 = value } else if c == 1 { t1 = value } else { t2 = value }
                            }
                            // u[r, ·] = t[r, ·]·Gᵀ
                            dst[(r * 4) * plane] = Float(t0)
                            dst[(r * 4 + 1) * plane] = Float(0.5 * (t0 + t1 + t2))
                            dst[(r * 4 + 2) * plane] = Float(0.5 * (t0 - t1 + t2))
                            dst[(r * 4 + 3) * plane] = Float(t2)
                        }
                    }
                }
            }
        }
        return u
    }

    /// `output = epilogue(conv(input) + bias)` by Winograd F(2×2, 3×3). Precondition: `isWinogradShape`.
    /// Same contract as `forward` (shapes, aliasing, scratch growth).
    /// `workers` share the 16 products of each block by transform element ξ (bitwise the same result).
    public func forwardWinograd(_ input: FeatureMap, into output: FeatureMap, epilogue: ConvEpilogue = .none,
                                scratch: FloatBuffer, scratchLimit: Int = Convolution.defaultScratchLimit, workers: Workers = .one) {
        precondition(isWinogradShape, "winograd: needs a 3×3, stride 1, padding 1 convolution")
        let out = outputShape(for: input.shape)
        precondition(output.shape == out, "convolution: output is \(output.shape), expected \(out)")
        if let r = epilogue.residual { precondition(r.shape == out, "convolution: residual is \(r.shape), expected \(out)") }
        let h = input.shape.h
        let th = (h + 1) / 2, tw = (input.shape.w + 1) / 2
        let plan = winogradPlan(for: input.shape, scratchLimit: scratchLimit)
        let parts = min(16, workers.count)
        scratch.reserve(plan.scratchCount + (workers.count - 1) * PackedMatrix.scratchCount)
        let ci = inputChannels, co = outputChannels
        let totalRows = input.shape.n * th
        let packScratch = scratch.pointer + plan.scratchCount - PackedMatrix.scratchCount   // [KC·NC] packed V blocks
        do {
            bias.withUnsafeBufferPointer { bBuf in
                let b = bBuf.baseAddress!
                let pMax = plan.tileRowsPerBlock * tw
                var r0 = 0
                while r0 < totalRows {
                    let rows = r0..<min(totalRows, r0 + plan.tileRowsPerBlock)
                    let p = rows.count * tw
                    let lanes = Self.winogradLanes
                    // ξ-plane strides (+ overrun room), fixed by the full block so that M stays where it was zeroed
                    let vStride = ci * pMax + lanes, mStride = co * pMax + lanes
                    let v = scratch.pointer                         // [16, I, P] (plane stride vStride)
                    let m = v + 16 * vStride                        // [16, O, P] (plane stride mStride)
                    let work = m + 16 * mStride                     // padded plane, output rows
                    winogradInputTransform(input, tileRows: rows, tilesHigh: th, tilesWide: tw, into: v,
                                           planeStride: vStride, work: work)
                    if r0 == 0 { m.update(repeating: 0, count: 16 * mStride) }   // later blocks: zeroed on reading
                    // M[ξ] [O, P] += U[ξ] [O, I] · V[ξ] [I, P], each element one fixed fold over I; worker w takes
                    // ξ in 16·w/T ..< 16·(w+1)/T with its own packing space
                    nonisolated(unsafe) let (vp, mp, sp) = (v, m, packScratch)
                    let products = packedWinogradWeights
                    let vs = vStride, ms = mStride
                    let run: @Sendable (Int) -> Void = { w in
                        guard w < parts else { return }
                        for xi in (16 * w / parts)..<(16 * (w + 1) / parts) {
                            products[xi].multiplyAdd(vp + xi * vs, ldb: p, columns: p, into: mp + xi * ms,
                                                     ldc: p, scratch: sp + w * PackedMatrix.scratchCount)
                        }
                    }
                    workers.run(run)
                    winogradOutputTransform(m, planeStride: mStride, tileRows: rows, tilesHigh: th, tilesWide: tw,
                                            bias: b, output: output, epilogue: epilogue, work: work)
                    r0 = rows.upperBound
                }
            }
        }
    }

    /// V[ξ][i][p] = (Bᵀ d B)[ξ] for every channel i and tile p of the block (p = (row − first)·Tw + tx).
    /// Each input plane is first copied into a zero-bordered work plane (padded row q = y + 1, column x + 1),
    /// then every tile row is transformed 8 tiles at a time: a 16-float load at column 2·t0 gives the even
    /// (E[t] = column 2t) and odd (O[t] = column 2t + 1) halves, one at 2·t0 + 2 gives E[t + 1] and O[t + 1].
    /// The last chunk of a row may write up to 7 tiles past it (into the next row, rewritten later, or the
    /// plane's overrun room).
    private func winogradInputTransform(_ input: FeatureMap, tileRows: Range<Int>, tilesHigh th: Int, tilesWide tw: Int,
                                        into v: UnsafeMutablePointer<Float>, planeStride vs: Int,
                                        work: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        typealias V16 = SIMD16<Float>
        let h = input.shape.h, w = input.shape.w
        let ci = inputChannels
        let p = tileRows.count * tw
        let wp = Self.winogradPaddedWidth(tilesWide: tw)
        let padded = work                                   // [2·Th + 2 (+2), Wp], borders stay 0
        padded.update(repeating: 0, count: (2 * th + 4) * wp)
        let firstImage = tileRows.lowerBound / th, lastImage = (tileRows.upperBound - 1) / th
        for c in 0..<ci {
            for img in firstImage...lastImage {
                let src = input.plane(img, c)
                for y in 0..<h { RowKernels.copy(src + y * w, to: padded + (y + 1) * wp + 1, count: w) }
                let rLo = max(tileRows.lowerBound, img * th), rHi = min(tileRows.upperBound, (img + 1) * th)
                for r in rLo..<rHi {
                    let ty = r - img * th
                    let q0 = padded + 2 * ty * wp, q1 = q0 + wp, q2 = q1 + wp, q3 = q2 + wp
                    let d = v + c * p + (r - tileRows.lowerBound) * tw
                    var t0 = 0
                    while t0 + 4 < tw {
                        Self.inputChunk8(q0, q1, q2, q3, column: 2 * t0, into: d + t0, planeStride: vs)
                        t0 += 8
                    }
                    if t0 < tw { Self.inputChunk4(q0, q1, q2, q3, column: 2 * t0, into: d + t0, planeStride: vs) }
                }
            }
        }
    }

    /// Transforms 8 tiles of one tile row: q0…q3 are the four padded input rows, `column` = 2·t0. A 16-float
    /// load at `column` gives the even (E[t] = column 2t) and odd (O[t] = column 2t + 1) halves, one at
    /// `column` + 2 gives E[t + 1] and O[t + 1].
    @inline(__always)
    private static func inputChunk8(_ q0: UnsafeMutablePointer<Float>, _ q1: UnsafeMutablePointer<Float>,
                                    _ q2: UnsafeMutablePointer<Float>, _ q3: UnsafeMutablePointer<Float>,
                                    column x: Int, into d: UnsafeMutablePointer<Float>, planeStride vs: Int) {
        @inline(__always) func load(_ q: UnsafeMutablePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let a = UnsafeRawPointer(q + x).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(q + x + 2).loadUnaligned(as: SIMD16<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
        inputTiles(load(q0), load(q1), load(q2), load(q3)) { xi, value in
            UnsafeMutableRawPointer(d + xi * vs).storeBytes(of: value, as: SIMD8<Float>.self)
        }
    }

    /// `inputChunk8` for the last ≤ 4 tiles of a row (8-float loads, 4-wide vectors).
    @inline(__always)
    private static func inputChunk4(_ q0: UnsafeMutablePointer<Float>, _ q1: UnsafeMutablePointer<Float>,
                                    _ q2: UnsafeMutablePointer<Float>, _ q3: UnsafeMutablePointer<Float>,
                                    column x: Int, into d: UnsafeMutablePointer<Float>, planeStride vs: Int) {
        @inline(__always) func load(_ q: UnsafeMutablePointer<Float>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
            let a = UnsafeRawPointer(q + x).loadUnaligned(as: SIMD8<Float>.self)
            let b = UnsafeRawPointer(q + x + 2).loadUnaligned(as: SIMD8<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
        inputTiles(load(q0), load(q1), load(q2), load(q3)) { xi, value in
            UnsafeMutableRawPointer(d + xi * vs).storeBytes(of: value, as: SIMD4<Float>.self)
        }
    }

    /// Bᵀ d B for a vector of tiles: row k of the 4×4 windows as (E[t], O[t], E[t + 1], O[t + 1]); `store(ξ, V)`
    /// receives the 16 transformed values.
    @inline(__always)
    private static func inputTiles<V: SIMD>(_ r0: (V, V, V, V), _ r1: (V, V, V, V), _ r2: (V, V, V, V), _ r3: (V, V, V, V),
                                            store: (Int, V) -> Void) where V.Scalar == Float {
        let (e0, o0, f0, g0) = r0, (e1, o1, f1, g1) = r1, (e2, o2, f2, g2) = r2, (e3, o3, f3, g3) = r3
        // vertical Bᵀ: rows (r0 − r2, r1 + r2, r2 − r1, r1 − r3); e = E[t], o = O[t], f = E[t+1], g = O[t+1]
        let ea = e0 - e2, eb = e1 + e2, ec = e2 - e1, ed = e1 - e3
        let oa = o0 - o2, ob = o1 + o2, oc = o2 - o1, od = o1 - o3
        let fa = f0 - f2, fb = f1 + f2, fc = f2 - f1, fd = f1 - f3
        let ga = g0 - g2, gb = g1 + g2, gc = g2 - g1, gd = g1 - g3
        // horizontal B: (E[t] − E[t+1], O[t] + E[t+1], E[t+1] − O[t], O[t] − O[t+1])
        store(0, ea - fa); store(1, oa + fa); store(2, fa - oa); store(3, oa - ga)
        store(4, eb - fb); store(5, ob + fb); store(6, fb - ob); store(7, ob - gb)
        store(8, ec - fc); store(9, oc + fc); store(10, fc - oc); store(11, oc - gc)
        store(12, ed - fd); store(13, od + fd); store(14, fd - od); store(15, od - gd)
    }

    /// output = epilogue(Aᵀ M A + bias) for every output channel and tile of the block. Per channel, the
    /// tiles are transformed 8 at a time over the whole block (P contiguous; the last chunk may read up to 7
    /// tiles past it, into the next channel's row or the plane's overrun room) into four rows of corner values
    /// Y[2·dy + dx] `[P]`, which are then interleaved into the output rows with the epilogue.
    private func winogradOutputTransform(_ m: UnsafeMutablePointer<Float>, planeStride ms: Int, tileRows: Range<Int>,
                                         tilesHigh th: Int, tilesWide tw: Int, bias: UnsafePointer<Float>,
                                         output: FeatureMap, epilogue: ConvEpilogue, work: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let h = output.shape.h, w = output.shape.w
        let co = outputChannels
        let p = tileRows.count * tw
        let yStride = p + 8
        let y00 = work, y01 = work + yStride, y10 = y01 + yStride, y11 = y10 + yStride   // [P (+8)] each
        let relu = epilogue.relu
        for oc in 0..<co {
            let bo = V8(repeating: bias[oc])
            let s = m + oc * p
            var p0 = 0
            while p0 < p {
                @inline(__always) func load(_ xi: Int) -> V8 {
                    UnsafeRawPointer(s + xi * ms + p0).loadUnaligned(as: V8.self)
                }
                @inline(__always) func store(_ d: UnsafeMutablePointer<Float>, _ value: V8) {
                    UnsafeMutableRawPointer(d + p0).storeBytes(of: value, as: V8.self)
                }
                // vertical Aᵀ: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (per column j)
                let m10 = load(4), m11 = load(5), m12 = load(6), m13 = load(7)
                let m20 = load(8), m21 = load(9), m22 = load(10), m23 = load(11)
                let a0 = load(0) + m10 + m20, a1 = load(1) + m11 + m21
                let a2 = load(2) + m12 + m22, a3 = load(3) + m13 + m23
                let b0 = m10 - m20 - load(12), b1 = m11 - m21 - load(13)
                let b2 = m12 - m22 - load(14), b3 = m13 - m23 - load(15)
                store(y00, a0 + a1 + a2 + bo); store(y01, a1 - a2 - a3 + bo)
                store(y10, b0 + b1 + b2 + bo); store(y11, b1 - b2 - b3 + bo)
                // Leave M zero for the next block's GEMMs (beta = 1: no separate zeroing pass over C).
                if p0 + 8 <= p {
                    for xi in 0..<16 { UnsafeMutableRawPointer(s + xi * ms + p0).storeBytes(of: V8(), as: V8.self) }
                } else {
                    for xi in 0..<16 { (s + xi * ms + p0).update(repeating: 0, count: p - p0) }
                }
                p0 += 8
            }
            for r in tileRows {
                let img = r / th, ty = r - img * th
                let pr = (r - tileRows.lowerBound) * tw
                let y = 2 * ty
                let dst = output.plane(img, oc) + y * w
                let res = epilogue.residual.map { $0.plane(img, oc) + y * w }
                RowKernels.interleave(y00 + pr, y01 + pr, into: dst, residual: res, relu: relu, count: w)
                if y + 1 < h {
                    RowKernels.interleave(y10 + pr, y11 + pr, into: dst + w, residual: res.map { $0 + w }, relu: relu, count: w)
                }
            }
        }
    }
}
