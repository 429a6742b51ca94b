// TEMPORARY: stand-ins for Workflows' LiveGallery / Enrolment / EnrolWorkflow / PeopleWorkflow (announced, not yet in
// Sources/Workflows), with the announced signatures, so the server builds and its tests run. Delete this file as
// soon as the real ones exist (they shadow nothing: this module's declarations win until then).
import FaceAnalysis
import FaceEmbedding
import Foundation
import Gallery
import Workflows

public final class LiveGallery: @unchecked Sendable {
    private let lock = NSLock()
    private var gallery: FaceGallery
    private let url: URL
    public let location: String

    public static func open(_ location: String, encoderFingerprint: String, dimension: Int) throws(WorkflowError) -> LiveGallery {
        var path = location
        if path.hasPrefix("sqlite:") { path = String(path.dropFirst(7)) }
        if path.hasSuffix(".db") { path += ".h5" }
        let url = URL(fileURLWithPath: path)
        do {
            return LiveGallery(location: location, url: url,
                               gallery: try FaceGallery.loadOrCreate(at: url, encoderFingerprint: encoderFingerprint, dimension: dimension))
        } catch { throw WorkflowError.gallery(error) }
    }

    private init(location: String, url: URL, gallery: FaceGallery) {
        self.location = location
        self.url = url
        self.gallery = gallery
    }

    public func read<R>(_ body: (FaceGallery) throws(WorkflowError) -> R) throws(WorkflowError) -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(gallery)
    }

    public var count: Int { lock.withLock { gallery.count } }
    public var embeddingCount: Int { lock.withLock { gallery.embeddingCount } }

    public func enroll(name: String, embeddings: [Embedding], metadata: String?,
                       policy: FaceGallery.ExistingIdentityPolicy) throws(WorkflowError) -> FaceGallery.EnrolmentOutcome {
        lock.lock(); defer { lock.unlock() }
        var copy = gallery
        let outcome: FaceGallery.EnrolmentOutcome
        do { outcome = try copy.enroll(name: name, embeddings: embeddings, metadata: metadata, ifEnrolled: policy) } catch {
            throw WorkflowError.gallery(error)
        }
        do { try copy.save(to: url) } catch { throw WorkflowError(.gallery, "\(error)") }
        gallery = copy
        return outcome
    }

    public func remove(name: String) throws(WorkflowError) {
        lock.lock(); defer { lock.unlock() }
        let key: String
        do { key = try FaceGallery.normalizedName(name) } catch { throw WorkflowError.gallery(error) }
        var copy = gallery
        guard copy.remove(name: key) else { throw WorkflowError(.unknownPerson, "\(key): no such person in \(location)") }
        do { try copy.save(to: url) } catch { throw WorkflowError(.gallery, "\(error)") }
        gallery = copy
    }

    public func close() {}
}

public struct Enrolment: Sendable {
    public let name: String
    public let outcome: FaceGallery.EnrolmentOutcome
    let photos: [(path: String, face: ImageFace)]

    public func json() -> JSONValue {
        let (word, n): (String, Int) = switch outcome {
        case .added(let e): ("added", e)
        case .extended(let t): ("extended", t)
        case .replaced(let t): ("replaced", t)
        }
        return .object([("name", .string(name)), ("outcome", .string(word)), ("embeddings", .int(n)),
                        ("photos", .array(photos.map { p in
                            .object([("path", .string(p.path)), ("faces_found", .int(p.face.facesFound)),
                                     ("box", p.face.box.map(FaceJSON.box) ?? .null)])
                        }))])
    }
}

public enum EnrolWorkflow {
    public static func enroll(name: String, images: [ImageSource], metadata: String?, policy: FaceGallery.ExistingIdentityPolicy = .extend,
                              into gallery: LiveGallery, models: LoadedModels, settings: FaceSettings) throws(WorkflowError) -> Enrolment {
        let key: String
        do { key = try FaceGallery.normalizedName(name) } catch { throw WorkflowError.gallery(error) }
        var photos: [(path: String, face: ImageFace)] = []
        for image in images { photos.append((image.path, try FacePicker.face(in: image, models: models, settings: settings))) }
        let outcome = try gallery.enroll(name: key, embeddings: photos.map(\.face.embedding), metadata: metadata, policy: policy)
        return Enrolment(name: key, outcome: outcome, photos: photos)
    }
}

public enum PeopleWorkflow {
    public static func list(_ gallery: LiveGallery) throws(WorkflowError) -> JSONValue {
        try gallery.read { g throws(WorkflowError) in
            .object([("count", .int(g.count)), ("people", .array(g.identities.map(person)))])
        }
    }

    public static func person(_ name: String, in gallery: LiveGallery) throws(WorkflowError) -> JSONValue {
        let key: String
        do { key = try FaceGallery.normalizedName(name) } catch { throw WorkflowError.gallery(error) }
        return try gallery.read { g throws(WorkflowError) in
            guard let identity = g.identity(named: key) else { throw WorkflowError(.unknownPerson, "\(key): no such person in \(gallery.location)") }
            return person(identity)
        }
    }

    static func person(_ i: FaceGallery.Identity) -> JSONValue {
        .object([("name", .string(i.name)), ("embeddings", .int(i.embeddingCount)), ("metadata", i.metadata.map(JSONValue.string) ?? .null)])
    }
}
