/// A non-owning view of an NCHW float32 buffer (`[N, C, H, W]`, contiguous, see `Shape4`).
///
/// Layers read and write feature maps through views so that the storage can live in a preallocated
/// arena (`FloatBuffer`) and the hot path allocates nothing. The creator guarantees that `data` points at
/// `shape.count` initialised floats for as long as the view is used. Views are not `Sendable`: a view is used
/// by the thread that owns the storage.
public struct FeatureMap {
    public let shape: Shape4
    public let data: UnsafeMutablePointer<Float>

    @inlinable public init(shape: Shape4, data: UnsafeMutablePointer<Float>) {
        self.shape = shape
        self.data = data
    }

    /// The first element of plane (image `n`, channel `c`): `[H, W]` contiguous.
    @inlinable public func plane(_ n: Int, _ c: Int) -> UnsafeMutablePointer<Float> {
        data + (n * shape.c + c) * shape.planeCount
    }

    /// The first element of image `n`: `[C, H, W]` contiguous.
    @inlinable public func image(_ n: Int) -> UnsafeMutablePointer<Float> {
        data + n * shape.imageCount
    }

    /// Element (image, channel, row, column); no bounds checks in release builds.
    @inlinable public subscript(n: Int, c: Int, y: Int, x: Int) -> Float {
        get { data[((n * shape.c + c) * shape.h + y) * shape.w + x] }
        nonmutating set { data[((n * shape.c + c) * shape.h + y) * shape.w + x] = newValue }
    }

    /// The same storage seen with another shape of equal or smaller element count (e.g. [N, C, 1, 1] as
    /// [N, C·1·1, 1, 1]).
    @inlinable public func reshaped(_ newShape: Shape4) -> FeatureMap {
        precondition(newShape.count <= shape.count, "reshape \(shape) -> \(newShape) needs more storage")
        return FeatureMap(shape: newShape, data: data)
    }

    /// A copy of the elements as an array, `[N, C, H, W]` row-major.
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: shape.count)) }
}

/// An owning NCHW float32 tensor with value semantics: `values.count == shape.count`.
/// Convenient for tests, weights and one-off calls; the hot path uses `FeatureMap` views into a `FloatBuffer`.
public struct Tensor4: Sendable, Equatable {
    public let shape: Shape4
    /// `[N, C, H, W]` row-major.
    public var values: [Float]

    /// Wraps `values`; precondition: `values.count == shape.count`.
    public init(shape: Shape4, values: [Float]) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(zeros shape: Shape4) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.count))
    }

    /// Element (image, channel, row, column).
    public subscript(n: Int, c: Int, y: Int, x: Int) -> Float {
        get { values[((n * shape.c + c) * shape.h + y) * shape.w + x] }
        set { values[((n * shape.c + c) * shape.h + y) * shape.w + x] = newValue }
    }

    /// Calls `body` with a view of this tensor's storage (valid only inside `body`).
    public mutating func withFeatureMap<R>(_ body: (FeatureMap) throws -> R) rethrows -> R {
        let shape = self.shape
        return try values.withUnsafeMutableBufferPointer { try body(FeatureMap(shape: shape, data: $0.baseAddress!)) }
    }
}
