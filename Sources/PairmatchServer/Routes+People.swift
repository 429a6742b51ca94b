import Foundation
import HTTPTypes
import Hummingbird
import Workflows

/// The gallery routes: enrol (write), list and get (read), delete (write). Gallery calls run on the inference pool
/// too (the store may touch the disk; the event loop must not).
extension RouteTable {
    func addPeopleRoutes() {
        let state = self.state

        // POST /v1/people: parts name, image (one or more), metadata?, replace? → 201 Enrolment.json()
        add(.post, "/v1/people", access: .write) { request, context in
            let models = try state.requireModels(), gallery = try state.requireGallery()
            let form = try await state.form(request, context)
            let name = try form.requiredText("name")
            let images = try form.images(part: "image", key: "images")
            let metadata = try form.text("metadata")
            let replace = try form.bool("replace") ?? request.queryFlag("replace")
            let settings = state.faceSettings
            let enrolment = try await state.infer {
                try EnrolWorkflow.enroll(name: name, images: images, metadata: metadata, policy: replace ? .replace : .extend,
                                         into: gallery, models: models, settings: settings)
            }
            context.stats.addFaces(images.count)
            state.updateGalleryMetrics()
            return .json(enrolment.json(), status: .created)
        }

        // GET /v1/people → {"count", "people": [{"name", "embeddings", "metadata"}]}
        add(.get, "/v1/people", access: .read) { _, _ in
            let gallery = try state.requireGallery()
            return GalleryStatusHeader.mark(.json(try await state.infer { try PeopleWorkflow.list(gallery) }), gallery)
        }

        // GET /v1/people/{name} → {"name", "embeddings", "metadata"}; 404 unknown_person
        add(.get, "/v1/people/{name}", access: .read) { request, context in
            let gallery = try state.requireGallery()
            let name = try request.pathParameter("name", context: context)
            return GalleryStatusHeader.mark(.json(try await state.infer { try PeopleWorkflow.person(name, in: gallery) }), gallery)
        }

        // DELETE /v1/people/{name} → 200 {"name", "deleted": true}; 404 unknown_person
        add(.delete, "/v1/people/{name}", access: .write) { request, context in
            let gallery = try state.requireGallery()
            let name = try request.pathParameter("name", context: context)
            try await state.infer { try gallery.remove(name: name) }
            state.updateGalleryMetrics()
            return .json(.object([("name", .string(name)), ("deleted", .bool(true))]))
        }
    }
}
