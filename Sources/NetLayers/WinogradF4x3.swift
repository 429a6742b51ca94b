/// Winograd F(4×4, 3×3) (the encoder's 3×3, stride 1, padding 1 layers on the larger planes), with the
/// Toom–Cook transforms for the points 0, ±1, ±2, ∞ of Lavin & Gray (2016)
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙; 1⁄24 −1⁄12 ⅙; 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
///
/// Tile (ty, tx) reads the 6×6 input window at rows 4ty − 1 … 4ty + 4, columns 4tx − 1 … 4tx + 4 (zero outside
/// the plane) and gives the 4×4 outputs at rows 4ty …, columns 4tx …. 36 multiply-adds per tile per channel pair
/// instead of 144 (4× fewer; F(2×2, 3×3) saves 2.25×), for transforms that cost more per tile. Bᵀ is
/// `WinogradF2x5`'s (`WinogradAlpha6`) with a window step of 4.
///
/// Accuracy: G (⅙, 1⁄24) is not exact in binary and Aᵀ amplifies by up to 8×, so results differ from direct
/// summation by ~1e-6 relative to the layer's output scale (F(2×2, 3×3): a few roundings).
enum WinogradF4x3: WinogradAlpha6Tile {
    static var kernel: Int { 3 }
    static var outputSide: Int { 4 }

    /// G `[6, 3]`.
    static let g: [[Double]] = [[0.25, 0, 0],
                                [-1.0 / 6, -1.0 / 6, -1.0 / 6],
                                [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                [1.0 / 24, 1.0 / 12, 1.0 / 6],
                                [1.0 / 24, -1.0 / 12, 1.0 / 6],
                                [0, 0, 1]]

    /// Aᵀ·(x0 … x5) with p = x1 + x2, q = x1 − x2, r = x3 + x4, s = x3 − x4: (x0 + p + r, q + 2s, p + 4r, q + 8s + x5).
    @inline(__always)
    static func transformA(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
                           _ x4: SIMD8<Float>, _ x5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let p = x1 + x2, q = x1 - x2, r = x3 + x4, s = x3 - x4
        return (x0 + p + r, q + 2 * s, p + 4 * r, q + 8 * s + x5)
    }

    /// Vertical Aᵀ per column j, then horizontal per output row.
    @inline(__always)
    static func outputTile(_ m: (Int) -> SIMD8<Float>, store: (Int, SIMD8<Float>) -> Void) {
        let c0 = transformA(m(0), m(6), m(12), m(18), m(24), m(30)), c1 = transformA(m(1), m(7), m(13), m(19), m(25), m(31))
        let c2 = transformA(m(2), m(8), m(14), m(20), m(26), m(32)), c3 = transformA(m(3), m(9), m(15), m(21), m(27), m(33))
        let c4 = transformA(m(4), m(10), m(16), m(22), m(28), m(34)), c5 = transformA(m(5), m(11), m(17), m(23), m(29), m(35))
        let y0 = transformA(c0.0, c1.0, c2.0, c3.0, c4.0, c5.0), y1 = transformA(c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
        let y2 = transformA(c0.2, c1.2, c2.2, c3.2, c4.2, c5.2), y3 = transformA(c0.3, c1.3, c2.3, c3.3, c4.3, c5.3)
        store(0, y0.0); store(1, y0.1); store(2, y0.2); store(3, y0.3)
        store(4, y1.0); store(5, y1.1); store(6, y1.2); store(7, y1.3)
        store(8, y2.0); store(9, y2.1); store(10, y2.2); store(11, y2.3)
        store(12, y3.0); store(13, y3.1); store(14, y3.2); store(15, y3.3)
    }
}
