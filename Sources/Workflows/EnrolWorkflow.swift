import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery

/// A person enrolled by a request: the gallery's outcome and the face each photo gave.
public struct Enrolment: Sendable {
    public let name: String
    public let outcome: FaceGallery.EnrolmentOutcome
    /// Each photo, in the order given, with the face that was enrolled.
    public let photos: [(path: String, face: ImageFace)]

    /// `{"name", "outcome": "added"|"extended"|"replaced", "embeddings": total, "photos": [{"path", "faces_found", "box"}]}`.
    public func json() -> JSONValue {
        let (word, total): (String, Int)
        switch outcome {
        case .added(let n): (word, total) = ("added", n)
        case .extended(let t): (word, total) = ("extended", t)
        case .replaced(let t): (word, total) = ("replaced", t)
        }
        return .object([("name", .string(name)), ("outcome", .string(word)), ("embeddings", .int(total)),
                        ("photos", .array(photos.map { p in
                            .object([("path", .string(p.path)), ("faces_found", .int(p.face.facesFound)),
                                     ("box", p.face.box.map(FaceJSON.box) ?? .null)])
                        }))])
    }
}

/// Enrolment: photos → one embedding each (face 1 by the choice rule) → one gallery transaction.
public enum EnrolWorkflow {
    /// Enrols `name` from `images`. Every photo must give a face: the first that does not is thrown (naming the
    /// image, typed: not an image, too large, no face) and nothing is enrolled. The name is checked (NFC, not empty,
    /// no control characters) before any photo is analysed.
    public static func enroll(name: String, images: [ImageSource], metadata: String?,
                              policy: FaceGallery.ExistingIdentityPolicy = .extend, into gallery: LiveGallery,
                              models: LoadedModels, settings: FaceSettings) throws(WorkflowError) -> Enrolment {
        let key: String
        do { key = try FaceGallery.normalizedName(name) } catch { throw WorkflowError.gallery(error) }
        guard !images.isEmpty else { throw WorkflowError(.badInput, "\(key): at least one image is needed to enrol", input: "image") }
        _ = try models.requireEncoder()
        var photos: [(path: String, face: ImageFace)] = []
        for source in images {
            photos.append((source.path, try FacePicker.face(in: source, models: models, settings: settings)))
        }
        let outcome = try gallery.enroll(name: key, embeddings: photos.map(\.face.embedding), metadata: metadata, policy: policy)
        return Enrolment(name: key, outcome: outcome, photos: photos)
    }
}

/// The enrolled people, as the server lists them.
public enum PeopleWorkflow {
    /// `{"count", "people": [{"name", "embeddings", "metadata"}]}` in enrolment order.
    public static func list(_ gallery: LiveGallery) throws(WorkflowError) -> JSONValue {
        try gallery.read { g in
            .object([("count", .int(g.count)), ("people", .array(g.identities.map(json(identity:))))])
        }
    }

    /// `{"name", "embeddings", "metadata"}` of `name`, or `.unknownPerson`.
    public static func person(_ name: String, in gallery: LiveGallery) throws(WorkflowError) -> JSONValue {
        let key = (try? FaceGallery.normalizedName(name)) ?? name
        return try gallery.read { g throws(WorkflowError) in
            guard let identity = g.identity(named: key) else {
                throw WorkflowError(.unknownPerson, "\(gallery.location): no person named '\(name)'")
            }
            return json(identity: identity)
        }
    }

    static func json(identity i: FaceGallery.Identity) -> JSONValue {
        .object([("name", .string(i.name)), ("embeddings", .int(i.embeddingCount)), ("metadata", i.metadata.map(JSONValue.string) ?? .null)])
    }
}
