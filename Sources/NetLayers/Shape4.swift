/// The shape of a batched NCHW float32 feature map: `n` images × `c` channels × `h` rows × `w` columns,
/// stored contiguously with the column index fastest (offset = ((n·c + ch)·h + y)·w + x).
public struct Shape4: Hashable, Sendable, CustomStringConvertible {
    /// Images in the batch.
    public var n: Int
    /// Channels per image.
    public var c: Int
    /// Rows per plane (pixels).
    public var h: Int
    /// Columns per plane (pixels).
    public var w: Int

    public init(n: Int, c: Int, h: Int, w: Int) {
        precondition(n >= 0 && c >= 0 && h >= 0 && w >= 0, "negative dimension in [\(n), \(c), \(h), \(w)]")
        self.n = n; self.c = c; self.h = h; self.w = w
    }

    /// Elements in the whole batch: n·c·h·w.
    @inlinable public var count: Int { n * c * h * w }
    /// Elements in one plane: h·w.
    @inlinable public var planeCount: Int { h * w }
    /// Elements in one image: c·h·w.
    @inlinable public var imageCount: Int { c * h * w }

    /// The same shape with another batch size.
    @inlinable public func with(n: Int) -> Shape4 { Shape4(n: n, c: c, h: h, w: w) }

    /// dlib's `add_prev` result shape: the larger size in every dimension.
    @inlinable public func union(_ other: Shape4) -> Shape4 {
        Shape4(n: max(n, other.n), c: max(c, other.c), h: max(h, other.h), w: max(w, other.w))
    }

    public var description: String { "[\(n), \(c), \(h), \(w)]" }
}
