import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes JPEG (TurboJPEG), PNG (libpng) and PGM/PPM (native) files to `RGBImage`.
///
/// The format comes from the leading bytes, never the file extension. Every decoder checks the header's
/// `width × height` against `ImageLimits.maxPixels` before allocating pixels, and decodes straight into the
/// returned image's buffer (no intermediate copy for 8-bit RGB/gray JPEG and alpha-free PNG).
///
/// Pixel rules (chosen to equal dlib's `load_image` where dlib reads the format):
/// - JPEG: libjpeg's defaults (ISLOW integer IDCT, fancy upsampling); gray → r = g = b; CMYK/YCCK (Adobe,
///   inverted) → `r = c·k/255` etc.; the EXIF orientation (APP1, tag 0x0112) is applied when
///   `applyOrientation` is true (dlib does not apply it). Any libjpeg warning (e.g. a premature end of data)
///   is an error, not a partial image.
/// - PNG: any bit depth/colour type; 16-bit samples are scaled to 8 bits (16-bit data without gAMA/sRGB is
///   taken as sRGB-encoded, not linear); alpha is DROPPED, not composited (dlib's rule). libpng's
///   simplified API converts files whose gAMA chunk is far from sRGB to sRGB (dlib ignores gAMA).
/// - PGM/PPM (P2, P3, P5, P6): comments allowed, maxval 1…65535, samples scaled to 0…255 with rounding when
///   maxval ≠ 255; gray → r = g = b.
///
/// Thread safety: every call is independent (one TurboJPEG handle / png_image per call); safe to call
/// concurrently.
public enum ImageDecoder {
    /// Reads and decodes the file at `url`, read through `BoundedFile`: a FIFO, device or socket is refused
    /// without opening it, a file without an image signature after its first bytes, a file over
    /// `limits.maxBytes` before its body is read.
    /// - Parameters:
    ///   - limits: the file-size limit, and the pixel limit checked from the header before allocating.
    ///   - applyOrientation: rotate/flip JPEGs by their EXIF orientation (default true).
    /// - Throws: `ImageInputError` naming `url.relativePath`: missing, directory, not a regular file, unreadable,
    ///   empty, not an image, unsupported, file too large, truncated, corrupt, too many pixels.
    public static func decode(contentsOf url: URL, limits: ImageLimits = .default,
                              applyOrientation: Bool = true) throws -> RGBImage {
        let file = url.relativePath
        let bytes = try readFile(path: url.path, name: file, maxBytes: limits.maxBytes)   // [fileSize]
        return try bytes.withUnsafeBytes {
            try decode(bytes: $0, name: file, limits: limits, applyOrientation: applyOrientation)
        }
    }

    /// Decodes an in-memory encoded image; `name` is used in error messages (e.g. the original file name).
    public static func decode(data: Data, name: String, limits: ImageLimits = .default,
                              applyOrientation: Bool = true) throws -> RGBImage {
        try data.withUnsafeBytes {
            try decode(bytes: $0, name: name, limits: limits, applyOrientation: applyOrientation)
        }
    }

    /// Decodes encoded bytes without copying them; `name` is used in error messages.
    public static func decode(bytes: UnsafeRawBufferPointer, name: String, limits: ImageLimits = .default,
                              applyOrientation: Bool = true) throws -> RGBImage {
        guard bytes.count > 0 else { throw ImageInputError.empty(file: name) }
        switch ImageFormat.sniff(bytes) {
        case .supported(.jpeg):
            return try JPEGDecoder.decode(bytes, file: name, limits: limits, applyOrientation: applyOrientation)
        case .supported(.png):
            return try PNGDecoder.decode(bytes, file: name, limits: limits)
        case .supported(let fmt):   // .pgm, .ppm
            return try PNMDecoder.decode(bytes, file: name, format: fmt, limits: limits)
        case .unsupported(let what):
            throw ImageInputError.unsupportedFormat(file: name, what: what)
        case .unknown:
            throw ImageInputError.notAnImage(file: name)
        }
    }

    /// The supported format `data` is in by its signature, or nil (unknown or unsupported).
    public static func format(of data: Data) -> ImageFormat? {
        data.withUnsafeBytes { bytes in
            if case .supported(let f) = ImageFormat.sniff(bytes) { return f }
            return nil
        }
    }

    /// Reads the regular file at `path` through `BoundedFile` (no FIFOs or devices, at most `maxBytes`), refusing
    /// it from its first bytes when they carry no supported image signature; failures are `ImageInputError`s
    /// naming `name`.
    static func readFile(path: String, name: String, maxBytes: Int = BoundedFile.defaultMaxBytes) throws -> [UInt8] {
        do {
            return try BoundedFile.read(path: path, name: name, maxBytes: maxBytes) { head in
                switch ImageFormat.sniff(head) {
                case .supported: return
                case .unsupported(let what): throw ImageInputError.unsupportedFormat(file: name, what: what)
                case .unknown: throw ImageInputError.notAnImage(file: name)
                }
            }
        } catch let e as BoundedFileError {
            switch e {
            case .missingFile(let f): throw ImageInputError.missingFile(file: f)
            case .isDirectory(let f): throw ImageInputError.isDirectory(file: f)
            case .notRegularFile(let f, let kind): throw ImageInputError.notRegularFile(file: f, kind: kind)
            case .unreadable(let f, let r): throw ImageInputError.unreadable(file: f, reason: r)
            case .empty(let f): throw ImageInputError.empty(file: f)
            case .tooLarge(let f, let bytes, let limit): throw ImageInputError.fileTooLarge(file: f, bytes: bytes, limit: limit)
            }
        }
    }
}
