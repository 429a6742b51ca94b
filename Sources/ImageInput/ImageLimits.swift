/// Safety limits: the file size, checked by `BoundedFile` before the file's body is read, and the size stated
/// in a file's header, checked by the decoders before any pixel buffer is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// The largest accepted `width × height`, in pixels. Default 50 000 000 (150 MB of RGB samples).
    public var maxPixels: Int
    /// The largest accepted file, in bytes. Default `BoundedFile.defaultMaxBytes` (256 MiB).
    public var maxBytes: Int

    public init(maxPixels: Int = 50_000_000, maxBytes: Int = BoundedFile.defaultMaxBytes) {
        self.maxPixels = maxPixels
        self.maxBytes = maxBytes
    }

    /// `maxPixels` = 50 000 000, `maxBytes` = 256 MiB.
    public static let `default` = ImageLimits()

    /// Throws `.tooLarge` (naming `file`) when `width × height` exceeds `maxPixels`, or the sizes are not positive
    /// (`.corrupt`).
    func check(width: Int, height: Int, file: String, format: ImageFormat) throws {
        guard width > 0, height > 0 else {
            throw ImageInputError.corrupt(file: file, format: format, detail: "image size \(width)x\(height)")
        }
        let (n, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || n > maxPixels {
            throw ImageInputError.tooLarge(file: file, width: width, height: height, maxPixels: maxPixels)
        }
    }
}
