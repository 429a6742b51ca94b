/// An axis-aligned face rectangle in image pixels, **inclusive** on all four sides like dlib's `rectangle`:
/// the box covers columns `left...right` and rows `top...bottom`, so `width = right − left + 1`.
///
/// Detector boxes are not clipped to the image: a face at the border can give `left < 0` or `right ≥ width`,
/// exactly as dlib reports it. A box with `right < left` or `bottom < top` is empty (area 0).
public struct FaceBox: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// First column (pixels).
    public var left: Int
    /// First row (pixels).
    public var top: Int
    /// Last column (pixels, inclusive).
    public var right: Int
    /// Last row (pixels, inclusive).
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// The box of `width × height` pixels whose top-left pixel is (`x`, `y`).
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.init(left: x, top: y, right: x + width - 1, bottom: y + height - 1)
    }

    /// `right − left + 1` pixels, 0 when empty.
    @inlinable public var width: Int { right < left ? 0 : right - left + 1 }
    /// `bottom − top + 1` pixels, 0 when empty.
    @inlinable public var height: Int { bottom < top ? 0 : bottom - top + 1 }
    /// `width · height` pixels.
    @inlinable public var area: Int { width * height }
    /// True when the box covers no pixel.
    @inlinable public var isEmpty: Bool { right < left || bottom < top }
    /// The centre in pixel coordinates ((left + right)/2, (top + bottom)/2), as dlib's `dcenter`.
    public var center: (x: Double, y: Double) { (Double(left + right) / 2, Double(top + bottom) / 2) }

    /// The pixels both boxes cover (possibly empty).
    public func intersection(_ other: FaceBox) -> FaceBox {
        FaceBox(left: max(left, other.left), top: max(top, other.top),
                right: min(right, other.right), bottom: min(bottom, other.bottom))
    }

    /// The smallest box containing both (dlib's `a + b`); an empty operand is ignored.
    public func boundingUnion(_ other: FaceBox) -> FaceBox {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return FaceBox(left: min(left, other.left), top: min(top, other.top),
                       right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    /// Intersection over union of the covered pixel sets, in [0, 1]: |A ∩ B| / (|A| + |B| − |A ∩ B|).
    /// This is the usual IoU (used to compare against reference boxes).
    public func intersectionOverUnion(_ other: FaceBox) -> Double {
        let inner = intersection(other).area
        if inner == 0 { return 0 }
        return Double(inner) / Double(area + other.area - inner)
    }

    /// dlib's "IoU" as `test_box_overlap` computes it: |A ∩ B| divided by the area of the **bounding box** of
    /// A and B (`(a + b).area()`), in [0, 1]. It is ≤ `intersectionOverUnion` and is what NMS thresholds.
    public func intersectionOverBoundingUnion(_ other: FaceBox) -> Double {
        let inner = intersection(other).area
        if inner == 0 { return 0 }
        return Double(inner) / Double(boundingUnion(other).area)
    }

    /// The larger of the fractions of each box covered by the other (dlib's `box_percent_covered`), in [0, 1].
    public func fractionCovered(_ other: FaceBox) -> Double {
        let inner = intersection(other).area
        if inner == 0 { return 0 }
        return max(Double(inner) / Double(area), Double(inner) / Double(other.area))
    }

    /// `[left, top, right, bottom]`.
    public var description: String { "[\(left), \(top), \(right), \(bottom)]" }
}
