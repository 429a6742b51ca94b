/// Why an image could not be read, decoded or written. Every case names the file (the path or name the
/// caller gave) and `description` is one line, e.g. `photo.jpg: truncated JPEG data (Premature end of JPEG file)`.
public enum ImageInputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at the path.
    case missingFile(file: String)
    /// The path names a directory.
    case isDirectory(file: String)
    /// The path names a FIFO, a device, a socket or another special file (`kind`); refused without reading it.
    case notRegularFile(file: String, kind: String)
    /// The file holds `bytes` bytes, more than `limit` (`ImageLimits.maxBytes`); refused before its body is read.
    case fileTooLarge(file: String, bytes: Int, limit: Int)
    /// The file exists but cannot be opened or read (`reason`: the system's message, e.g. permission denied).
    case unreadable(file: String, reason: String)
    /// The file holds zero bytes.
    case empty(file: String)
    /// The leading bytes match no known image format.
    case notAnImage(file: String)
    /// A recognised format or variant that is not supported (`what`: e.g. "GIF", "1-bit PBM (P4)").
    case unsupportedFormat(file: String, what: String)
    /// The data ends before the image does (`detail`: the decoder's message).
    case truncated(file: String, format: ImageFormat, detail: String)
    /// The data is malformed (`detail`: the decoder's message).
    case corrupt(file: String, format: ImageFormat, detail: String)
    /// The header states `width × height` pixels, more than `maxPixels` (`ImageLimits`).
    case tooLarge(file: String, width: Int, height: Int, maxPixels: Int)
    /// Writing the file failed (`reason`: the system's or encoder's message).
    case writeFailed(file: String, reason: String)
    /// `RGBImage` was given a pixel buffer of `count` bytes that does not match `[height, width, 3]`.
    case invalidShape(width: Int, height: Int, count: Int)

    public var description: String {
        switch self {
        case .missingFile(let f): return "\(f): no such file"
        case .isDirectory(let f): return "\(f): is a directory, not an image file"
        case .notRegularFile(let f, let k): return "\(f): is a \(k), not a regular image file"
        case .fileTooLarge(let f, let b, let l): return "\(f): file too large (\(b) bytes, limit \(l) bytes)"
        case .unreadable(let f, let r): return "\(f): cannot read file (\(r))"
        case .empty(let f): return "\(f): empty file"
        case .notAnImage(let f): return "\(f): not an image (unknown file signature; expected JPEG, PNG, PGM or PPM)"
        case .unsupportedFormat(let f, let w): return "\(f): unsupported image format (\(w))"
        case .truncated(let f, let fmt, let d): return "\(f): truncated \(fmt.rawValue) data (\(d))"
        case .corrupt(let f, let fmt, let d): return "\(f): corrupt \(fmt.rawValue) data (\(d))"
        case .tooLarge(let f, let w, let h, let m):
            return "\(f): image too large (\(w)x\(h) = \(w.multipliedReportingOverflow(by: h).partialValue) pixels, limit \(m))"
        case .writeFailed(let f, let r): return "\(f): cannot write file (\(r))"
        case .invalidShape(let w, let h, let c):
            return "RGBImage \(w)x\(h): pixel buffer holds \(c) bytes, expected width*height*3 with positive sizes"
        }
    }
}
