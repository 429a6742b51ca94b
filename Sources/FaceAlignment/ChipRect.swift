import Foundation
import ImageInput

/// A rectangle with Double corners and dlib's **inclusive** `drectangle` conventions:
/// `width == right − left + 1`, empty when `left > right` or `top > bottom` (then width = height = 0).
/// Used for chip geometry, where dlib's exact arithmetic decides pyramid levels and crops.
public struct ChipRect: Sendable, Equatable, CustomStringConvertible {
    public var left: Double, top: Double, right: Double, bottom: Double

    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    /// dlib's default (empty) rectangle (0, 0, −1, −1).
    public static let empty = ChipRect(left: 0, top: 0, right: -1, bottom: -1)

    public var isEmpty: Bool { top > bottom || left > right }
    /// `right − left + 1` in pixels, or 0 when empty.
    public var width: Double { isEmpty ? 0 : right - left + 1 }
    /// `bottom − top + 1` in pixels, or 0 when empty.
    public var height: Double { isEmpty ? 0 : bottom - top + 1 }
    /// `width · height` (square pixels).
    public var area: Double { width * height }
    /// `((left + right) / 2, (top + bottom) / 2)`.
    public var center: SubpixelPoint { SubpixelPoint(x: (left + right) / 2, y: (top + bottom) / 2) }

    public var topLeft: SubpixelPoint { SubpixelPoint(x: left, y: top) }
    public var topRight: SubpixelPoint { SubpixelPoint(x: right, y: top) }
    public var bottomLeft: SubpixelPoint { SubpixelPoint(x: left, y: bottom) }
    public var bottomRight: SubpixelPoint { SubpixelPoint(x: right, y: bottom) }

    public var description: String { "[\(left), \(top), \(right), \(bottom)]" }

    /// A `width × height` rectangle centred on `p` (dlib's `centered_drect`: corners at p ∓ (size − 1)/2).
    public static func centered(at p: SubpixelPoint, width: Double, height: Double) -> ChipRect {
        let w = width - 1, h = height - 1
        return ChipRect(left: p.x - w / 2, top: p.y - h / 2, right: p.x + w / 2, bottom: p.y + h / 2)
    }

    /// The smallest rectangle holding both (dlib's `operator+`: an empty operand is ignored).
    public func union(_ other: ChipRect) -> ChipRect {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return ChipRect(left: min(left, other.left), top: min(top, other.top),
                        right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    /// `union` with the one-point rectangle at `p` (dlib's `rect += point`).
    public func including(_ p: SubpixelPoint) -> ChipRect {
        union(ChipRect(left: p.x, top: p.y, right: p.x, bottom: p.y))
    }

    /// Component-wise max of the top-left corners and min of the bottom-right ones (may be empty).
    public func intersection(_ other: ChipRect) -> ChipRect {
        ChipRect(left: max(left, other.left), top: max(top, other.top),
                 right: min(right, other.right), bottom: min(bottom, other.bottom))
    }

    /// Every side moved outwards by `amount` pixels.
    public func grown(by amount: Double) -> ChipRect {
        ChipRect(left: left - amount, top: top - amount, right: right + amount, bottom: bottom + amount)
    }

    /// Shifted by (`dx`, `dy`) pixels.
    public func translated(dx: Double, dy: Double) -> ChipRect {
        ChipRect(left: left + dx, top: top + dy, right: right + dx, bottom: bottom + dy)
    }

    /// This rectangle in the next `pyramid_down<2>` level: each corner maps to p/2 − (1.25, 0.75),
    /// then the two corners are re-ordered (dlib's `rect_down`).
    public var pyramidDown: ChipRect {
        let a = ImagePyramid.pointDown(topLeft), b = ImagePyramid.pointDown(bottomRight)
        return ChipRect(left: min(a.x, b.x), top: min(a.y, b.y), right: max(a.x, b.x), bottom: max(a.y, b.y))
    }

    /// Corners rounded with floor(v + 0.5) (dlib's `drectangle` → `rectangle` conversion).
    public var rounded: FaceBox {
        func r(_ v: Double) -> Int { Int((v + 0.5).rounded(.down)) }
        return FaceBox(left: r(left), top: r(top), right: r(right), bottom: r(bottom))
    }
}

extension SubpixelPoint {
    /// This point rotated by `angle` radians about `center` (dlib's `rotate_point`:
    /// (cos·dx − sin·dy, sin·dx + cos·dy) + center).
    public func rotated(about center: SubpixelPoint, by angle: Double) -> SubpixelPoint {
        let s = sin(angle), c = cos(angle)
        let dx = x - center.x, dy = y - center.y
        return SubpixelPoint(x: c * dx - s * dy + center.x, y: s * dx + c * dy + center.y)
    }
}
