/// One Winograd tile size F(m×m, r×r) for the block driver in `Convolution+Winograd.swift`: how the kernel,
/// the input windows and the products are transformed. α = m + r − 1 is the input window's side and α² the
/// number of transform elements ξ (= α·row + column), i.e. of independent products per block.
///
/// Every tile reads the flattened (image, tile row) index: tile row r of a block is tile row r − th·⌊r/th⌋ of
/// image ⌊r/th⌋ (th = ⌈H/m⌉), and tile (ty, tx) covers output rows m·ty … m·ty + m − 1, columns m·tx ….
protocol WinogradTile: SendableMetatype {
    /// r: the kernel side (3 or 5); the padding is r/2 and the stride 1.
    static var kernel: Int { get }

    /// m: the output tile's side (2 or 4).
    static var outputSide: Int { get }

    /// U `[α², O, I]` = G g Gᵀ for every (o, i) of `weights` `[O, I, r, r]`, in double precision, rounded once.
    static func transformWeights(_ weights: [Float], outputChannels o: Int, inputChannels i: Int) -> [Float]

    /// Floats of work space the input transform needs for blocks of `rowsPerBlock` tile rows (the output
    /// transform's corner rows share the space; the driver takes the larger).
    static func inputWorkCount(tilesHigh th: Int, tilesWide tw: Int, rowsPerBlock: Int) -> Int

    /// V[ξ][c][p] = (Bᵀ d B)[ξ] for the channels `channels` of `input` and tile p = (r − tileRows.lowerBound)·Tw + tx
    /// of the block (V's ξ-planes `planeStride` apart, a channel's row of P tiles `channelStride` ≥ P +
    /// `Convolution.winogradLanes` apart, so that the last chunk's overrun stays in the channel's own row).
    static func inputTransform(_ input: FeatureMap, channels: Range<Int>, tileRows: Range<Int>, tilesHigh th: Int,
                               tilesWide tw: Int, into v: UnsafeMutablePointer<Float>, planeStride: Int, channelStride: Int,
                               work: UnsafeMutablePointer<Float>)

    /// The m×m outputs Aᵀ m A of 8 tiles, without the bias: `m(ξ)` loads element ξ of the 8 tiles,
    /// `store(k, y)` receives output (dy, dx) = (k / m, k % m).
    static func outputTile(_ m: (Int) -> SIMD8<Float>, store: (Int, SIMD8<Float>) -> Void)
}

extension WinogradTile {
    /// α = m + r − 1.
    static var alpha: Int { outputSide + kernel - 1 }

    /// Tiles per image: (⌈H/m⌉, ⌈W/m⌉).
    static func tiles(_ shape: Shape4) -> (high: Int, wide: Int) {
        ((shape.h + outputSide - 1) / outputSide, (shape.w + outputSide - 1) / outputSide)
    }
    /// α²: transform elements, products per block.
    static var elements: Int { alpha * alpha }
}

/// Unaligned SIMD loads and stores of the transforms.
enum WinogradIO {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
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
