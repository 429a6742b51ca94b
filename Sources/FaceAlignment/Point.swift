/// A pixel location with integer coordinates, like dlib's `point`: column `x`, row `y`, 0-based from the
/// top-left pixel. Landmarks come out as `Point`s after rounding with `floor(v + 0.5)`.
public struct Point: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Column in pixels.
    public var x: Int
    /// Row in pixels.
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }
}

/// A sub-pixel location in image coordinates (pixels; pixel centres at integer coordinates, like dlib).
public struct SubpixelPoint: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Column in pixels.
    public var x: Double
    /// Row in pixels.
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Nearest pixel by dlib's rule (`floor(v + 0.5)` per coordinate, so halves round up).
    @inlinable
    public var rounded: Point {
        Point(x: Int((x + 0.5).rounded(.down)), y: Int((y + 0.5).rounded(.down)))
    }

    public var description: String { "(\(x), \(y))" }
}

extension Point {
    /// The same location as a `SubpixelPoint`.
    @inlinable
    public var subpixel: SubpixelPoint { SubpixelPoint(x: Double(x), y: Double(y)) }
}
