/// A 150×150 aligned RGB face, the encoder's input (dlib's `extract_image_chip` output with
/// `get_face_chip_details(shape, 150, 0.25)`). Dependency-free so that any module can produce one.
public struct FaceChip: Sendable, Equatable {
    /// Width and height in pixels.
    public static let size = 150
    /// Bytes in `pixels`: size · size · 3.
    public static let byteCount = size * size * 3

    /// `[150, 150, 3]`: row-major, interleaved R, G, B, 8 bits each.
    public let pixels: [UInt8]

    /// Wraps `pixels`; throws `PairNetError.chipSize` unless it holds exactly 150·150·3 bytes.
    public init(pixels: [UInt8]) throws {
        guard pixels.count == FaceChip.byteCount else { throw PairNetError.chipSize(found: pixels.count) }
        self.pixels = pixels
    }
}
