/// A face rectangle in pixels, **inclusive** on all four sides like dlib's `rectangle`:
/// the box covers columns `left...right` and rows `top...bottom`, so `width == right − left + 1`.
///
/// FaceAlignment keeps its own box type (it must not import FaceDetection); callers convert.
public struct FaceBox: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// First column inside the box (pixels, may be negative or beyond the image).
    public var left: Int
    /// First row inside the box (pixels).
    public var top: Int
    /// Last column inside the box (pixels, inclusive).
    public var right: Int
    /// Last row inside the box (pixels, inclusive).
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// Width in pixels, `right − left + 1` (0 for an empty box).
    public var width: Int { max(0, right - left + 1) }
    /// Height in pixels, `bottom − top + 1` (0 for an empty box).
    public var height: Int { max(0, bottom - top + 1) }
    /// True when `right < left` or `bottom < top`.
    public var isEmpty: Bool { right < left || bottom < top }

    public var description: String { "[\(left), \(top), \(right), \(bottom)]" }

    /// Maps box-normalised coordinates to image pixels like dlib's `unnormalizing_tform(rect)`:
    /// (0,0) → (left, top), (1,0) → (right, top), (1,1) → (right, bottom). Inclusive corners, so
    /// the scale is `right − left` (not the width). Arithmetic in Double.
    @inlinable
    public func imagePoint(normalizedX nx: Double, normalizedY ny: Double) -> SubpixelPoint {
        SubpixelPoint(x: Double(right - left) * nx + Double(left), y: Double(bottom - top) * ny + Double(top))
    }
}
