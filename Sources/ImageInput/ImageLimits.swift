/// Safety limits applied by the decoders to the size stated in a file's header, before any pixel
/// buffer is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// The largest accepted `width × height`, in pixels. Default 50 000 000 (150 MB of RGB samples).
    public var maxPixels: Int

    public init(maxPixels: Int = 50_000_000) {
        self.maxPixels = maxPixels
    }

    /// `maxPixels` = 50 000 000.
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
