/// Winograd F(2×2, 5×5) (the MMOD detector's 5×5, stride 1, padding 2 layers: 56% of its multiply-adds), with
/// the Toom–Cook transforms for the points 0, ±1, ±2, ∞
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0 0 0; −⅙ −⅙ −⅙ −⅙ −⅙; −⅙ ⅙ −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙ ⅓ ⅔; 1⁄24 −1⁄12 ⅙ −⅓ ⅔; 0 0 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
///
/// Tile (ty, tx) reads the 6×6 input window at rows 2ty − 2 … 2ty + 3, columns 2tx − 2 … 2tx + 3 (zero outside
/// the plane). 36 multiply-adds per tile per channel pair instead of 100 (2.78× fewer). Within a block, every
/// padded input row of an image is transformed horizontally once (`H_c[y][t] = Σ_j Bᵀ[c][j]·d[y][2t + j]`,
/// shared by the three tile rows that read it), then each tile row vertically, 8 tiles per SIMD vector.
///
/// Accuracy: unlike F(2×2, 3×3) the transforms are not exact in binary (⅙, 1⁄24) and amplify values by up to
/// 25× in Bᵀ d B, so results differ from direct summation by ~1e-6 relative to the layer's output scale.
enum WinogradF2x5: WinogradTile {
    static var kernel: Int { 5 }

    static func transformWeights(_ weights: [Float], outputChannels o: Int, inputChannels i: Int) -> [Float] {
        let plane = o * i
        let g: [[Double]] = [[0.25, 0, 0, 0, 0],
                             [-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6],
                             [-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3],
                             [1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3],
                             [0, 0, 0, 0, 1]]
        var u = [Float](repeating: 0, count: 36 * plane)
        var t = [Double](repeating: 0, count: 30)                              // G·k [6, 5]
        for oc in 0..<o {
            for ic in 0..<i {
                let base = (oc * i + ic) * 25                                    // kernel [5, 5]
                for r in 0..<6 {
                    for c in 0..<5 {
                        var s = 0.0
                        for k in 0..<5 { s += g[r][k] * Double(weights[base + k * 5 + c]) }
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
        return u
    }

    /// Tiles per row rounded up to whole SIMD chunks.
    static func paddedTiles(_ tw: Int) -> Int {
        let lanes = Convolution.winogradLanes
        return lanes * ((tw + lanes - 1) / lanes)
    }

    /// H `[6, 2·rows + 4, twP]` and one zero-bordered input row `[2·twP + 8]`.
    static func inputWorkCount(tilesHigh th: Int, tilesWide tw: Int, rowsPerBlock rows: Int) -> Int {
        let twP = paddedTiles(tw)
        return 6 * (2 * min(rows, th) + 4) * twP + 2 * twP + 8
    }

    /// Per channel, per image of the block: the horizontal pass over the image's input rows the block reads,
    /// then the vertical pass per tile row. The last chunk of a tile row may write up to 7 tiles past it (into
    /// the next row or image, rewritten later, or the channel row's overrun room).
    static func inputTransform(_ input: FeatureMap, channels: Range<Int>, tileRows: Range<Int>, tilesHigh th: Int,
                               tilesWide tw: Int, into v: UnsafeMutablePointer<Float>, planeStride vs: Int, channelStride cs: Int,
                               work: UnsafeMutablePointer<Float>) {
        let lanes = Convolution.winogradLanes
        let h = input.shape.h, w = input.shape.w
        let twP = paddedTiles(tw)
        let firstImage = tileRows.lowerBound / th, lastImage = (tileRows.upperBound - 1) / th
        for c in channels {
            for img in firstImage...lastImage {
                let rLo = max(tileRows.lowerBound, img * th), rHi = min(tileRows.upperBound, (img + 1) * th)
                let localRows = 2 * (rHi - rLo) + 4              // input rows 2·tyFirst − 2 … 2·tyLast + 3
                let hPlane = localRows * twP
                let hWork = work                                 // H [6, localRows, twP]
                let row = work + 6 * hPlane                      // [2·twP + 8]: padded columns −2 … 2·twP + 5
                let y0 = 2 * (rLo - img * th) - 2
                let src = UnsafePointer(input.plane(img, c))
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
                        let r = transformB(a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf, d.evenHalf, d.oddHalf)
                        let dst = hWork + yy * twP + t0
                        WinogradIO.store(r.0, dst); WinogradIO.store(r.1, dst + hPlane)
                        WinogradIO.store(r.2, dst + 2 * hPlane); WinogradIO.store(r.3, dst + 3 * hPlane)
                        WinogradIO.store(r.4, dst + 4 * hPlane); WinogradIO.store(r.5, dst + 5 * hPlane)
                        t0 += lanes
                    }
                }
                // Vertical pass: V[6·r + j][c][tile] = Σ_k Bᵀ[r][k]·H_j[2·ty + k][tile].
                for r in rLo..<rHi {
                    let ty = r - rLo
                    let dstRow = v + c * cs + (r - tileRows.lowerBound) * tw
                    for j in 0..<6 {
                        let hj = hWork + j * hPlane + 2 * ty * twP
                        var t0 = 0
                        while t0 < tw {
                            let s = hj + t0
                            let x = transformB(WinogradIO.load(s), WinogradIO.load(s + twP), WinogradIO.load(s + 2 * twP),
                                               WinogradIO.load(s + 3 * twP), WinogradIO.load(s + 4 * twP),
                                               WinogradIO.load(s + 5 * twP))
                            let d = dstRow + t0
                            WinogradIO.store(x.0, d + j * vs); WinogradIO.store(x.1, d + (6 + j) * vs)
                            WinogradIO.store(x.2, d + (12 + j) * vs); WinogradIO.store(x.3, d + (18 + j) * vs)
                            WinogradIO.store(x.4, d + (24 + j) * vs); WinogradIO.store(x.5, d + (30 + j) * vs)
                            t0 += lanes
                        }
                    }
                }
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

    /// Vertical Aᵀ per column j: s0 = m0j + … + m4j, s1 = m1j − m2j + 2(m3j − m4j) + m5j; then horizontal.
    @inline(__always)
    static func outputCorners(_ m: (Int) -> SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        typealias V8 = SIMD8<Float>
        @inline(__always) func column(_ j: Int) -> (V8, V8) {
            let a0 = m(j), a1 = m(6 + j), a2 = m(12 + j), a3 = m(18 + j), a4 = m(24 + j), a5 = m(30 + j)
            return (a0 + a1 + a2 + a3 + a4, a1 - a2 + 2 * (a3 - a4) + a5)
        }
        let (t0, b0) = column(0), (t1, b1) = column(1), (t2, b2) = column(2)
        let (t3, b3) = column(3), (t4, b4) = column(4), (t5, b5) = column(5)
        return (t0 + t1 + t2 + t3 + t4, t1 - t2 + 2 * (t3 - t4) + t5,
                b0 + b1 + b2 + b3 + b4, b1 - b2 + 2 * (b3 - b4) + b5)
    }
}
