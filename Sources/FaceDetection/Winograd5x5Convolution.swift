import NetLayers

/// Winograd F(2×2, 5×5) for a single image's 5×5, stride 1, padding 2 convolution (the MMOD net's three
/// 45-channel layers, 56% of its multiply-adds): 36 multiply-adds per 2×2 output tile per channel pair instead
/// of 100 (2.78× fewer), all through `NetLayers.gemm`.
///
/// Tile (ty, tx) of the output covers rows 2ty…2ty + 1 and columns 2tx…2tx + 1 and reads the 6×6 input window
/// at rows 2ty − 2 … 2ty + 3, columns 2tx − 2 … 2tx + 3 (zero outside the plane). With the Toom–Cook
/// transforms for the points 0, ±1, ±2, ∞
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0 0 0; −⅙ −⅙ −⅙ −⅙ −⅙; −⅙ ⅙ −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙ ⅓ ⅔; 1⁄24 −1⁄12 ⅙ −⅓ ⅔; 0 0 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
///
/// the output tile is Aᵀ [ Σ_i (G g_{o,i} Gᵀ) ⊙ (Bᵀ d_i B) ] A, i.e. 36 independent GEMMs per block of tiles
/// (ξ = 6·row + column):
///
///     M[ξ] [O, P] = U[ξ] [O, I] · V[ξ] [I, P]      (P = tiles in the block)
///
/// U is computed once (`init`, in double precision, rounded once). Blocks are runs of whole tile rows, as
/// many as `36·(I + O)·Tw·rows ≤ scratchLimit` allows (at least one). Within a block, every padded input row
/// is transformed horizontally once (`H_c[y][t] = Σ_j Bᵀ[c][j]·d[y][2t + j]`, shared by the three tile rows
/// that read it), then each tile row vertically, 8 tiles per SIMD vector.
///
/// Accuracy: unlike F(2×2, 3×3) the transforms are not exact in binary (⅙, 1⁄24) and amplify values by up to
/// 25× in Bᵀ d B, so results differ from direct summation by ~1e-6 relative to the layer's output scale (tested
/// against `Convolution.forwardNaive`; the detector's parity tests bound the effect on boxes and scores).
struct Winograd5x5Convolution: Sendable {
    /// The layer (5×5, stride 1, padding 2).
    let layer: Convolution
    /// `[36, O, I]`: U[ξ][o][i] = (G g_{o,i} Gᵀ)[ξ].
    let transformedWeights: [Float]

    /// SIMD width of the transforms, in tiles.
    static let lanes = 8

    /// Whether `layer` has this path's geometry (5×5 kernel, stride 1, padding 2).
    static func admits(_ layer: Convolution) -> Bool {
        layer.kernelHeight == 5 && layer.kernelWidth == 5 && layer.strideY == 1 && layer.strideX == 1
            && layer.paddingY == 2 && layer.paddingX == 2
    }

    /// Precondition: `admits(layer)`.
    init(_ layer: Convolution) {
        precondition(Self.admits(layer), "Winograd5x5Convolution: needs a 5×5, stride 1, padding 2 convolution")
        self.layer = layer
        let o = layer.outputChannels, i = layer.inputChannels, plane = o * i
        let g: [[Double]] = [[0.25, 0, 0, 0, 0],
                             [-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6],
                             [-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3],
                             [1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3],
                             [0, 0, 0, 0, 1]]
        var u = [Float](repeating: 0, count: 36 * plane)
        for oc in 0..<o {
            for ic in 0..<i {
                let base = (oc * i + ic) * 25                                    // kernel [5, 5]
                var t = [Double](repeating: 0, count: 30)                      // G·k [6, 5]
                for r in 0..<6 {
                    for c in 0..<5 {
                        var s = 0.0
                        for k in 0..<5 { s += g[r][k] * Double(layer.weights[base + k * 5 + c]) }
                        t[r * 5 + c] = s
                    }
                }
                for r in 0..<6 {
                    for c in 0..<6 {                                            // (G·k)·Gᵀ
                        var s = 0.0
                        for k in 0..<5 { s += t[r * 5 + k] * g[c][k] }
                        u[(r * 6 + c) * plane + oc * i + ic] = Float(s)
                    }
                }
            }
        }
        transformedWeights = u
    }

    /// Tile rows per block and scratch floats for a `height × width` plane under `scratchLimit` floats.
    func plan(height h: Int, width w: Int, scratchLimit: Int) -> (tileRowsPerBlock: Int, scratchCount: Int) {
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let perRow = 36 * (layer.inputChannels + layer.outputChannels) * tw
        let rows = max(1, min(th, scratchLimit / max(1, perRow)))
        let twP = Self.paddedTiles(tw)
        let rowBuffer = 2 * twP + 8                                              // one zero-bordered input row
        let hWork = 6 * (2 * rows + 4) * twP                                     // H [6, 2·rows + 4, twP]
        let corners = 4 * (rows * tw + Self.lanes)                               // output corners [4, P + 8]
        let room = 36 * 2 * Self.lanes                                           // overrun room of V and M
        return (rows, rows * perRow + room + max(hWork + rowBuffer, corners))
    }

    /// Tiles per row rounded up to whole SIMD chunks.
    static func paddedTiles(_ tw: Int) -> Int { lanes * ((tw + lanes - 1) / lanes) }

    /// `output` `[1, O, H, W]` = relu?(conv(`input` `[1, I, H, W]`) + bias). `scratch` grows to
    /// `plan(...).scratchCount` floats.
    func forward(_ input: FeatureMap, into output: FeatureMap, relu: Bool, scratch: FloatBuffer, scratchLimit: Int) {
        let out = layer.outputShape(for: input.shape)
        precondition(input.shape.n == 1 && output.shape == out, "Winograd5x5Convolution: output \(output.shape), expected \(out)")
        let h = input.shape.h, w = input.shape.w
        let th = (h + 1) / 2, tw = (w + 1) / 2
        let ci = layer.inputChannels, co = layer.outputChannels
        let plan = plan(height: h, width: w, scratchLimit: scratchLimit)
        scratch.reserve(plan.scratchCount)
        let pMax = plan.tileRowsPerBlock * tw
        // ξ-plane strides (+ overrun room for the last chunk), fixed by the full block so that M stays where
        // it was zeroed.
        let vStride = ci * pMax + Self.lanes, mStride = co * pMax + Self.lanes
        let v = scratch.pointer                                                  // [36, I, P]
        let m = v + 36 * vStride                                                 // [36, O, P]
        let work = m + 36 * mStride                                              // H and row buffer, or corners
        m.update(repeating: 0, count: 36 * mStride)                              // re-zeroed as it is read
        transformedWeights.withUnsafeBufferPointer { uBuf in
            layer.bias.withUnsafeBufferPointer { bBuf in
                var r0 = 0
                while r0 < th {
                    let rows = r0..<min(th, r0 + plan.tileRowsPerBlock)
                    let p = rows.count * tw
                    inputTransform(input, tileRows: rows, tilesWide: tw, into: v, planeStride: vStride, work: work)
                    for xi in 0..<36 {
                        gemm(m: co, n: p, k: ci, a: uBuf.baseAddress! + xi * co * ci, lda: ci, b: v + xi * vStride,
                             ldb: p, beta: 1, c: m + xi * mStride, ldc: p)
                    }
                    outputTransform(m, planeStride: mStride, tileRows: rows, tilesWide: tw, bias: bBuf.baseAddress!,
                                    output: output, relu: relu, work: work)
                    r0 = rows.upperBound
                }
            }
        }
    }

    /// V[ξ][i][p] = (Bᵀ d B)[ξ] for every channel i and tile p = (ty − first)·Tw + tx of the block.
    private func inputTransform(_ input: FeatureMap, tileRows: Range<Int>, tilesWide tw: Int,
                                into v: UnsafeMutablePointer<Float>, planeStride vs: Int, work: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let h = input.shape.h, w = input.shape.w
        let p = tileRows.count * tw
        let twP = Self.paddedTiles(tw)
        let localRows = 2 * tileRows.count + 4                   // input rows 2·first − 2 … 2·last + 3
        let hPlane = localRows * twP
        let hWork = work                                         // H [6, localRows, twP]
        let row = work + 6 * hPlane                              // [2·twP + 8]: padded columns −2 … 2·twP + 5
        let y0 = 2 * tileRows.lowerBound - 2
        for c in 0..<layer.inputChannels {
            let src = UnsafePointer(input.plane(0, c))
            // Horizontal pass: H_j[yy][t] = Σ_k Bᵀ[j][k]·d[y0 + yy][2t − 2 + k].
            for yy in 0..<localRows {
                let y = y0 + yy
                if y < 0 || y >= h {
                    for j in 0..<6 { (hWork + j * hPlane + yy * twP).update(repeating: 0, count: twP) }
                    continue
                }
                row.update(repeating: 0, count: 2 * twP + 8)
                RowKernels.copy(src + y * w, to: row + 2, count: w)
                var t0 = 0
                while t0 < twP {
                    let a = UnsafeRawPointer(row + 2 * t0).loadUnaligned(as: SIMD16<Float>.self)
                    let b = UnsafeRawPointer(row + 2 * t0 + 2).loadUnaligned(as: SIMD16<Float>.self)
                    let d = UnsafeRawPointer(row + 2 * t0 + 4).loadUnaligned(as: SIMD16<Float>.self)
                    let r = Self.transformB(a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf, d.evenHalf, d.oddHalf)
                    let dst = hWork + yy * twP + t0
                    Self.store(r.0, dst); Self.store(r.1, dst + hPlane); Self.store(r.2, dst + 2 * hPlane)
                    Self.store(r.3, dst + 3 * hPlane); Self.store(r.4, dst + 4 * hPlane); Self.store(r.5, dst + 5 * hPlane)
                    t0 += Self.lanes
                }
            }
            // Vertical pass: V[6·r + j][c][tile] = Σ_k Bᵀ[r][k]·H_j[2·ty + k][tile]. The last chunk of a tile row
            // may write up to 7 tiles past it (into the next row or channel, rewritten later, or the overrun room).
            for ty in 0..<tileRows.count {
                let dstRow = v + c * p + ty * tw
                for j in 0..<6 {
                    let hj = hWork + j * hPlane + 2 * ty * twP
                    var t0 = 0
                    while t0 < tw {
                        let s = hj + t0
                        let r = Self.transformB(Self.load(s), Self.load(s + twP), Self.load(s + 2 * twP),
                                                Self.load(s + 3 * twP), Self.load(s + 4 * twP), Self.load(s + 5 * twP))
                        let d = dstRow + t0
                        Self.store(r.0, d + j * vs); Self.store(r.1, d + (6 + j) * vs); Self.store(r.2, d + (12 + j) * vs)
                        Self.store(r.3, d + (18 + j) * vs); Self.store(r.4, d + (24 + j) * vs); Self.store(r.5, d + (30 + j) * vs)
                        t0 += Self.lanes
                    }
                }
            }
        }
    }

    /// output = relu?(Aᵀ M A + bias) for every output channel and tile of the block: per channel, 8 tiles at
    /// a time into four rows of corner values `[P]` (re-zeroing M behind the reads, so the next block's GEMMs
    /// can accumulate with beta = 1), then interleaved into the output rows.
    private func outputTransform(_ m: UnsafeMutablePointer<Float>, planeStride ms: Int, tileRows: Range<Int>,
                                 tilesWide tw: Int, bias: UnsafePointer<Float>, output: FeatureMap, relu: Bool,
                                 work: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let h = output.shape.h, w = output.shape.w
        let p = tileRows.count * tw
        let stride = p + Self.lanes
        let y00 = work, y01 = work + stride, y10 = y01 + stride, y11 = y10 + stride   // [P (+8)] each
        for oc in 0..<layer.outputChannels {
            let bo = V8(repeating: bias[oc])
            let s = m + oc * p
            var p0 = 0
            while p0 < p {
                @inline(__always) func at(_ xi: Int) -> V8 { Self.load(s + xi * ms + p0) }
                // Vertical Aᵀ per column j: s0 = m0 + m1 + m2 + m3 + m4, s1 = m1 − m2 + 2(m3 − m4) + m5.
                var top = (V8(), V8(), V8(), V8(), V8(), V8()), bottom = top
                @inline(__always) func column(_ j: Int) -> (V8, V8) {
                    let a0 = at(j), a1 = at(6 + j), a2 = at(12 + j), a3 = at(18 + j), a4 = at(24 + j), a5 = at(30 + j)
                    return (a0 + a1 + a2 + a3 + a4, a1 - a2 + 2 * (a3 - a4) + a5)
                }
                (top.0, bottom.0) = column(0); (top.1, bottom.1) = column(1); (top.2, bottom.2) = column(2)
                (top.3, bottom.3) = column(3); (top.4, bottom.4) = column(4); (top.5, bottom.5) = column(5)
                Self.store(top.0 + top.1 + top.2 + top.3 + top.4 + bo, y00 + p0)
                Self.store(top.1 - top.2 + 2 * (top.3 - top.4) + top.5 + bo, y01 + p0)
                Self.store(bottom.0 + bottom.1 + bottom.2 + bottom.3 + bottom.4 + bo, y10 + p0)
                Self.store(bottom.1 - bottom.2 + 2 * (bottom.3 - bottom.4) + bottom.5 + bo, y11 + p0)
                if p0 + Self.lanes <= p {
                    for xi in 0..<36 { Self.store(V8(), s + xi * ms + p0) }
                } else {
                    for xi in 0..<36 { (s + xi * ms + p0).update(repeating: 0, count: p - p0) }
                }
                p0 += Self.lanes
            }
            for ty in tileRows {
                let pr = (ty - tileRows.lowerBound) * tw
                let y = 2 * ty
                let dst = output.plane(0, oc) + y * w
                RowKernels.interleave(y00 + pr, y01 + pr, into: dst, residual: nil, relu: relu, count: w)
                if y + 1 < h { RowKernels.interleave(y10 + pr, y11 + pr, into: dst + w, residual: nil, relu: relu, count: w) }
            }
        }
    }

    /// Bᵀ·(x0 … x5): the six rows of the input transform.
    @inline(__always)
    static func transformB(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
                           _ x4: SIMD8<Float>, _ x5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let s12 = x1 + x2, s34 = x3 + x4, d12 = x1 - x2, d43 = x4 - x3
        let d42 = x4 - x2, d31 = x3 - x1
        return (4 * x0 - 5 * x2 + x4,
                s34 - 4 * s12,
                d43 + 4 * d12,
                d42 + 2 * d31,
                d42 - 2 * d31,
                4 * x1 - 5 * x3 + x5)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}
