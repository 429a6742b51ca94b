import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Workflows

/// What every request of one application shares: the configuration, the models and gallery (loaded once), the
/// inference pool and the metrics. Models and gallery may be absent (then `/readyz` and the routes that need them
/// answer 503 `not_ready`); `draining` is set when graceful shutdown starts.
final class ServerState: @unchecked Sendable {
    let configuration: ServerConfiguration
    /// The face settings requests use (the server's pixel and byte limits applied).
    let faceSettings: FaceSettings
    let pool: InferencePool
    let metrics: ServerMetrics
    let logger: Logger

    private let lock = NSLock()
    private var _models: LoadedModels?      // guarded by lock
    private var _gallery: LiveGallery?      // guarded by lock
    private var _draining = false           // guarded by lock

    init(configuration: ServerConfiguration, models: LoadedModels?, gallery: LiveGallery?, logger: Logger) {
        self.configuration = configuration
        self.faceSettings = configuration.requestFaceSettings
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        self.pool = InferencePool(workers: configuration.workers, queueLimit: configuration.queueLimit, deadline: configuration.deadline) {
            metrics.pool(waiting: $0, running: $1)
        }
        self._models = models
        self._gallery = gallery
        updateGalleryMetrics()
    }

    var models: LoadedModels? { lock.withLock { _models } }
    var gallery: LiveGallery? { lock.withLock { _gallery } }

    /// Graceful shutdown has started: `/readyz` answers 503.
    var draining: Bool {
        get { lock.withLock { _draining } }
        set { lock.withLock { _draining = newValue } }
    }

    /// Models and gallery are loaded, the gallery's database answers (a shared store) and the server is not shutting down.
    var isReady: Bool { notReadyReason == nil }

    /// Why `/readyz` answers 503, nil when ready.
    var notReadyReason: String? {
        let (models, gallery, draining) = lock.withLock { (_models, _gallery, _draining) }
        if draining { return "shutting down" }
        if models == nil { return "loading models" }
        guard let gallery else { return "opening the gallery" }
        if case .offline(_, let reason) = gallery.status { return "gallery database unreachable: \(reason)" }
        return nil
    }

    /// Sets the models and gallery once they are loaded.
    func setResources(models: LoadedModels, gallery: LiveGallery) {
        lock.withLock {
            _models = models
            _gallery = gallery
        }
        updateGalleryMetrics()
    }

    /// The models, or 503 `not_ready`.
    func requireModels() throws -> LoadedModels {
        guard let models else { throw APIError.notReady("the models are not loaded yet") }
        return models
    }

    /// The gallery, or 503 `not_ready`.
    func requireGallery() throws -> LiveGallery {
        guard let gallery else { throw APIError.notReady("the gallery is not open yet") }
        return gallery
    }

    /// Throws 503 `busy` (counted) when the pool would refuse a job now: checked before a request's body is read,
    /// so a full server refuses at once instead of reading and parsing uploads it will not run.
    func admit() throws {
        guard pool.isFull else { return }
        metrics.rejected("busy")
        throw InferencePool.Refusal.busy(workers: pool.workers, queueLimit: pool.queueLimit).apiError
    }

    /// Runs a synchronous workflow call on the inference pool; refusals are counted and become 503.
    func infer<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await pool.submit(body)
        } catch let refusal as InferencePool.Refusal {
            switch refusal {
            case .busy: metrics.rejected("busy")
            case .expired: metrics.rejected("timeout")
            case .shutDown: break
            }
            throw refusal.apiError
        }
    }

    /// Publishes the gallery's size and whether it follows its store to the metrics.
    func updateGalleryMetrics() {
        guard let gallery else { return }
        metrics.gallery(identities: gallery.count, embeddings: gallery.embeddingCount, inStep: !gallery.status.isOffline)
    }
}

/// The response header that says a read was answered from the copy in memory while the gallery's database could not
/// be reached: `Pairmatch-Gallery: offline; since=2026-12-02T19:04:11Z; generation=42` (the time the database was
/// first missed, the store generation the copy reflects). Absent while the copy follows the database.
enum GalleryStatusHeader {
    static let name = HTTPField.Name("Pairmatch-Gallery")!

    /// The header's value for `gallery` now, nil when it is in step.
    static func value(_ gallery: LiveGallery) -> String? {
        guard case .offline(let since, _) = gallery.status else { return nil }
        let time = ISO8601DateFormatter().string(from: since)
        return "offline; since=\(time)" + (gallery.generation.map { "; generation=\($0)" } ?? "")
    }

    /// `response` with the header added when `gallery` answers from memory.
    static func mark(_ response: Response, _ gallery: LiveGallery) -> Response {
        guard let value = value(gallery) else { return response }
        var marked = response
        marked.headers[name] = value
        return marked
    }
}
