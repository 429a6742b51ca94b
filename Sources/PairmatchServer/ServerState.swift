import Foundation
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

    /// Models and gallery are loaded and the server is not shutting down.
    var isReady: Bool { lock.withLock { _models != nil && _gallery != nil && !_draining } }

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

    /// Publishes the gallery's size to the metrics.
    func updateGalleryMetrics() {
        guard let gallery else { return }
        metrics.gallery(identities: gallery.count, embeddings: gallery.embeddingCount)
    }
}
