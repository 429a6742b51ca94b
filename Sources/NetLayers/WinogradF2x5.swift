/// Winograd F(2×2, 5×5) (the MMOD detector's 5×5, stride 1, padding 2 layers: 56% of its multiply-adds), with
/// the Toom–Cook transforms for the points 0, ±1, ±2, ∞
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0 0 0; −⅙ −⅙ −⅙ −⅙ −⅙; −⅙ ⅙ −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙ ⅓ ⅔; 1⁄24 −1⁄12 ⅙ −⅓ ⅔; 0 0 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1]
///
/// Tile (ty, tx) reads the 6×6 input window at rows 2ty − 2 … 2ty + 3, columns 2tx − 2 … 2tx + 3 (zero outside
/// the plane). 36 multiply-adds per tile per channel pair instead of 100 (2.78× fewer). The input transform is
/// `WinogradAlpha6`'s (shared with F(4×4, 3×3)) with a window step of 2.
///
/// Accuracy: unlike F(2×2, 3×3) the transforms are not exact in binary (⅙, 1⁄24) and amplify values by up to
/// 25× in Bᵀ d B, so results differ from direct summation by ~1e-6 relative to the layer's output scale.
enum WinogradF2x5: WinogradAlpha6Tile {
    static var kernel: Int { 5 }
    static var outputSide: Int { 2 }

    /// G `[6, 5]`.
    static let g: [[Double]] = [[0.25, 0, 0, 0, 0],
                                [-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6],
                                [-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6],
                                [1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3],
                                [1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3],
                                [0, 0, 0, 0, 1]]

    /// Vertical Aᵀ per column j: s0 = m0j + … + m4j, s1 = m1j − m2j + 2(m3j − m4j) + m5j; then horizontal.
    @inline(__always)
    static func outputTile(_ m: (Int) -> SIMD8<Float>, store: (Int, SIMD8<Float>) -> Void) {
        typealias V8 = SIMD8<Float>
        @inline(__always) func column(_ j: Int) -> (V8, V8) {
            let a0 = m(j), a1 = m(6 + j), a2 = m(12 + j), a3 = m(18 + j), a4 = m(24 + j), a5 = m(30 + j)
            return (a0 + a1 + a2 + a3 + a4, a1 - a2 + 2 * (a3 - a4) + a5)
        }
        let (t0, b0) = column(0), (t1, b1) = column(1), (t2, b2) = column(2)
        let (t3, b3) = column(3), (t4, b4) = column(4), (t5, b5) = column(5)
        store(0, t0 + t1 + t2 + t3 + t4); store(1, t1 - t2 + 2 * (t3 - t4) + t5)
        store(2, b0 + b1 + b2 + b3 + b4); store(3, b1 - b2 + 2 * (b3 - b4) + b5)
    }
}
