/// A growable, 64-byte-aligned float32 scratch buffer: the arena behind `FeatureMap` views on the hot path.
///
/// `reserve(_:)` only reallocates when the capacity is too small (contents are then lost), so a buffer
/// reused across calls of the same or smaller size never allocates. New memory is not zeroed: layers
/// overwrite every element they expose. A buffer belongs to one thread at a time (hence
/// `@unchecked Sendable`: it may be handed between threads, e.g. through a pool, but never shared).
public final class FloatBuffer: @unchecked Sendable {
    /// Capacity in floats.
    public private(set) var capacity: Int = 0
    /// Start of the storage (`capacity` floats); changes when `reserve` grows the buffer.
    public private(set) var pointer: UnsafeMutablePointer<Float>

    private static let alignment = 64

    /// A buffer of `capacity` floats (uninitialised).
    public init(capacity: Int = 0) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 16) * 4, alignment: Self.alignment)
        pointer = raw.bindMemory(to: Float.self, capacity: max(capacity, 16))
        self.capacity = max(capacity, 16)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Makes room for at least `count` floats. Previous contents are discarded when the buffer grows.
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        UnsafeMutableRawPointer(pointer).deallocate()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: Self.alignment)
        pointer = raw.bindMemory(to: Float.self, capacity: count)
        capacity = count
    }

    /// A view of the first `shape.count` floats as `shape`, growing the buffer if needed.
    public func map(_ shape: Shape4) -> FeatureMap {
        reserve(shape.count)
        return FeatureMap(shape: shape, data: pointer)
    }
}
