import ImageInput

extension FaceBox {
    /// Maps box-normalised coordinates to image pixels like dlib's `unnormalizing_tform(rect)`:
    /// (0,0) → (left, top), (1,0) → (right, top), (1,1) → (right, bottom). Inclusive corners, so
    /// the scale is `right − left` (not the width). Arithmetic in Double.
    @inlinable
    public func imagePoint(normalizedX nx: Double, normalizedY ny: Double) -> SubpixelPoint {
        SubpixelPoint(x: Double(right - left) * nx + Double(left), y: Double(bottom - top) * ny + Double(top))
    }
}
