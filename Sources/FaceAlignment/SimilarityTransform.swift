import Foundation

/// A 2-D affine map `p ↦ M·p + t` in Double, like dlib's `point_transform_affine`.
public struct AffineTransform2D: Sendable, Equatable {
    /// Row-major 2×2 linear part: `[[m00, m01], [m10, m11]]`.
    public var m00: Double, m01: Double, m10: Double, m11: Double
    /// Translation (same units as the output points).
    public var tx: Double, ty: Double

    public init(m00: Double, m01: Double, m10: Double, m11: Double, tx: Double, ty: Double) {
        self.m00 = m00; self.m01 = m01; self.m10 = m10; self.m11 = m11
        self.tx = tx; self.ty = ty
    }

    /// The identity map.
    public static let identity = AffineTransform2D(m00: 1, m01: 0, m10: 0, m11: 1, tx: 0, ty: 0)

    /// `M·p + t`, evaluated as `(m00·x + m01·y) + tx` like dlib's `m*p + b`.
    @inlinable
    public func apply(_ p: SubpixelPoint) -> SubpixelPoint {
        SubpixelPoint(x: m00 * p.x + m01 * p.y + tx, y: m10 * p.x + m11 * p.y + ty)
    }

    /// For a similarity transform, the rotation angle in radians (`atan2` of the image of (1, 0)).
    public var angle: Double { atan2(m10, m00) }
    /// For a similarity transform, the scale factor (length of the image of (1, 0)).
    public var scale: Double { (m00 * m00 + m10 * m10).squareRoot() }

    /// The least-squares similarity transform (rotation, uniform scale ≥ 0, translation; no reflection)
    /// mapping `from[i]` to `to[i]`: Umeyama's estimate, as dlib's `find_similarity_transform`.
    ///
    /// In 2-D the Umeyama solution `c·R` (with its det < 0 correction) is exactly the matrix
    /// `[[a, −b], [b, a]]` with `a = tr(Σ)/σ²`, `b = (Σ₁₀ − Σ₀₁)/σ²` (Σ: cross-covariance of the centred
    /// points, σ²: variance of `from`), so no SVD is needed. When `from` has zero spread the linear part
    /// is the identity (dlib uses c = 1 then).
    /// - Precondition: `from.count == to.count ≥ 1`.
    public static func similarity(from: [SubpixelPoint], to: [SubpixelPoint]) -> AffineTransform2D {
        precondition(from.count == to.count && !from.isEmpty, "similarity: \(from.count) vs \(to.count) points")
        let n = Double(from.count)
        var mfx = 0.0, mfy = 0.0, mtx = 0.0, mty = 0.0
        for i in from.indices {
            mfx += from[i].x; mfy += from[i].y
            mtx += to[i].x; mty += to[i].y
        }
        mfx /= n; mfy /= n; mtx /= n; mty /= n
        var sigma = 0.0, c00 = 0.0, c01 = 0.0, c10 = 0.0, c11 = 0.0   // cov = Σ (q − mt)(p − mf)ᵀ
        for i in from.indices {
            let px = from[i].x - mfx, py = from[i].y - mfy
            let qx = to[i].x - mtx, qy = to[i].y - mty
            sigma += px * px + py * py
            c00 += qx * px; c01 += qx * py
            c10 += qy * px; c11 += qy * py
        }
        var a = 1.0, b = 0.0
        if sigma != 0 {
            a = (c00 + c11) / sigma
            b = (c10 - c01) / sigma
        }
        return AffineTransform2D(m00: a, m01: -b, m10: b, m11: a,
                                 tx: mtx - (a * mfx - b * mfy), ty: mty - (b * mfx + a * mfy))
    }
}
