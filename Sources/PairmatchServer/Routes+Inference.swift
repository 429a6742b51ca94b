import FaceEmbedding
import Foundation
import HTTPTypes
import Hummingbird
import Workflows

/// The inference routes: compare, embed, detect, identify and verify, on images (multipart or base64 JSON) or on
/// embeddings (JSON). Each is one workflow call on the inference pool; the answer is the workflow's own `--json`
/// shape.
extension RouteTable {
    /// Largest `top` accepted.
    static let maxTop = 100

    func addInferenceRoutes() {
        let state = self.state

        // POST /v1/compare: parts a, b → Comparison.json(details: true, chips: ?chips=1)
        add(.post, "/v1/compare", access: .read) { request, context in
            let models = try state.requireModels()
            let chips = try request.queryFlag("chips")
            let form = try await state.form(request, context)
            let a = try form.image("a"), b = try form.image("b")
            let settings = state.faceSettings
            _ = try models.requireHead()
            // Each photo on its own worker: one compare uses both cores when the server is not busy. A's failure is
            // reported first, as the workflow does.
            async let faceA = state.infer { try FacePicker.face(in: a, models: models, settings: settings) }
            async let faceB = state.infer { try FacePicker.face(in: b, models: models, settings: settings) }
            let fa = try await faceA, fb = try await faceB
            let comparison = try CompareWorkflow.compare(a, face: fa, b, face: fb, models: models)
            context.stats.addFaces((comparison.a?.face.facesFound ?? 0) + (comparison.b?.face.facesFound ?? 0))
            return .json(comparison.json(details: true, chips: chips))
        }

        // POST /v1/compare/embeddings: {"a": [floats], "b": [floats]}
        add(.post, "/v1/compare/embeddings", access: .read) { request, context in
            let models = try state.requireModels()
            let body = try await state.jsonObject(request, context)
            let a = try Self.embedding(body, "a"), b = try Self.embedding(body, "b")
            let comparison = try await state.infer { try CompareWorkflow.compare(embeddings: a, b, models: models) }
            return .json(comparison.json())
        }

        // POST /v1/embed and /v1/detect: part image → FaceJSON.image (with or without the embeddings)
        for (path, embed) in [("/v1/embed", true), ("/v1/detect", false)] {
            add(.post, path, access: .read) { request, context in
                let models = try state.requireModels()
                let form = try await state.form(request, context)
                let image = try form.image("image")
                let settings = state.faceSettings
                let analyzed = try await state.infer { try FacePicker.analyze(image, models: models, settings: settings, embed: embed) }
                context.stats.addFaces(analyzed.faces.count)
                return .json(FaceJSON.image(analyzed, embedding: embed, aligned: settings.analysis.aligned))
            }
        }

        // POST /v1/identify: part image, ?top=k → Identification.json(size: true)
        add(.post, "/v1/identify", access: .read) { request, context in
            let models = try state.requireModels(), gallery = try state.requireGallery()
            let top = try request.queryInt("top", default: 3, range: 1...Self.maxTop)
            let form = try await state.form(request, context)
            let image = try form.image("image")
            let settings = state.faceSettings
            let found = try await state.infer {
                try gallery.read { g throws(WorkflowError) in
                    try IdentifyWorkflow.identify(image, topK: top, gallery: g, models: models, settings: settings)
                }
            }
            context.stats.addFaces(found.faces.count)
            return GalleryStatusHeader.mark(.json(found.json(size: true)), gallery)
        }

        // POST /v1/identify/embeddings: {"embeddings": [[floats]], "top": 3}
        add(.post, "/v1/identify/embeddings", access: .read) { request, context in
            let models = try state.requireModels(), gallery = try state.requireGallery()
            let body = try await state.jsonObject(request, context)
            guard let list = body["embeddings"] else { throw APIError.missingField("embeddings") }
            let items = try list.array("embeddings")
            guard !items.isEmpty else { throw APIError.badRequest("embeddings: expected at least one embedding") }
            let embeddings = try items.enumerated().map { i, item in Embedding(try item.floats("embeddings[\(i)]")) }
            let top = try body["top"].map { v -> Int in
                let t = try v.int("top")
                guard (1...Self.maxTop).contains(t) else { throw APIError.badRequest("top must be from 1 to \(Self.maxTop) (got \(t))") }
                return t
            } ?? 3
            let found = try await state.infer {
                try gallery.read { g throws(WorkflowError) in
                    try IdentifyWorkflow.identify(embeddings: embeddings, topK: top, gallery: g, models: models)
                }
            }
            return GalleryStatusHeader.mark(.json(found.json()), gallery)
        }

        // POST /v1/verify: parts name, image → Verification.json(details: true)
        add(.post, "/v1/verify", access: .read) { request, context in
            let models = try state.requireModels(), gallery = try state.requireGallery()
            let form = try await state.form(request, context)
            let name = try form.requiredText("name")
            let image = try form.image("image")
            let settings = state.faceSettings
            let verification = try await state.infer {
                try gallery.read { g throws(WorkflowError) in
                    try IdentifyWorkflow.verify(image, name: name, gallery: g, models: models, settings: settings)
                }
            }
            context.stats.addFaces(verification.face?.facesFound ?? 0)
            return GalleryStatusHeader.mark(.json(verification.json(details: true)), gallery)
        }

        // POST /v1/verify/embeddings: {"name", "embedding": [floats]}
        add(.post, "/v1/verify/embeddings", access: .read) { request, context in
            let models = try state.requireModels(), gallery = try state.requireGallery()
            let body = try await state.jsonObject(request, context)
            guard let nameValue = body["name"] else { throw APIError.missingField("name") }
            let name = try nameValue.string("name")
            let embedding = try Self.embedding(body, "embedding")
            let verification = try await state.infer {
                try gallery.read { g throws(WorkflowError) in
                    try IdentifyWorkflow.verify(embedding: embedding, name: name, gallery: g, models: models)
                }
            }
            return GalleryStatusHeader.mark(.json(verification.json()), gallery)
        }
    }

    /// The embedding under `field` of a JSON body; 400 naming it when missing or not an array of numbers (its size
    /// and values are the workflow's check).
    static func embedding(_ body: [String: JSONInput], _ field: String) throws -> Embedding {
        guard let value = body[field] else { throw APIError.missingField(field) }
        return Embedding(try value.floats(field))
    }
}

extension ServerState {
    /// The image form of a request (multipart or JSON): 415 for another content type and 503 `busy` when the pool is
    /// full (both before the body is read), 413 over the body limit, 400 when malformed.
    func form(_ request: Request, _ context: ServerRequestContext) async throws -> RequestForm {
        let type = request.headers[.contentType]
        switch ContentKind(type) {
        case .multipart, .json: break
        case .missing: throw APIError.unsupportedMediaType("no Content-Type; send multipart/form-data or application/json")
        case .other(let t):
            throw APIError.unsupportedMediaType("Content-Type \(t.prefix(80)) is not supported here; send multipart/form-data or application/json")
        }
        try admit()
        let body = try await RequestBodyReader.read(request, limit: configuration.maxBodyBytes, stats: context.stats)
        return try RequestForm.parse(body, contentType: type)
    }

    /// The JSON object body of a request: 415 unless `application/json`, 503 `busy` when the pool is full (before the
    /// body is read), 413 over the body limit, 400 when malformed.
    func jsonObject(_ request: Request, _ context: ServerRequestContext) async throws -> [String: JSONInput] {
        guard ContentKind(request.headers[.contentType]) == .json else {
            throw APIError.unsupportedMediaType("this route reads application/json (got \(request.headers[.contentType].map { String($0.prefix(80)) } ?? "no Content-Type"))")
        }
        try admit()
        let body = try await RequestBodyReader.read(request, limit: configuration.maxBodyBytes, stats: context.stats)
        return try JSONInput.object(from: body)
    }
}
