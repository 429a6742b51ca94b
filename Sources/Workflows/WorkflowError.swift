import FaceAnalysis
import Foundation
import Gallery
import GalleryStore
import ImageInput

/// Why a workflow could not answer: one line naming the input (a file, an upload's field, a person) and a kind that
/// each front end maps on its own terms: the CLI to an exit code, the server to an HTTP status and error code.
/// Nothing a request can trigger stops the process: every failure of a workflow is one of these.
public struct WorkflowError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, by who is to fix it.
    public enum Kind: String, Sendable, CaseIterable {
        /// A malformed request or argument (bad name, bad field, bad number).
        case badInput
        /// Options that do not go together (e.g. jitter with an encoder that reads whole images): a usage error.
        case usage
        /// The bytes or file are not a usable image (unknown signature, corrupt, truncated, missing file).
        case notAnImage
        /// The image or file is over a size or pixel limit.
        case tooLarge
        /// The image holds no face (or not the face asked for).
        case noFace
        /// No enrolled person of that name.
        case unknownPerson
        /// The gallery refused the change (e.g. the person is enrolled and the caller asked to refuse).
        case conflict
        /// A model, head or encoder file is missing, corrupt or of the wrong kind: the operator's problem.
        case model
        /// The gallery store is missing, corrupt, locked or of another encoder: the operator's problem.
        case gallery
        /// The gallery's database server cannot be reached now (down, restarting, refusing logins): nothing was
        /// written; the same request may succeed later.
        case unavailable
        /// Some inputs of a batch failed; the rest finished.
        case partial
    }

    public let kind: Kind
    /// One line, naming the input and the cause.
    public let message: String
    /// The request field or file the error is about (e.g. "a", "b", "image"), when one is.
    public let input: String?

    public init(_ kind: Kind, _ message: String, input: String? = nil) {
        self.kind = kind
        self.message = message
        self.input = input
    }

    public var description: String { message }

    /// The CLI's documented exit code: 1 partial, 2 bad input (any input the user can fix), 3 model or gallery file
    /// (or the gallery's database unreachable), 64 usage.
    public var exitCode: Int32 {
        switch kind {
        case .usage: return 64
        case .partial: return 1
        case .badInput, .notAnImage, .tooLarge, .noFace, .unknownPerson, .conflict: return 2
        case .model, .gallery, .unavailable: return 3
        }
    }

    /// The HTTP status the server answers with. Bad input is never a 5xx.
    public var httpStatus: Int {
        switch kind {
        case .badInput, .usage: return 400
        case .unknownPerson: return 404
        case .conflict: return 409
        case .tooLarge: return 413
        case .notAnImage: return 415
        case .noFace: return 422
        case .model, .gallery, .partial: return 500
        case .unavailable: return 503
        }
    }

    /// The stable error code in `{"error": {"code", "message"}}`.
    public var code: String {
        switch kind {
        case .badInput, .usage: return "bad_request"
        case .notAnImage: return "not_an_image"
        case .tooLarge: return "too_large"
        case .noFace: return "no_face"
        case .unknownPerson: return "unknown_person"
        case .conflict: return "conflict"
        case .model: return "model_error"
        case .gallery: return "gallery_error"
        case .unavailable: return "gallery_unavailable"
        case .partial: return "partial"
        }
    }

    /// The failure of one image of a request or batch, by its kind (`input`: the field or file it came from).
    public static func image(_ failure: ImageFailure, input: String? = nil) -> WorkflowError {
        switch failure.reason {
        case .image(let e): return image(e, input: input)
        case .noFace, .noSuchFace: return WorkflowError(.noFace, failure.message, input: input)
        case .analysis: return WorkflowError(.model, failure.message, input: input)
        case .other: return WorkflowError(.badInput, failure.message, input: input)
        }
    }

    /// An image that could not be read or decoded, by its kind.
    public static func image(_ error: ImageInputError, input: String? = nil) -> WorkflowError {
        switch error {
        case .fileTooLarge, .tooLarge: return WorkflowError(.tooLarge, "\(error)", input: input)
        case .missingFile, .isDirectory, .notRegularFile, .unreadable: return WorkflowError(.badInput, "\(error)", input: input)
        default: return WorkflowError(.notAnImage, "\(error)", input: input)
        }
    }

    /// A gallery refusal as the caller's error (bad name, unknown person, conflict) or the store's (file problems; an
    /// unreachable database server is `.unavailable`).
    public static func gallery(_ error: Error) -> WorkflowError {
        if case GalleryStoreError.unavailable = error { return WorkflowError(.unavailable, "\(error)") }
        guard let g = error as? GalleryError else { return WorkflowError(.gallery, "\(error)") }
        switch g {
        case .invalidName, .metadataTooLong, .noEmbeddings, .nonFiniteEmbedding, .invalidTopK, .embeddingDimensionMismatch:
            return WorkflowError(.badInput, "\(g)")
        case .unknownIdentity: return WorkflowError(.unknownPerson, "\(g)")
        case .alreadyEnrolled: return WorkflowError(.conflict, "\(g)")
        case .tooLarge: return WorkflowError(.conflict, "\(g)")
        case .encoderMismatch, .scorerEncoderMismatch, .dimensionMismatch, .scorerDimensionMismatch, .corrupt:
            return WorkflowError(.gallery, "\(g)")
        }
    }
}
