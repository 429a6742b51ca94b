import FaceAnalysis
import Foundation
import ImageInput

/// Where a workflow's image comes from: a file the CLI was given, or the bytes of an upload the server received.
public enum ImageSource: Sendable {
    /// A file path (read through `BoundedFile`: regular files only, size limit).
    case file(String)
    /// Uploaded bytes; `field` is the request field (e.g. "a", "image"), `name` the uploaded file's name when it has one.
    case upload(field: String, name: String?, bytes: Data)

    /// How messages name the image: the path, or "field (file name)" / "field" for uploads.
    public var label: String {
        switch self {
        case .file(let path): return path
        case .upload(let field, let name, _): return name.map { "\(field) (\($0))" } ?? field
        }
    }

    /// The path printed in JSON answers: the file's path, or the upload's file name (else its field).
    public var path: String {
        switch self {
        case .file(let path): return path
        case .upload(let field, let name, _): return name ?? field
        }
    }

    /// The request field or file to name in a `WorkflowError`.
    public var input: String {
        switch self {
        case .file(let path): return path
        case .upload(let field, _, _): return field
        }
    }

    /// The decoded image, EXIF orientation applied, within `limits`; a failure names the image (`label`).
    public func decode(limits: ImageLimits) throws(WorkflowError) -> RGBImage {
        do {
            switch self {
            case .file(let path): return try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path), limits: limits)
            case .upload(_, _, let bytes):
                guard bytes.count <= limits.maxBytes else {
                    throw ImageInputError.fileTooLarge(file: label, bytes: bytes.count, limit: limits.maxBytes)
                }
                return try ImageDecoder.decode(data: bytes, name: label, limits: limits)
            }
        } catch let e as ImageInputError {
            throw WorkflowError.image(e, input: input)
        } catch {
            throw WorkflowError(.notAnImage, "\(label): \(error)", input: input)
        }
    }
}
