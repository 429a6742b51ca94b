/// Winograd F(2×2, 3×3) (the encoder's 3×3, stride 1, padding 1 layers), with the transforms of Lavin & Gray (2016)
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// Tile (ty, tx) reads the 4×4 input window at rows 2ty − 1 … 2ty + 2, columns 2tx − 1 … 2tx + 2 (zero outside
/// the plane). 16 multiply-adds per tile per channel pair instead of 36 (2.25× fewer). The transforms only use
/// ±1 and ½ (exact in binary), so results differ from direct summation by a few float32 roundings.
enum WinogradF2x3: WinogradTile {
    static var kernel: Int { 3 }
    static var outputSide: Int { 2 }

    static func transformWeights(_ weights: [Float], outputChannels o: Int, inputChannels i: Int) -> [Float] {
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

    /// Padded row length of the work plane: whole 8-tile chunks plus the 2-column overlap.
    static func paddedWidth(tilesWide tw: Int) -> Int { 16 * ((tw + Convolution.winogradLanes - 1) / Convolution.winogradLanes) + 2 }

    /// One zero-padded plane `[2·Th + 4, Wp]` (+16), whatever the block.
    static func inputWorkCount(tilesHigh th: Int, tilesWide tw: Int, rowsPerBlock: Int) -> Int {
        (2 * th + 4) * paddedWidth(tilesWide: tw) + 16
    }

    /// Each input plane is first copied into a zero-bordered work plane (padded row q = y + 1, column x + 1),
    /// then every tile row is transformed 8 tiles at a time. The last chunk of a row may write up to 7 tiles past
    /// it (into the next row, rewritten later, or the channel row's overrun room).
    static func inputTransform(_ input: FeatureMap, channels: Range<Int>, tileRows: Range<Int>, tilesHigh th: Int,
                               tilesWide tw: Int, into v: UnsafeMutablePointer<Float>, planeStride vs: Int, channelStride cs: Int,
                               work: UnsafeMutablePointer<Float>) {
        let h = input.shape.h, w = input.shape.w
        let wp = paddedWidth(tilesWide: tw)
        let padded = work                                   // [2·Th + 2 (+2), Wp], borders stay 0
        padded.update(repeating: 0, count: (2 * th + 4) * wp)
        let firstImage = tileRows.lowerBound / th, lastImage = (tileRows.upperBound - 1) / th
        for c in channels {
            for img in firstImage...lastImage {
                let src = input.plane(img, c)
                for y in 0..<h { RowKernels.copy(src + y * w, to: padded + (y + 1) * wp + 1, count: w) }
                let rLo = max(tileRows.lowerBound, img * th), rHi = min(tileRows.upperBound, (img + 1) * th)
                for r in rLo..<rHi {
                    let ty = r - img * th
                    let q0 = padded + 2 * ty * wp, q1 = q0 + wp, q2 = q1 + wp, q3 = q2 + wp
                    let d = v + c * cs + (r - tileRows.lowerBound) * tw
                    var t0 = 0
                    while t0 + 4 < tw {
                        inputChunk8(q0, q1, q2, q3, column: 2 * t0, into: d + t0, planeStride: vs)
                        t0 += 8
                    }
                    if t0 < tw { inputChunk4(q0, q1, q2, q3, column: 2 * t0, into: d + t0, planeStride: vs) }
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
        inputChunk(q0, q1, q2, q3, into: d, planeStride: vs) { q in
            let a = UnsafeRawPointer(q + x).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(q + x + 2).loadUnaligned(as: SIMD16<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
    }

    /// `inputChunk8` for the last ≤ 4 tiles of a row (8-float loads, 4-wide vectors).
    @inline(__always)
    private static func inputChunk4(_ q0: UnsafeMutablePointer<Float>, _ q1: UnsafeMutablePointer<Float>,
                                    _ q2: UnsafeMutablePointer<Float>, _ q3: UnsafeMutablePointer<Float>,
                                    column x: Int, into d: UnsafeMutablePointer<Float>, planeStride vs: Int) {
        inputChunk(q0, q1, q2, q3, into: d, planeStride: vs) { q in
            let a = UnsafeRawPointer(q + x).loadUnaligned(as: SIMD8<Float>.self)
            let b = UnsafeRawPointer(q + x + 2).loadUnaligned(as: SIMD8<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
    }

    /// Loads the four rows' (E[t], O[t], E[t + 1], O[t + 1]) with `load` and stores the 16 transformed planes.
    @inline(__always)
    private static func inputChunk<V: SIMD>(_ q0: UnsafeMutablePointer<Float>, _ q1: UnsafeMutablePointer<Float>,
                                            _ q2: UnsafeMutablePointer<Float>, _ q3: UnsafeMutablePointer<Float>,
                                            into d: UnsafeMutablePointer<Float>, planeStride vs: Int,
                                            load: (UnsafeMutablePointer<Float>) -> (V, V, V, V)) where V.Scalar == Float {
        inputTiles(load(q0), load(q1), load(q2), load(q3)) { xi, value in
            UnsafeMutableRawPointer(d + xi * vs).storeBytes(of: value, as: V.self)
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

    /// Vertical Aᵀ per column j (a_j = m0j + m1j + m2j, b_j = m1j − m2j − m3j), then horizontal.
    @inline(__always)
    static func outputTile(_ m: (Int) -> SIMD8<Float>, store: (Int, SIMD8<Float>) -> Void) {
        let m10 = m(4), m11 = m(5), m12 = m(6), m13 = m(7)
        let m20 = m(8), m21 = m(9), m22 = m(10), m23 = m(11)
        let a0 = m(0) + m10 + m20, a1 = m(1) + m11 + m21
        let a2 = m(2) + m12 + m22, a3 = m(3) + m13 + m23
        let b0 = m10 - m20 - m(12), b1 = m11 - m21 - m(13)
        let b2 = m12 - m22 - m(14), b3 = m13 - m23 - m(15)
        store(0, a0 + a1 + a2); store(1, a1 - a2 - a3); store(2, b0 + b1 + b2); store(3, b1 - b2 - b3)
    }
}
