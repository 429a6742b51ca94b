/// The α = 6 transforms that F(2×2, 5×5) and F(4×4, 3×3) share: both use the Toom–Cook points 0, ±1, ±2, ∞, so
/// both transform 6×6 input windows with
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///
/// and differ in the window step m (the output tile's side: 2 or 4), the padding (the kernel's r/2) and G, Aᵀ.
enum WinogradAlpha6 {
    /// U `[36, O, I]` = G g Gᵀ for every (o, i) of `weights` `[O, I, r, r]` with `g` = G `[6, r]`, in double
    /// precision, rounded once.
    static func transformWeights(_ weights: [Float], outputChannels o: Int, inputChannels i: Int, g: [[Double]]) -> [Float] {
        let r = g[0].count, plane = o * i
        var u = [Float](repeating: 0, count: 36 * plane)
        var t = [Double](repeating: 0, count: 6 * r)                           // G·k [6, r]
        for oc in 0..<o {
            for ic in 0..<i {
                let base = (oc * i + ic) * r * r                                 // kernel [r, r]
                for a in 0..<6 {
                    for c in 0..<r {
                        var s = 0.0
                        for k in 0..<r { s += g[a][k] * Double(weights[base + k * r + c]) }
                        t[a * r + c] = s
                    }
                }
                for a in 0..<6 {
                    for b in 0..<6 {                                             // (G·k)·Gᵀ
                        var s = 0.0
                        for k in 0..<r { s += t[a * r + k] * g[b][k] }
                        u[(a * 6 + b) * plane + oc * i + ic] = Float(s)
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

    /// H `[6, m·rows + 6 − m, twP]` and one zero-bordered input row `[m·twP + 8]` (m = `step`, at most 4).
    static func inputWorkCount(step m: Int, tilesHigh th: Int, tilesWide tw: Int, rowsPerBlock rows: Int) -> Int {
        let twP = paddedTiles(tw)
        return 6 * (m * min(rows, th) + 6 - m) * twP + m * twP + 40
    }

    /// V[6·a + b][c][p] = (Bᵀ d B)[a][b] for the 6×6 windows at rows m·ty − pad …, columns m·tx − pad … (zero
    /// outside the plane), the `WinogradTile.inputTransform` contract with m = `step` (2 or 4), pad = `padding`.
    ///
    /// Per channel, per image of the block: the horizontal pass over the image's input rows the block reads
    /// (`H_b[y][t] = Σ_j Bᵀ[b][j]·d[y][m·t − pad + j]`, shared by the tile rows that read row y), then the vertical
    /// pass per tile row, 8 tiles per SIMD vector. The last chunk of a tile row may write up to 7 tiles past it
    /// (into the next row or image, rewritten later, or the channel row's overrun room).
    @inline(__always)
    static func inputTransform(step m: Int, padding pad: Int, _ input: FeatureMap, channels: Range<Int>, tileRows: Range<Int>,
                               tilesHigh th: Int, tilesWide tw: Int, into v: UnsafeMutablePointer<Float>, planeStride vs: Int,
                               channelStride cs: Int, work: UnsafeMutablePointer<Float>) {
        let lanes = Convolution.winogradLanes
        let h = input.shape.h, w = input.shape.w
        let twP = paddedTiles(tw)
        let firstImage = tileRows.lowerBound / th, lastImage = (tileRows.upperBound - 1) / th
        for c in channels {
            for img in firstImage...lastImage {
                let rLo = max(tileRows.lowerBound, img * th), rHi = min(tileRows.upperBound, (img + 1) * th)
                let localRows = m * (rHi - rLo) + 6 - m          // input rows m·tyFirst − pad … m·tyLast − pad + 5
                let hPlane = localRows * twP
                let hWork = work                                 // H [6, localRows, twP]
                let row = work + 6 * hPlane                      // [m·twP + 40]: padded columns −pad …
                let y0 = m * (rLo - img * th) - pad
                let src = UnsafePointer(input.plane(img, c))
                for yy in 0..<localRows {
                    let y = y0 + yy
                    if y < 0 || y >= h {
                        for j in 0..<6 { (hWork + j * hPlane + yy * twP).update(repeating: 0, count: twP) }
                        continue
                    }
                    row.update(repeating: 0, count: m * twP + 40)
                    RowKernels.copy(src + y * w, to: row + pad, count: w)
                    var t0 = 0
                    while t0 < twP {
                        let x = columns(step: m, row + m * t0)
                        let r = transformB(x.0, x.1, x.2, x.3, x.4, x.5)
                        let dst = hWork + yy * twP + t0
                        WinogradIO.store(r.0, dst); WinogradIO.store(r.1, dst + hPlane)
                        WinogradIO.store(r.2, dst + 2 * hPlane); WinogradIO.store(r.3, dst + 3 * hPlane)
                        WinogradIO.store(r.4, dst + 4 * hPlane); WinogradIO.store(r.5, dst + 5 * hPlane)
                        t0 += lanes
                    }
                }
                // Vertical pass: V[6·a + b][c][tile] = Σ_k Bᵀ[a][k]·H_b[m·ty + k][tile].
                for r in rLo..<rHi {
                    let ty = r - rLo
                    let dstRow = v + c * cs + (r - tileRows.lowerBound) * tw
                    for b in 0..<6 {
                        let hb = hWork + b * hPlane + m * ty * twP
                        var t0 = 0
                        while t0 < tw {
                            let s = hb + t0
                            let x = transformB(WinogradIO.load(s), WinogradIO.load(s + twP), WinogradIO.load(s + 2 * twP),
                                               WinogradIO.load(s + 3 * twP), WinogradIO.load(s + 4 * twP),
                                               WinogradIO.load(s + 5 * twP))
                            let d = dstRow + t0
                            WinogradIO.store(x.0, d + b * vs); WinogradIO.store(x.1, d + (6 + b) * vs)
                            WinogradIO.store(x.2, d + (12 + b) * vs); WinogradIO.store(x.3, d + (18 + b) * vs)
                            WinogradIO.store(x.4, d + (24 + b) * vs); WinogradIO.store(x.5, d + (30 + b) * vs)
                            t0 += lanes
                        }
                    }
                }
            }
        }
    }

    /// The window columns j = 0 … 5 of 8 tiles m apart: x_j[t] = p[m·t + j] (m = 2: SIMD16 loads split into even
    /// and odd halves; m = 4: SIMD32 loads split four ways).
    @inline(__always)
    static func columns(step m: Int, _ p: UnsafeMutablePointer<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        if m == 2 {
            let a = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(p + 2).loadUnaligned(as: SIMD16<Float>.self)
            let d = UnsafeRawPointer(p + 4).loadUnaligned(as: SIMD16<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf, d.evenHalf, d.oddHalf)
        }
        precondition(m == 4, "winograd: window step \(m)")
        let a = UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
        let b = UnsafeRawPointer(p + 4).loadUnaligned(as: SIMD32<Float>.self)
        let ae = a.evenHalf, ao = a.oddHalf, be = b.evenHalf, bo = b.oddHalf
        return (ae.evenHalf, ao.evenHalf, ae.oddHalf, ao.oddHalf, be.evenHalf, bo.evenHalf)
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
}

/// A tile of the α = 6 family: G is its own, the weight and input transforms are `WinogradAlpha6`'s with a window
/// step of m (`outputSide`) and the padding r/2.
protocol WinogradAlpha6Tile: WinogradTile {
    /// G `[6, r]`.
    static var g: [[Double]] { get }
}

extension WinogradAlpha6Tile {
    static func transformWeights(_ weights: [Float], outputChannels o: Int, inputChannels i: Int) -> [Float] {
        WinogradAlpha6.transformWeights(weights, outputChannels: o, inputChannels: i, g: g)
    }

    static func inputWorkCount(tilesHigh th: Int, tilesWide tw: Int, rowsPerBlock rows: Int) -> Int {
        WinogradAlpha6.inputWorkCount(step: outputSide, tilesHigh: th, tilesWide: tw, rowsPerBlock: rows)
    }

    static func inputTransform(_ input: FeatureMap, channels: Range<Int>, tileRows: Range<Int>, tilesHigh th: Int,
                               tilesWide tw: Int, into v: UnsafeMutablePointer<Float>, planeStride vs: Int, channelStride cs: Int,
                               work: UnsafeMutablePointer<Float>) {
        WinogradAlpha6.inputTransform(step: outputSide, padding: kernel / 2, input, channels: channels, tileRows: tileRows,
                                      tilesHigh: th, tilesWide: tw, into: v, planeStride: vs, channelStride: cs, work: work)
    }
}
