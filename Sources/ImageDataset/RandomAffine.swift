import LayerGraph
import SeededRandom

/// Random small affine warps for augmentation: each parameter uniform in a symmetric range, drawn from a
/// `SplitMix64` the caller owns, so a seed fixes every warp. A draw always consumes exactly 5 numbers
/// (shift x, shift y, rotation, scale, shear, in that order) whatever the ranges, so changing one range does
/// not shift the others' sequence. All ranges 0 (`none`) draws `AffineWarp.identity`.
public struct RandomAffine: Sendable, Equatable {
    /// Pixels: shiftX and shiftY each uniform in [−maxShift, maxShift).
    public var maxShift: Float
    /// Degrees: rotation uniform in [−maxRotation, maxRotation).
    public var maxRotation: Float
    /// scale uniform in [1 − maxScaleChange, 1 + maxScaleChange); 0 ≤ maxScaleChange < 1.
    public var maxScaleChange: Float
    /// Degrees: shear uniform in [−maxShear, maxShear); < 90.
    public var maxShear: Float

    public init(maxShift: Float = 0, maxRotation: Float = 0, maxScaleChange: Float = 0, maxShear: Float = 0) {
        precondition(maxShift >= 0 && maxRotation >= 0 && maxShear >= 0 && maxShear < 90,
                     "RandomAffine: ranges must be ≥ 0 (shear < 90°)")
        precondition(maxScaleChange >= 0 && maxScaleChange < 1, "RandomAffine: maxScaleChange must be in [0, 1)")
        self.maxShift = maxShift
        self.maxRotation = maxRotation
        self.maxScaleChange = maxScaleChange
        self.maxShear = maxShear
    }

    /// No augmentation.
    public static let none = RandomAffine()

    /// True when every range is 0 (every draw is the identity).
    public var isIdentity: Bool { maxShift == 0 && maxRotation == 0 && maxScaleChange == 0 && maxShear == 0 }

    /// The next random warp (5 draws from `rng`).
    public func draw(_ rng: inout SplitMix64) -> AffineWarp {
        func sym(_ m: Float) -> Float { Float(rng.uniform(-Double(m), Double(m))) }
        let sx = sym(maxShift), sy = sym(maxShift), r = sym(maxRotation)
        let sc = 1 + sym(maxScaleChange), sh = sym(maxShear)
        return AffineWarp(shiftX: sx, shiftY: sy, rotation: r, scale: sc, shear: sh)
    }

    /// Draws a warp and applies it to one `[C, H, W]` image into `output` (`[C, H, W]`); returns the warp.
    @discardableResult
    public func apply(to input: UnsafeBufferPointer<Float>, shape: ImageShape,
                      into output: UnsafeMutableBufferPointer<Float>, fill: AffineFill,
                      rng: inout SplitMix64) -> AffineWarp {
        let warp = draw(&rng)
        warp.apply(to: input, shape: shape, into: output, fill: fill.values(for: input, shape: shape))
        return warp
    }
}
