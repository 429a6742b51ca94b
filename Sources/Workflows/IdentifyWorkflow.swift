import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery
import ImageInput
import LogisticHead

/// Who is in an image: every face with its top-k gallery matches and the decision (a name, or unknown).
public struct Identification: Sendable {
    public let path: String
    /// The image's size in pixels (0 for embeddings given directly).
    public let width: Int, height: Int
    /// Faces largest first, each with its search result (`matches` best first; `decision` nil = unknown).
    public let faces: [(box: FaceBox?, result: SearchResult)]

    /// The CLI's `--json` line: `{"path", "faces": [{"box", "matches": [{"name", "probability", "distance"}], "decision"}]}`;
    /// `size` adds `width` and `height` after `path`.
    public func json(size: Bool = false) -> JSONValue {
        let list: [JSONValue] = faces.map { f in
            .object([("box", f.box.map(FaceJSON.box) ?? .null),
                     ("matches", .array(f.result.matches.map(IdentifyWorkflow.json(match:)))),
                     ("decision", .string(f.result.decision ?? "unknown"))])
        }
        var o: [(String, JSONValue)] = [("path", .string(path))]
        if size { o += [("width", .int(width)), ("height", .int(height))] }
        o.append(("faces", .array(list)))
        return .object(o)
    }
}

/// Identify (1:N, open set) and verify (1:1 against an enrolled name).
public enum IdentifyWorkflow {
    /// Every face of `source` against `gallery`; an image with no face is an answer with no faces, not an error, and
    /// against an empty gallery every face is unknown (no matches).
    public static func identify(_ source: ImageSource, topK: Int, gallery: FaceGallery, models: LoadedModels,
                                settings: FaceSettings) throws(WorkflowError) -> Identification {
        let head = try models.requireHead()
        let analyzed = try FacePicker.analyze(source, models: models, settings: settings)
        let results = try search(analyzed.faces.map { $0.embedding! }, topK: topK, gallery: gallery, head: head)
        return Identification(path: analyzed.path, width: analyzed.width, height: analyzed.height,
                              faces: zip(analyzed.faces, results).map { ($0.box, $1) })
    }

    /// Embeddings given directly (each checked: the encoder's dimension, finite) against `gallery`.
    public static func identify(embeddings: [Embedding], topK: Int, gallery: FaceGallery,
                                models: LoadedModels) throws(WorkflowError) -> Identification {
        let head = try models.requireHead()
        for (i, e) in embeddings.enumerated() { try EmbeddingCheck.check(e, field: "embeddings[\(i)]", dimension: head.dimension) }
        let results = try search(embeddings, topK: topK, gallery: gallery, head: head)
        return Identification(path: "embeddings", width: 0, height: 0, faces: results.map { (nil, $0) })
    }

    /// Is face 1 (by the choice rule) of `source` the enrolled person `name`?
    public static func verify(_ source: ImageSource, name: String, gallery: FaceGallery, models: LoadedModels,
                              settings: FaceSettings) throws(WorkflowError) -> Verification {
        let head = try models.requireHead()
        let face = try FacePicker.face(in: source, models: models, settings: settings)
        return try verify(face.embedding, name: name, gallery: gallery, head: head, path: source.path, face: face)
    }

    /// Is `embedding` the enrolled person `name`?
    public static func verify(embedding: Embedding, name: String, gallery: FaceGallery,
                              models: LoadedModels) throws(WorkflowError) -> Verification {
        let head = try models.requireHead()
        try EmbeddingCheck.check(embedding, field: "embedding", dimension: head.dimension)
        return try verify(embedding, name: name, gallery: gallery, head: head, path: nil, face: nil)
    }

    static func verify(_ e: Embedding, name: String, gallery: FaceGallery, head: LogisticHead, path: String?,
                       face: ImageFace?) throws(WorkflowError) -> Verification {
        let match: Match
        let key: String
        do { key = try FaceGallery.normalizedName(name) } catch { throw WorkflowError.gallery(error) }
        do { match = try gallery.verify(e, name: key, scorer: head) } catch { throw WorkflowError.gallery(error) }
        return Verification(name: key, match: match, threshold: head.threshold, path: path, face: face)
    }

    static func search(_ queries: [Embedding], topK: Int, gallery: FaceGallery, head: LogisticHead) throws(WorkflowError) -> [SearchResult] {
        guard topK >= 1 else { throw WorkflowError(.badInput, "top must be at least 1 (got \(topK))") }
        guard !queries.isEmpty else { return [] }
        guard !gallery.isEmpty else { return queries.map { _ in SearchResult(matches: []) } }
        do { return try gallery.search(queries, topK: topK, scorer: head) } catch { throw WorkflowError.gallery(error) }
    }

    /// `{"name", "probability", "distance"}`.
    static func json(match m: Match) -> JSONValue {
        .object([("name", .string(m.name)), ("probability", .float(m.probability)), ("distance", .float(m.distance))])
    }
}

/// The answer to "is this the enrolled person NAME?".
public struct Verification: Sendable {
    public let name: String
    public let match: Match
    public let threshold: Float
    /// The image (nil for an embedding given directly) and the face used.
    public let path: String?
    public let face: ImageFace?

    /// The CLI's `--json` shape: `{"name", "probability", "distance", "same", "threshold", "path"}`; `details` adds `box`
    /// and `faces_found`.
    public func json(details: Bool = false) -> JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(name)), ("probability", .float(match.probability)),
                                        ("distance", .float(match.distance)), ("same", .bool(match.isAccepted)),
                                        ("threshold", .float(threshold)), ("path", path.map(JSONValue.string) ?? .null)]
        if details, let face { o += [("box", face.box.map(FaceJSON.box) ?? .null), ("faces_found", .int(face.facesFound))] }
        return .object(o)
    }
}
